package alertmanager

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
)

// Rules evaluated every second: one alert always firing, one pending for an hour, and
// one that flaps every 4 seconds.
const alertRules = `groups:
  - name: test
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: critical, service: api}
        annotations: {summary: always}
      - alert: LongPending
        expr: vector(1)
        for: 1h
      - alert: Flapping
        expr: (vector(time()) % 4) < 2
        labels: {service: batch}
`

func TestPrometheusAlertsAndEpisodes(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: alertRules})
	hist, err := NewHistory(HistoryOptions{Name: "prom", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, Every: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewPromAlerts(PromOptions{Name: "prom", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, History: hist})
	if err != nil {
		t.Fatal(err)
	}
	// Flapping needs a few cycles of 4s before it has re-fired twice.
	d := waitFor(t, src, "Flapping with 3 episodes", func(d sources.Data) bool {
		a, ok := find(d, "Flapping")
		return ok && a.Episodes >= 3
	})
	if len(d.Warnings) != 0 {
		t.Errorf("warnings %v", d.Warnings)
	}
	always, _ := find(d, "AlwaysFiring")
	wantFP := model.LabelSet{"alertname": "AlwaysFiring", "severity": "critical", "service": "api"}.Fingerprint().String()
	if always.State != StateFiring || always.Fingerprint != wantFP || always.Labels["service"] != "api" ||
		always.Annotations["summary"] != "always" || always.StartsAt.IsZero() || always.Episodes != 1 {
		t.Errorf("AlwaysFiring: %+v (want fingerprint %s, 1 episode)", always, wantFP)
	}
	if pending, _ := find(d, "LongPending"); pending.State != StatePending {
		t.Errorf("LongPending: state %q, want pending", pending.State)
	}
	if d.Alerts.Requests != 2 {
		t.Errorf("requests %d, want 2 (alerts and history)", d.Alerts.Requests)
	}
}

// The same label set has the same fingerprint in Alertmanager and in the history, so
// the history's counts land on Alertmanager's alerts.
func TestEpisodesReachAlertmanagerAlerts(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: alertRules})
	am := testservers.Alertmanager(t, testservers.AMOptions{})
	hist, err := NewHistory(HistoryOptions{Name: "prom", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig,
		ExternalLabels: map[string]string{"cluster": "eu"}})
	if err != nil {
		t.Fatal(err)
	}
	g := group(t, am.URL()).WithHistory(hist)
	am.Push(t, testservers.PushAlert{Labels: map[string]string{"alertname": "AlwaysFiring", "severity": "critical", "service": "api", "cluster": "eu"}})
	p.WaitForSeries(t, `ALERTS_FOR_STATE{alertname="AlwaysFiring"}`, 20*time.Second)
	d := poll(t, g)
	a, ok := find(d, "AlwaysFiring")
	if !ok || a.Episodes != 1 {
		t.Fatalf("AlwaysFiring from Alertmanager: %+v, want 1 episode from history", a)
	}
	if d.Alerts.Requests != 3 {
		t.Errorf("requests %d, want 2 for Alertmanager and 1 for the history", d.Alerts.Requests)
	}
	// Within Every the history is not asked again.
	if d := poll(t, g); d.Alerts.Requests != 2 {
		t.Errorf("second poll: requests %d, want 2", d.Alerts.Requests)
	}
}

// With ExternalLabels, a Prometheus's alerts carry its external_labels, as the alerts
// it sends to Alertmanager do, so both have one fingerprint; the history, reading them
// too, still lands its counts on the alerts. Without, the labels are those evaluated.
func TestPrometheusAlertsWithExternalLabels(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: alertRules, ExternalLabels: map[string]string{"cluster": "eu", "service": "ignored"}})
	hist, err := NewHistory(HistoryOptions{Name: "prom", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, ReadExternalLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewPromAlerts(PromOptions{Name: "prom", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, ExternalLabels: true, History: hist})
	if err != nil {
		t.Fatal(err)
	}
	p.WaitForSeries(t, `ALERTS_FOR_STATE{alertname="AlwaysFiring"}`, 20*time.Second)
	d := poll(t, src)
	a, ok := find(d, "AlwaysFiring")
	// The alert's own service label wins over the external one, as in Prometheus.
	want := model.LabelSet{"alertname": "AlwaysFiring", "severity": "critical", "service": "api", "cluster": "eu"}
	if !ok || a.Fingerprint != want.Fingerprint().String() || a.Labels["cluster"] != "eu" || a.Labels["service"] != "api" || a.Episodes != 1 {
		t.Errorf("AlwaysFiring: %+v, want the labels %v, their fingerprint %s and 1 episode", a, want, want.Fingerprint())
	}
	if d.Alerts.Requests != 4 {
		t.Errorf("first poll: requests %d, want 4 (alerts, history, and each one's external labels)", d.Alerts.Requests)
	}
	if d := poll(t, src); d.Alerts.Requests != 1 {
		t.Errorf("second poll: requests %d, want 1 (the labels and the history are not asked again so soon)", d.Alerts.Requests)
	}

	plain, err := NewPromAlerts(PromOptions{Name: "prom", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	d = poll(t, plain)
	if a, _ := find(d, "AlwaysFiring"); a.Labels["cluster"] != "" || d.Alerts.Requests != 1 {
		t.Errorf("without ExternalLabels: %+v, %d requests", a, d.Alerts.Requests)
	}
}

func TestPrometheusHostileAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, want string }{
		{`null`, `bad answer: status "", want success`},
		{`{"status":"success","data":null}`, "no alerts list"},
		{`{"status":"success","data":{"alerts":null}}`, "no alerts list"},
		{`{"status":"success","data":{"alerts":[null]}}`, "alert 0 is null"},
		{`{"status":"success","data":{"alerts":[{"labels":null,"state":"firing","activeAt":"2026-01-01T00:00:00Z"}]}}`, "alert 0 has no labels"},
		{`{"status":"success","data":{"alerts":[{"labels":{},"state":"resolved","activeAt":"2026-01-01T00:00:00Z"}]}}`, "want firing or pending"},
		{`{"status":"error","error":"boom"}`, "error: boom"},
	}
	for _, c := range cases {
		srv := httptestServer(t, c.body)
		src, err := NewPromAlerts(PromOptions{Name: "p", URL: srv, HTTP: promconfig.DefaultHTTPClientConfig})
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Poll(context.Background(), time.Now())
		if err == nil || !strings.HasPrefix(err.Error(), "prometheus p: alerts: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.body, err, c.want)
		}
	}
	srv := httptestServer(t, `{"status":"success","data":{"resultType":"vector","result":[null]}}`)
	h, err := NewHistory(HistoryOptions{Name: "p", URL: srv, HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Episodes(context.Background(), time.Now()); err == nil || !strings.Contains(err.Error(), "series 0 has no labels") {
		t.Errorf("history [null]: err %v", err)
	}
}

func httptestServer(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
	t.Cleanup(srv.Close)
	return srv.URL
}
