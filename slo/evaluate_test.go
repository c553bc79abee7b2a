package slo

import (
	"math"
	"testing"
	"time"
)

const day = 24 * time.Hour

// ratios builds counts whose error ratio over each window is exactly the given one.
func ratios(r map[time.Duration]float64) map[time.Duration]Counts {
	c := make(map[time.Duration]Counts, len(r))
	for w, v := range r {
		c[w] = Counts{Errors: v, Total: 1}
	}
	return c
}

func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(math.Abs(want), 1e-12)
}

// The worked example of the SRE Workbook, "Alerting on SLOs": 99.9 % over 30 days.
func TestEvaluateWorkbookExample(t *testing.T) {
	def := Definition{Name: "api", Objective: 0.999, Window: 30 * day}
	st := Evaluate(def, ratios(map[time.Duration]float64{
		5 * time.Minute: 0.020, 30 * time.Minute: 0.012, time.Hour: 0.016, 2 * time.Hour: 0.009,
		6 * time.Hour: 0.0045, day: 0.0025, 3 * day: 0.0012, 30 * day: 0.0004,
	}))

	wantBurn := [NumWindows]float64{20, 12, 16, 9, 4.5, 2.5, 1.2}
	for i, w := range wantBurn {
		if b := st.BurnRate[i]; !b.OK || !near(b.V, w) {
			t.Errorf("burn rate %s = %+v, want %v", WindowName(Windows[i]), b, w)
		}
	}
	if r := st.WindowErrorRatio; !r.OK || r.V != 0.0004 {
		t.Errorf("window error ratio = %+v, want 0.0004", r)
	}
	if b := st.BudgetRemaining; !b.OK || !near(b.V, 0.6) {
		t.Errorf("budget remaining = %+v, want 0.6", b)
	}
	if e := st.ExhaustionSeconds; !e.OK || !near(e.V, (27*time.Hour).Seconds()) {
		t.Errorf("exhaustion = %+v s, want 27h = %v s", e, (27 * time.Hour).Seconds())
	}

	want := [4]struct {
		alert       Alert
		long, short time.Duration
		factor      float64
		firing      bool
	}{
		{AlertPage, time.Hour, 5 * time.Minute, 14.4, true},
		{AlertPage, 6 * time.Hour, 30 * time.Minute, 6, false},
		{AlertTicket, day, 2 * time.Hour, 3, false},
		{AlertTicket, 3 * day, 6 * time.Hour, 1, true},
	}
	for i, w := range want {
		c := st.Conditions[i]
		if c.Alert != w.alert || c.Long != w.long || c.Short != w.short || c.Factor != w.factor || c.Firing != w.firing {
			t.Errorf("condition %d = %+v, want %+v", i, c, w)
		}
		if c.LongBurn != st.BurnRate[conditionSpecs[i].long] || c.ShortBurn != st.BurnRate[conditionSpecs[i].short] {
			t.Errorf("condition %d burns %+v/%+v are not the windows' burn rates", i, c.LongBurn, c.ShortBurn)
		}
	}
	if st.Alert != AlertPage || st.State != StatePage {
		t.Errorf("alert, state = %q, %q; want page, page", st.Alert, st.State)
	}
}

// A factor is the budget share scaled from the long window to the SLO window, never
// below 1; a condition whose long window is not shorter than the SLO window is skipped.
func TestFactorsScaleWithTheWindow(t *testing.T) {
	for _, tc := range []struct {
		window  time.Duration
		want    [4]float64
		skipped [4]bool
	}{
		{90 * day, [4]float64{43.2, 18, 9, 3}, [4]bool{}},
		{30 * day, [4]float64{14.4, 6, 3, 1}, [4]bool{}},
		{28 * day, [4]float64{13.44, 5.6, 2.8, 1}, [4]bool{}},
		{7 * day, [4]float64{3.36, 1.4, 1, 1}, [4]bool{}},
		{3 * day, [4]float64{1.44, 1, 1, 1}, [4]bool{false, false, false, true}},
		{2 * day, [4]float64{1, 1, 1, 1}, [4]bool{false, false, false, true}},
		{day, [4]float64{1, 1, 1, 1}, [4]bool{false, false, true, true}},
		{6 * time.Hour, [4]float64{1, 1, 1, 1}, [4]bool{false, true, true, true}},
	} {
		st := Evaluate(Definition{Objective: 0.99, Window: tc.window}, nil)
		for i, want := range tc.want {
			c := st.Conditions[i]
			if c.Factor != want || c.Skipped != tc.skipped[i] {
				t.Errorf("%s: condition %s/%s factor %v skipped %v, want %v %v",
					WindowName(tc.window), WindowName(c.Long), WindowName(c.Short), c.Factor, c.Skipped, want, tc.skipped[i])
			}
		}
	}
}

// A skipped condition never fires, however hard its windows burn, and keeps its
// factor and burns for the detail view; the other conditions still fire.
func TestSkippedConditionsNeverFire(t *testing.T) {
	def := Definition{Name: "short", Objective: 0.99, Window: day}
	burnAll := func(r float64) map[time.Duration]Counts {
		m := map[time.Duration]float64{day: r}
		for _, w := range Windows {
			m[w] = r
		}
		return ratios(m)
	}

	// A 2x burn everywhere: over every factor of a 1d SLO (all 1), so the two page
	// conditions fire and the two skipped ticket conditions do not.
	st := Evaluate(def, burnAll(0.02))
	for i, want := range [4]struct{ skipped, firing bool }{{false, true}, {false, true}, {true, false}, {true, false}} {
		c := st.Conditions[i]
		if c.Skipped != want.skipped || c.Firing != want.firing {
			t.Errorf("condition %s/%s: skipped %v firing %v, want %v %v",
				WindowName(c.Long), WindowName(c.Short), c.Skipped, c.Firing, want.skipped, want.firing)
		}
		if !c.LongBurn.OK || !near(c.LongBurn.V, 2) || c.Factor != 1 {
			t.Errorf("condition %s/%s: long burn %+v factor %v, want 2 and 1", WindowName(c.Long), WindowName(c.Short), c.LongBurn, c.Factor)
		}
	}
	if st.Alert != AlertPage {
		t.Errorf("alert = %q, want page", st.Alert)
	}

	// Only the skipped conditions' windows burning: nothing fires.
	st = Evaluate(def, ratios(map[time.Duration]float64{
		day: 0.005, 3 * day: 0.05, 2 * time.Hour: 0.05, 6 * time.Hour: 0.05,
	}))
	if st.Alert != AlertNone || st.State != StateOK {
		t.Errorf("only skipped windows burning: alert %q state %q, want none ok", st.Alert, st.State)
	}
}

// Time to exhaustion is budget left × window ÷ 1h burn, unknown when the 1h burn is
// at most 1, and 0 once the budget is spent.
func TestExhaustion(t *testing.T) {
	def := Definition{Name: "api", Objective: 0.999, Window: 30 * day}
	window := (30 * day).Seconds()
	for _, tc := range []struct {
		name        string
		burn1h      float64
		windowRatio float64 // error ratio over the SLO window: 0.0004 is 60 % budget left
		want        Value
	}{
		{"burn 0.5 never runs out", 0.5, 0.0004, Value{}},
		{"burn 1 never runs out", 1, 0.0004, Value{}},
		{"burn 1.01 runs out", 1.01, 0.0004, Value{0.6 * window / 1.01, true}},
		{"burn 20 runs out fast", 20, 0.0004, Value{0.6 * window / 20, true}},
		{"overspent at burn 0.5 is spent", 0.5, 0.002, Value{0, true}},
		{"overspent at burn 1 is spent", 1, 0.0011, Value{0, true}},
		{"overspent at burn 20 is spent", 20, 0.002, Value{0, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := Evaluate(def, ratios(map[time.Duration]float64{time.Hour: tc.burn1h * 0.001, 30 * day: tc.windowRatio}))
			if b := st.BurnRate[w1h]; !b.OK || !near(b.V, tc.burn1h) {
				t.Fatalf("1h burn = %+v, want %v", b, tc.burn1h)
			}
			got := st.ExhaustionSeconds
			if got.OK != tc.want.OK || !near(got.V, tc.want.V) {
				t.Errorf("exhaustion = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	slo := Definition{Name: "api", Objective: 0.999, Window: 30 * day, SLI: SLI{ErrorRatio: "r[{{.window}}]"}}
	all := func(r float64) map[time.Duration]float64 {
		m := map[time.Duration]float64{30 * day: r}
		for _, w := range Windows {
			m[w] = r
		}
		return m
	}
	for _, tc := range []struct {
		name       string
		def        Definition
		counts     map[time.Duration]Counts
		state      State
		alert      Alert
		budget     Value
		exhaustion Value
	}{
		{
			name:   "no traffic anywhere is nodata, never a burn of 0",
			def:    slo,
			counts: map[time.Duration]Counts{5 * time.Minute: {}, time.Hour: {}, 30 * day: {}},
			state:  StateNoData, alert: AlertNone,
		},
		{name: "no counts at all", def: slo, state: StateNoData, alert: AlertNone},
		{
			name:   "overspent budget stays negative and is exhausted now",
			def:    slo,
			counts: ratios(map[time.Duration]float64{time.Hour: 0.0005, 30 * day: 0.002}),
			state:  StateOK, alert: AlertNone,
			budget: Value{-1, true}, exhaustion: Value{0, true},
		},
		{
			name:   "overspent with nothing burning now is still exhausted",
			def:    slo,
			counts: ratios(map[time.Duration]float64{time.Hour: 0, 30 * day: 0.002}),
			state:  StateOK, alert: AlertNone,
			budget: Value{-1, true}, exhaustion: Value{0, true},
		},
		{
			name:   "nothing burning never runs out",
			def:    slo,
			counts: ratios(map[time.Duration]float64{time.Hour: 0, 30 * day: 0.0004}),
			state:  StateOK, alert: AlertNone,
			budget: Value{0.6, true},
		},
		{
			name:   "no 1h data: exhaustion unknown",
			def:    slo,
			counts: ratios(map[time.Duration]float64{30 * day: 0.0004}),
			state:  StateOK, alert: AlertNone,
			budget: Value{0.6, true},
		},
		{
			name:   "ticket only",
			def:    slo,
			counts: ratios(all(0.0015)),
			state:  StateTicket, alert: AlertTicket,
			budget: Value{-0.5, true}, exhaustion: Value{0, true},
		},
		{
			name: "a page is not hidden by a missing SLO window",
			def:  slo,
			counts: ratios(map[time.Duration]float64{
				5 * time.Minute: 0.05, time.Hour: 0.05,
			}),
			state: StatePage, alert: AlertPage,
		},
		{
			name:   "an objective of 1 leaves nothing to compute",
			def:    Definition{Name: "api", Objective: 1, Window: 30 * day, SLI: slo.SLI},
			counts: ratios(all(0.5)),
			state:  StateNoData, alert: AlertNone,
		},
		{
			name: "a hair below zero errors is zero errors",
			def:  slo,
			counts: map[time.Duration]Counts{
				time.Hour: {Errors: -1e-12, Total: 5}, 30 * day: {Errors: -1e-12, Total: 5},
			},
			state: StateOK, alert: AlertNone,
			budget: Value{1, true},
		},
		{
			name: "NaN counts are no data",
			def:  slo,
			counts: map[time.Duration]Counts{
				time.Hour: {Errors: math.NaN(), Total: math.NaN()}, 30 * day: {Errors: math.NaN(), Total: 1},
			},
			state: StateNoData, alert: AlertNone,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := Evaluate(tc.def, tc.counts)
			if st.State != tc.state || st.Alert != tc.alert {
				t.Errorf("state, alert = %q, %q; want %q, %q", st.State, st.Alert, tc.state, tc.alert)
			}
			if st.BudgetRemaining.OK != tc.budget.OK || !near(st.BudgetRemaining.V, tc.budget.V) {
				t.Errorf("budget remaining = %+v, want %+v", st.BudgetRemaining, tc.budget)
			}
			if st.ExhaustionSeconds != tc.exhaustion {
				t.Errorf("exhaustion = %+v, want %+v", st.ExhaustionSeconds, tc.exhaustion)
			}
			for i, w := range Windows {
				c, ok := tc.counts[w]
				has := ok && c.Total > 0 && !math.IsNaN(c.Errors) && tc.def.Validate() == nil
				if st.BurnRate[i].OK != has {
					t.Errorf("burn rate %s known = %v, want %v", WindowName(w), st.BurnRate[i].OK, has)
				}
			}
		})
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	def, counts := benchSLO(0)
	if n := testing.AllocsPerRun(100, func() { Evaluate(def, counts) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per call", n)
	}
}

func TestBurnRateMap(t *testing.T) {
	st := Evaluate(Definition{Objective: 0.99, Window: 30 * day}, ratios(map[time.Duration]float64{time.Hour: 0.02}))
	m := st.BurnRateMap()
	if len(m) != NumWindows {
		t.Fatalf("%d keys, want %d: %v", len(m), NumWindows, m)
	}
	for _, k := range []string{"5m", "30m", "2h", "6h", "1d", "3d"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if v := m["1h"]; v == nil || !near(*v, 2) {
		t.Errorf("1h = %v, want 2", v)
	}
}

func TestWindowName(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", 30 * time.Minute: "30m", time.Hour: "1h", 2 * time.Hour: "2h",
		6 * time.Hour: "6h", day: "1d", 3 * day: "3d", 30 * day: "30d", 7 * day: "7d",
		28 * day: "28d", 36 * time.Hour: "36h", 90 * time.Second: "90s", 1500 * time.Millisecond: "1500ms",
	} {
		if got := WindowName(d); got != want {
			t.Errorf("WindowName(%v) = %q, want %q", d, got, want)
		}
	}
}

func benchSLO(i int) (Definition, map[time.Duration]Counts) {
	def := Definition{Name: "slo", Objective: 0.999, Window: 30 * day}
	counts := make(map[time.Duration]Counts, NumWindows+1)
	for j, w := range Windows {
		counts[w] = Counts{Errors: float64((i + j) % 17), Total: 1000}
	}
	counts[def.Window] = Counts{Errors: float64(i % 3), Total: 1e6}
	return def, counts
}

// BenchmarkEvaluate1000 evaluates 1,000 SLOs per operation: the budget is 1 ms.
func BenchmarkEvaluate1000(b *testing.B) {
	defs := make([]Definition, 1000)
	counts := make([]map[time.Duration]Counts, 1000)
	for i := range defs {
		defs[i], counts[i] = benchSLO(i)
	}
	b.ReportAllocs()
	var pages int
	for b.Loop() {
		for i := range defs {
			if Evaluate(defs[i], counts[i]).Alert == AlertPage {
				pages++
			}
		}
	}
	if pages == 0 {
		b.Fatal("no SLO paged: the benchmark does not exercise the conditions")
	}
}
