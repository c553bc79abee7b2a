package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// TestContractWithPrometheus asks a real Prometheus and the simulator the same
// questions, ones whose answers do not depend on stored data, and wants the same
// bytes back, or for errors the same status and error type (and message, where
// Prometheus has not reworded it between releases: the test server may be an
// older release than the engine the simulator embeds). This is what keeps "in
// Prometheus's format" true.
func TestContractWithPrometheus(t *testing.T) {
	prom := testservers.Prometheus(t, testservers.PromOptions{})
	sc := DemoScenario(testStart)
	sim, err := StartPrometheus(sc, fixedClock(sc))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	const at = "1772366407.5"
	q := func(query string) string {
		return "/api/v1/query?" + url.Values{"query": {query}, "time": {at}}.Encode()
	}
	rng := func(query, start, end, step string) string {
		return "/api/v1/query_range?" + url.Values{"query": {query}, "start": {start}, "end": {end}, "step": {step}}.Encode()
	}
	tests := []struct {
		path        string
		sameMessage bool
	}{
		{q(`vector(1)`), true},
		{q(`vector(1.5e-7) * 3`), true},
		{q(`0/0`), true},
		{q(`-1/0`), true},
		{q(`time()`), true},
		{q(`"a\"b<>&"`), true},
		{q(`label_replace(vector(0.25), "job", "<x>&\u00e9", "", "")`), true},
		{q(`nothing_here`), true},
		{rng(`vector(2)`, "2026-03-01T12:00:00Z", "2026-03-01T12:00:30.25Z", "15"), true},
		{rng(`vector(time()) > 1772366415`, "1772366400", "1772366460", "15s"), true},
		{rng(`vector(time() * 1e21)`, "1772366400.001", "1772366400.101", "0.05"), true},
		{q(`1e-7`), true},
		{q(`1e22`), true},
		{"/api/v1/query?query=time()&time=1772366407", true},
		{q(`sum(`), false},
		// Prometheus 3 prefixes range-query parse errors and lowercased this one.
		{rng(`time() > 1`, "1", "10", "15"), false},
		{"/api/v1/query?query=up&time=yesterday", false},
		{"/api/v1/query?query=up&timeout=-1s", false},
		{rng(`up`, "", "1", "15"), true},
		{rng(`up`, "10", "1", "15"), true},
		{rng(`up`, "1", "10", "0"), true},
		{rng(`up`, "0", "1000000", "1"), true},
		{rng(`up`, "1", "10", "x"), true},
		{q(`label_replace(vector(1), "a", "b", "", "") + on() group_left label_replace(vector(1) or vector(2), "x", "y", "", "")`), false},
	}
	for _, tt := range tests {
		rc, rb := fetch(t, prom.URL()+tt.path)
		simc, sb := fetch(t, sim.URL()+tt.path)
		if rc == http.StatusOK {
			if simc != rc || sb != rb {
				t.Errorf("%s:\n  prometheus %d %s\n   simulator %d %s", tt.path, rc, rb, simc, sb)
			}
			continue
		}
		var re, se struct{ Status, ErrorType, Error string }
		if err := json.Unmarshal([]byte(rb), &re); err != nil {
			t.Fatalf("%s: prometheus answered %d %s", tt.path, rc, rb)
		}
		_ = json.Unmarshal([]byte(sb), &se)
		if simc != rc || se.Status != re.Status || se.ErrorType != re.ErrorType || (tt.sameMessage && se.Error != re.Error) {
			t.Errorf("%s:\n  prometheus %d %s\n   simulator %d %s", tt.path, rc, rb, simc, sb)
		}
	}
}

func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
