package prometheus

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
)

// selfScraping starts a Prometheus scraping itself every second and returns once
// enough scrapes have landed that recentPast() has a few behind it, so rate(...[1m])
// has samples to work on. (Prometheus applies new targets only every 5s, so the first
// scrape comes some seconds after start.)
func selfScraping(t *testing.T) *testservers.PromServer {
	t.Helper()
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: slothRules})
	p.WaitForSeries(t, `count_over_time(up{job="prometheus"}[1m]) >= 6`, 30*time.Second)
	return p
}

// recentPast is a fixed instant a little in the past: every scrape before it has been
// written, so asking it twice gives the same answer.
func recentPast() time.Time { return time.Now().Add(-2 * time.Second).Truncate(time.Second) }

// The golden signals of Prometheus itself, written the way vigil's config writes them.
var selfProfile = map[sources.Signal]string{
	sources.Latency:    `histogram_quantile(0.99, sum by (job, le) (rate(prometheus_http_request_duration_seconds_bucket[1m])))`,
	sources.Traffic:    `sum by (job) (rate(prometheus_http_requests_total[1m]))`,
	sources.Errors:     `sum by (job) (rate(prometheus_http_requests_total{code=~"5.."}[1m])) / sum by (job) (rate(prometheus_http_requests_total[1m]))`,
	sources.Saturation: `max by (job) (process_resident_memory_bytes / 1e9)`,
}

var selfOverrides = map[sources.Signal]string{
	sources.Latency:    `histogram_quantile(0.99, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket{job="prometheus"}[1m])))`,
	sources.Traffic:    `sum(rate(prometheus_http_requests_total{job="prometheus"}[1m]))`,
	sources.Errors:     `sum(rate(prometheus_http_requests_total{job="prometheus",code=~"5.."}[1m])) / sum(rate(prometheus_http_requests_total{job="prometheus"}[1m]))`,
	sources.Saturation: `max(process_resident_memory_bytes{job="prometheus"} / 1e9)`,
}

// TestAgainstSelfScrapingPrometheus shares one server between the tests that need
// scraped data: starting one costs some seconds before its first scrape.
func TestAgainstSelfScrapingPrometheus(t *testing.T) {
	t.Parallel()
	p := selfScraping(t)
	t.Run("signals equal the same query asked directly", func(t *testing.T) { testSignalsEqualDirect(t, p) })
	t.Run("requests do not grow with services", func(t *testing.T) { testRequestsConstant(t, p) })
	t.Run("SLO counts in few requests", func(t *testing.T) { testSLOCounts(t, p) })
	t.Run("SLO recording rules", func(t *testing.T) { testSLORecording(t, p) })
	// Last: it stops and restarts the server.
	t.Run("Prometheus down then up", func(t *testing.T) { testDownThenUp(t, p) })
}

func testSignalsEqualDirect(t *testing.T, p *testservers.PromServer) {
	at := recentPast()

	src, err := New(Options{
		Name: "self", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &SignalSpec{By: "job", Profile: selfProfile, Services: []ServiceSpec{
			{Name: "prometheus"},
			// The same service under another name, through per-service overrides.
			{Name: "prometheus-own", Overrides: selfOverrides},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if data.SLOs != nil {
		t.Errorf("SLO data from a source without SLOs: %+v", data.SLOs)
	}
	got := data.Signals.Services
	valid := 0
	for _, sig := range sources.AllSignals {
		want, ok := direct(t, p, selfProfile[sig], at, "prometheus")
		check := func(svc string) {
			r := got[svc].Values[sig]
			switch {
			case !ok && r.Valid:
				t.Errorf("%s %s = %v; Prometheus says no data", svc, sig, r.Value)
			case ok && !r.Valid:
				t.Errorf("%s %s: no data; Prometheus says %v", svc, sig, want)
			case ok && !near(r.Value, want):
				t.Errorf("%s %s = %v, want %v", svc, sig, r.Value, want)
			}
			if !r.Valid {
				return
			}
			// The sparkline ends at the same instant with the same value.
			pts := got[svc].Series[sig]
			if len(pts) == 0 {
				t.Errorf("%s %s: no sparkline", svc, sig)
				return
			}
			last := pts[len(pts)-1]
			if !last.T.Equal(at) || !near(last.V, r.Value) {
				t.Errorf("%s %s sparkline ends with %v, want %v at %v", svc, sig, last, r.Value, at)
			}
			for i := 1; i < len(pts); i++ {
				if !pts[i].T.After(pts[i-1].T) {
					t.Errorf("%s %s sparkline out of order at %d", svc, sig, i)
				}
			}
		}
		check("prometheus")
		ownWant, ownOK := direct(t, p, selfOverrides[sig], at, "")
		if ownOK != ok || (ok && !near(ownWant, want)) {
			t.Fatalf("%s: the override query (%v %v) and the batched one (%v %v) disagree at %v", sig, ownWant, ownOK, want, ok, at)
		}
		check("prometheus-own")
		if ok {
			valid++
		}
	}
	// Latency, traffic and saturation always have data once Prometheus has scraped
	// itself; errors only if it has answered with a 5xx.
	if valid < 3 {
		t.Errorf("only %d signals had data; the test proves little", valid)
	}
	if want := 4 + 4 + 1; data.Signals.Requests != want {
		t.Errorf("requests = %d, want %d (a range query per signal of the profile and of the overrides, 1 health)", data.Signals.Requests, want)
	}
}

// direct asks query at `at` over plain HTTP and returns the value of the series whose
// job label is job (any series when job is ""), and whether there was a usable one.
func direct(t *testing.T, p *testservers.PromServer, query string, at time.Time, job string) (float64, bool) {
	t.Helper()
	for _, s := range p.Query(t, query, at) {
		if job == "" || s.Labels["job"] == job {
			return s.Value, !math.IsNaN(s.Value) && !math.IsInf(s.Value, 0)
		}
	}
	return 0, false
}

func near(got, want float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= 1e-6*math.Max(math.Abs(got), math.Abs(want))
}

// The query economy: services sharing the profile cost no requests.
func testRequestsConstant(t *testing.T, p *testservers.PromServer) {
	at := recentPast()
	for _, n := range []int{1, 10, 100} {
		services := []ServiceSpec{{Name: "prometheus"}}
		for i := 1; i < n; i++ {
			services = append(services, ServiceSpec{Name: fmt.Sprintf("svc-%03d", i)})
		}
		src, err := New(Options{Name: "self", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig,
			Signals: &SignalSpec{By: "job", Profile: selfProfile, Services: services}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		data, err := src.Poll(ctx, at)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if data.Signals.Requests != 5 { // 4 range, 1 health
			t.Errorf("%d services: %d requests, want 5", n, data.Signals.Requests)
		}
		if len(data.Signals.Services) != n {
			t.Errorf("%d services configured, %d in the data", n, len(data.Signals.Services))
		}
		if !data.Signals.Services["prometheus"].Values[sources.Traffic].Valid {
			t.Errorf("%d services: prometheus has no traffic", n)
		}
		for _, svc := range services[1:] {
			for sig, r := range data.Signals.Services[svc.Name].Values {
				if r.Valid {
					t.Errorf("%s %s = %v; no such job exists", svc.Name, sig, r.Value)
				}
			}
		}
	}
}

// Prometheus goes away and comes back: the poll fails with a short reason, then
// recovers on the same source without a restart of vigil.
func testDownThenUp(t *testing.T, p *testservers.PromServer) {
	src, err := New(Options{Name: "self", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &SignalSpec{By: "job", Profile: selfProfile, Services: []ServiceSpec{{Name: "prometheus"}}}})
	if err != nil {
		t.Fatal(err)
	}
	pollNow := func() (sources.Data, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return src.Poll(ctx, time.Now())
	}
	if _, err := pollNow(); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	if _, err := pollNow(); err == nil || err.Error() != "health query: connection refused" {
		t.Fatalf("poll of a stopped Prometheus: %v, want health query: connection refused", err)
	}
	p.Start()
	data, err := pollNow()
	if err != nil {
		t.Fatalf("poll after restart: %v", err)
	}
	if !data.Signals.Services["prometheus"].Values[sources.Saturation].Valid {
		t.Error("no saturation after restart")
	}
}

// A query Prometheus rejects marks only its own signal, naming the query and the
// reason; the other signals stay fresh.
func TestBadPromQLNamesTheSignal(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{NoScrape: true})
	profile := map[sources.Signal]string{
		sources.Traffic:    "sum(rate(x[5m])",
		sources.Saturation: `label_replace(vector(0.5), "job", "x", "", "")`,
	}
	src, err := New(Options{Name: "self", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &SignalSpec{By: "job", Profile: profile, Services: []ServiceSpec{{Name: "x"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, time.Now())
	if err != nil {
		t.Fatalf("poll failed as a whole: %v", err)
	}
	// Prometheus's range endpoint words it without "invalid parameter".
	const reason = `bad_data: 1:16: parse error: unclosed left parenthesis`
	x := data.Signals.Services["x"]
	if got := x.Values[sources.Traffic]; got.Valid || got.Err != reason {
		t.Errorf("x traffic = %+v, want Err %q", got, reason)
	}
	if got := x.Values[sources.Saturation]; got != (sources.Reading{Value: 0.5, Valid: true}) {
		t.Errorf("x saturation = %+v, want a fresh 0.5", got)
	}
	want := []sources.QueryFailure{{What: "traffic query", Query: profile[sources.Traffic], Err: reason}}
	if fmt.Sprint(data.Signals.Failures) != fmt.Sprint(want) {
		t.Errorf("failures = %+v\nwant %+v", data.Signals.Failures, want)
	}
}
