// Package pdcontract checks HTTP traffic against PagerDuty's published OpenAPI document
// (the REST API v2 reference, openapiv3.json), so that the simulator and the client are
// held to what PagerDuty documents rather than to what each believes of the other.
//
// Tests call Load to get the parsed document, then put a Checker in the traffic's way:
// as an http.Handler middleware around a server, or as an http.RoundTripper under a
// client. The Checker validates every request and response and records violations;
// AssertClean fails the test on any, and on having checked nothing at all.
//
// The document's path comes from VIGIL_PD_OPENAPI. Without it, Load fails the test
// when VIGIL_REQUIRE_SERVERS=1 (CI) and skips it loudly otherwise. It is imported only
// by tests; it is a normal package so that several packages' tests can share it.
package pdcontract

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// EnvSpec names the environment variable holding the document's path.
const EnvSpec = "VIGIL_PD_OPENAPI"

// Spec is the parsed document and a router over its paths. It is read-only once
// loaded and shared by every test of a binary.
type Spec struct {
	Doc      *openapi3.T
	Path     string        // where it was read from
	LoadTook time.Duration // parse and router build, for the record: ~1 s for 2.7 MB
	Repairs  []string      // what was patched in the document, and why (see repair.go)
	router   routers.Router
}

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

// Load returns the document named by VIGIL_PD_OPENAPI, parsed once per test binary.
// A missing variable or file fails t under VIGIL_REQUIRE_SERVERS=1 and skips it
// otherwise; a document that does not parse always fails t.
func Load(t testing.TB) *Spec {
	t.Helper()
	path := os.Getenv(EnvSpec)
	if path == "" {
		missing(t, EnvSpec+" is not set: it names PagerDuty's openapiv3.json (.ci/run sets it)")
	}
	if _, err := os.Stat(path); err != nil {
		missing(t, fmt.Sprintf("%s=%s: %v", EnvSpec, path, err))
	}
	loadOnce.Do(func() { loaded, loadErr = LoadFile(path) })
	if loadErr != nil {
		t.Fatalf("pdcontract: %v", loadErr)
	}
	if loaded.Path != path {
		t.Fatalf("pdcontract: %s changed from %s to %s within one test binary", EnvSpec, loaded.Path, path)
	}
	return loaded
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if testservers.RequireServers() {
		t.Fatalf("pdcontract: %s; VIGIL_REQUIRE_SERVERS=1 forbids skipping", msg)
	}
	banner := strings.Repeat("!", 72)
	t.Skipf("\n%s\nSKIPPING: pdcontract: %s\nset VIGIL_REQUIRE_SERVERS=1 to make this a failure\n%s", banner, msg, banner)
}

// LoadFile parses the document at path and builds its router. The document's servers
// (api.pagerduty.com, api.eu.pagerduty.com) are dropped so that routes match on the
// path alone: the traffic under test goes to a loopback address.
func LoadFile(path string) (*Spec, error) {
	start := time.Now()
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	raw, repairs, err := repair(raw)
	if err != nil {
		return nil, fmt.Errorf("repair %s: %w", path, err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", path, err)
	}
	return &Spec{Doc: doc, Path: path, LoadTook: time.Since(start), Repairs: repairs, router: router}, nil
}

// authenticate stands in for PagerDuty's check of the api_key scheme: the
// Authorization header carries "Token token=<key>" (or "Bearer <token>" from OAuth).
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if strings.HasPrefix(h, "Token token=") && len(h) > len("Token token=") {
		return nil
	}
	if strings.HasPrefix(h, "Bearer ") && len(h) > len("Bearer ") {
		return nil
	}
	return fmt.Errorf("authorization header %q is not \"Token token=<key>\"", redact(h))
}

// redact keeps an Authorization header's scheme and hides its secret.
func redact(h string) string {
	if h == "" {
		return ""
	}
	if i := strings.IndexAny(h, " ="); i >= 0 {
		return h[:i+1] + "…"
	}
	return "…"
}
