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
// sub-expression of the combined query the poll sends.
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
// ending at end: one range query across [end-window, end] with step window/points,
// each point the budget left over the SLO window ending there (1 untouched, 0 spent,
// below 0 overspent). Steps without traffic or data are left out.
func (s *Source) BudgetHistory(ctx context.Context, name string, end time.Time, points int) ([]sources.Point, error) {
	i, ok := s.sloIndex[name]
	if !ok {
		return nil, fmt.Errorf("budget history: unknown SLO %q", name)
	}
	if points < 1 {
		return nil, fmt.Errorf("budget history: points must be positive, not %d", points)
	}
	d := s.opts.SLOs[i]
	step := d.Window / time.Duration(points)
	if step < time.Second {
		step = time.Second
	}
	query := budgetQuery(d)
	budget := pollBudget(ctx)
	v, _, _, err := s.api.QueryRange(ctx, query, v1.Range{Start: end.Add(-d.Window), End: end, Step: step})
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
