package sources

import (
	"slices"
	"sync"
	"time"
)

// FakeClock is a Clock that moves only when told to. It lives outside the test files
// because tests of the packages that drive a Hub need it too.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer // pending, in no particular order
}

// NewFakeClock returns a FakeClock reading t0.
func NewFakeClock(t0 time.Time) *FakeClock { return &FakeClock{now: t0} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer that fires once the clock has been advanced by d; at once
// when d is not positive.
func (c *FakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, when: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock forward by d and fires, earliest first, every timer that is
// then due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	slices.SortStableFunc(c.timers, func(a, b *fakeTimer) int { return a.when.Compare(b.when) })
	n := 0
	for _, t := range c.timers {
		if t.when.After(c.now) {
			break
		}
		t.ch <- c.now
		n++
	}
	c.timers = slices.Delete(c.timers, 0, n)
}

// Pending is the number of timers that have not fired or been stopped, so a test can
// wait until whatever it drives has gone to sleep.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Next is when the earliest pending timer fires; false when none is pending.
func (c *FakeClock) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	next := c.timers[0].when
	for _, t := range c.timers[1:] {
		if t.when.Before(next) {
			next = t.when
		}
	}
	return next, true
}

type fakeTimer struct {
	clock *FakeClock
	when  time.Time
	ch    chan time.Time // buffered: firing never blocks the clock
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	return true
}
