package prometheus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
)

// A budget computed over a window the server holds only part of reads wrong (a 7d
// SLO on 15 minutes of data). How much of each SLO's window has data is asked in one
// query for every SLO, on the first poll and then at most once an hour: it grows by
// an hour an hour.
//
// Each SLO's total (its ratio, for a ratio SLI) is evaluated at coarse steps across
// the window, over a range of one step, and the steps with an answer are counted:
// coverage is count × step, at most the window. With about coverageSteps steps per
// window the query reads each sample of the window once, as the SLO's own window
// query does every minute, and a gap in the middle of the window counts as missing,
// as it is missing from the budget.
const (
	coverageEvery   = time.Hour
	coverageRetry   = 5 * time.Minute // after a failed check
	coverageSteps   = 168             // one step an hour for a 7d window
	coverageMinStep = 5 * time.Minute // a range of a step must hold two scrapes
)

// coverageCheck is the coverage queries of one poll and what they found.
type coverageCheck struct {
	queries []string                 // in chunks of at most maxSLOTerms SLOs
	steps   map[string]time.Duration // SLO name -> its step
	wins    map[string]time.Duration // SLO name -> its window
	mu      sync.Mutex
	got     map[string]int // SLO name -> steps with data
	err     error
}

// coverageStep is the step of the coverage query for an SLO window.
func coverageStep(window time.Duration) time.Duration {
	return max((window / coverageSteps).Truncate(time.Minute), coverageMinStep)
}

// planCoverage makes the coverage jobs when they are due at `at` (evaluation time,
// so a snapshot of the past is measured in the past): one term per SLO, joined with
// `or` in requests of at most maxSLOTerms terms (one request of 1,000 terms took 10 s
// where ten of 100 take under one). Caller holds s.mu.
func (s *Source) planCoverage(at time.Time) ([]job, *coverageCheck) {
	if !s.coverageAt.IsZero() && at.Sub(s.coverageAt).Abs() < s.coverageWait {
		return nil, nil
	}
	c := &coverageCheck{steps: map[string]time.Duration{}, wins: map[string]time.Duration{}, got: map[string]int{}}
	var b strings.Builder
	terms := 0
	for i, d := range s.opts.SLOs {
		if s.trouble[i] != nil {
			continue
		}
		step := coverageStep(d.Window)
		var expr string
		for _, p := range s.parts(i, step) {
			if p[0] == partTotal || p[0] == partRatio {
				expr = p[1]
			}
		}
		if expr == "" {
			continue
		}
		if terms == maxSLOTerms {
			c.queries = append(c.queries, b.String())
			b.Reset()
			terms = 0
		}
		if terms > 0 {
			b.WriteString(" or ")
		}
		terms++
		b.WriteString("label_replace(count_over_time((")
		b.WriteString(expr)
		b.WriteString(")[")
		b.WriteString(model.Duration(d.Window).String())
		b.WriteString(":")
		b.WriteString(model.Duration(step).String())
		b.WriteString(`]), "slo", `)
		b.WriteString(quoteReplacement(d.Name))
		b.WriteString(`, "", "")`)
		c.steps[d.Name], c.wins[d.Name] = step, d.Window
	}
	if terms > 0 {
		c.queries = append(c.queries, b.String())
	}
	if len(c.queries) == 0 {
		return nil, nil
	}
	jobs := make([]job, len(c.queries))
	for k, q := range c.queries {
		jobs[k] = job{what: "SLO coverage query", query: q, aux: true, do: func(ctx context.Context) error {
			v, _, _, err := s.api.Query(ctx, q, at)
			var vec model.Vector
			if err == nil {
				var ok bool
				if vec, ok = v.(model.Vector); !ok {
					err = errNotVector(v)
				}
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if err != nil {
				// Coverage only qualifies the budget: a failed check never fails the poll.
				if c.err == nil {
					c.err = err
				}
				return nil
			}
			for _, smp := range vec {
				if x := float64(smp.Value); usable(x) {
					c.got[string(smp.Metric["slo"])] = int(x)
				}
			}
			return nil
		}}
	}
	return jobs, c
}

// finishCoverage stores what the check found. An SLO the check asked about and got no
// answer for has no data in its window at all. A check that failed is asked again
// after coverageRetry, or at the next poll when the SLOs in trouble changed (an SLO
// newly found broken breaks the check too, and is left out of it from now on).
// Caller holds s.mu.
func (s *Source) finishCoverage(c *coverageCheck, at time.Time, troubleChanged bool) {
	s.coverageAt = at
	if c.err != nil || c.got == nil {
		s.coverageWait = coverageRetry
		if troubleChanged {
			s.coverageWait = 0
		}
		return
	}
	s.coverageWait = coverageEvery
	if s.coverage == nil {
		s.coverage = map[string]time.Duration{}
	}
	for name, step := range c.steps {
		// Every step of the window holding data is the whole window, even when the
		// step does not divide it (30d in 257m steps is 168 steps, 24 minutes short).
		if n := c.got[name]; n >= int(c.wins[name]/step) {
			s.coverage[name] = c.wins[name]
			continue
		}
		s.coverage[name] = min(time.Duration(c.got[name])*step, c.wins[name])
	}
}

// errNotVector is the error for an instant answer of another type.
func errNotVector(v model.Value) error {
	if v == nil {
		return errors.New("bad response: no data")
	}
	return fmt.Errorf("bad response: want a vector, got a %s", v.Type())
}
