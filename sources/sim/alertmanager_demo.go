package sim

import (
	"sync"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// DemoAlertmanager is the demo's Alertmanager: the alerts behind the demo's PagerDuty
// pages (same label sets, so the dashboard folds them into the pages' rows), a few
// that need a human on their own, and noise of every kind triage folds away:
//
//   - CheckoutHighErrorBudgetBurn (checkout, page): fires while checkout's page is
//     open (DemoPageWindow), as Alertmanager sent it to PagerDuty;
//   - SearchIndexLagHigh (search) and FrontendCertificateExpiresSoon (frontend): the
//     alerts of the two low-urgency pages;
//   - PaymentsLatencyHigh on three payments instances (warning): one group of three;
//   - AuthDatabaseDown (auth, critical), which inhibits AuthHighLatency (warning);
//   - NodeDiskSpaceLow on search-2, silenced by Lin for a disk clean-up that ends in
//     20 minutes (listed as expiring soon);
//   - Watchdog (a heartbeat) and CertificateRotated (info, below the floor).
func DemoAlertmanager(sc *Scenario, clock func() time.Time) *Alertmanager {
	a := NewAlertmanager(clock)
	start := sc.Start
	gen := func(expr string) string { return "http://prometheus.demo:9090/graph?g0.expr=" + expr }
	runbook := func(name string) string { return "https://runbooks.example.com/" + name }
	pages := &demoAlertWindows{sc: sc, open: map[int][2]time.Time{}}
	a.AddAlert(AMAlert{
		Labels: map[string]string{"alertname": "CheckoutHighErrorBudgetBurn", "service": "checkout", "severity": "page"},
		Annotations: map[string]string{
			"summary":     "checkout-availability is burning its 30d error budget 14.4x too fast (1h and 5m windows).",
			"runbook_url": runbook("checkout-error-budget-burn"),
		},
		GeneratorURL: gen("checkout_burn_rate"),
		Active:       pages.active,
	})
	a.AddAlert(AMAlert{
		Labels:       map[string]string{"alertname": "SearchIndexLagHigh", "service": "search", "severity": "ticket"},
		Annotations:  map[string]string{"summary": "Search index is 14 minutes behind the catalogue."},
		StartsAt:     start.Add(-42 * time.Minute),
		GeneratorURL: gen("search_index_lag_seconds"),
	})
	a.AddAlert(AMAlert{
		Labels:       map[string]string{"alertname": "FrontendCertificateExpiresSoon", "service": "frontend", "severity": "ticket"},
		Annotations:  map[string]string{"summary": "The TLS certificate of shop.example.com expires in 9 days."},
		StartsAt:     start.Add(-3*time.Hour - 10*time.Minute),
		GeneratorURL: gen("probe_ssl_earliest_cert_expiry"),
	})
	for i, inst := range []string{"payments-1:8080", "payments-2:8080", "payments-3:8080"} {
		a.AddAlert(AMAlert{
			Labels: map[string]string{"alertname": "PaymentsLatencyHigh", "service": "payments", "severity": "warning", "instance": inst},
			Annotations: map[string]string{
				"summary":     "p99 latency of " + inst + " is over 400ms.",
				"runbook_url": runbook("payments-latency"),
			},
			StartsAt:     start.Add(-time.Duration(25-i) * time.Minute),
			GeneratorURL: gen("histogram_quantile(0.99,payments_request_duration_seconds_bucket)"),
		})
	}
	a.AddAlert(AMAlert{
		Labels: map[string]string{"alertname": "AuthDatabaseDown", "service": "auth", "severity": "critical", "instance": "auth-db-1:5432"},
		Annotations: map[string]string{
			"summary":     "The primary auth database does not answer; logins fail over to the replica.",
			"runbook_url": runbook("auth-database-down"),
		},
		StartsAt:     start.Add(-7 * time.Minute),
		GeneratorURL: gen("pg_up"),
	})
	a.AddAlert(AMAlert{
		Labels:       map[string]string{"alertname": "AuthHighLatency", "service": "auth", "severity": "warning"},
		Annotations:  map[string]string{"summary": "Login p99 latency is over 1s."},
		StartsAt:     start.Add(-6 * time.Minute),
		GeneratorURL: gen("auth_login_duration_seconds"),
	})
	a.AddInhibit(AMInhibit{
		Source: labels.Matchers{mustMatcher(labels.MatchEqual, "severity", "critical")},
		Target: labels.Matchers{mustMatcher(labels.MatchEqual, "severity", "warning")},
		Equal:  []string{"service"},
	})
	a.AddAlert(AMAlert{
		Labels:       map[string]string{"alertname": "NodeDiskSpaceLow", "service": "search", "severity": "warning", "instance": "search-2:9100"},
		Annotations:  map[string]string{"summary": "/var on search-2 is 91% full."},
		StartsAt:     start.Add(-50 * time.Minute),
		GeneratorURL: gen("node_filesystem_avail_bytes"),
	})
	isEqual := true
	// The demo's own data: it cannot fail.
	_, _ = a.AddSilence(AMSilence{
		Matchers:  []AMMatcher{{Name: "alertname", Value: "NodeDiskSpaceLow", IsEqual: &isEqual}, {Name: "instance", Value: "search-2:9100", IsEqual: &isEqual}},
		StartsAt:  start.Add(-40 * time.Minute),
		EndsAt:    start.Add(20 * time.Minute),
		CreatedBy: "lin@example.com",
		Comment:   "log clean-up running on search-2",
	})
	a.AddAlert(AMAlert{
		Labels:      map[string]string{"alertname": "Watchdog", "severity": "none"},
		Annotations: map[string]string{"summary": "The alerting pipeline is alive."},
		StartsAt:    start.Add(-72 * time.Hour),
	})
	a.AddAlert(AMAlert{
		Labels:      map[string]string{"alertname": "CertificateRotated", "service": "api", "severity": "info"},
		Annotations: map[string]string{"summary": "api's serving certificate was rotated."},
		StartsAt:    start.Add(-15 * time.Minute),
	})
	return a
}

func mustMatcher(t labels.MatchType, name, value string) *labels.Matcher {
	m, err := labels.NewMatcher(t, name, value)
	if err != nil {
		panic(err) // the demo's own constants
	}
	return m
}

// demoAlertWindows says whether checkout's burn alert fires: while a page window is
// open, from its start. Windows are computed once per cycle.
type demoAlertWindows struct {
	sc   *Scenario
	mu   sync.Mutex
	open map[int][2]time.Time
}

func (d *demoAlertWindows) active(now time.Time) (bool, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	base := int(now.Sub(d.sc.FirstCycle) / CycleLength)
	if now.Before(d.sc.FirstCycle) {
		base--
	}
	for n := base - 1; n <= base; n++ {
		w, ok := d.open[n]
		if !ok {
			from, to := d.sc.DemoPageWindow(n)
			w = [2]time.Time{from, to}
			d.open[n] = w
		}
		if !now.Before(w[0]) && now.Before(w[1]) {
			return true, w[0]
		}
	}
	return false, time.Time{}
}
