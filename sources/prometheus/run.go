package prometheus

import (
	"context"
	"sync"
)

// parallel is how many queries of one poll run at once: enough to hide the latency of
// a dozen small queries, few enough not to crowd a shared Prometheus's query slots.
const parallel = 4

// job is one request of a poll. do stores its result where the caller will read it.
type job struct {
	what string // names the question in an error: "errors query"
	do   func(ctx context.Context) error
}

// runJobs runs jobs at most `parallel` at once and returns the error of the earliest
// job in plan order that failed. A failure does not cancel the others: which of them
// would have failed first is then a matter of timing, and the same outage must be
// reported in the same words on every poll. The poll's deadline still bounds them all.
func runJobs(ctx context.Context, jobs []job, describeErr func(what string, err error) error) (failed int, err error) {
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
	for i, err := range errs {
		if err != nil {
			return i, describeErr(jobs[i].what, err)
		}
	}
	return -1, nil
}
