package sources

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero fields of HubOptions.
const (
	DefaultInterval   = 15 * time.Second
	DefaultTimeout    = 10 * time.Second
	DefaultMaxBackoff = 2 * time.Minute
	// MaxRetryAfter bounds how long the hub honours a server's Retry-After: a server
	// that asks for a year must not silence the dashboard for a year.
	MaxRetryAfter = time.Hour
)

// HubOptions tune a Hub. The zero value of each field means its default.
type HubOptions struct {
	Interval   time.Duration // between polls of a healthy source
	Timeout    time.Duration // for one poll
	MaxBackoff time.Duration // the longest wait after failures; at least Interval
	Clock      Clock         // RealClock when nil
	// Rand returns a number in [0, 1) for backoff jitter; math/rand/v2 when nil. The hub
	// calls it under its own lock, so it need not be safe for concurrent use.
	Rand func() float64
}

func (o HubOptions) withDefaults() HubOptions {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.Interval)
	if o.Clock == nil {
		o.Clock = RealClock
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

// Hub polls every source in its own goroutine and keeps the latest Snapshot, which it
// hands to any number of subscribers: however many people watch, each source is polled
// by one poller.
type Hub struct {
	opts    HubOptions
	pollers []*poller
	dropped atomic.Uint64

	mu     sync.Mutex
	states []SourceState
	snap   Snapshot
	subs   map[int]chan Snapshot
	nextID int
}

type poller struct {
	index   int
	src     Source
	refresh chan struct{} // buffered 1: Refresh requests coalesce

	// Owned by the source's run goroutine.
	steps     int       // backoff steps taken: failures since the last success or refresh
	notBefore time.Time // a server's Retry-After: no poll, not even a refresh, before this
}

// NewHub returns a Hub for srcs; nothing is polled until Run.
func NewHub(srcs []Source, opts HubOptions) *Hub {
	h := &Hub{opts: opts.withDefaults(), subs: map[int]chan Snapshot{}}
	h.states = initialStates(srcs)
	h.snap = Snapshot{At: h.opts.Clock.Now(), Sources: slices.Clone(h.states)}
	for i, s := range srcs {
		h.pollers = append(h.pollers, &poller{
			index: i, src: s,
			refresh: make(chan struct{}, 1),
		})
	}
	return h
}

// Run polls every source, the first time at once, until ctx is done. Call it once.
func (h *Hub) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range h.pollers {
		wg.Go(func() { h.run(ctx, p) })
	}
	wg.Wait()
}

// Refresh asks for a poll of every source now, cutting short any backoff wait because
// the operator asked, and restarting the backoff: the next failure waits the first step
// again, not the long one the outage had reached. It never blocks; a source whose poll
// is still running is skipped (and counted in Dropped) rather than polled twice at once.
//
// A source waiting out a server's Retry-After (Health.RateLimited, NextPoll in the
// future) ignores Refresh until that wait is over: the server said when it will answer
// again, and a key press must not make vigil hammer a server that is shedding load.
func (h *Hub) Refresh() {
	for _, p := range h.pollers {
		select {
		case p.refresh <- struct{}{}:
		default:
		}
	}
}

// Dropped counts the polls not started because the source's previous poll was still
// running.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }

// Snapshot returns the current snapshot.
func (h *Hub) Snapshot() Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.snap
}

// Subscribe returns a channel that holds the current snapshot at once and then the
// latest one after every change. It never blocks the hub: a subscriber that has not
// taken the previous snapshot finds it replaced by the newer one. The returned function
// unsubscribes and closes the channel; it may be called more than once.
func (h *Hub) Subscribe() (<-chan Snapshot, func()) {
	ch := make(chan Snapshot, 1)
	h.mu.Lock()
	id := h.nextID
	h.nextID++
	h.subs[id] = ch
	ch <- h.snap
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, id)
			close(ch)
			h.mu.Unlock()
		})
	}
}

// run is one source's scheduler. It times the next poll from the end of the previous
// one, so a healthy source is polled every Interval plus the poll's length.
func (h *Hub) run(ctx context.Context, p *poller) {
	results := make(chan Update)
	// A poll runs until its result is recorded and its Poll has returned; the second can
	// come later, when the source ignored its timeout. Waiting for both keeps results in
	// order and never runs one source twice at once.
	var (
		next     Timer
		waiting  bool            // for the running poll's result
		returned <-chan struct{} // non-nil until the running Poll has returned
	)
	arm := func(d time.Duration) {
		if next != nil {
			next.Stop()
		}
		next = h.opts.Clock.NewTimer(d)
	}
	// start begins a poll unless one is still running, and reports whether it did.
	start := func() bool {
		if waiting || returned != nil {
			h.dropped.Add(1)
			return false
		}
		ret := make(chan struct{})
		waiting, returned = true, ret
		if next != nil {
			next.Stop()
			next = nil
		}
		go func() {
			u := poll(ctx, p.src, time.Time{}, h.opts.Timeout, h.opts.Clock, ret)
			select {
			case results <- u:
			case <-ctx.Done():
			}
		}()
		return true
	}
	defer func() {
		if next != nil {
			next.Stop()
		}
	}()

	start()
	for {
		var due <-chan time.Time
		if next != nil {
			due = next.C()
		}
		var stuck <-chan struct{}
		if !waiting {
			stuck = returned
		}
		select {
		case <-ctx.Done():
			return
		case <-p.refresh:
			now := h.opts.Clock.Now()
			if now.Before(p.notBefore) {
				continue // the server's Retry-After wins; see Refresh
			}
			p.steps = 0
			if start() {
				h.pollingNow(p.index, now)
			}
		case <-due:
			next = nil
			if !start() {
				// Only a source that ignored its timeout is still running here; try again
				// later rather than never.
				arm(h.delay(p))
			}
		case u := <-results:
			if ctx.Err() != nil {
				return
			}
			waiting = false
			select {
			case <-returned:
				returned = nil
			default:
			}
			arm(h.record(p, u))
		case <-stuck:
			returned = nil
		}
	}
}

// record stores a finished poll, publishes the new snapshot and returns how long to wait
// before the next poll. After a failure the wait is the backoff, or the server's
// Retry-After when that is longer, and Health.NextPoll says when it ends.
func (h *Hub) record(p *poller, u Update) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := p.index
	before := h.states[i].Health
	h.states[i] = apply(h.states[i], u)
	logTransition(before, h.states[i].Health, u)

	p.notBefore = time.Time{}
	if u.Err == nil {
		p.steps = 0
		h.publishLocked()
		return h.opts.Interval
	}
	p.steps++
	now := h.opts.Clock.Now()
	wait := h.backoffLocked(p)
	if ra, ok := retryAfter(u.Err); ok {
		p.notBefore = now.Add(ra)
		wait = max(wait, ra)
	}
	h.states[i].Health.NextPoll = now.Add(wait)
	h.publishLocked()
	return wait
}

// delay is how long source p waits before its next poll when a due poll could not
// start, and it moves Health.NextPoll to match.
func (h *Hub) delay(p *poller) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	wait := h.opts.Interval
	if !h.states[p.index].Health.OK {
		wait = h.backoffLocked(p)
		h.states[p.index].Health.NextPoll = h.opts.Clock.Now().Add(wait)
		h.publishLocked()
	}
	return wait
}

// pollingNow marks a failing source's retry as under way at now, so that a badge
// counting down to the next poll does not go on counting while the refresh runs.
func (h *Hub) pollingNow(i int, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hl := &h.states[i].Health; !hl.NextPoll.IsZero() && hl.NextPoll.After(now) {
		hl.NextPoll = now
		h.publishLocked()
	}
}

func (h *Hub) backoffLocked(p *poller) time.Duration {
	return backoff(p.steps, h.opts.Interval, h.opts.MaxBackoff, h.opts.Rand())
}

// publishLocked makes the states the current snapshot and hands it to every subscriber.
func (h *Hub) publishLocked() {
	h.snap = Snapshot{At: h.opts.Clock.Now(), Sources: slices.Clone(h.states)}
	for _, ch := range h.subs {
		select {
		case ch <- h.snap:
		default:
			// Replace the snapshot the subscriber has not taken yet. Only the subscriber
			// receives from ch and only we send, under h.mu, so the second send fits.
			select {
			case <-ch:
			default:
			}
			ch <- h.snap
		}
	}
}

// retryAfter is how long the server behind err asked to be left alone, capped at
// MaxRetryAfter; ok is false when it did not ask.
func retryAfter(err error) (time.Duration, bool) {
	var ra RetryAfter
	if !errors.As(err, &ra) || ra.RetryAfter() <= 0 {
		return 0, false
	}
	return min(ra.RetryAfter(), MaxRetryAfter), true
}

// backoff is the wait before the next poll after failures consecutive failures. The step
// doubles from interval with each failure up to maxWait, and the wait is drawn with
// "equal jitter" from [step/2, step] by r in [0, 1]: sources that failed together spread
// their retries out, yet none retries later than maxWait, and the first retry comes no
// sooner than interval/2.
func backoff(failures int, interval, maxWait time.Duration, r float64) time.Duration {
	if failures <= 0 {
		return interval
	}
	step := interval
	for i := 1; i < failures && step < maxWait; i++ {
		step *= 2
	}
	step = min(step, maxWait)
	r = min(max(r, 0), 1)
	return step/2 + time.Duration(r*float64(step-step/2))
}

// logTransition logs a source going bad, staying bad with a new reason, or coming
// back, to the log file (--log-file): not every poll, so the log stays readable.
func logTransition(before, after Health, u Update) {
	switch {
	case u.Err != nil && (before.OK || !before.Polled || before.LastError != after.LastError):
		slog.Warn("source failing", "source", u.Source, "error", u.Err.Error(), "failures", after.Failures)
	case u.Err == nil && before.Polled && !before.OK:
		slog.Info("source recovered", "source", u.Source, "after_failures", before.Failures)
	case u.Err == nil && !before.Polled:
		slog.Info("source ok", "source", u.Source, "took", u.At.Sub(u.Started).String())
	}
}
