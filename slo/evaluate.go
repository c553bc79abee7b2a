package slo

import (
	"math"
	"time"
)

// Value is a number that may be unknown. OK false means "cannot be computed" (no
// traffic, no data) and must be shown as such, never as 0. A value type rather than
// a pointer keeps Evaluate free of allocations.
type Value struct {
	V  float64
	OK bool
}

// Ptr is v as the nullable float of JSON output: nil when unknown.
func (v Value) Ptr() *float64 {
	if !v.OK {
		return nil
	}
	f := v.V
	return &f
}

// Alert is what the burn-rate conditions ask of a human.
type Alert string

// The alerts, from most to least urgent.
const (
	AlertPage   Alert = "page"
	AlertTicket Alert = "ticket"
	AlertNone   Alert = "none"
)

// State is an SLO's state as one word.
type State string

// The states. A firing condition wins over StateNoData: a failed query for the
// SLO window must not hide a page that the short windows justify.
const (
	StatePage   State = "page"
	StateTicket State = "ticket"
	StateOK     State = "ok"
	StateNoData State = "nodata" // no traffic over the SLO window, or its counts missing
)

// Condition is one multi-window, multi-burn-rate check: it fires when both windows
// burn budget faster than Factor.
type Condition struct {
	Alert     Alert
	Long      time.Duration
	Short     time.Duration
	Factor    float64
	LongBurn  Value
	ShortBurn Value
	Firing    bool
	// Skipped: not evaluated, because its long window is not shorter than the SLO
	// window (a 3d burn says nothing new about a 1d SLO). Never fires.
	Skipped bool
}

// Status is the error budget of one SLO at one instant. The per-window arrays are
// indexed like Windows.
type Status struct {
	ErrorRatio [NumWindows]Value
	BurnRate   [NumWindows]Value // error ratio / (1 - objective): 1 spends the budget exactly over the window

	WindowErrorRatio  Value // over the whole SLO window
	BudgetRemaining   Value // fraction of the budget left; negative when overspent
	ExhaustionSeconds Value // at the 1h burn rate; 0 when already spent; unknown at a 1h burn ≤ 1

	Conditions [4]Condition
	Alert      Alert
	State      State
}

// conditionSpecs are the Workbook's four alerts. pct is the share of the budget
// (in percent) that the long window may spend before the alert fires; the factor
// is that share scaled from the long window to the SLO window, which gives the
// Workbook's 14.4, 6, 3 and 1 for 30 days.
var conditionSpecs = [4]struct {
	alert       Alert
	long, short int
	pct         float64
}{
	{AlertPage, w1h, w5m, 2},
	{AlertPage, w6h, w30m, 5},
	{AlertTicket, w1d, w2h, 10},
	{AlertTicket, w3d, w6h, 10},
}

// factor is the burn-rate threshold of a condition whose long window may spend pct
// percent of the budget of an SLO over window. It is never below 1: a burn of 1
// spends the budget exactly over the window, so a lower threshold would fire on a
// burn that can never exhaust the budget (a 7d SLO would ticket at 0.23x over 3d).
func factor(window, long time.Duration, pct float64) float64 {
	// Whole seconds times a whole percentage are exact in a float64, so the one
	// division rounds once: 30d gives exactly the literal 14.4, not 14.399999….
	return max(1, float64(window/time.Second)*pct/(float64(long/time.Second)*100))
}

// Evaluate computes the error budget of def from counts, keyed by window length:
// each of Windows and def.Window. A missing key means no data for that window.
// It allocates nothing; a definition Validate rejects evaluates to StateNoData.
func Evaluate(def Definition, counts map[time.Duration]Counts) Status {
	st := Status{Alert: AlertNone, State: StateNoData}
	budget := 1 - def.Objective
	valid := def.Objective > 0 && def.Objective < 1 && def.Window > 0
	for i, c := range conditionSpecs {
		st.Conditions[i] = Condition{Alert: c.alert, Long: windows[c.long], Short: windows[c.short]}
		if valid {
			st.Conditions[i].Factor = factor(def.Window, windows[c.long], c.pct)
			// A long window as long as the SLO window or longer says nothing the
			// budget does not already say, and its share of the budget is meaningless.
			st.Conditions[i].Skipped = windows[c.long] >= def.Window
		}
	}
	if !valid {
		return st
	}

	for i, w := range windows {
		if r, ok := ratio(counts, w); ok {
			st.ErrorRatio[i] = Value{r, true}
			st.BurnRate[i] = Value{r / budget, true}
		}
	}
	if r, ok := ratio(counts, def.Window); ok {
		st.WindowErrorRatio = Value{r, true}
		st.BudgetRemaining = Value{1 - r/budget, true}
		st.State = StateOK
	}

	for i, c := range conditionSpecs {
		cond := &st.Conditions[i]
		cond.LongBurn, cond.ShortBurn = st.BurnRate[c.long], st.BurnRate[c.short]
		cond.Firing = !cond.Skipped && cond.LongBurn.OK && cond.ShortBurn.OK &&
			cond.LongBurn.V > cond.Factor && cond.ShortBurn.V > cond.Factor
		if cond.Firing && (st.Alert == AlertNone || c.alert == AlertPage) {
			st.Alert = c.alert
		}
	}
	switch st.Alert {
	case AlertPage:
		st.State = StatePage
	case AlertTicket:
		st.State = StateTicket
	}

	// Kept up, a burn of at most 1 never runs a rolling budget out: the window's error
	// ratio tends to at most the budget as older traffic leaves it. Exhaustion is then
	// unknown, not a date; an overspent budget is spent (0) whatever the burn.
	burn := st.BurnRate[w1h]
	switch {
	case !st.BudgetRemaining.OK:
	case st.BudgetRemaining.V <= 0:
		st.ExhaustionSeconds = Value{0, true}
	case burn.OK && burn.V > 1:
		st.ExhaustionSeconds = Value{st.BudgetRemaining.V * def.Window.Seconds() / burn.V, true}
	}
	return st
}

// ratio is the error ratio over w, and whether there was traffic to compute it from.
func ratio(counts map[time.Duration]Counts, w time.Duration) (float64, bool) {
	c, ok := counts[w]
	if !ok || !(c.Total > 0) || math.IsInf(c.Total, 0) || math.IsNaN(c.Errors) || math.IsInf(c.Errors, 0) {
		return 0, false
	}
	// Errors computed as total - good can come out a hair below zero when the two
	// rates are sampled a moment apart; that is no errors, not missing data.
	return max(c.Errors, 0) / c.Total, true
}

// BurnRateMap is the burn rates keyed by window name ("5m" … "3d"), nil where unknown:
// the burn_rates object of the snapshot JSON. Unlike Evaluate, it allocates.
func (s Status) BurnRateMap() map[string]*float64 {
	m := make(map[string]*float64, NumWindows)
	for i, w := range windows {
		m[WindowName(w)] = s.BurnRate[i].Ptr()
	}
	return m
}
