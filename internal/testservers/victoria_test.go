package testservers

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestVictoriaMetricsScrapesItselfAndAPrometheus(t *testing.T) {
	t.Parallel()
	p := Prometheus(t, PromOptions{})
	v := VictoriaMetrics(t, VMOptions{Scrape: []ScrapeJob{
		{Job: "vm", Targets: []string{Self}},
		{Job: "prom", Targets: []string{strings.TrimPrefix(p.URL(), "http://")}},
		{Job: "ghost", Targets: []string{DeadAddr(t)}},
	}})
	if !strings.HasPrefix(v.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", v.URL())
	}
	// A sample scraped a moment ago is visible at once: -search.latencyOffset=0.
	v.WaitForSeries(t, `up{job="vm"} == 1`, time.Time{}, 20*time.Second)
	v.WaitForSeries(t, `up{job="prom"} == 1`, time.Time{}, 20*time.Second)
	v.WaitForSeries(t, `up{job="ghost"} == 0`, time.Time{}, 20*time.Second)
	got := v.Query(t, `count(prometheus_build_info{job="prom"})`, time.Now())
	if len(got) != 1 || got[0].Value != 1 {
		t.Fatalf("count(prometheus_build_info) = %v, want one series scraped from the Prometheus", got)
	}
}

func TestVictoriaMetricsImportsHistory(t *testing.T) {
	t.Parallel()
	v := VictoriaMetrics(t, VMOptions{})
	// Three hours of a counter that grows by 3 a second, a sample every 15 s, ending
	// a day ago: far outside anything a scrape or the latency offset would touch.
	end := time.Now().Add(-24 * time.Hour).Truncate(time.Minute)
	start := end.Add(-3 * time.Hour)
	var b strings.Builder
	for at := start; !at.After(end); at = at.Add(15 * time.Second) {
		fmt.Fprintf(&b, "imported_total{job=\"imp\"} %d %d\n", 3*int64(at.Sub(start)/time.Second), at.UnixMilli())
	}
	v.Import(t, []byte(b.String()))
	v.WaitForSeries(t, `imported_total`, end, 10*time.Second)

	got := v.Query(t, `imported_total`, end)
	if want := 3 * 3 * 3600.0; len(got) != 1 || got[0].Value != want || got[0].Labels["job"] != "imp" {
		t.Fatalf("imported_total at end = %v, want one series of %v", got, want)
	}
	// VictoriaMetrics's rate is the increase between real samples over the time
	// between them: exactly 3 for a counter sampled evenly, over any window.
	for _, w := range []string{"1m", "5m", "1h"} {
		if got := v.Query(t, `rate(imported_total[`+w+`])`, end); len(got) != 1 || got[0].Value != 3 {
			t.Errorf("rate over %s = %v, want 3", w, got)
		}
	}
	if got := v.Query(t, `imported_total`, end.Add(time.Hour)); len(got) != 0 {
		t.Errorf("an hour after the last sample: %v, want no series (stale)", got)
	}
}

func TestVictoriaMetricsMissingBinaryFailsOnlyWhenRequired(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, required := range []string{"1", ""} {
		t.Setenv("VIGIL_REQUIRE_SERVERS", required)
		f := &fakeTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			VictoriaMetrics(f, VMOptions{})
		}()
		<-done
		const want = "victoria-metrics not installed: apt-get install -y victoria-metrics (scripts/test does this)"
		if required == "1" {
			if !strings.Contains(f.fatal, want) || f.skip != "" {
				t.Errorf("required: fatal %q, skip %q; want a failure saying %q", f.fatal, f.skip, want)
			}
		} else if !strings.Contains(f.skip, want) || f.fatal != "" {
			t.Errorf("not required: fatal %q, skip %q; want a loud skip saying %q", f.fatal, f.skip, want)
		}
	}
}
