package sim

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

// testStart is deliberately off the scrape grid, to exercise the rounding.
var testStart = time.Date(2026, 3, 1, 12, 0, 7, 0, time.UTC)

// fixedClock is a simulated now two full cycles after the first one starts.
func fixedClock(sc *Scenario) func() time.Time {
	now := sc.FirstCycle.Add(2 * CycleLength)
	return func() time.Time { return now }
}

func TestDemoScenarioTimes(t *testing.T) {
	sc := DemoScenario(testStart)
	want := map[string]time.Time{
		"FirstCycle":    time.Date(2026, 3, 1, 12, 0, 15, 0, time.UTC),
		"IncidentSince": time.Date(2026, 3, 1, 11, 0, 15, 0, time.UTC),
		"HistoryStart":  time.Date(2025, 12, 1, 11, 0, 15, 0, time.UTC),
	}
	got := map[string]time.Time{"FirstCycle": sc.FirstCycle, "IncidentSince": sc.IncidentSince, "HistoryStart": sc.HistoryStart}
	for k, w := range want {
		if !got[k].Equal(w) {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if aligned := DemoScenario(sc.FirstCycle); !aligned.FirstCycle.Equal(sc.FirstCycle) {
		t.Errorf("a start on the grid moved to %v", aligned.FirstCycle)
	}
	if sc.Incident != "checkout" {
		t.Errorf("Incident = %q", sc.Incident)
	}
}

func TestPhaseAtAndWindow(t *testing.T) {
	sc := DemoScenario(testStart)
	c := sc.FirstCycle
	tests := []struct {
		at   time.Time
		want Phase
	}{
		{sc.HistoryStart, PhaseBaseline},
		{sc.IncidentSince.Add(-time.Millisecond), PhaseBaseline},
		{sc.IncidentSince, PhaseSteady},
		{c, PhaseSteady},
		{c.Add(59 * time.Second), PhaseSteady},
		{c.Add(time.Minute), PhaseLatency},
		{c.Add(3*time.Minute - time.Millisecond), PhaseLatency},
		{c.Add(3 * time.Minute), PhaseErrors},
		{c.Add(5 * time.Minute), PhaseRecovered},
		{c.Add(CycleLength - time.Millisecond), PhaseRecovered},
		{c.Add(CycleLength), PhaseSteady},
		{c.Add(-CycleLength + 2*time.Minute), PhaseLatency}, // a warm-up cycle
		{c.Add(1000*CycleLength + 4*time.Minute), PhaseErrors},
	}
	for _, tt := range tests {
		if got := sc.PhaseAt(tt.at); got != tt.want {
			t.Errorf("PhaseAt(%v) = %v, want %v", tt.at.Sub(c), got, tt.want)
		}
	}
	for n := -2; n <= 2; n++ {
		for _, span := range sc.Timeline() {
			from, to := sc.PhaseWindow(n, span.Phase)
			if to.Sub(from) != span.To-span.From {
				t.Errorf("cycle %d %v lasts %v", n, span.Phase, to.Sub(from))
			}
			if got := sc.PhaseAt(from); got != span.Phase {
				t.Errorf("cycle %d: PhaseAt(start of %v) = %v", n, span.Phase, got)
			}
		}
	}
	if from, to := sc.PhaseWindow(0, PhaseBaseline); !from.Equal(sc.HistoryStart) || !to.Equal(sc.IncidentSince) {
		t.Errorf("baseline window = %v..%v", from, to)
	}
}

// TestNominal pins what each phase is scripted to show: the figures the demo and
// its documentation promise.
func TestNominal(t *testing.T) {
	sc := DemoScenario(testStart)
	for _, svc := range sc.Services() {
		for _, p := range []Phase{PhaseBaseline, PhaseSteady, PhaseLatency, PhaseErrors, PhaseRecovered} {
			n, ok := sc.Nominal(svc, p)
			if !ok {
				t.Fatalf("no nominal for %s/%v", svc, p)
			}
			slow := svc == "checkout" && p == PhaseLatency
			failing := svc == "checkout" && p == PhaseErrors
			if (n.P99 > 0.3) != slow {
				t.Errorf("%s/%v: p99 %.3f", svc, p, n.P99)
			}
			if (n.ErrorRatio > 0.01) != failing {
				t.Errorf("%s/%v: error ratio %.5f", svc, p, n.ErrorRatio)
			}
			if n.Saturation < 0.3 || n.Saturation > 0.75 {
				t.Errorf("%s/%v: saturation %.3f outside 0.3-0.75", svc, p, n.Saturation)
			}
			if n.Traffic <= 0 || n.SlowRatio <= 0 || n.SlowRatio > 0.05 {
				t.Errorf("%s/%v: traffic %v slow %v", svc, p, n.Traffic, n.SlowRatio)
			}
		}
	}
	checkout := func(p Phase) Nominal { n, _ := sc.Nominal("checkout", p); return n }
	if n := checkout(PhaseBaseline); n.ErrorRatio != 0.0004 && math.Abs(n.ErrorRatio-0.0004) > 1e-12 {
		t.Errorf("checkout baseline error ratio %v", n.ErrorRatio)
	}
	if n := checkout(PhaseBaseline); math.Abs(n.Traffic-38) > 1e-9 {
		t.Errorf("checkout baseline traffic %v: the noise must average out over a cycle", n.Traffic)
	}
	if p := checkout(PhaseLatency).P99; p < 0.40 || p > 0.50 {
		t.Errorf("checkout regression p99 %.3f, want ~0.45", p)
	}
	if p := checkout(PhaseSteady).P99; p < 0.10 || p > 0.14 {
		t.Errorf("checkout steady p99 %.3f, want ~0.12", p)
	}
	if _, ok := sc.Nominal("nope", PhaseSteady); ok {
		t.Error("Nominal of an unknown service")
	}
}

// TestCountersMonotonic walks every counter over the history's end and two
// cycles, and checks the histogram's own invariants at each sample.
func TestCountersMonotonic(t *testing.T) {
	sc := DemoScenario(testStart)
	from := sc.IncidentSince.Add(-30 * time.Minute)
	to := sc.FirstCycle.Add(2 * CycleLength)
	prev := map[*series]float64{}
	les := []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.3", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"}
	lookup := map[string]*series{}
	for _, svc := range sc.Services() {
		sels := []string{`http_requests_total{job=%q,code="200"}`, `http_requests_total{job=%q,code="404"}`,
			`http_request_duration_seconds_count{job=%q}`}
		if svc != "auth" { // auth never fails: it has no 500 series
			sels = append(sels, `http_requests_total{job=%q,code="500"}`)
		}
		for _, le := range les {
			sels = append(sels, `http_request_duration_seconds_bucket{job=%q,le="`+le+`"}`)
		}
		for _, sel := range sels {
			lookup[fmt.Sprintf(sel, svc)] = seriesOf(t, sc, fmt.Sprintf(sel, svc))
		}
	}
	for at := from; !at.After(to); at = at.Add(ScrapeInterval) {
		ms := at.UnixMilli()
		for _, s := range sc.series {
			if s.gauge {
				continue
			}
			v := sc.valueAt(s, ms)
			if p, ok := prev[s]; ok && v < p {
				t.Fatalf("%v decreased at %v: %v -> %v", s.lset, at, p, v)
			}
			prev[s] = v
		}
		for _, svc := range sc.Services() {
			val := func(sel string) float64 {
				s, ok := lookup[fmt.Sprintf(sel, svc)]
				if !ok {
					return 0
				}
				return sc.valueAt(s, ms)
			}
			codes := val(`http_requests_total{job=%q,code="200"}`) + val(`http_requests_total{job=%q,code="404"}`) +
				val(`http_requests_total{job=%q,code="500"}`)
			count := val(`http_request_duration_seconds_count{job=%q}`)
			if math.Abs(codes-count) > 1e-6*count {
				t.Fatalf("%s at %v: codes sum to %v, _count is %v", svc, at, codes, count)
			}
			last := 0.0
			for _, le := range les {
				b := val(`http_request_duration_seconds_bucket{job=%q,le="` + le + `"}`)
				if b < last {
					t.Fatalf("%s at %v: bucket le=%s below the previous one", svc, at, le)
				}
				last = b
			}
			if math.Abs(last-count) > 1e-6*count {
				t.Fatalf("%s: +Inf bucket %v, _count %v", svc, last, count)
			}
		}
	}
}

// seriesOf finds the one series a selector names, for tests that walk many samples.
func seriesOf(t *testing.T, sc *Scenario, selector string) *series {
	t.Helper()
	ms, err := parser.NewParser(parser.Options{}).ParseMetricSelector(selector)
	if err != nil {
		t.Fatal(err)
	}
	var found []*series
	for _, s := range sc.series {
		if matchAll(s.lset, ms) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s matches %d series", selector, len(found))
	}
	return found[0]
}

func TestValueClosedForm(t *testing.T) {
	sc := DemoScenario(testStart)
	got, err := sc.Value(`http_requests_total{job="checkout",code="500"}`, sc.IncidentSince)
	if err != nil {
		t.Fatal(err)
	}
	want := 38 * 0.0004 * Retention.Seconds()
	if math.Abs(got-want) > 1e-9*want {
		t.Errorf("errors at IncidentSince = %v, want %v", got, want)
	}
	if v, _ := sc.Value(`http_requests_total{job="checkout",code="500"}`, sc.HistoryStart); v != 0 {
		t.Errorf("counter at HistoryStart = %v, want 0", v)
	}
	for _, sel := range []string{`http_requests_total`, `nope`, `{job=`} {
		if _, err := sc.Value(sel, sc.Start); err == nil {
			t.Errorf("Value(%s) did not fail", sel)
		}
	}
	if _, err := sc.Value(`up{job="api"}`, sc.HistoryStart.Add(-time.Hour)); err == nil {
		t.Error("Value before history did not fail")
	}
}

func TestDemoQueries(t *testing.T) {
	d := Demo()
	sc := DemoScenario(testStart)
	if fmt.Sprint(d.Services) != fmt.Sprint(sc.Services()) {
		t.Errorf("services %v, scenario has %v", d.Services, sc.Services())
	}
	if len(d.SLOs) != 3 {
		t.Fatalf("%d SLOs", len(d.SLOs))
	}
	for _, s := range d.SLOs {
		if (s.Latency != nil) == (s.Errors != "" || s.Total != "") {
			t.Errorf("%s: exactly one of latency or errors/total must be set", s.Name)
		}
		if s.Objective <= 0 || s.Objective >= 100 || s.Window <= 0 {
			t.Errorf("%s: objective %v window %v", s.Name, s.Objective, s.Window)
		}
	}
}
