package prometheus

import (
	"context"
	"errors"
	"sync"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// parallel is how many queries of one poll run at once: enough to hide the latency of
// a dozen small queries, few enough not to crowd a shared Prometheus's query slots.
const parallel = 4

// job is one request of a poll. do stores its result where the caller will read it.
type job struct {
	what  string // names the question in an error: "errors query"
	query string // the PromQL asked, for a QueryFailure; "" for non-query requests
	aux   bool   // never fails the poll and answers nothing shown (retention, coverage)
	do    func(ctx context.Context) error
}

// runJobs runs jobs at most `parallel` at once and returns each job's error (nil when
// it answered), in plan order. A failure does not cancel the others: one query the
// server rejects must not cost the answers of the rest, and which of several failures
// came first would otherwise be a matter of timing. The poll's deadline still bounds
// them all.
func runJobs(ctx context.Context, jobs []job) []error {
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = j.do(ctx)
		})
	}
	wg.Wait()
	return errs
}

// queryFault tells a failure that is about the query itself — Prometheus rejected or
// could not evaluate it (errorType bad_data or execution, HTTP 400 or 422) — from a
// failure of the server or the way to it (refused, timeout, 5xx, 429, body cap, TLS,
// auth). Only a query fault is isolated to what the query feeds: when the server
// fails, every number of the poll is in doubt.
func queryFault(err error) bool {
	var apiErr *v1.Error
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Type == v1.ErrBadData || apiErr.Type == v1.ErrExec
}

// firstError is the earliest error in plan order for which pick is true, or nil.
func firstError(errs []error, pick func(error) bool) (int, error) {
	for i, err := range errs {
		if err != nil && pick(err) {
			return i, err
		}
	}
	return -1, nil
}

func anyError(error) bool { return true }
