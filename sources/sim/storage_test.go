package sim

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
)

// eval runs an instant query through the engine the server uses and returns the
// result by job ("" for a series without one).
func eval(t *testing.T, s *PrometheusServer, q string, at time.Time) map[string]float64 {
	t.Helper()
	qry, err := s.engine.NewInstantQuery(context.Background(), s.sc.Queryable(s.clock), nil, q, at)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer qry.Close()
	res := qry.Exec(context.Background())
	if res.Err != nil {
		t.Fatalf("%s: %v", q, res.Err)
	}
	out := map[string]float64{}
	switch v := res.Value.(type) {
	case promql.Vector:
		for _, s := range v {
			out[s.Metric.Get("job")] = s.F
		}
	case promql.Scalar:
		out[""] = v.V
	}
	return out
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// TestIncrease30dBaseline is the SLO maths the demo relies on: before the incident,
// a 30-day window of checkout holds exactly its 0.04 % error ratio, although the
// engine reads most of that window on the coarse grid.
func TestIncrease30dBaseline(t *testing.T) {
	sc := DemoScenario(testStart)
	s := NewPrometheus(sc, fixedClock(sc))
	for _, at := range []time.Time{
		sc.IncidentSince.Add(-2 * time.Hour),
		sc.IncidentSince.Add(-37 * time.Second), // off the grid
	} {
		got := eval(t, s, `sum(increase(http_requests_total{job="checkout",code=~"5.."}[30d])) / sum(increase(http_requests_total{job="checkout"}[30d]))`, at)[""]
		if relErr(got, 0.0004) > 1e-6 {
			t.Errorf("30d error ratio at %v = %.10f, want 0.0004", at, got)
		}
		total := eval(t, s, `sum by (job) (increase(http_requests_total[30d]))`, at)
		if len(total) != 6 {
			t.Fatalf("increase by job: %v", total)
		}
		// The window holds 7,200 whole cycles; the engine extrapolates its old edge.
		if got, want := total["checkout"], 38*30*24*3600.0; relErr(got, want) > 1e-3 {
			t.Errorf("30d requests of checkout = %.0f, want %.0f", got, want)
		}
	}
	got := eval(t, s, `sum(rate(http_requests_total{job="search",code=~"5.."}[7d])) / sum(rate(http_requests_total{job="search"}[7d]))`, sc.Start)[""]
	if relErr(got, 0.001) > 1e-6 {
		t.Errorf("search 7d error ratio = %v, want 0.001", got)
	}
}

// TestBudgetAndBurn: about 58 % of checkout's budget is left when the demo opens,
// and the 1h and 5m burn rates pass the 14.4 page threshold late in an error burst.
func TestBudgetAndBurn(t *testing.T) {
	sc := DemoScenario(testStart)
	s := NewPrometheus(sc, fixedClock(sc))
	ratio := func(w string, at time.Time) float64 {
		return eval(t, s, `sum(rate(http_requests_total{job="checkout",code=~"5.."}[`+w+`])) / sum(rate(http_requests_total{job="checkout"}[`+w+`]))`, at)[""]
	}
	if left := 1 - ratio("30d", sc.FirstCycle)/0.001; left < 0.55 || left > 0.60 {
		t.Errorf("budget left at start = %.3f, want ~0.58", left)
	}
	_, burstEnd := sc.PhaseWindow(0, PhaseErrors)
	at := burstEnd.Add(-ScrapeInterval)
	for _, w := range []string{"5m", "1h"} {
		if burn := ratio(w, at) / 0.001; burn <= 14.4 {
			t.Errorf("%s burn rate at the end of the burst = %.1f, want > 14.4", w, burn)
		}
	}
	if burn := ratio("1h", sc.IncidentSince.Add(-time.Minute)) / 0.001; math.Abs(burn-0.4) > 1e-6 {
		t.Errorf("1h burn rate before the incident = %v, want 0.4", burn)
	}
	slow := eval(t, s, `(sum(rate(http_request_duration_seconds_count{job="checkout"}[30d])) - sum(rate(http_request_duration_seconds_bucket{job="checkout",le="0.3"}[30d]))) / sum(rate(http_request_duration_seconds_count{job="checkout"}[30d]))`, sc.IncidentSince)[""]
	if n, _ := sc.Nominal("checkout", PhaseBaseline); relErr(slow, n.SlowRatio) > 1e-6 {
		t.Errorf("30d slow ratio %v, nominal %v", slow, n.SlowRatio)
	}
}

// TestCycleSignals evaluates the demo queries across two cycles, at instants whose
// one-minute window lies inside one phase.
func TestCycleSignals(t *testing.T) {
	sc := DemoScenario(testStart)
	s := NewPrometheus(sc, fixedClock(sc))
	d := Demo()
	for n := range 2 {
		for _, span := range sc.Timeline() {
			_, end := sc.PhaseWindow(n, span.Phase)
			at := end.Add(-ScrapeInterval)
			lat := eval(t, s, d.Latency, at)
			errs := eval(t, s, d.Errors, at)
			traffic := eval(t, s, d.Traffic, at)
			sat := eval(t, s, d.Saturation, at)
			for _, svc := range d.Services {
				slow := svc == "checkout" && span.Phase == PhaseLatency
				failing := svc == "checkout" && span.Phase == PhaseErrors
				if got := lat[svc]; (got > 0.3) != slow || got <= 0 {
					t.Errorf("cycle %d %v: %s latency %.3f", n, span.Phase, svc, got)
				}
				got, ok := errs[svc]
				if svc == "auth" {
					// No 5xx series at all: the demo's errors query reads 0, not no data.
					if !ok || got != 0 {
						t.Errorf("cycle %d %v: auth error ratio %.4f (present %v), want 0", n, span.Phase, got, ok)
					}
				} else if (got > 0.01) != failing || got <= 0 {
					t.Errorf("cycle %d %v: %s error ratio %.4f", n, span.Phase, svc, got)
				}
				if got := sat[svc]; got < 0.3 || got >= 0.8 {
					t.Errorf("cycle %d %v: %s saturation %.3f", n, span.Phase, svc, got)
				}
				nom, _ := sc.Nominal(svc, PhaseBaseline)
				if got := traffic[svc]; relErr(got, nom.Traffic) > 0.2 {
					t.Errorf("cycle %d %v: %s traffic %.1f, nominal %.1f", n, span.Phase, svc, got, nom.Traffic)
				}
			}
		}
	}
	// The checkout regression is ~450 ms; the burst ~5 %.
	_, end := sc.PhaseWindow(0, PhaseLatency)
	if got := eval(t, s, d.Latency, end.Add(-ScrapeInterval))["checkout"]; got < 0.4 || got > 0.5 {
		t.Errorf("checkout p99 in the regression = %.3f, want ~0.45", got)
	}
	_, end = sc.PhaseWindow(0, PhaseErrors)
	if got := eval(t, s, d.Errors, end.Add(-ScrapeInterval))["checkout"]; math.Abs(got-0.05) > 1e-9 {
		t.Errorf("checkout error ratio in the burst = %v, want 0.05", got)
	}
}

// TestNoFuture: the simulated server has no samples after its clock, as a real one
// has none after now.
func TestNoFuture(t *testing.T) {
	sc := DemoScenario(testStart)
	clock := fixedClock(sc)
	s := NewPrometheus(sc, clock)
	if got := eval(t, s, `up`, clock().Add(10*time.Minute)); len(got) != 0 {
		t.Errorf("samples beyond the clock: %v", got)
	}
	if got := eval(t, s, `count(up)`, clock()); got[""] != 6 {
		t.Errorf("count(up) now = %v", got)
	}
	if got := eval(t, s, `up`, sc.HistoryStart.Add(-time.Hour)); len(got) != 0 {
		t.Errorf("samples before history: %v", got)
	}
}

// TestGrid pins the sample spacing: 15 s within 6h of a long range's end, 5 min
// before, and 15 s throughout a short range.
func TestGrid(t *testing.T) {
	sc := DemoScenario(testStart)
	s := NewPrometheus(sc, fixedClock(sc))
	at := sc.FirstCycle
	got := eval(t, s, `count_over_time(up{job="api"}[1d])`, at)["api"]
	fineFrom := floorDiv(at.UnixMilli()-fineSpan.Milliseconds(), coarseStep.Milliseconds()) * coarseStep.Milliseconds()
	winStart := at.Add(-24 * time.Hour).UnixMilli() // left-open
	want := count(ceilMul(winStart+1, coarseStep.Milliseconds()), fineFrom-1, coarseStep.Milliseconds()) +
		count(fineFrom, at.UnixMilli(), ScrapeInterval.Milliseconds())
	if got != float64(want) {
		t.Errorf("samples in a 1d window = %v, want %d", got, want)
	}
	if got := eval(t, s, `count_over_time(up{job="api"}[1h])`, at)["api"]; got != 240 {
		t.Errorf("samples in a 1h window = %v, want 240", got)
	}
	if got := eval(t, s, `count_over_time(up{job="api"}[6h])`, at)["api"]; got != 1440 {
		t.Errorf("samples in a 6h window = %v, want 1440", got)
	}
}

func TestLabels(t *testing.T) {
	sc := DemoScenario(testStart)
	q, err := sc.Queryable(fixedClock(sc)).Querier(0, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	jobs, _, err := q.LabelValues(context.Background(), "job", nil)
	if err != nil || len(jobs) != 6 || jobs[0] != "api" {
		t.Errorf("job values %v, %v", jobs, err)
	}
	names, _, _ := q.LabelNames(context.Background(), nil)
	want := []string{"__name__", "code", "instance", "job", "le"}
	if len(names) != len(want) {
		t.Fatalf("label names %v", names)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("label names %v, want %v", names, want)
		}
	}
}

// TestDemoErrorsQueryReadsZero: a service that has never answered 5xx has no 5xx
// series. The plain ratio of 5xx to all requests has no value for it, which shows as
// no data; the demo's errors query (the form the README and `vigil check` advise)
// yields 0 for it, and the same ratio as the plain form for every other service.
func TestDemoErrorsQueryReadsZero(t *testing.T) {
	sc := DemoScenario(testStart)
	s := NewPrometheus(sc, fixedClock(sc))
	at := sc.FirstCycle.Add(30 * time.Second)
	plain := eval(t, s, `sum by (job) (rate(http_requests_total{code=~"5.."}[1m])) / sum by (job) (rate(http_requests_total[1m]))`, at)
	demo := eval(t, s, Demo().Errors, at)
	if v, ok := plain["auth"]; ok {
		t.Errorf("plain errors query for auth = %v; want no series (auth has no 5xx series)", v)
	}
	if v, ok := demo["auth"]; !ok || v != 0 {
		t.Errorf("demo errors query for auth = %v (present %v), want 0", v, ok)
	}
	for _, svc := range sc.Services() {
		if svc != "auth" && demo[svc] != plain[svc] {
			t.Errorf("%s: demo errors query %v, plain %v", svc, demo[svc], plain[svc])
		}
	}
	if len(demo) != len(sc.Services()) {
		t.Errorf("demo errors query answers for %d services, want %d", len(demo), len(sc.Services()))
	}
}
