package prometheus

import (
	"context"
	"math"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/slo"
)

// Over three days of a request counter pair with a known error pattern: 10 good
// requests a second; failures at a rate rising steadily from 0.05 to 0.25 a second,
// plus 0.45 a second more during the first hour of every seven. The ramp and the
// seven-hour cycle give every window a different error ratio, and the data ends 45
// minutes into a burst, so the short windows differ too.
var (
	bfStart = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	bfEnd   = bfStart.Add(77*time.Hour + 45*time.Minute)
)

func bfGood(at time.Time) float64 { return 10 * at.Sub(bfStart).Seconds() }

func bfBad(at time.Time) float64 {
	s := at.Sub(bfStart).Seconds()
	span := bfEnd.Sub(bfStart).Seconds()
	const cycle, burst = 7 * 3600.0, 3600.0
	cycles := math.Floor(s / cycle)
	return 0.05*s + 0.1*s*s/span + 0.45*(cycles*burst+math.Min(s-cycles*cycle, burst))
}

// bfRatio is the error ratio over the window w ending at `at`, in closed form: rates
// over the same samples extrapolate errors and total alike, so their ratio is that of
// the increases between the first sample in the window and the last.
func bfRatio(at time.Time, w time.Duration) float64 {
	from := at.Add(-w)
	if from.Before(bfStart) {
		from = bfStart
	}
	bad := bfBad(at) - bfBad(from)
	return bad / (bad + bfGood(at) - bfGood(from))
}

func TestSLOCountsOverBackfilledHistory(t *testing.T) {
	t.Parallel()
	om := testservers.OpenMetricsCounters("http_requests", bfStart, bfEnd, time.Minute,
		testservers.CounterSeries{Labels: `job="bf",code="200"`, Value: bfGood},
		testservers.CounterSeries{Labels: `job="bf",code="500"`, Value: bfBad},
	)
	p := testservers.Prometheus(t, testservers.PromOptions{NoScrape: true, Blocks: testservers.Backfill(t, om)})

	defs := []slo.Definition{
		{Name: "bf-errors", Objective: 0.99, Window: 30 * 24 * time.Hour, SLI: slo.SLI{
			Errors: `sum(rate(http_requests_total{job="bf",code="500"}[{{.window}}]))`,
			Total:  `sum(rate(http_requests_total{job="bf"}[{{.window}}]))`,
		}},
		{Name: "bf-good", Objective: 0.95, Window: 7 * 24 * time.Hour, SLI: slo.SLI{
			Good:  `sum(increase(http_requests_total{job="bf",code="200"}[{{.window}}]))`,
			Total: `sum(increase(http_requests_total{job="bf"}[{{.window}}]))`,
		}},
	}
	src, err := New(Options{Name: "bf", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, SLOs: defs})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for _, at := range []time.Time{bfEnd, bfEnd.Add(-7 * time.Hour)} { // now, and a postmortem's past instant
		data, err := src.Poll(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range defs {
			for _, w := range append(slo.Windows[:len(slo.Windows):len(slo.Windows)], d.Window) {
				c, ok := data.SLOs.Counts[d.Name][w]
				if !ok || !(c.Total > 0) {
					t.Errorf("%s at %s, %s: counts %+v (%v)", d.Name, at.Format(time.RFC3339), slo.WindowName(w), c, ok)
					continue
				}
				if got, want := c.Errors/c.Total, bfRatio(at, w); !near(got, want) {
					t.Errorf("%s at %s, %s: error ratio %.9f, want %.9f", d.Name, at.Format(time.RFC3339), slo.WindowName(w), got, want)
				}
			}
		}
		if data.SLOs.Retention != 400*24*time.Hour {
			t.Errorf("retention %v, want 400d", data.SLOs.Retention)
		}
	}

	pts, err := src.BudgetHistory(ctx, "bf-errors", bfEnd, 30)
	if err != nil {
		t.Fatal(err)
	}
	// Steps whose window holds less than two samples have no rate and no point.
	if len(pts) < 3 || len(pts) > 5 {
		t.Errorf("budget history has %d points, want the 3-4 daily steps that have data: %v", len(pts), pts)
	}
	for _, pt := range pts {
		if want := 1 - bfRatio(pt.T, 30*24*time.Hour)/(1-0.99); !near(pt.V, want) {
			t.Errorf("budget at %s = %v, want %v", pt.T.Format(time.RFC3339), pt.V, want)
		}
	}
	if len(pts) > 0 && !pts[len(pts)-1].T.Equal(bfEnd) {
		t.Errorf("budget history ends at %v, want %v", pts[len(pts)-1].T, bfEnd)
	}
}
