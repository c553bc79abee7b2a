package sources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
)

// maxErrorLen bounds Health.LastError: it is shown in a badge, not read as a log.
const maxErrorLen = 120

// PollOnce polls every source once, concurrently, asking about the instant at (now when
// at is zero), and returns the snapshot once every poll has finished or timed out.
func PollOnce(ctx context.Context, srcs []Source, at time.Time, timeout time.Duration, clock Clock) Snapshot {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if clock == nil {
		clock = RealClock
	}
	states := initialStates(srcs)
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Go(func() {
			u := poll(ctx, s, at, timeout, clock, make(chan struct{}))
			states[i] = apply(states[i], u)
		})
	}
	wg.Wait()
	return Snapshot{At: clock.Now(), Sources: states}
}

func initialStates(srcs []Source) []SourceState {
	states := make([]SourceState, len(srcs))
	for i, s := range srcs {
		states[i].Health = Health{Name: s.Name(), Kind: s.Kind()}
		if m, ok := s.(Merged); ok {
			states[i].Health.Members = m.Members()
		}
	}
	return states
}

// apply is the health bookkeeping for one finished poll. A failure keeps the last good
// data so that the screen can show it, marked stale, rather than nothing. When the next
// poll comes is the hub's business (Health.NextPoll); a one-off poll leaves it zero.
func apply(st SourceState, u Update) SourceState {
	h := &st.Health
	h.Polled = true
	h.LastAttempt = u.At
	if u.Err != nil {
		h.OK = false
		h.Failures++
		h.LastError = shortError(u.Err)
		_, h.RateLimited = retryAfter(u.Err)
		return st
	}
	h.OK = true
	h.Failures = 0
	h.LastError = ""
	h.NextPoll, h.RateLimited = time.Time{}, false
	// The data describe the instant the source was asked about: the start of a live
	// poll, or the --at instant of a postmortem snapshot, so ages stay meaningful.
	h.LastSuccess = u.Eval
	st.Last = &u
	return st
}

// poll runs one Poll of src bounded by timeout. It returns when the poll finishes or
// times out, whichever is first. It closes returned when Poll itself has returned: before
// poll returns, unless the source ignored its context and is still running.
func poll(ctx context.Context, src Source, at time.Time, timeout time.Duration, clock Clock, returned chan<- struct{}) Update {
	started := clock.Now()
	if at.IsZero() {
		at = started
	}
	u := Update{Source: src.Name(), Kind: src.Kind(), Started: started, Eval: at}
	pctx, cancel := withTimeout(ctx, clock, timeout)
	defer cancel()

	type result struct {
		data Data
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := callPoll(pctx, src, at)
		close(returned)
		done <- result{data, err}
	}()

	var r result
	select {
	case r = <-done:
	case <-pctx.Done():
		select {
		case r = <-done:
		default:
			r.err = context.Cause(pctx)
		}
	}
	if r.err != nil && ctx.Err() == nil && errors.Is(context.Cause(pctx), context.DeadlineExceeded) {
		// Whatever the source made of its cancelled context, the operator needs to read
		// that it was too slow.
		r.err = timeoutError(timeout)
	}
	if r.err != nil {
		u.Err = r.err
	} else {
		u.Data = r.data
	}
	u.At = clock.Now()
	return u
}

// callPoll turns a panic in src into an error: a bug in one source must not take the
// dashboard down.
func callPoll(ctx context.Context, src Source, at time.Time) (data Data, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = Data{}, fmt.Errorf("panic: %v", p)
		}
	}()
	return src.Poll(ctx, at)
}

// timeoutError is a poll that outlived its timeout; it reads as "timeout after 10s" and
// matches context.DeadlineExceeded.
type timeoutError time.Duration

func (e timeoutError) Error() string { return "timeout after " + time.Duration(e).String() }
func (e timeoutError) Unwrap() error { return context.DeadlineExceeded }

// shortError fits err on one line of a badge: control characters and runs of white
// space become one space, and a long message is cut.
func shortError(err error) string {
	s := strings.Join(strings.FieldsFunc(err.Error(), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if rs := []rune(s); len(rs) > maxErrorLen {
		s = string(rs[:maxErrorLen-3]) + "..."
	}
	return s
}
