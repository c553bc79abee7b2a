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
// blank the golden signals of the whole Prometheus; the SLO part carries the error.
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
	if data.SLOs == nil || !strings.Contains(data.SLOs.Err, "SLO") || !strings.Contains(data.SLOs.Err, "parse error") {
		t.Errorf("SLO part = %+v, want an error naming the SLO query and the parse error", data.SLOs)
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
