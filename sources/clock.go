package sources

import (
	"context"
	"time"
)

// Clock is where the hub reads the time and waits. It is an interface so that tests
// can step a hub through minutes of backoff without waiting for them.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer made by a Clock. C delivers one value when it fires;
// Stop reports whether it stopped the timer before it fired.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// RealClock is the wall clock.
var RealClock Clock = realClock{}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }

// withTimeout bounds one poll. On the real clock it is an ordinary context deadline, so
// a source and its HTTP client can see it. On any other clock that clock's timer ends the
// poll instead, so tests drive timeouts by moving fake time; the cause is then
// context.DeadlineExceeded, as it is for a real deadline.
func withTimeout(ctx context.Context, c Clock, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := c.(realClock); ok {
		return context.WithTimeout(ctx, d)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	t := c.NewTimer(d)
	go func() {
		select {
		case <-t.C():
			cancel(context.DeadlineExceeded)
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		t.Stop()
		cancel(context.Canceled)
	}
}
