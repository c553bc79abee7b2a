package prometheus

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// SLOQueries is the PromQL this source evaluates for the SLO called name, keyed by
// part and window ("errors 1h", "total 30d", "ratio 5m" for a recorded or ratio SLI),
// for the detail view; nil for an SLO this source does not evaluate. Each query is one
// sub-expression of the combined query the poll sends, or, for SLOs that share a
// shape (see shapeTerms), what the shared term answers for this SLO.
func (s *Source) SLOQueries(name string) map[string]string {
	i, ok := s.sloIndex[name]
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sloQueriesLocked(i)
}

// sloQueriesLocked is SLOQueries for the i-th SLO. Caller holds s.mu.
func (s *Source) sloQueriesLocked(i int) map[string]string {
	d := s.opts.SLOs[i]
	ws := slo.Windows
	if !slices.Contains(ws, d.Window) {
		ws = append(ws[:len(ws):len(ws)], d.Window)
	}
	out := map[string]string{}
	for _, w := range ws {
		for _, p := range s.parts(i, w) {
			out[p[0]+" "+slo.WindowName(w)] = p[1]
		}
	}
	return out
}

// BudgetHistory is the error budget remaining of the SLO called name over its window
// ending at end, at about `points` steps of window/points: each point the budget left
// over the SLO window ending there (1 untouched, 0 spent, below 0 overspent). Steps
// without traffic or data are left out.
//
// Evaluating the window's ratio at every step would read the window's samples once
// per point (a 30-day SLO at 120 points: 120 windows of samples). Instead one range
// query over [end - 2·window, end] asks each step's own errors and total, and the
// window sums are added up here: about two windows of samples. On Prometheus 2.x,
// whose ranges include both ends, the steps' increases add up to the window's
// exactly when samples fall on the step boundaries, and within the extrapolation of
// one step otherwise. A ratio SLI or a recording rule cannot be summed: for those the
// window's ratio is still asked at every step.
//
// The request is bounded by ctx: the caller passes the configured query timeout.
func (s *Source) BudgetHistory(ctx context.Context, name string, end time.Time, points int) ([]sources.Point, error) {
	i, ok := s.sloIndex[name]
	if !ok {
		return nil, fmt.Errorf("budget history: unknown SLO %q", name)
	}
	if points < 1 {
		return nil, fmt.Errorf("budget history: points must be positive, not %d", points)
	}
	d := s.opts.SLOs[i]
	step := max((d.Window / time.Duration(points)).Truncate(time.Second), time.Second)
	budget := pollBudget(ctx)
	s.mu.Lock()
	recorded := s.recording != nil && s.recording[i][d.Window]
	s.mu.Unlock()
	if d.SLI.ErrorRatio != "" || recorded {
		return s.budgetByWindow(ctx, name, d, end, step, budget)
	}
	n := max(int(d.Window/step), 1) // steps in one window
	query := stepCountsQuery(d, step)
	v, _, _, err := s.api.QueryRange(ctx, query, v1.Range{Start: end.Add(-time.Duration(2*n-1) * step), End: end, Step: step})
	if err != nil {
		return nil, wrapQuery("budget history of "+name, err, budget)
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("budget history of %s: bad response: want a matrix, got a %s", name, v.Type())
	}
	return rollBudget(d, m, end, step, n), nil
}

// stepCountsQuery asks d's errors (or good events) and total over one step, told
// apart by the "part" label.
func stepCountsQuery(d slo.Definition, step time.Duration) string {
	win := model.Duration(step).String()
	errs, total := d.Queries(win)
	first, part := "sum("+errs+")", partErrors
	if goodForm(d) {
		first, part = "sum("+goodQuery(d, win)+")", partGood
	}
	return `label_replace(` + first + `, "part", "` + part + `", "", "") or label_replace(sum(` + total + `), "part", "` + partTotal + `", "", "")`
}

// rollBudget adds the per-step counts of m into window sums ending at each of the
// last n+1 steps up to end. A step with a total and no errors series has no errors,
// and one with no good series no good events, as in the poll; a latency SLI's step
// without its errors has no data.
func rollBudget(d slo.Definition, m model.Matrix, end time.Time, step time.Duration, n int) []sources.Point {
	type counts struct {
		errs, good, total float64
		hasE, hasG, hasT  bool
	}
	steps := make([]counts, 2*n) // by index from the range start
	start := end.Add(-time.Duration(2*n-1) * step)
	for _, ss := range m {
		part := string(ss.Metric["part"])
		for _, p := range ss.Values {
			k := int(p.Timestamp.Time().Sub(start).Round(time.Millisecond) / step)
			x := float64(p.Value)
			if k < 0 || k >= len(steps) || !usable(x) {
				continue
			}
			c := &steps[k]
			switch part {
			case partErrors:
				c.errs, c.hasE = x, true
			case partGood:
				c.good, c.hasG = x, true
			case partTotal:
				c.total, c.hasT = x, true
			}
		}
	}
	var out []sources.Point
	var errs, total float64
	have := 0 // steps of the current window with data
	for k := range steps {
		add := func(c counts, sign float64) int {
			if !c.hasT || (d.SLI.Latency != nil && !c.hasE) {
				return 0
			}
			e := c.errs
			if goodForm(d) {
				e = c.total - c.good
			}
			errs += sign * e
			total += sign * c.total
			return 1
		}
		have += add(steps[k], 1)
		if k >= n {
			have -= add(steps[k-n], -1)
		}
		if k < n-1 || have == 0 || !(total > 0) {
			continue
		}
		ratio := max(errs, 0) / total
		out = append(out, sources.Point{T: start.Add(time.Duration(k) * step).UTC(), V: 1 - ratio/(1-d.Objective)})
	}
	return out
}

// budgetByWindow is the budget history of an SLO whose ratio cannot be summed: the
// window's ratio evaluated at each step of [end-window, end].
func (s *Source) budgetByWindow(ctx context.Context, name string, d slo.Definition, end time.Time, step, budget time.Duration) ([]sources.Point, error) {
	v, _, _, err := s.api.QueryRange(ctx, budgetQuery(d), v1.Range{Start: end.Add(-d.Window), End: end, Step: step})
	if err != nil {
		return nil, wrapQuery("budget history of "+name, err, budget)
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("budget history of %s: bad response: want a matrix, got a %s", name, v.Type())
	}
	if len(m) == 0 {
		return nil, nil
	}
	var out []sources.Point
	for _, p := range m[0].Values { // the query aggregates to one series
		if usable(float64(p.Value)) {
			out = append(out, sources.Point{T: p.Timestamp.Time().UTC(), V: float64(p.Value)})
		}
	}
	return out, nil
}

// budgetQuery is 1 - error ratio over the SLO window / (1 - objective), with the same
// reading of missing series as the poll: no error series is 0 errors, no good series
// is 0 good events.
func budgetQuery(d slo.Definition) string {
	win := slo.WindowName(d.Window)
	errs, total := d.Queries(win)
	// Written as (1 - objective) so the query reads like the definition, without the
	// float noise of computing it here (1 - 0.999 = 0.0010000000000000009).
	b := "(1 - " + strconv.FormatFloat(d.Objective, 'g', -1, 64) + ")"
	var ratio string
	switch {
	case d.SLI.ErrorRatio != "":
		ratio = "max(" + errs + ")"
	case d.SLI.Latency != nil:
		ratio = "sum(" + errs + ") / sum(" + total + ")"
	case goodForm(d):
		t := "sum(" + total + ")"
		ratio = "clamp_min(" + t + " - (sum(" + goodQuery(d, win) + ") or 0 * " + t + "), 0) / " + t
	default:
		t := "sum(" + total + ")"
		ratio = "(sum(" + errs + ") or 0 * " + t + ") / " + t
	}
	return "1 - (" + ratio + ") / " + b
}
