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
	what    string // "saturation", "checkout latency"
	query   string
	values  map[string]float64
	series  map[string][]sources.Point
	// The failures of the instant and the range query. Only query faults reach
	// assembly: any other failure fails the whole poll.
	valuesErr, seriesErr error
}

// signalPlan is the signal part of one poll: its jobs and where they put answers.
type signalPlan struct {
	jobs    []job
	results []*sigResult
	health  *healthResult // nil when no health query is asked
}

// planSignals makes the signal jobs of one poll at `at`: for each signal of the
// profile one instant query and one range query for all services, the same pair for
// each per-service override, and one target-health query for all services.
func (s *Source) planSignals(at time.Time) *signalPlan {
	spec := s.opts.Signals
	p := &signalPlan{}
	add := func(sig sources.Signal, service, query string) {
		what := string(sig)
		if service != "" {
			what = service + " " + what
		}
		r := &sigResult{signal: sig, service: service, what: what, query: query}
		p.results = append(p.results, r)
		key := s.serviceKey(service)
		p.jobs = append(p.jobs,
			job{what: what + " query", query: query, do: func(ctx context.Context) error {
				v, _, _, err := s.api.Query(ctx, query, at)
				if err == nil {
					r.values, err = instantValues(v, key, combineFor(sig))
				}
				r.valuesErr = err
				return err
			}},
			job{what: what + " sparkline", query: query, do: func(ctx context.Context) error {
				rng := v1.Range{Start: at.Add(-s.opts.SparkWindow), End: at, Step: s.opts.SparkStep}
				v, _, _, err := s.api.QueryRange(ctx, query, rng)
				if err == nil {
					r.series, err = rangeSeries(v, key, combineFor(sig))
				}
				r.seriesErr = err
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
	if j, h := s.planHealth(at); h != nil {
		p.jobs = append(p.jobs, j)
		p.health = h
	}
	return p
}

// serviceKey reads the service a series belongs to: the by label for the batched
// profile, or the overriding service itself, whose query is expected to return one
// series whose labels do not matter.
func (s *Source) serviceKey(service string) func(model.Metric) (string, bool) {
	if service != "" {
		return func(model.Metric) (string, bool) { return service, true }
	}
	by := model.LabelName(s.opts.Signals.By)
	return func(m model.Metric) (string, bool) {
		name, ok := m[by]
		return string(name), ok
	}
}

// assemble builds the poll's signal data. A failed query marks only the readings it
// feeds, with the reason, and is listed in Failures; everything else is fresh.
func (p *signalPlan) assemble(spec *SignalSpec, budget time.Duration) *sources.SignalsData {
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
	for _, r := range p.results {
		switch {
		case r.valuesErr != nil:
			// The sparkline of a query that failed is not worth a line of its own.
			out.Failures = append(out.Failures, sources.QueryFailure{What: r.what + " query", Query: r.query, Err: describe(r.valuesErr, budget)})
		case r.seriesErr != nil:
			out.Failures = append(out.Failures, sources.QueryFailure{What: r.what + " sparkline", Query: r.query, Err: describe(r.seriesErr, budget)})
		}
	}
	// Batched results first, then overrides on top: a service's own query wins.
	for pass := range 2 {
		for _, r := range p.results {
			if (r.service != "") != (pass == 1) {
				continue
			}
			var reason string
			if r.valuesErr != nil {
				reason = describe(r.valuesErr, budget)
			}
			for _, svc := range spec.Services {
				if pass == 0 && svc.Overrides[r.signal] != "" {
					continue
				}
				if pass == 1 && svc.Name != r.service {
					continue
				}
				ss := out.Services[svc.Name]
				if reason != "" {
					ss.Values[r.signal] = sources.Reading{Err: reason}
				} else if v, ok := r.values[svc.Name]; ok {
					ss.Values[r.signal] = sources.Reading{Value: v, Valid: true}
				}
				if pts := r.series[svc.Name]; len(pts) > 0 && reason == "" {
					ss.Series[r.signal] = pts
				}
			}
		}
	}
	if p.health != nil {
		if f := p.health.apply(out, budget); f != nil {
			out.Failures = append(out.Failures, *f)
		}
	}
	return out
}
