package sources

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPollOnce(t *testing.T) {
	at := t0.Add(-6 * time.Hour)
	clk := NewFakeClock(t0)
	var gotAt sync.Map
	record := func(name string, err error) *funcSource {
		return newSource(name, func(_ context.Context, a time.Time, call int) (Data, error) {
			gotAt.Store(name, a)
			if err != nil {
				return Data{}, err
			}
			return good(call), nil
		})
	}
	srcs := []Source{
		record("prom", nil),
		record("am", errors.New("Get \"http://am:9093/api/v2/alerts\":\n\tdial tcp: connection refused")),
		newSource("buggy", func(context.Context, time.Time, int) (Data, error) { panic(errors.New("nil map")) }),
	}
	s := PollOnce(context.Background(), srcs, at, time.Second, clk)

	if !s.At.Equal(t0) || len(s.Sources) != 3 {
		t.Fatalf("snapshot at %v with %d sources", s.At, len(s.Sources))
	}
	for _, name := range []string{"prom", "am"} {
		if a, _ := gotAt.Load(name); a != at {
			t.Errorf("%s polled at %v, want %v", name, a, at)
		}
	}
	prom, am, buggy := s.Sources[0], s.Sources[1], s.Sources[2]
	if !prom.Health.OK || prom.Last == nil || !prom.Last.Eval.Equal(at) || prom.Last.Data.Signals == nil {
		t.Errorf("prom: %+v, last %+v", prom.Health, prom.Last)
	}
	if am.Health.OK || !am.Health.Polled || am.Last != nil || am.Health.Failures != 1 ||
		am.Health.LastError != `Get "http://am:9093/api/v2/alerts": dial tcp: connection refused` {
		t.Errorf("am: %+v", am.Health)
	}
	if buggy.Health.Name != "buggy" || buggy.Health.LastError != "panic: nil map" {
		t.Errorf("buggy: %+v", buggy.Health)
	}
}

// On the real clock the timeout is an ordinary context deadline.
func TestPollTimeoutRealClock(t *testing.T) {
	src := newSource("slow", func(ctx context.Context, _ time.Time, _ int) (Data, error) {
		if _, ok := ctx.Deadline(); !ok {
			return Data{}, errors.New("no deadline on the poll's context")
		}
		<-ctx.Done()
		return Data{}, ctx.Err()
	})
	returned := make(chan struct{})
	u := poll(context.Background(), src, time.Time{}, 5*time.Millisecond, RealClock, returned)
	<-returned
	if !errors.Is(u.Err, context.DeadlineExceeded) || u.Err.Error() != "timeout after 5ms" {
		t.Errorf("err = %v", u.Err)
	}
	if u.Eval != u.Started || u.At.Before(u.Started) {
		t.Errorf("times: started %v, eval %v, at %v", u.Started, u.Eval, u.At)
	}

	s := PollOnce(context.Background(), []Source{src}, time.Time{}, 5*time.Millisecond, nil)
	if got := s.Sources[0].Health.LastError; got != "timeout after 5ms" {
		t.Errorf("PollOnce: LastError = %q", got)
	}
}

// A source's own error that comes before the deadline is not dressed up as a timeout,
// and a poll cancelled by its caller is not one either.
func TestPollErrorsThatAreNotTimeouts(t *testing.T) {
	own := errors.New("401 Unauthorized")
	u := poll(context.Background(), newSource("pd", failing(own)), time.Time{}, time.Second, NewFakeClock(t0), make(chan struct{}))
	if u.Err != own {
		t.Errorf("err = %v, want the source's own", u.Err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u = poll(ctx, newSource("pd", func(ctx context.Context, _ time.Time, _ int) (Data, error) {
		<-ctx.Done()
		return Data{}, ctx.Err()
	}), time.Time{}, time.Second, NewFakeClock(t0), make(chan struct{}))
	if !errors.Is(u.Err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", u.Err)
	}
}

func TestShortError(t *testing.T) {
	long := strings.Repeat("x", 200)
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"line one\nline two\r\n\ttabbed", "line one line two tabbed"},
		{"esc \x1b[31mred\x1b[0m", "esc [31mred [0m"},
		{long, strings.Repeat("x", 117) + "..."},
		{strings.Repeat("é", 130), strings.Repeat("é", 117) + "..."},
	} {
		if got := shortError(errors.New(tc.in)); got != tc.want {
			t.Errorf("shortError(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
