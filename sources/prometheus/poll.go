package prometheus

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// Poll asks every signal, health and SLO question at `at`.
//
// A query the server rejects or cannot evaluate (bad_data, execution: a typo, a
// many-to-many match) affects only what it feeds: its readings carry the reason in
// Err, it is listed in Failures, and everything else is fresh. A failure of the server
// or of the way to it (refused, timeout, 5xx, 429, body cap, TLS, auth) in a signal
// query, or every query failing, fails the whole poll with one error naming the first
// question in plan order: the hub then keeps the last good data, marked stale, which
// is safer than a board whose numbers come from a server in doubt. When only SLO
// questions meet such a failure the signals are still returned, and the SLO part
// carries the error with the last good counts.
func (s *Source) Poll(ctx context.Context, at time.Time) (sources.Data, error) {
	ctx = withPollLimits(ctx)
	warnings := &warningSet{}
	ctx = withWarnings(ctx, warnings)
	budget := pollBudget(ctx)
	wrap := func(what string, err error) error { return wrapQuery(what, err, budget) }
	var (
		data       sources.Data
		jobs       []job
		sigN, sloN atomic.Int64
		sig        *signalPlan
		sp         *sloPlan
		sloErr     error
	)
	if s.opts.Signals != nil {
		sig = s.planSignals(at)
		jobs = append(jobs, counted(sig.jobs, &sigN)...)
	}
	nSignals := len(jobs)
	if len(s.opts.SLOs) > 0 {
		if err := s.checkRecording(withCounter(ctx, &sloN), at); err != nil {
			sloErr = wrap("SLO recording-rule check", err)
		} else {
			var sj []job
			sp, sj = s.planSLOs(at)
			jobs = append(jobs, counted(sj, &sloN)...)
		}
	}
	if len(jobs) == 0 && sloErr == nil {
		// Nothing to ask (or every SLO in trouble and not due): probe anyway, so the
		// badge never says ok for a server that does not answer.
		if _, _, _, err := s.api.Query(ctx, "vector(1)", at); err != nil {
			return sources.Data{}, wrap("probe", err)
		}
	}
	errs := runJobs(ctx, jobs)
	if i, err := firstError(errs[:nSignals], func(e error) bool { return !queryFault(e) }); err != nil {
		return sources.Data{}, wrap(jobs[i].what, err)
	}
	var more []job
	var moreErrs []error
	if sp != nil {
		if what, err := sp.serverError(); err != nil {
			sloErr = wrap(what, err)
		} else {
			more = counted(sp.followUp(), &sloN)
			moreErrs = runJobs(ctx, more)
		}
	}
	if answered(jobs, errs) == 0 && answered(more, moreErrs) == 0 {
		if i, err := firstError(errs, anyError); err != nil {
			return sources.Data{}, wrap(jobs[i].what, err)
		}
		if sloErr != nil && sig == nil {
			return sources.Data{}, sloErr
		}
	}
	if sig != nil {
		data.Signals = sig.assemble(s.opts.Signals, budget)
		data.Signals.Requests = int(sigN.Load())
	}
	if sp != nil && sloErr == nil {
		if what, err := sp.serverError(); err != nil {
			sloErr = wrap(what, err) // met while taking a failed combined query apart
		}
	}
	switch {
	case sloErr != nil && data.Signals == nil:
		return sources.Data{}, sloErr
	case sloErr != nil:
		// Keep the last good counts, marked with the error: old numbers labelled
		// stale beat a blank pane, and the operator sees why.
		stale := sources.SLOData{}
		s.mu.Lock()
		if s.lastSLOs != nil {
			stale = *s.lastSLOs
		}
		s.mu.Unlock()
		stale.Err, stale.Requests = sloErr.Error(), int(sloN.Load())
		data.SLOs = &stale
	case sp != nil:
		data.SLOs = sp.assemble(budget)
		data.SLOs.Requests = int(sloN.Load())
		s.mu.Lock()
		s.lastSLOs = data.SLOs
		s.mu.Unlock()
	}
	data.Warnings = warnings.sorted()
	return data, nil
}

// answered counts the jobs that asked the server a query and got an answer. Jobs that
// never fail (the retention flag, the coverage check) do not count: they prove
// nothing about the questions the board shows.
func answered(jobs []job, errs []error) int {
	n := 0
	for i, j := range jobs {
		if errs[i] == nil && !j.aux {
			n++
		}
	}
	return n
}

// counted makes each job's requests count towards n.
func counted(jobs []job, n *atomic.Int64) []job {
	for i := range jobs {
		do := jobs[i].do
		jobs[i].do = func(ctx context.Context) error { return do(withCounter(ctx, n)) }
	}
	return jobs
}
