package prometheus

import (
	"fmt"
	"math"

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
		return nil, fmt.Errorf("bad response: want a vector, got a %s", v.Type())
	}
	return out, nil
}

// rangeSeries reads a range result as points per service, oldest first, without NaN
// or ±Inf; several series for one service merge by keeping the largest value at each
// step, as instantValues does.
func rangeSeries(v model.Value, key func(model.Metric) (string, bool), combine func(a, b float64) float64) (map[string][]sources.Point, error) {
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("bad response: want a matrix, got a %s", v.Type())
	}
	out := map[string][]sources.Point{}
	for _, ss := range m {
		name, ok := key(ss.Metric)
		if !ok {
			continue
		}
		pts := make([]sources.Point, 0, len(ss.Values))
		for _, p := range ss.Values {
			if usable(float64(p.Value)) {
				pts = append(pts, sources.Point{T: p.Timestamp.Time().UTC(), V: float64(p.Value)})
			}
		}
		out[name] = mergePoints(out[name], pts, combine)
	}
	return out, nil
}

// mergePoints merges two time-ordered point lists, joining with combine where both
// have a point at the same time.
func mergePoints(a, b []sources.Point, combine func(a, b float64) float64) []sources.Point {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]sources.Point, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].T.Before(b[j].T):
			out = append(out, a[i])
			i++
		case b[j].T.Before(a[i].T):
			out = append(out, b[j])
			j++
		default:
			p := a[i]
			p.V = combine(p.V, b[j].V)
			out = append(out, p)
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
