package sources

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// serverSaidWait is a server's "429 Too Many Requests" with Retry-After.
type serverSaidWait time.Duration

func (e serverSaidWait) Error() string {
	return fmt.Sprintf("HTTP 429 (retry after %s)", time.Duration(e))
}
func (e serverSaidWait) RetryAfter() time.Duration { return time.Duration(e) }

// After each failure the snapshot says when the next poll comes, and the hub polls
// exactly then; a success clears it.
func TestHubNextPollAfterFailures(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 4 {
			return good(call), nil
		}
		return Data{}, errors.New("connection refused")
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	for n, wait := range []time.Duration{11250 * time.Millisecond, 22500 * time.Millisecond, 45 * time.Second} {
		s := await(t, ch, "a failure", failures(n+1))
		hl := s.Sources[0].Health
		if want := clk.Now().Add(wait); !hl.NextPoll.Equal(want) || hl.RateLimited {
			t.Errorf("after failure %d: NextPoll %v rate-limited %v, want %v (now + %v) and false",
				n+1, hl.NextPoll, hl.RateLimited, want, wait)
		}
		if got := nextPoll(t, clk); got != wait {
			t.Errorf("after failure %d the hub sleeps %v, not the %v it announced", n+1, got, wait)
		}
		clk.Advance(wait)
	}
	s := await(t, ch, "recovery", polledOK)
	if hl := s.Sources[0].Health; !hl.NextPoll.IsZero() || hl.RateLimited {
		t.Errorf("after recovery: NextPoll %v rate-limited %v, want zero and false", hl.NextPoll, hl.RateLimited)
	}
}

// A Retry-After of 120 s holds the next poll back 120 s though the backoff says under
// a second, and r does not cut it short.
func TestHubHonoursRetryAfter(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 1 {
			return Data{}, fmt.Errorf("signals: %w", serverSaidWait(120*time.Second))
		}
		return good(call), nil
	})
	h, clk := startHub(t, []Source{src}, HubOptions{Interval: time.Second})
	ch, unsub := h.Subscribe()
	defer unsub()

	s := await(t, ch, "the rate-limited poll", failures(1))
	retryAt := t0.Add(120 * time.Second)
	if hl := s.Sources[0].Health; !hl.RateLimited || !hl.NextPoll.Equal(retryAt) {
		t.Fatalf("health %+v, want rate-limited with NextPoll %v", hl, retryAt)
	}
	if got := nextPoll(t, clk); got != 120*time.Second {
		t.Errorf("the hub sleeps %v, want the server's 120s", got)
	}
	refreshed := func() {
		h.Refresh()
		eventually(t, "the refresh to be taken", func() bool { return len(h.pollers[0].refresh) == 0 })
	}
	refreshed()
	clk.Advance(119 * time.Second)
	refreshed()
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("%d polls before the server's 120s were up, want 1", n)
	}
	clk.Advance(time.Second)
	s = await(t, ch, "the poll after the wait", polledOK)
	if n := src.calls.Load(); n != 2 || !s.Sources[0].Last.Eval.Equal(retryAt) {
		t.Errorf("%d polls, the good one at %v; want 2, at %v", n, s.Sources[0].Last.Eval, retryAt)
	}
	if hl := s.Sources[0].Health; hl.RateLimited || !hl.NextPoll.IsZero() {
		t.Errorf("after the good poll: %+v", hl)
	}
}

// A backoff longer than the server's Retry-After is kept, and r works again once the
// server's wait is over.
func TestHubRetryAfterShorterThanBackoff(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 1 {
			return Data{}, serverSaidWait(5 * time.Second)
		}
		return good(call), nil
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	s := await(t, ch, "the rate-limited poll", failures(1))
	if hl := s.Sources[0].Health; !hl.RateLimited || !hl.NextPoll.Equal(t0.Add(11250*time.Millisecond)) {
		t.Fatalf("health %+v, want rate-limited with the backoff's NextPoll", hl)
	}
	nextPoll(t, clk)
	clk.Advance(5 * time.Second)
	h.Refresh()
	s = await(t, ch, "the refreshed poll", polledOK)
	if !s.Sources[0].Last.Eval.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("refreshed poll at %v, want %v", s.Sources[0].Last.Eval, t0.Add(5*time.Second))
	}
}

// However long a server asks for, the hub polls again within MaxRetryAfter.
func TestHubCapsRetryAfter(t *testing.T) {
	src := newSource("prom", failing(serverSaidWait(365*24*time.Hour)))
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	s := await(t, ch, "the rate-limited poll", failures(1))
	if hl := s.Sources[0].Health; !hl.NextPoll.Equal(t0.Add(MaxRetryAfter)) {
		t.Errorf("NextPoll %v, want %v", hl.NextPoll, t0.Add(MaxRetryAfter))
	}
	if got := nextPoll(t, clk); got != MaxRetryAfter {
		t.Errorf("the hub sleeps %v, want %v", got, MaxRetryAfter)
	}
}

// A one-off poll reports a rate limit too, with no NextPoll: nothing will poll again.
func TestPollOnceRateLimited(t *testing.T) {
	s := PollOnce(context.Background(), []Source{newSource("prom", failing(serverSaidWait(time.Minute)))}, time.Time{}, time.Second, NewFakeClock(t0))
	if hl := s.Sources[0].Health; !hl.RateLimited || !hl.NextPoll.IsZero() || hl.LastError != "HTTP 429 (retry after 1m0s)" {
		t.Errorf("health %+v, want rate-limited, no NextPoll", hl)
	}
}
