package prometheus

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// sigResult is what the queries of one signal (or one override) returned.
type sigResult struct {
	signal  sources.Signal
	service string // "" for the batched profile query, else the overriding service
	what    string // "saturation", "checkout latency"
	query   string // as configured
	chunks  []*chunkResult
}

// chunkResult is the answer to one chunk of a signal's query (see restrictQuery).
type chunkResult struct {
	read sparkRead
	// The failure of the query. Only query faults reach assembly: any other failure
	// fails the whole poll.
	err error
}

// err is the first failure among the chunks: a query the server rejects is rejected
// whichever services it is restricted to.
func (r *sigResult) err() error {
	for _, c := range r.chunks {
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

// signalPlan is the signal part of one poll: its jobs and where they put answers.
type signalPlan struct {
	jobs    []job
	results []*sigResult
	health  *healthResult // nil when no health query is asked
}

// planSignals makes the signal jobs of one poll at `at`: the target-health query for
// all services, then for each signal of the profile one range query per chunk of
// services (see restrictQuery) whose last point is the current value, and one for
// each per-service override. The health query comes first: in plan order, which also
// orders the errors of a failing server, it says whether the rest can be trusted.
func (s *Source) planSignals(at time.Time) *signalPlan {
	spec := s.opts.Signals
	p := &signalPlan{}
	if js, h := s.planHealth(at); h != nil {
		p.jobs = append(p.jobs, js...)
		p.health = h
	}
	add := func(sig sources.Signal, service, query string, parts []restricted) {
		what := string(sig)
		if service != "" {
			what = service + " " + what
		}
		r := &sigResult{signal: sig, service: service, what: what, query: query}
		p.results = append(p.results, r)
		key, combine := s.serviceKey(service), combineFor(sig)
		for _, part := range parts {
			c := &chunkResult{}
			r.chunks = append(r.chunks, c)
			p.jobs = append(p.jobs, job{what: what + " query", query: part.query, do: func(ctx context.Context) error {
				c.read, c.err = s.readSpark(ctx, part.query, s.keepFor(part, service), key, combine, at)
				return c.err
			}})
		}
	}
	for _, sig := range sources.AllSignals {
		if parts := s.profile[sig]; len(parts) > 0 {
			add(sig, "", spec.Profile[sig], parts)
		}
	}
	for _, svc := range spec.Services {
		for _, sig := range sources.AllSignals {
			if q := svc.Overrides[sig]; q != "" {
				add(sig, svc.Name, q, []restricted{{query: q}})
			}
		}
	}
	return p
}

// keepFor is the set of services whose answers to part are kept: the chunk's own
// services, or, for a query that could not be restricted, the configured services
// (every service when the profile is for all of them).
func (s *Source) keepFor(part restricted, service string) map[string]bool {
	switch {
	case service != "":
		return nil // an override answers for its service only
	case part.keep != nil:
		return part.keep
	case s.opts.Signals.AllServices:
		return nil
	}
	return s.configured
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
// feeds, with the reason, and is listed in Failures; everything else is fresh. It is
// linear in services plus overrides: each override touches its own service only.
func (p *signalPlan) assemble(spec *SignalSpec, budget time.Duration) *sources.SignalsData {
	out := &sources.SignalsData{Services: make(map[string]sources.ServiceSignals, len(spec.Services))}
	addService := func(name string) {
		ss := sources.ServiceSignals{
			Service: name,
			Values:  make(map[sources.Signal]sources.Reading, len(sources.AllSignals)),
			Series:  map[sources.Signal][]sources.Point{},
		}
		for _, sig := range sources.AllSignals {
			ss.Values[sig] = sources.Reading{}
		}
		out.Services[name] = ss
	}
	for _, svc := range spec.Services {
		addService(svc.Name)
	}
	if spec.AllServices {
		// Every service some answer names is on the board, each with every signal
		// (an unanswered one reads no data, a failed one its error).
		for _, r := range p.results {
			if r.service != "" {
				continue
			}
			for _, c := range r.chunks {
				for name := range c.read.series {
					if _, ok := out.Services[name]; !ok {
						addService(name)
					}
				}
				for name := range c.read.values {
					if _, ok := out.Services[name]; !ok {
						addService(name)
					}
				}
			}
		}
	}
	overridden := map[sources.Signal]map[string]bool{}
	for _, svc := range spec.Services {
		for sig, q := range svc.Overrides {
			if q == "" {
				continue
			}
			if overridden[sig] == nil {
				overridden[sig] = map[string]bool{}
			}
			overridden[sig][svc.Name] = true
		}
	}
	for _, r := range p.results {
		if err := r.err(); err != nil {
			out.Failures = append(out.Failures, sources.QueryFailure{What: r.what + " query", Query: r.query, Err: describe(err, budget)})
		}
	}
	// Batched results first, then overrides on top: a service's own query wins.
	for pass := range 2 {
		for _, r := range p.results {
			if (r.service != "") != (pass == 1) {
				continue
			}
			if err := r.err(); err != nil {
				reason := describe(err, budget)
				if pass == 1 {
					out.Services[r.service].Values[r.signal] = sources.Reading{Err: reason}
					continue
				}
				for name, ss := range out.Services {
					if !overridden[r.signal][name] {
						ss.Values[r.signal] = sources.Reading{Err: reason}
					}
				}
				continue
			}
			for _, c := range r.chunks {
				for name, pts := range c.read.series {
					if pass == 0 && overridden[r.signal][name] {
						continue
					}
					ss, ok := out.Services[name]
					if !ok {
						continue
					}
					if len(pts) > 0 {
						ss.Series[r.signal] = pts
					}
				}
				for name, v := range c.read.values {
					if pass == 0 && overridden[r.signal][name] {
						continue
					}
					ss, ok := out.Services[name]
					if !ok {
						continue
					}
					ss.Values[r.signal] = sources.Reading{Value: v, Valid: true}
				}
			}
		}
	}
	if p.health != nil {
		if f := p.health.apply(out, budget); f != nil {
			out.Failures = append(out.Failures, *f)
		}
	}
	if f := nobodyAnswered(p, spec, out); f != nil {
		out.Failures = append(out.Failures, *f)
	}
	return out
}

// nobodyAnswered is a failure when the profile's queries all answered and no series
// in any answer carries the `by` label, and the health query found no configured
// service either: a mistyped `by` label answers exactly that (restricted queries
// match nothing; unrestricted ones aggregate the label away), and a board of "no
// data" under an ok badge would hide it. A service that answers through an override
// of its own does not count.
func nobodyAnswered(p *signalPlan, spec *SignalSpec, out *sources.SignalsData) *sources.QueryFailure {
	if len(out.Failures) > 0 || len(spec.Services) == 0 || spec.AllServices {
		return nil
	}
	asked := false
	for _, r := range p.results {
		if r.service != "" {
			continue
		}
		asked = true
		for _, c := range r.chunks {
			if c.read.keyed > 0 || len(c.read.values) > 0 || len(c.read.series) > 0 {
				return nil
			}
		}
	}
	if !asked {
		return nil
	}
	for _, ss := range out.Services {
		if ss.Targets.Known {
			return nil
		}
	}
	return &sources.QueryFailure{What: "signal queries", Err: fmt.Sprintf(
		"no configured service is in any answer: is %q the label whose values are the service names? (vigil check lists the labels seen)", spec.By)}
}
