package prometheus

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/slo"
)

// One SLO whose query the server rejects (a typo, a many-to-many match) would fail
// the combined query every SLO shares. Such an SLO is found by asking each SLO of the
// failed query on its own, and from then on it is "in trouble": left out of the
// combined queries, so the others stay fresh at the usual request count, and asked
// on its own again once per back-off period, which doubles from sloRetryMin up to
// sloRetryMax while it keeps failing.
const (
	sloRetryMin = time.Minute
	sloRetryMax = 15 * time.Minute
)

// sloTrouble is an SLO whose own query failed.
type sloTrouble struct {
	err     string // one line: why
	query   string // what it was asked alone
	backoff time.Duration
	next    time.Time // evaluation time from which it is asked again
}

// comboTrouble is a combined query that failed while each of its SLOs answered on its
// own (the combination itself is too much for the server): it is not taken apart
// again before next.
type comboTrouble struct {
	backoff time.Duration
	next    time.Time
}

// probe is one SLO asked on its own, every window in one query.
type probe struct {
	what   string
	query  string
	subs   []subQuery
	counts map[time.Duration]slo.Counts
	err    error
}

// probeJob asks SLO i on its own in this poll. Caller holds s.mu.
func (p *sloPlan) probeJob(i int) job {
	s := p.s
	var subs []subQuery
	for _, g := range p.groups {
		for _, w := range g.windows {
			if g.own && w != s.opts.SLOs[i].Window {
				continue
			}
			for _, part := range s.parts(i, w) {
				subs = append(subs, subQuery{slo: i, window: w, part: part[0], expr: part[1]})
			}
		}
	}
	pr := &probe{what: "SLO " + s.opts.SLOs[i].Name + " queries", query: combine(s.opts.SLOs, subs), subs: subs}
	p.probes[i] = pr
	at := p.at
	return job{what: pr.what, query: pr.query, do: func(ctx context.Context) error {
		v, _, _, err := s.api.Query(ctx, pr.query, at)
		if err == nil {
			var counts map[int]map[time.Duration]slo.Counts
			if counts, err = s.readCounts(v, subs); err == nil {
				pr.counts = counts[i]
				if pr.counts == nil {
					pr.counts = map[time.Duration]slo.Counts{}
				}
			}
		}
		pr.err = err
		return err
	}}
}

// updateTrouble records what this poll's probes found and reports whether the set of
// SLOs in trouble changed. Caller holds s.mu.
func (p *sloPlan) updateTrouble(budget time.Duration) (changed bool) {
	s := p.s
	for i, pr := range p.probes {
		switch {
		case pr.err == nil:
			if s.trouble[i] != nil {
				delete(s.trouble, i)
				changed = true
			}
		case queryFault(pr.err):
			t := s.trouble[i]
			if t == nil {
				t = &sloTrouble{}
				s.trouble[i] = t
				changed = true
			}
			t.backoff = nextBackoff(t.backoff)
			t.err, t.query, t.next = describe(pr.err, budget), pr.query, p.at.Add(t.backoff)
		}
	}
	// A combined query that failed though none of its SLOs did alone.
	for gi, err := range p.groupErr {
		name := p.reqName[gi]
		if err == nil && p.built[gi] != nil {
			delete(s.comboTrouble, name)
		}
		if err == nil || !queryFault(err) {
			continue
		}
		culprit, probed := false, false
		for _, sq := range p.built[gi].subs {
			if pr := p.probes[sq.slo]; pr != nil {
				probed = true
				culprit = culprit || (pr.err != nil && queryFault(pr.err))
			}
		}
		if probed && !culprit {
			c := s.comboTrouble[name]
			if c == nil {
				c = &comboTrouble{}
				s.comboTrouble[name] = c
			}
			c.backoff = nextBackoff(c.backoff)
			c.next = p.at.Add(c.backoff)
		}
	}
	return changed
}

func nextBackoff(d time.Duration) time.Duration {
	if d <= 0 {
		return sloRetryMin
	}
	return min(2*d, sloRetryMax)
}
