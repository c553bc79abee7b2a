package prometheus

import (
	"context"
	"fmt"
	"math"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// sigResult is what the queries of one signal (or one override) returned.
type sigResult struct {
	signal  sources.Signal
	service string // "" for the batched profile query, else the overriding service
	values  map[string]float64
	series  map[string][]sources.Point
}

// planSignals makes the signal jobs of one poll at `at`: for each signal of the
// profile one instant query and one range query for all services, and the same pair
// for each per-service override. finish assembles their results.
func (s *Source) planSignals(at time.Time) (jobs []job, finish func() *sources.SignalsData) {
	spec := s.opts.Signals
	var results []*sigResult
	add := func(sig sources.Signal, service, query string) {
		r := &sigResult{signal: sig, service: service}
		results = append(results, r)
		what := string(sig)
		if service != "" {
			what = service + " " + what
		}
		key := func(m model.Metric) (string, bool) {
			if service != "" {
				return service, true // one series expected; its labels do not matter
			}
			name, ok := m[model.LabelName(spec.By)]
			return string(name), ok
		}
		jobs = append(jobs,
			job{what: what + " query", do: func(ctx context.Context) error {
				v, _, _, err := s.api.Query(ctx, query, at)
				if err != nil {
					return err
				}
				r.values, err = instantValues(v, key, combineFor(sig))
				return err
			}},
			job{what: what + " sparkline", do: func(ctx context.Context) error {
				rng := v1.Range{Start: at.Add(-s.opts.SparkWindow), End: at, Step: s.opts.SparkStep}
				v, _, _, err := s.api.QueryRange(ctx, query, rng)
				if err != nil {
					return err
				}
				r.series, err = rangeSeries(v, key, combineFor(sig))
				return err
			}})
	}
	for _, sig := range sources.AllSignals {
		if q := spec.Profile[sig]; q != "" {
			add(sig, "", q)
		}
	}
	for _, svc := range spec.Services {
		for _, sig := range sources.AllSignals {
			if q := svc.Overrides[sig]; q != "" {
				add(sig, svc.Name, q)
			}
		}
	}
	return jobs, func() *sources.SignalsData { return s.assembleSignals(results) }
}

func (s *Source) assembleSignals(results []*sigResult) *sources.SignalsData {
	spec := s.opts.Signals
	out := &sources.SignalsData{Services: make(map[string]sources.ServiceSignals, len(spec.Services))}
	for _, svc := range spec.Services {
		ss := sources.ServiceSignals{
			Service: svc.Name,
			Values:  make(map[sources.Signal]sources.Reading, len(sources.AllSignals)),
			Series:  map[sources.Signal][]sources.Point{},
		}
		for _, sig := range sources.AllSignals {
			ss.Values[sig] = sources.Reading{}
		}
		out.Services[svc.Name] = ss
	}
	// Batched results first, then overrides on top: a service's own query wins.
	for pass := range 2 {
		for _, r := range results {
			if (r.service != "") != (pass == 1) {
				continue
			}
			for _, svc := range spec.Services {
				if pass == 0 && svc.Overrides[r.signal] != "" {
					continue
				}
				if pass == 1 && svc.Name != r.service {
					continue
				}
				ss := out.Services[svc.Name]
				if v, ok := r.values[svc.Name]; ok {
					ss.Values[r.signal] = sources.Reading{Value: v, Valid: true}
				}
				if pts := r.series[svc.Name]; len(pts) > 0 {
					ss.Series[r.signal] = pts
				}
			}
		}
	}
	return out
}

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
