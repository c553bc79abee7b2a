package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// waitBoard reads snapshots until ok(board) holds, or fails after a bounded wait.
func waitBoard(t *testing.T, snaps <-chan sources.Snapshot, rules alerts.Rules, what string, ok func(alerts.Board) bool) alerts.Board {
	t.Helper()
	deadline := time.After(15 * time.Second)
	var last alerts.Board
	for {
		select {
		case s := <-snaps:
			last = alerts.Build(s, rules, time.Now())
			if ok(last) {
				return last
			}
		case <-deadline:
			t.Fatalf("never saw %s; last sources: %+v", what, last.Sources)
		}
	}
}

func serviceNamed(b alerts.Board, name string) alerts.ServiceRow {
	for _, r := range b.Services {
		if r.Name == name {
			return r
		}
	}
	return alerts.ServiceRow{}
}

// TestFaultsReachTheBadge injects each kind of bad answer into the simulated
// Prometheus and follows it through the real client and the hub to the Board: the
// source's badge gives a short specific reason, the last good values stay but are
// marked stale, and the source recovers when the fault clears.
func TestFaultsReachTheBadge(t *testing.T) {
	d, err := startDemo(time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	hub := sources.NewHub(d.Setup.Sources, sources.HubOptions{
		Interval: 100 * time.Millisecond, Timeout: 500 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go hub.Run(ctx)
	snaps, unsubscribe := hub.Subscribe()
	defer unsubscribe()
	rules := d.Setup.Rules

	healthy := func(b alerts.Board) bool {
		return b.Sources[0].OK && serviceNamed(b, "api").LatencySeconds != nil
	}
	waitBoard(t, snaps, rules, "a healthy first poll", healthy)

	faults := []struct {
		name   string
		fault  sim.Fault
		reason string
	}{
		{"HTTP 500", sim.Fault{Mode: sim.FaultHTTP500}, "HTTP 500"},
		{"garbage body", sim.Fault{Mode: sim.FaultGarbage}, "bad response"},
		{"body over the cap", sim.Fault{Mode: sim.FaultHuge, Size: 33 << 20}, "over 32 MiB cap"},
		{"slow query", sim.Fault{Mode: sim.FaultDelay, Delay: 3 * time.Second}, "timeout after 500ms"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			d.server.SetFault(f.fault)
			b := waitBoard(t, snaps, rules, "the fault in the badge", func(b alerts.Board) bool { return !b.Sources[0].OK })
			src := b.Sources[0]
			if !strings.Contains(src.Error, f.reason) {
				t.Errorf("badge error = %q, want it to say %q", src.Error, f.reason)
			}
			if len(src.Error) > 160 || strings.ContainsAny(src.Error, "\n\x1b") {
				t.Errorf("badge error is not one short line: %q", src.Error)
			}
			if !src.Stale {
				t.Errorf("source with old data must be stale: %+v", src)
			}
			api := serviceNamed(b, "api")
			if !api.Stale || api.LatencySeconds == nil {
				t.Errorf("api row = stale %v latency %v: want the last good value, marked stale", api.Stale, api.LatencySeconds)
			}
			d.server.SetFault(sim.Fault{})
			waitBoard(t, snaps, rules, "recovery", healthy)
		})
	}

	t.Run("NaN is no data, not zero", func(t *testing.T) {
		d.server.SetFault(sim.Fault{Mode: sim.FaultNaN})
		b := waitBoard(t, snaps, rules, "NaN values", func(b alerts.Board) bool {
			return b.Sources[0].OK && serviceNamed(b, "api").LatencySeconds == nil
		})
		for _, r := range b.Services {
			if r.LatencySeconds != nil || r.TrafficRPS != nil || r.ErrorRatio != nil || r.SaturationRatio != nil || r.State != alerts.StateNoData {
				t.Errorf("%s: NaN must give null values and nodata, got %+v", r.Name, r)
			}
		}
		// Windows of 1d and up are re-read at most once a minute, so only the short
		// windows have been asked since the fault began: those must read null.
		for _, s := range b.SLOs {
			for _, w := range []string{"5m", "30m", "1h", "2h", "6h"} {
				if s.BurnRates[w] != nil {
					t.Errorf("SLO %s: burn %s = %v from NaN counts, want null", s.Name, w, *s.BurnRates[w])
				}
			}
			if s.Alert != alerts.LevelNone {
				t.Errorf("SLO %s: alert %q from NaN short windows, want none", s.Name, s.Alert)
			}
		}
		d.server.SetFault(sim.Fault{})
		waitBoard(t, snaps, rules, "recovery", healthy)
	})

	t.Run("server gone", func(t *testing.T) {
		d.server.Close()
		b := waitBoard(t, snaps, rules, "connection refused", func(b alerts.Board) bool { return !b.Sources[0].OK })
		if !strings.Contains(b.Sources[0].Error, "connection refused") {
			t.Errorf("badge error = %q, want connection refused", b.Sources[0].Error)
		}
	})
}
