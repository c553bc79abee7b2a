package prometheus

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/slo"
)

// A Prometheus holding three days of history: a 7d SLO reads about 3d of coverage, a
// 1d SLO its whole window, and a snapshot a day into the past about 2d.
func TestCoverageOfShortHistory(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(72 * time.Hour)
	perSecond := func(r float64) func(time.Time) float64 {
		return func(at time.Time) float64 { return r * at.Sub(start).Seconds() }
	}
	om := testservers.OpenMetricsCounters("http_requests", start, end, time.Minute,
		testservers.CounterSeries{Labels: `job="cov",code="200"`, Value: perSecond(10)},
		testservers.CounterSeries{Labels: `job="cov",code="500"`, Value: perSecond(0.1)},
	)
	p := testservers.Prometheus(t, testservers.PromOptions{NoScrape: true, Blocks: testservers.Backfill(t, om)})
	def := func(name string, window time.Duration) slo.Definition {
		return slo.Definition{Name: name, Objective: 0.99, Window: window, SLI: slo.SLI{
			Errors: `sum(rate(http_requests_total{job="cov",code="500"}[{{.window}}]))`,
			Total:  `sum(rate(http_requests_total{job="cov"}[{{.window}}]))`,
		}}
	}
	ratio := slo.Definition{Name: "ratio", Objective: 0.99, Window: 7 * 24 * time.Hour, SLI: slo.SLI{
		ErrorRatio: `sum(rate(http_requests_total{job="cov",code="500"}[{{.window}}])) / sum(rate(http_requests_total{job="cov"}[{{.window}}]))`,
	}}
	src := newSource(t, p, Options{SLOs: []slo.Definition{
		def("week", 7*24*time.Hour), def("day", 24*time.Hour), def("month", 30*24*time.Hour), ratio,
		def("nothing", 7*24*time.Hour),
	}})
	// "nothing" selects no series: Prometheus answers nothing for it.
	src.opts.SLOs[4].SLI.Total = `sum(rate(http_requests_total{job="none"}[{{.window}}]))`

	near := func(got, want, tol time.Duration) bool { return (got - want).Abs() <= tol }
	data := pollSource(t, src, end)
	cov := data.SLOs.Coverage
	for _, c := range []struct {
		name      string
		want, tol time.Duration
	}{
		{"week", 72 * time.Hour, time.Hour},
		{"ratio", 72 * time.Hour, time.Hour},
		{"month", 72 * time.Hour, coverageStep(30 * 24 * time.Hour)},
		{"day", 24 * time.Hour, 0},
		{"nothing", 0, 0},
	} {
		got, ok := cov[c.name]
		if !ok || !near(got, c.want, c.tol) {
			t.Errorf("coverage of %s = %v (known %v), want %v ± %v", c.name, got, ok, c.want, c.tol)
		}
	}
	// 5 short windows, 1d+3d, the 7d and 30d SLO windows, retention, coverage.
	if data.SLOs.Requests != 9 {
		t.Errorf("first poll: %d requests, want 9", data.SLOs.Requests)
	}
	// Within the hour coverage is not asked again, and is still reported.
	again := pollSource(t, src, end.Add(30*time.Second))
	if again.SLOs.Requests != 5 || again.SLOs.Coverage["week"] != cov["week"] {
		t.Errorf("poll 30s later: %d requests (want the 5 short windows), coverage %v", again.SLOs.Requests, again.SLOs.Coverage)
	}

	// `snapshot --at` a day earlier: a fresh source, as snapshot makes one.
	past := newSource(t, p, Options{SLOs: []slo.Definition{def("week", 7*24*time.Hour)}})
	if got := pollSource(t, past, end.Add(-24*time.Hour)).SLOs.Coverage["week"]; !near(got, 48*time.Hour, time.Hour) {
		t.Errorf("coverage of week a day earlier = %v, want 48h ± 1h", got)
	}

	// The cost of the two ways to ask, on this server: counting steps with data, and
	// the oldest step with data. Logged for the record (see the report); not asserted.
	for _, q := range []string{
		`count_over_time((sum(rate(http_requests_total{job="cov"}[4h17m])))[30d:4h17m])`,
		`min_over_time(timestamp(sum(rate(http_requests_total{job="cov"}[1h])))[30d:1h])`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		begin := time.Now()
		_, err := testservers.InstantQuery(ctx, p.URL(), q, end)
		cancel()
		t.Logf("%v for %s (err %v)", time.Since(begin).Round(time.Millisecond), q, err)
	}
}

// TestCoverageOfAWholeWindow: a window whose every step holds data is covered whole,
// even when the step does not divide it (the demo's 30d SLOs read "partial 29d/30d").
func TestCoverageOfAWholeWindow(t *testing.T) {
	month := 30 * 24 * time.Hour
	step := coverageStep(month)
	s := &Source{}
	c := &coverageCheck{steps: map[string]time.Duration{"full": step, "part": step},
		wins: map[string]time.Duration{"full": month, "part": month},
		got:  map[string]int{"full": int(month / step), "part": 100}}
	s.finishCoverage(c, time.Now(), false)
	if s.coverage["full"] != month || s.coverage["part"] != 100*step {
		t.Errorf("coverage = %v, want full %v and part %v", s.coverage, month, 100*step)
	}
}
