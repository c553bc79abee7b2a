package testservers

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRequireServers(t *testing.T) {
	t.Setenv("VIGIL_REQUIRE_SERVERS", "1")
	if !RequireServers() {
		t.Error("VIGIL_REQUIRE_SERVERS=1: RequireServers() = false")
	}
	t.Setenv("VIGIL_REQUIRE_SERVERS", "")
	if RequireServers() {
		t.Error("VIGIL_REQUIRE_SERVERS unset: RequireServers() = true")
	}
}

func TestPrometheusScrapesItselfAndRestarts(t *testing.T) {
	t.Parallel()
	p := Prometheus(t, PromOptions{})
	if !strings.HasPrefix(p.URL(), "http://127.0.0.1:") || p.Port() == 0 {
		t.Fatalf("URL %q, port %d", p.URL(), p.Port())
	}
	p.WaitForSeries(t, `up{job="prometheus"} == 1`, 20*time.Second)

	p.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	_, err := InstantQuery(ctx, p.URL(), "vector(1)", time.Now())
	cancel()
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("query after Stop: err = %v, want connection refused", err)
	}
	p.Stop() // idempotent

	port := p.Port()
	p.Start()
	if p.Port() != port {
		t.Fatalf("restart moved the port from %d to %d", port, p.Port())
	}
	got := p.Query(t, "vector(42)", time.Now())
	if len(got) != 1 || got[0].Value != 42 {
		t.Fatalf("vector(42) after restart = %v", got)
	}
	// The data written before the stop survives the restart.
	p.WaitForSeries(t, `count_over_time(up{job="prometheus"}[1h]) > 1`, 20*time.Second)
}

func TestBackfill(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(6 * time.Hour)
	rate := func(perSecond float64) func(time.Time) float64 {
		return func(at time.Time) float64 { return perSecond * at.Sub(start).Seconds() }
	}
	om := OpenMetricsCounters("http_requests", start, end, time.Minute,
		CounterSeries{Labels: `job="bf",code="200"`, Value: rate(10)},
		CounterSeries{Labels: `job="bf",code="500"`, Value: rate(0.5)},
	)
	if !strings.HasSuffix(string(om), "# EOF\n") || !strings.Contains(string(om), "# TYPE http_requests counter\n") {
		t.Fatalf("OpenMetrics text lacks its TYPE line or # EOF:\n%.300s", om)
	}
	blocks := Backfill(t, om)
	p := Prometheus(t, PromOptions{NoScrape: true, Blocks: blocks})

	got := p.Query(t, `http_requests_total{code="500"}`, end)
	if len(got) != 1 || got[0].Value != 0.5*6*3600 || got[0].Labels["job"] != "bf" {
		t.Fatalf(`http_requests_total{code="500"} at end = %v, want one series of %v`, got, 0.5*6*3600)
	}
	got = p.Query(t, `sum(rate(http_requests_total{code="500"}[1h])) / sum(rate(http_requests_total[1h]))`, end)
	if want := 0.5 / 10.5; len(got) != 1 || math.Abs(got[0].Value-want) > 1e-9 {
		t.Fatalf("error ratio over 1h = %v, want %v", got, want)
	}
	// Blocks are copied, so a second server can serve the same backfill.
	p2 := Prometheus(t, PromOptions{NoScrape: true, Blocks: blocks})
	if got := p2.Query(t, `count(http_requests_total)`, end); len(got) != 1 || got[0].Value != 2 {
		t.Fatalf("second server: count = %v, want 2", got)
	}
}

// fakeTB records how a helper gave up; Fatalf and Skipf end the goroutine as the real
// ones do.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMissingBinaryFailsOnlyWhenRequired(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, required := range []string{"1", ""} {
		t.Setenv("VIGIL_REQUIRE_SERVERS", required)
		f := &fakeTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Prometheus(f, PromOptions{})
		}()
		<-done
		const want = "prometheus not installed: apt-get install -y prometheus (scripts/test does this)"
		if required == "1" {
			if !strings.Contains(f.fatal, want) || f.skip != "" {
				t.Errorf("required: fatal %q, skip %q; want a failure saying %q", f.fatal, f.skip, want)
			}
		} else if !strings.Contains(f.skip, want) || !strings.Contains(f.skip, "SKIPPING") || f.fatal != "" {
			t.Errorf("not required: fatal %q, skip %q; want a loud skip saying %q", f.fatal, f.skip, want)
		}
	}
}
