package prometheus

import (
	"context"
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
