package prometheus

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// This file turns decoded API answers into values per service.

func usable(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// combineFor says how several series for one service (a query that does not
// aggregate by the label, or an override returning one series per instance) make
// one value: traffic adds up, while latency, errors and saturation keep the worst
// reading, the one an operator must not miss.
func combineFor(sig sources.Signal) func(a, b float64) float64 {
	if sig == sources.Traffic {
		return func(a, b float64) float64 { return a + b }
	}
	return func(a, b float64) float64 { return max(a, b) }
}

// instantValues reads an instant result as value per service. NaN and ±Inf are no
// data and left out; several series for one service are joined with combine.
func instantValues(v model.Value, key func(model.Metric) (string, bool), combine func(a, b float64) float64) (map[string]float64, error) {
	out := map[string]float64{}
	put := func(name string, x float64) {
		if !usable(x) {
			return
		}
		if old, ok := out[name]; ok {
			x = combine(old, x)
		}
		out[name] = x
	}
	switch v := v.(type) {
	case model.Vector:
		for _, smp := range v {
			if name, ok := key(smp.Metric); ok {
				put(name, float64(smp.Value))
			}
		}
	case *model.Scalar:
		if name, ok := key(model.Metric{}); ok {
			put(name, float64(v.Value))
		}
	default:
		return nil, fmt.Errorf("bad response: want a vector, got a %s", typeName(v))
	}
	return out, nil
}

// rangeSeries reads a range result as points per service, oldest first, without NaN
// or ±Inf; several series for one service merge by keeping the largest value at each
// step, as instantValues does. It is rangeSeriesContext without a deadline.
func rangeSeries(v model.Value, key func(model.Metric) (string, bool), combine func(a, b float64) float64) (map[string][]sources.Point, error) {
	return rangeSeriesContext(context.Background(), v, key, combine)
}

// checkEvery is how many series are read between two looks at the context: often
// enough to stop within milliseconds, rarely enough to cost nothing.
const checkEvery = 2048

// rangeSeriesContext is rangeSeries that stops when ctx ends: the work after a large
// response belongs to the poll and must not outlive its deadline.
//
// Merging is O(n log n) in the number of points: every service's points are gathered
// in one list, sorted once by time when more than one series fed it, and equal times
// folded with combine. (Merging series pairwise was quadratic: 20,000 series of one
// service took 15 s.)
func rangeSeriesContext(ctx context.Context, v model.Value, key func(model.Metric) (string, bool), combine func(a, b float64) float64) (map[string][]sources.Point, error) {
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("bad response: want a matrix, got a %s", typeName(v))
	}
	// First count each service's points, so each gets one list of the right size:
	// growing a list of 600,000 points by appending copied it again and again.
	type claim struct {
		name string
		ok   bool // the series belongs to a service (whose name may be "")
	}
	claims := make([]claim, len(m))
	size := map[string]int{}
	merged := map[string]bool{} // services fed by more than one series
	for i, ss := range m {
		if i%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if ss == nil {
			continue
		}
		name, ok := key(ss.Metric)
		if !ok {
			continue
		}
		if _, seen := size[name]; seen {
			merged[name] = true
		}
		size[name] += len(ss.Values)
		claims[i] = claim{name, true}
	}
	out := make(map[string][]sources.Point, len(size))
	for name, n := range size {
		out[name] = make([]sources.Point, 0, n)
	}
	for i, ss := range m {
		c := claims[i]
		if !c.ok {
			continue
		}
		pts := out[c.name]
		for _, p := range ss.Values {
			if usable(float64(p.Value)) {
				pts = append(pts, sources.Point{T: p.Timestamp.Time().UTC(), V: float64(p.Value)})
			}
		}
		out[c.name] = pts
	}
	for name := range merged {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[name] = foldByTime(out[name], combine)
	}
	return out, nil
}

// foldByTime sorts points by time and joins those at the same time with combine
// (a sum or a maximum: the order in which equal times meet does not matter).
func foldByTime(pts []sources.Point, combine func(a, b float64) float64) []sources.Point {
	slices.SortFunc(pts, func(a, b sources.Point) int { return a.T.Compare(b.T) })
	out := pts[:0]
	for _, p := range pts {
		if n := len(out); n > 0 && out[n-1].T.Equal(p.T) {
			out[n-1].V = combine(out[n-1].V, p.V)
			continue
		}
		out = append(out, p)
	}
	return slices.Clip(out)
}
