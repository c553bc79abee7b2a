package pdcontract

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEveryPatchAppliesToTheDocument: each patch found its mistake in the document in
// use. One that no longer applies means the document was corrected and the patch can go.
func TestEveryPatchAppliesToTheDocument(t *testing.T) {
	spec := Load(t)
	t.Logf("loaded %s in %s", spec.Path, spec.LoadTook)
	if len(spec.Repairs) != len(patches) {
		t.Fatalf("%d repair reports for %d patches", len(spec.Repairs), len(patches))
	}
	for _, r := range spec.Repairs {
		if !strings.HasPrefix(r, "patched: ") {
			t.Errorf("%s", r)
		}
	}
}

func TestRepairReportsWhatItDid(t *testing.T) {
	doc := `{"paths":{"/x":{"put":{"responses":{"200":{"$ref":"#/components/requestBodies/B"}}}}},
		"components":{"requestBodies":{"B":{"content":{"application/json":{"schema":{"type":"object"}}}}},
		"schemas":{"Oncall":{"properties":{"start":{"type":"string","nullable":true},"end":{"type":"string","nullable":true}}}}}}`
	out, report, err := repair([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"patched: ", "not needed", "not needed", "not needed"}
	for i, r := range report {
		if !strings.HasPrefix(r, want[i]) {
			t.Errorf("patch %d: %q, want %q…", i, r, want[i])
		}
	}
	var got map[string]any
	mustJSON(t, out, &got)
	res := lookup(got, "paths", "/x", "put", "responses", "200")
	if _, ok := res["$ref"]; ok || res["content"] == nil || res["description"] != "" {
		t.Errorf("response not inlined: %v", res)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestCheckerFindsViolations puts a server that breaks the document in several ways
// behind the checker, and a client that does, in front of it.
func TestCheckerFindsViolations(t *testing.T) {
	chk := Load(t).NewChecker()
	srv := httptest.NewServer(chk.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/incidents":
			_, _ = io.WriteString(w, `{"incidents":[{"id":"P1","type":"incident","status":"on fire"}],"limit":25,"offset":0,"more":false}`)
		case "/oncalls":
			_, _ = io.WriteString(w, `{"oncalls":[],"limit":25,"offset":0,"more":false,"total":null}`)
		default:
			w.WriteHeader(http.StatusTeapot)
		}
	})))
	defer srv.Close()
	get := func(path string, header map[string]string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
	}
	auth := map[string]string{"Authorization": "Token token=k"}

	get("/oncalls?earliest=true", auth)
	if vs := chk.Violations(); len(vs) != 0 || chk.Checked() != 2 {
		t.Fatalf("a documented exchange: %v, %d checked", vs, chk.Checked())
	}
	for _, tc := range []struct {
		path   string
		header map[string]string
		want   []string // one per violation, in order: request's first
	}{
		{"/incidents", auth, []string{`response 200 to GET /incidents: response body doesn't match schema`}},
		{"/oncalls", nil, []string{`request GET /oncalls: security requirement`}},
		{"/oncalls?earliest=maybe", auth, []string{`request GET /oncalls: parameter "earliest"`}},
		{"/no/such/thing", auth, []string{"request GET /no/such/thing: no such operation", "response 418 to GET /no/such/thing: the request matched no operation"}},
		{"/users/me", auth, []string{"response 418 to GET /users/me: status is not supported"}},
	} {
		chk.Reset()
		get(tc.path, tc.header)
		vs := chk.Violations()
		if len(vs) != len(tc.want) {
			t.Errorf("%s: %d violations, want %d: %v", tc.path, len(vs), len(tc.want), vs)
			continue
		}
		for i, v := range vs {
			if !strings.HasPrefix(v.String(), tc.want[i]) {
				t.Errorf("%s: %q, want it to start %q", tc.path, v.String(), tc.want[i])
			}
		}
	}
}

func TestRoundTripperChecksBothWays(t *testing.T) {
	chk := Load(t).NewChecker()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"duration"`) {
			t.Errorf("the server got body %q: the checker must pass it on", body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"incident":{"id":"P1","type":"incident","status":"acknowledged"}}`)
	}))
	defer srv.Close()
	client := &http.Client{Transport: chk.RoundTripper(nil)}
	req, _ := http.NewRequest("POST", srv.URL+"/incidents/P1/snooze", strings.NewReader(`{"duration":0}`))
	req.Header.Set("Authorization", "Token token=k")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if !strings.Contains(string(body), `"acknowledged"`) {
		t.Errorf("the client got body %q: the checker must pass it on", body)
	}
	vs := chk.Violations()
	// No From header, and a duration below the minimum of 1: the first breach is
	// reported (kin-openapi stops at it); the response is as documented.
	if len(vs) != 1 || vs[0].Side != "request" || chk.Checked() != 2 {
		t.Errorf("violations %v, %d checked", vs, chk.Checked())
	}
}
