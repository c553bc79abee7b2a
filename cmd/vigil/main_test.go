package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources/sim"
)

// run executes the CLI in-process and returns its exit code and standard output;
// standard error goes to the test log.
func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	root := newRoot()
	var out, errs bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errs)
	root.SetArgs(args)
	code := exitCode(root.Execute(), &errs)
	if errs.Len() > 0 {
		t.Logf("vigil %s: stderr: %s", strings.Join(args, " "), errs.String())
	}
	return code, out.String()
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsageAndConfigErrorsExit2(t *testing.T) {
	bad := writeConfig(t, "refresh: 15s\nprometheus:\n  - name: prod\n    urll: http://127.0.0.1:9\n")
	cases := [][]string{
		{"--config", bad, "snapshot"},
		{"--config", bad, "check"},
		{"snapshot", "--demo", "--format", "xml"},
		{"snapshot", "--demo", "--at", "yesterday"},
		{"no-such-command"},
		{"snapshot", "--no-such-flag"},
		{"--config", filepath.Join(t.TempDir(), "missing.yaml"), "check"},
	}
	for _, args := range cases {
		if code, out := run(t, args...); code != 2 {
			t.Errorf("vigil %s: exit %d, want 2 (output %q)", strings.Join(args, " "), code, out)
		}
	}
}

// TestHostileConfigCannotDriveTheTerminal: `check` prints SLO names, which come from
// the config or an imported file; one holding an OSC sequence would set the
// operator's window title (or worse) if printed raw.
func TestHostileConfigCannotDriveTheTerminal(t *testing.T) {
	cfg := writeConfig(t, `prometheus:
  - name: prod
    url: http://127.0.0.1:9
slos:
  - name: "x\e]0;pwned\a\e[2J"
    objective: 99
    window: 7d
    errors: sum(rate(e[{{.window}}]))
    total: sum(rate(t[{{.window}}]))
`)
	code, out := run(t, "--config", cfg, "check")
	if code != 1 || !strings.Contains(out, "slo x") {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("check output carries escape sequences: %q", out)
	}
}

func TestVersion(t *testing.T) {
	code, out := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "vigil dev (commit none, built unknown)") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

func TestCheckProbesEverySource(t *testing.T) {
	srv, err := sim.StartPrometheus(sim.DemoScenario(time.Now()), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The simulator evaluates no alerting rules: its entries say alerts: false.
	// A port that refuses: listen, note the port, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()

	good := writeConfig(t, "prometheus:\n  - name: sim\n    url: "+srv.URL()+"\n    alerts: false\nservices:\n  - name: api\n    traffic: sum(rate(http_requests_total{job=\"api\"}[1m]))\n")
	code, out := run(t, "--config", good, "check")
	if code != 0 || !strings.Contains(out, "config  "+good+": ok") || !strings.Contains(out, "prometheus sim "+srv.URL()+": ok") {
		t.Errorf("check on a good config: exit %d\n%s", code, out)
	}

	slos := writeConfig(t, `prometheus:
  - name: sim
    url: `+srv.URL()+`
    alerts: false
slos:
  - name: fast-enough
    objective: 99
    window: 7d
    latency: {histogram: http_request_duration_seconds, selector: '{job="checkout"}', threshold: 300ms}
  - name: not-a-bucket
    objective: 99
    window: 7d
    latency: {histogram: http_request_duration_seconds, selector: '{job="checkout"}', threshold: 200ms}
  - name: quiet
    objective: 99
    window: 7d
    errors: sum(rate(http_requests_total{job="nobody",code="500"}[{{.window}}]))
    total: sum(rate(http_requests_total{job="nobody"}[{{.window}}]))
`)
	code, out = run(t, "--config", slos, "check")
	for _, want := range []string{
		"slo fast-enough: ok",
		"slo not-a-bucket: FAIL no http_request_duration_seconds_bucket series with le=200ms (0.2s): the threshold must be one of the histogram's bucket boundaries",
		"slo quiet: WARN total has no series over the last 1h",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check of SLOs lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("check with a bad SLO: exit %d, want 1", code)
	}

	bad := writeConfig(t, "prometheus:\n  - name: sim\n    url: "+srv.URL()+"\n    alerts: false\n  - name: gone\n    url: "+down+"\n    alerts: false\nservices:\n  - name: api\n    traffic: vector(1)\n")
	code, out = run(t, "--config", bad, "check")
	if code != 1 || !strings.Contains(out, "prometheus gone "+down+": FAIL connection refused") || !strings.Contains(out, "prometheus sim") {
		t.Errorf("check with one source down: exit %d\n%s", code, out)
	}
}

// TestSnapshotJSONContract checks the field names and shapes users script against.
func TestSnapshotJSONContract(t *testing.T) {
	code, out := run(t, "snapshot", "--demo", "--format", "json")
	if code != 0 {
		t.Fatalf("snapshot --demo: exit %d\n%s", code, out)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"generated_at", "sources", "services", "slos", "pages", "actionable", "hidden"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level %q", k)
		}
	}
	if _, err := time.Parse(time.RFC3339, doc["generated_at"].(string)); err != nil {
		t.Errorf("generated_at not RFC 3339: %v", err)
	}
	hasKeys := func(what string, m map[string]any, keys ...string) {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: missing %q in %v", what, k, m)
			}
		}
	}
	for _, s := range doc["sources"].([]any) {
		hasKeys("sources[]", s.(map[string]any), "name", "kind", "ok", "last_success", "age_seconds")
	}
	var names []string
	for _, s := range doc["services"].([]any) {
		m := s.(map[string]any)
		hasKeys("services[]", m, "name", "latency_seconds", "traffic_rps", "error_ratio", "saturation_ratio", "state")
		names = append(names, m["name"].(string))
	}
	slices.Sort(names)
	if want := []string{"api", "auth", "checkout", "frontend", "payments", "search"}; !slices.Equal(names, want) {
		t.Errorf("services = %v, want %v", names, want)
	}
	for _, s := range doc["slos"].([]any) {
		m := s.(map[string]any)
		hasKeys("slos[]", m, "name", "service", "objective", "window", "error_ratio", "budget_remaining", "burn_rates", "alert", "exhaustion_seconds")
		hasKeys("slos[].burn_rates", m["burn_rates"].(map[string]any), "5m", "30m", "1h", "2h", "6h", "1d", "3d")
		if o := m["objective"].(float64); o <= 0 || o >= 1 {
			t.Errorf("objective %v is not a fraction", o)
		}
		if a := m["alert"].(string); a != "page" && a != "ticket" && a != "none" {
			t.Errorf("alert = %q", a)
		}
	}
}

// TestSnapshotFailingSourceExit1: a source that fails still appears, with its error.
func TestSnapshotFailingSourceExit1(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	cfg := writeConfig(t, "prometheus:\n  - name: prod\n    url: "+down+"\n    alerts: false\nservices:\n  - name: api\n    traffic: vector(1)\n")
	code, out := run(t, "--config", cfg, "snapshot", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if strings.Contains(out, "vigil: source") {
		t.Errorf("the failure notice belongs on stderr, not in the JSON on stdout")
	}
	var doc struct {
		Sources []struct {
			Name, Error string
			OK          bool
			LastSuccess *string `json:"last_success"`
		}
		Services []struct {
			Name    string
			Traffic *float64 `json:"traffic_rps"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Sources) != 1 || doc.Sources[0].OK || !strings.Contains(doc.Sources[0].Error, "connection refused") || doc.Sources[0].LastSuccess != nil {
		t.Errorf("sources = %+v", doc.Sources)
	}
	if len(doc.Services) != 1 || doc.Services[0].Traffic != nil {
		t.Errorf("services = %+v, want api with null traffic", doc.Services)
	}
}
