package pagerduty

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// A write waiting for the gate goes before a poll request that waits with it.
func TestGateWritesGoFirst(t *testing.T) {
	g := newGate(sources.NewFakeClock(t0), 100)
	ctx := context.Background()
	must(t, g.acquire(ctx, false)) // a poll request in flight

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	enter := func(name string, write bool) {
		wg.Go(func() {
			if err := g.acquire(ctx, write); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			g.release()
		})
	}
	enter("write", true)
	for i := 0; ; i++ { // until the write is queued
		g.mu.Lock()
		queued := g.writers == 1
		g.mu.Unlock()
		if queued {
			break
		}
		if i > 5000 {
			t.Fatal("the write never queued")
		}
		time.Sleep(time.Millisecond)
	}
	enter("poll", false)
	time.Sleep(10 * time.Millisecond) // let the poll request queue too
	g.release()
	wg.Wait()
	if len(order) != 2 || order[0] != "write" {
		t.Errorf("order = %q, want the write first", order)
	}
}

// Polls leave a tenth of the budget to writes, and never wait for the budget.
func TestGateBudget(t *testing.T) {
	clock := sources.NewFakeClock(t0)
	g := newGate(clock, 20)
	ctx := context.Background()
	for range 18 {
		must(t, g.acquire(ctx, false))
		g.release()
	}
	var be *budgetError
	if err := g.acquire(ctx, false); !errors.As(err, &be) || err.Error() != "request budget of 20 a minute spent" {
		t.Errorf("19th poll request = %v", err)
	}
	if n, held := g.spare(); n != 0 || held != nil {
		t.Errorf("spare = %d, %v", n, held)
	}
	for range 2 {
		must(t, g.acquire(ctx, true))
		g.release()
	}
	clock.Advance(time.Minute)
	if n, _ := g.spare(); n != 18 {
		t.Errorf("spare a minute later = %d, want 18", n)
	}
	g.holdFor(&retryAfterError{status: 429, wait: 30 * time.Second})
	var ra *retryAfterError
	if err := g.acquire(ctx, false); !errors.As(err, &ra) || err.Error() != "HTTP 429 rate-limited (retry after 30s)" {
		t.Errorf("poll request while held = %v", err)
	}
	if g.Requests() != 20 {
		t.Errorf("%d requests let out, want 20", g.Requests())
	}
}
