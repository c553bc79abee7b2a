package pagerduty

import (
	"context"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// budgetWindow is the span the request budget counts over; PagerDuty's own limit is
// per minute.
const budgetWindow = time.Minute

// gate lets one request of a source out at a time. A write waiting for it goes before
// any poll request; the request budget and a server's hold (after a 429) make a poll
// request fail at once, and make a write wait.
type gate struct {
	clock sources.Clock
	limit int // requests per budgetWindow
	// reserve is the part of the budget polls leave to writes, so that an acknowledge
	// rarely waits behind a minute of polling.
	reserve int

	mu        sync.Mutex
	busy      bool
	writers   int         // writes waiting for the gate
	sent      []time.Time // when each request within the window was let out, oldest first
	hold      time.Time   // the server asked to be left alone until then
	holdErr   *retryAfterError
	changed   chan struct{} // closed when busy or writers change
	requested int           // requests let out since the start, for tests and benchmarks
}

func newGate(clock sources.Clock, limit int) *gate {
	return &gate{clock: clock, limit: limit, reserve: limit / 10, changed: make(chan struct{})}
}

// acquire waits until the caller may send one request, and records it against the
// budget. A write waits for the budget and for the server's hold, as long as ctx
// allows. A poll request (write false) never waits out time: when the budget or the
// hold would make it wait, it gets a *budgetError or the server's *retryAfterError at
// once. It waits only for a request in flight, and for writes ready to go.
func (g *gate) acquire(ctx context.Context, write bool) error {
	g.mu.Lock()
	if write {
		g.writers++
		defer func() {
			g.mu.Lock()
			g.writers--
			g.signalLocked()
			g.mu.Unlock()
		}()
	}
	for {
		now := g.clock.Now()
		g.pruneLocked(now)
		wait := g.waitLocked(now, write)
		if !write && wait > 0 {
			err := g.refusalLocked(now)
			g.mu.Unlock()
			return err
		}
		if wait <= 0 && !g.busy && (write || g.writers == 0) {
			g.busy = true
			g.sent = append(g.sent, now)
			g.requested++
			g.mu.Unlock()
			return nil
		}
		changed := g.changed
		g.mu.Unlock()
		var t sources.Timer
		var fired <-chan time.Time
		if wait > 0 {
			t = g.clock.NewTimer(wait)
			fired = t.C()
		}
		select {
		case <-ctx.Done():
			if t != nil {
				t.Stop()
			}
			return context.Cause(ctx)
		case <-changed:
		case <-fired:
		}
		if t != nil {
			t.Stop()
		}
		g.mu.Lock()
	}
}

// release ends the request acquire let out.
func (g *gate) release() {
	g.mu.Lock()
	g.busy = false
	g.signalLocked()
	g.mu.Unlock()
}

func (g *gate) signalLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *gate) pruneLocked(now time.Time) {
	i := 0
	for i < len(g.sent) && !g.sent[i].After(now.Add(-budgetWindow)) {
		i++
	}
	g.sent = g.sent[i:]
}

// waitLocked is how long a request must wait before it may go: the server's hold, and
// the time until the oldest request in the window leaves it when the budget is spent.
// Polls count the writes' reserve as spent.
func (g *gate) waitLocked(now time.Time, write bool) time.Duration {
	wait := g.hold.Sub(now)
	limit := g.limit
	if !write {
		limit = max(1, g.limit-g.reserve)
	}
	if over := len(g.sent) - limit; over >= 0 {
		wait = max(wait, g.sent[over].Add(budgetWindow).Sub(now))
	}
	return wait
}

func (g *gate) refusalLocked(now time.Time) error {
	if g.hold.After(now) && g.holdErr != nil {
		return &retryAfterError{status: g.holdErr.status, wait: g.hold.Sub(now).Round(time.Second)}
	}
	return &budgetError{limit: g.limit}
}

// spare is how many poll requests the budget allows now, and the server's hold when it
// allows none because PagerDuty asked to be left alone.
func (g *gate) spare() (int, *retryAfterError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	if g.hold.After(now) && g.holdErr != nil {
		return 0, &retryAfterError{status: g.holdErr.status, wait: g.hold.Sub(now).Round(time.Second)}
	}
	g.pruneLocked(now)
	return max(0, g.limit-g.reserve-len(g.sent)), nil
}

// holdFor makes every request wait d, as the server asked.
func (g *gate) holdFor(e *retryAfterError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := g.clock.Now().Add(e.wait); until.After(g.hold) {
		g.hold, g.holdErr = until, e
	}
}

// holdUntil makes every request wait until t: PagerDuty said no requests remain
// before its window resets. status is 0: no request was refused.
func (g *gate) holdUntil(t time.Time, status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.hold) {
		g.hold = t
		g.holdErr = &retryAfterError{status: status, wait: t.Sub(g.clock.Now())}
	}
}

// Requests is how many requests the gate has let out, for tests and benchmarks.
func (g *gate) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requested
}
