package sim_test

import (
	"context"
	"slices"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/alertmanager"
	"github.com/vigil-sre/vigil/sources/sim"
)

// The demo's Alertmanager, read by the real source: the silence mutes its target, the
// critical auth alert inhibits the warning of the same service, checkout's alert
// fires only while its page is open, and a silence made and expired through the
// source behaves as on a real Alertmanager.
func TestDemoAlertmanagerThroughTheSource(t *testing.T) {
	t.Parallel()
	sc := sim.DemoScenario(time.Now())
	now := sc.Start
	clock := func() time.Time { return now }
	am := sim.DemoAlertmanager(sc, clock)
	if err := am.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = am.Close() })
	src, err := alertmanager.New(alertmanager.Options{Name: "demo-am", URL: am.URL(), HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	g, err := alertmanager.NewGroup("alertmanager", []*alertmanager.Source{src})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	poll := func() map[string]sources.Alert {
		t.Helper()
		d, err := g.Poll(ctx, now)
		if err != nil || len(d.Warnings) > 0 {
			t.Fatalf("poll: %v %v", err, d.Warnings)
		}
		out := map[string]sources.Alert{}
		for _, a := range d.Alerts.Alerts {
			out[a.Labels["alertname"]+"/"+a.Labels["instance"]] = a
		}
		return out
	}
	got := poll()
	state := func(key string) string { return got[key].State }
	for key, want := range map[string]string{
		"NodeDiskSpaceLow/search-2:9100": "suppressed", "AuthHighLatency/": "suppressed", "AuthDatabaseDown/auth-db-1:5432": "active",
		"PaymentsLatencyHigh/payments-2:8080": "active", "Watchdog/": "active", "SearchIndexLagHigh/": "active",
	} {
		if state(key) != want {
			t.Errorf("%s: state %q, want %q", key, state(key), want)
		}
	}
	if a := got["NodeDiskSpaceLow/search-2:9100"]; len(a.SilencedBy) != 1 {
		t.Errorf("the disk alert is silenced by %v, want the demo's silence", a.SilencedBy)
	}
	if a := got["AuthHighLatency/"]; len(a.InhibitedBy) != 1 || a.InhibitedBy[0] != got["AuthDatabaseDown/auth-db-1:5432"].Fingerprint {
		t.Errorf("AuthHighLatency inhibited by %v, want AuthDatabaseDown's fingerprint", a.InhibitedBy)
	}

	// Checkout's burn alert fires exactly in its page window.
	from, to := sc.DemoPageWindow(0)
	now = from.Add(time.Second)
	if a, ok := poll()["CheckoutHighErrorBudgetBurn/"]; !ok || !a.StartsAt.Equal(from) {
		t.Errorf("in the page window: checkout's alert %+v (firing %v), want it started at %s", a, ok, from)
	}
	now = to.Add(time.Second)
	if _, ok := poll()["CheckoutHighErrorBudgetBurn/"]; ok {
		t.Errorf("after the page window checkout's alert still fires")
	}

	// A silence made through the source mutes; expired, it no longer does.
	ids, err := g.CreateSilence(ctx, []sources.Matcher{{Name: "alertname", Value: "PaymentsLatencyHigh", IsEqual: true}},
		now, now.Add(time.Hour), "ada@example.com", "deploy rolling back")
	if err != nil || ids["demo-am"] == "" {
		t.Fatalf("CreateSilence: %v %v", ids, err)
	}
	if got := poll()["PaymentsLatencyHigh/payments-1:8080"]; got.State != "suppressed" || !slices.Contains(got.SilencedBy, ids["demo-am"]) {
		t.Errorf("after the silence: %+v", got)
	}
	if _, err := g.CreateSilence(ctx, nil, now, now.Add(time.Hour), "ada@example.com", "x"); err == nil {
		t.Error("a silence without matchers was accepted")
	}
	if err := g.ExpireSilence(ctx, ids["demo-am"]); err != nil {
		t.Fatal(err)
	}
	if got := poll()["PaymentsLatencyHigh/payments-1:8080"]; got.State != "active" {
		t.Errorf("after expiring the silence: state %q", got.State)
	}
	if err := g.ExpireSilence(ctx, "no-such-id"); err == nil {
		t.Error("expiring an unknown silence succeeded")
	}
}
