package prometheus

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// TestBrokenSLOQueryLeavesSignalsFresh: one SLO query the server rejects must not
// blank the golden signals of the whole Prometheus; only that SLO is marked failed.
func TestBrokenSLOQueryLeavesSignalsFresh(t *testing.T) {
	t.Parallel()
	srv, err := sim.StartPrometheus(sim.DemoScenario(time.Now().Add(-time.Hour)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	d := sim.Demo()
	src, err := New(Options{
		Name: "sim", URL: srv.URL(), HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &SignalSpec{By: d.By, Profile: map[sources.Signal]string{sources.Traffic: d.Traffic},
			Services: []ServiceSpec{{Name: "api"}}},
		SLOs: []slo.Definition{{Name: "broken", Objective: 0.999, Window: 7 * 24 * time.Hour,
			SLI: slo.SLI{Errors: `sum(rate(http_requests_total{code="500"}[{{.window}}])`, Total: `sum(rate(http_requests_total[{{.window}}]))`}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, time.Now())
	if err != nil {
		t.Fatalf("poll failed as a whole: %v", err)
	}
	if r := data.Signals.Services["api"].Values[sources.Traffic]; !r.Valid {
		t.Errorf("api traffic = %+v, want a fresh value", r)
	}
	if data.SLOs == nil || data.SLOs.Err != "" {
		t.Fatalf("SLO part = %+v, want it answered with only the broken SLO failed", data.SLOs)
	}
	if f, ok := data.SLOs.Failed["broken"]; !ok || !strings.Contains(f.Err, "parse error") || f.Stale {
		t.Errorf("failed SLOs = %+v, want broken with its parse error, not stale", data.SLOs.Failed)
	}
	if len(data.SLOs.Failures) == 0 || !strings.HasPrefix(data.SLOs.Failures[0].What, "SLO ") {
		t.Errorf("failures = %+v, want the combined SLO queries that failed", data.SLOs.Failures)
	}
}

// TestNothingToAskStillProbes: a Prometheus with no signals and no SLOs is still
// asked something, so its badge cannot say ok while it is down.
func TestNothingToAskStillProbes(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	src, err := New(Options{Name: "idle", URL: url, HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := src.Poll(ctx, time.Now()); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("poll of a down, idle Prometheus = %v, want connection refused", err)
	}
}
