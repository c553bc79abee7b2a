package prometheus

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// sloPlan is the SLO part of one poll: the combined per-window queries, the SLOs
// asked on their own (see sloTrouble), the retention flag and the coverage check.
type sloPlan struct {
	s      *Source
	at     time.Time
	groups []sloGroup
	// Per request: a group's SLOs are asked in chunks of at most maxSLOTerms terms
	// (see chunkSubs), each its own request.
	reqGroup []sloGroup
	reqName  []string                               // "1h", or "1h 2/5" for a group in chunks
	built    []*builtQuery                          // nil when answered from the cache
	results  []map[int]map[time.Duration]slo.Counts //
	groupErr []error                                //
	probes   map[int]*probe                         // SLO index -> asked on its own this poll
	// held are SLOs of a failing combined query that could not be asked on their own
	// this poll (see comboTrouble), with the combined query's failure.
	held     map[int]error
	coverage *coverageCheck
}

// planSLOs makes the first-round SLO jobs of one poll at `at`: the short windows
// always, the long ones when the cached answer is older than LongWindowEvery (in
// evaluation time, so a snapshot of the past is not answered from the present), each
// SLO in trouble whose back-off has passed, the retention flag until the server has
// answered it once, and the coverage check when it is due.
func (s *Source) planSLOs(at time.Time) (*sloPlan, []job) {
	p := &sloPlan{s: s, at: at, groups: s.groups(), probes: map[int]*probe{}, held: map[int]error{}}
	var jobs []job
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range p.groups {
		chunks, ok := s.built[g.name]
		if !ok {
			// The text depends only on the definitions, the recording check and the
			// SLOs in trouble, so it is built when those change, not on every poll.
			chunks = chunkSubs(g.name, s.opts.SLOs, s.subQueries(g))
			s.built[g.name] = chunks
		}
		for _, b := range chunks {
			gi := len(p.reqGroup)
			p.reqGroup = append(p.reqGroup, g)
			p.reqName = append(p.reqName, b.name)
			p.built = append(p.built, nil)
			p.results = append(p.results, nil)
			p.groupErr = append(p.groupErr, nil)
			if c := s.long[b.name]; g.long && c != nil && (at.Sub(c.at)).Abs() < s.opts.LongWindowEvery {
				p.results[gi] = c.counts
				continue
			}
			p.built[gi] = b
			jobs = append(jobs, job{what: "SLO " + b.name + " query", query: b.query, do: func(ctx context.Context) error {
				v, _, _, err := s.api.Query(ctx, b.query, at)
				var counts map[int]map[time.Duration]slo.Counts
				if err == nil {
					counts, err = s.readShapedCounts(v, b.subs, b.shapes)
				}
				if err != nil {
					p.groupErr[gi] = err
					return err
				}
				p.results[gi] = counts
				if g.long {
					s.mu.Lock()
					s.long[b.name] = &longCache{at: at, counts: counts}
					s.mu.Unlock()
				}
				return nil
			}})
		}
	}
	for i, t := range s.trouble {
		if !at.Before(t.next) {
			jobs = append(jobs, p.probeJob(i))
		}
	}
	if s.retention == nil {
		jobs = append(jobs, job{what: "retention", aux: true, do: s.readRetention})
	}
	if js, c := s.planCoverage(at); c != nil {
		p.coverage = c
		jobs = append(jobs, js...)
	}
	return p, jobs
}

// followUp is the second round: when a combined query failed because of a query
// (not the server), each SLO it asked about is asked on its own, so that the one
// that broke it is found and the others still get fresh numbers this poll. A
// combined query whose SLOs all answered alone is not taken apart again before its
// back-off has passed.
func (p *sloPlan) followUp() []job {
	var jobs []job
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	for gi, err := range p.groupErr {
		if err == nil || !queryFault(err) {
			continue
		}
		throttled := false
		if c := p.s.comboTrouble[p.reqName[gi]]; c != nil && p.at.Before(c.next) {
			throttled = true
		}
		for _, sq := range p.built[gi].subs {
			if _, asked := p.probes[sq.slo]; asked {
				continue
			}
			if throttled {
				if _, ok := p.held[sq.slo]; !ok {
					p.held[sq.slo] = err
				}
				continue
			}
			jobs = append(jobs, p.probeJob(sq.slo))
		}
	}
	return jobs
}

// serverError is the first failure of the SLO queries that is not about a query: the
// SLO part of the poll then fails as a whole, as the signals do.
func (p *sloPlan) serverError() (string, error) {
	for gi, err := range p.groupErr {
		if err != nil && !queryFault(err) {
			return "SLO " + p.reqName[gi] + " query", err
		}
	}
	for i := range p.s.opts.SLOs {
		if pr := p.probes[i]; pr != nil && pr.err != nil && !queryFault(pr.err) {
			return pr.what, pr.err
		}
	}
	return "", nil
}

// assemble builds the poll's SLO data once every round has run, and remembers which
// SLOs are in trouble. Only SLOs whose own queries failed are marked failed; their
// counts are the last good ones when there were any.
func (p *sloPlan) assemble(budget time.Duration) *sources.SLOData {
	s := p.s
	defs := s.opts.SLOs
	out := &sources.SLOData{Counts: make(map[string]map[time.Duration]slo.Counts, len(defs))}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := p.updateTrouble(budget)
	for i, d := range defs {
		m := make(map[time.Duration]slo.Counts, len(slo.Windows)+1)
		for _, r := range p.results {
			for w, c := range r[i] {
				m[w] = c
			}
		}
		if pr := p.probes[i]; pr != nil && pr.err == nil {
			m = pr.counts
		}
		reason := ""
		if t := s.trouble[i]; t != nil {
			reason = t.err
			out.Failures = append(out.Failures, sources.QueryFailure{What: "SLO " + d.Name + " queries", Query: t.query, Err: t.err})
		} else if err, ok := p.held[i]; ok {
			reason = describe(err, budget)
		}
		if reason == "" && len(m) == 0 && d.SLI.Latency != nil {
			s.noBucketMu.Lock()
			missing := s.noBucket[i]
			s.noBucketMu.Unlock()
			if missing {
				l := d.SLI.Latency
				reason = fmt.Sprintf("no %s_bucket series with le=%g: the threshold must be one of the histogram's bucket boundaries (vigil check lists them)",
					l.Histogram, l.Threshold.Seconds())
				out.Failures = append(out.Failures, sources.QueryFailure{What: "SLO " + d.Name + " threshold", Err: reason})
			}
		}
		if reason == "" {
			out.Counts[d.Name] = m
			s.lastCounts[i] = m
			continue
		}
		if out.Failed == nil {
			out.Failed = map[string]sources.SLOFailure{}
		}
		last, stale := s.lastCounts[i]
		out.Failed[d.Name] = sources.SLOFailure{Err: reason, Stale: stale}
		if stale {
			out.Counts[d.Name] = last
		}
	}
	// The SLOs in trouble first, as they say which SLO is wrong, then the combined
	// queries that failed this poll.
	for gi, err := range p.groupErr {
		if err != nil {
			out.Failures = append(out.Failures, sources.QueryFailure{
				What: "SLO " + p.reqName[gi] + " query", Query: p.built[gi].query, Err: describe(err, budget)})
		}
	}
	if changed {
		// The combined queries leave out the SLOs in trouble: rebuild them, and ask the
		// long windows again so a recovered SLO has them at once.
		clear(s.built)
		clear(s.long)
	}
	if s.retention != nil {
		out.Retention = *s.retention
	}
	if s.queries == nil {
		// Built once the recording-rule check has run, so the detail view shows
		// what is really asked (a recording rule or the raw query).
		s.queries = make(map[string]map[string]string, len(defs))
		for i, d := range defs {
			s.queries[d.Name] = s.sloQueriesLocked(i)
		}
	}
	out.Queries = s.queries
	if p.coverage != nil {
		s.finishCoverage(p.coverage, p.at, changed)
	}
	if len(s.coverage) > 0 {
		out.Coverage = make(map[string]time.Duration, len(s.coverage))
		for name, c := range s.coverage {
			out.Coverage[name] = c
		}
	}
	return out
}
