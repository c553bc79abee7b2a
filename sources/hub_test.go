package sources

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)

const wait = 2 * time.Second // the longest any test waits for the hub before failing

// funcSource is a Source whose Poll is a function of the test's choosing.
type funcSource struct {
	name  string
	calls atomic.Int32
	fn    func(ctx context.Context, at time.Time, call int) (Data, error)
}

func (s *funcSource) Name() string { return s.name }
func (s *funcSource) Kind() Kind   { return KindPrometheus }
func (s *funcSource) Poll(ctx context.Context, at time.Time) (Data, error) {
	return s.fn(ctx, at, int(s.calls.Add(1)))
}

func newSource(name string, fn func(ctx context.Context, at time.Time, call int) (Data, error)) *funcSource {
	return &funcSource{name: name, fn: fn}
}

// good is the Data of a successful poll, marked with the call that produced it.
func good(call int) Data { return Data{Signals: &SignalsData{Requests: call}} }

func failing(err error) func(context.Context, time.Time, int) (Data, error) {
	return func(context.Context, time.Time, int) (Data, error) { return Data{}, err }
}

// startHub runs a hub on a fake clock until the test ends.
func startHub(t *testing.T, srcs []Source, opts HubOptions) (*Hub, *FakeClock) {
	t.Helper()
	clk := NewFakeClock(t0)
	opts.Clock = clk
	if opts.Rand == nil {
		opts.Rand = func() float64 { return 0.5 }
	}
	h := NewHub(srcs, opts)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		h.Run(ctx)
		close(stopped)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(wait):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	return h, clk
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// await receives from ch until a snapshot satisfies cond.
func await(t *testing.T, ch <-chan Snapshot, what string, cond func(Snapshot) bool) Snapshot {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				t.Fatalf("subscription closed while waiting for %s", what)
			}
			if cond(s) {
				return s
			}
		case <-timeout:
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func failures(n int) func(Snapshot) bool {
	return func(s Snapshot) bool { return s.Sources[0].Health.Failures == n }
}

func polledOK(s Snapshot) bool { return s.Sources[0].Health.OK }

// nextPoll waits for the hub to go to sleep and returns how long it will sleep.
func nextPoll(t *testing.T, clk *FakeClock) time.Duration {
	t.Helper()
	eventually(t, "the next poll to be scheduled", func() bool { return clk.Pending() == 1 })
	next, _ := clk.Next()
	return next.Sub(clk.Now())
}

func TestBackoff(t *testing.T) {
	const interval, maxWait = 15 * time.Second, 2 * time.Minute
	for _, tc := range []struct {
		failures int
		r        float64
		want     time.Duration
	}{
		{0, 0.9, interval},
		{1, 0, 7500 * time.Millisecond},
		{1, 0.5, 11250 * time.Millisecond},
		{1, 1, 15 * time.Second},
		{2, 0, 15 * time.Second},
		{2, 1, 30 * time.Second},
		{3, 0.5, 45 * time.Second},
		{4, 1, 2 * time.Minute},
		{5, 0, time.Minute},
		{5, 1, 2 * time.Minute},
		{1000, 1, 2 * time.Minute}, // no overflow however long the outage
		{3, -4, 30 * time.Second},  // a misbehaving Rand is clamped
		{3, 7, time.Minute},
	} {
		if got := backoff(tc.failures, interval, maxWait, tc.r); got != tc.want {
			t.Errorf("backoff(%d, r=%v) = %v, want %v", tc.failures, tc.r, got, tc.want)
		}
	}
	for n := range 12 {
		for _, r := range []float64{0, 0.25, 0.999} {
			got := backoff(n, interval, maxWait, r)
			if got < interval/2 || got > maxWait {
				t.Errorf("backoff(%d, r=%v) = %v, outside [%v, %v]", n, r, got, interval/2, maxWait)
			}
		}
	}
}

func TestHubBackoffSchedule(t *testing.T) {
	src := newSource("prom", failing(errors.New("connection refused")))
	draws := []float64{0, 1, 0.5, 0.5, 1, 0}
	var i int
	h, clk := startHub(t, []Source{src}, HubOptions{Rand: func() float64 { i++; return draws[(i-1)%len(draws)] }})
	ch, unsub := h.Subscribe()
	defer unsub()

	want := []time.Duration{ // Interval * 2^(n-1) capped at 2m, with the draw above
		7500 * time.Millisecond,
		30 * time.Second,
		45 * time.Second,
		90 * time.Second,
		2 * time.Minute,
		time.Minute,
	}
	for n, w := range want {
		s := await(t, ch, "a failure", failures(n+1))
		if h := s.Sources[0].Health; h.OK || !h.Polled || h.LastError != "connection refused" {
			t.Fatalf("after failure %d: health %+v", n+1, h)
		}
		if got := nextPoll(t, clk); got != w {
			t.Errorf("wait after failure %d = %v, want %v", n+1, got, w)
		}
		clk.Advance(w)
	}
	await(t, ch, "the poll after the last wait", failures(len(want)+1))
}

func TestHubRecoveryResetsBackoff(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 3 {
			return good(call), nil
		}
		return Data{}, errors.New("503 Service Unavailable")
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	await(t, ch, "first failure", failures(1))
	clk.Advance(nextPoll(t, clk))
	await(t, ch, "second failure", failures(2))
	clk.Advance(nextPoll(t, clk))
	s := await(t, ch, "recovery", polledOK)
	if h := s.Sources[0].Health; h.Failures != 0 || h.LastError != "" {
		t.Errorf("after recovery: health %+v", h)
	}
	if got := nextPoll(t, clk); got != 15*time.Second {
		t.Errorf("wait after recovery = %v, want the plain interval", got)
	}
	clk.Advance(15 * time.Second)
	await(t, ch, "a new failure", failures(1))
	if got := nextPoll(t, clk); got != 11250*time.Millisecond {
		t.Errorf("wait after a fresh failure = %v, want the first step again", got)
	}
}

func TestHubTimeoutKeepsLastSuccess(t *testing.T) {
	started := make(chan struct{}, 1)
	src := newSource("prom", func(ctx context.Context, _ time.Time, call int) (Data, error) {
		if call == 1 {
			return good(call), nil
		}
		started <- struct{}{}
		<-ctx.Done()
		return Data{}, ctx.Err()
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	await(t, ch, "first success", polledOK)
	clk.Advance(nextPoll(t, clk))
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("the second poll did not start")
	}
	eventually(t, "the poll's timeout to be armed", func() bool { return clk.Pending() == 1 })
	clk.Advance(10 * time.Second)

	s := await(t, ch, "the timeout", failures(1))
	st := s.Sources[0]
	if st.Health.OK || st.Health.LastError != "timeout after 10s" {
		t.Errorf("health after timeout: %+v", st.Health)
	}
	if st.Last == nil || st.Last.Data.Signals.Requests != 1 || !st.Last.Eval.Equal(t0) {
		t.Errorf("Last = %+v, want the first poll's update", st.Last)
	}
	if !st.Health.LastSuccess.Equal(t0) || !st.Health.LastAttempt.Equal(t0.Add(25*time.Second)) {
		t.Errorf("LastSuccess %v, LastAttempt %v", st.Health.LastSuccess, st.Health.LastAttempt)
	}
}

// A source that ignores its context is reported as timed out on time, and is not polled
// again while its stuck Poll still runs.
func TestHubSourceIgnoringContext(t *testing.T) {
	release := make(chan struct{})
	src := newSource("pd", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 1 {
			<-release
		}
		return good(call), nil
	})
	h, clk := startHub(t, []Source{src}, HubOptions{Timeout: 5 * time.Second})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	ch, unsub := h.Subscribe()
	defer unsub()

	eventually(t, "the poll's timeout to be armed", func() bool { return clk.Pending() == 1 })
	clk.Advance(5 * time.Second)
	s := await(t, ch, "the timeout", failures(1))
	if got := s.Sources[0].Health.LastError; got != "timeout after 5s" {
		t.Errorf("LastError = %q", got)
	}
	clk.Advance(nextPoll(t, clk))
	eventually(t, "the due poll to be dropped", func() bool { return h.Dropped() == 1 })
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("Poll called %d times while the first was stuck", n)
	}
	if got := nextPoll(t, clk); got != 11250*time.Millisecond {
		t.Errorf("after a dropped poll the next is in %v, want the same backoff", got)
	}
	close(release)
	// The hub notices the stuck Poll return on its own time: ask until it polls.
	eventually(t, "a poll after the stuck one", func() bool {
		h.Refresh()
		return src.calls.Load() >= 2
	})
	await(t, ch, "the poll after the stuck one", polledOK)
}

func TestHubRefreshDropsOverlap(t *testing.T) {
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	src := newSource("am", func(ctx context.Context, _ time.Time, call int) (Data, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		if call == 1 {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return good(call), nil
	})
	h, _ := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	eventually(t, "the first poll", func() bool { return inFlight.Load() == 1 })
	h.Refresh()
	eventually(t, "the refresh to be dropped", func() bool { return h.Dropped() == 1 })
	h.Refresh()
	eventually(t, "the second refresh to be dropped", func() bool { return h.Dropped() == 2 })
	close(release)
	await(t, ch, "the slow poll", polledOK)
	if n := src.calls.Load(); n != 1 || most.Load() != 1 {
		t.Fatalf("Poll called %d times, %d at once; want 1, 1", n, most.Load())
	}

	h.Refresh() // nothing is running now, so this one polls, without any time passing
	await(t, ch, "the refreshed poll", func(s Snapshot) bool { return s.Sources[0].Last.Data.Signals.Requests == 2 })
}

// r cuts a backoff wait short and restarts the backoff: the failure after it waits the
// first step again, not the third. While the refreshed poll runs, NextPoll reads now.
func TestHubRefreshCutsBackoffShortAndResetsIt(t *testing.T) {
	release := make(chan struct{})
	src := newSource("prom", func(ctx context.Context, _ time.Time, call int) (Data, error) {
		if call == 3 {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return Data{}, errors.New("no route to host")
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	await(t, ch, "first failure", failures(1))
	clk.Advance(nextPoll(t, clk))
	s := await(t, ch, "second failure", failures(2))
	if got, want := s.Sources[0].Health.NextPoll, clk.Now().Add(22500*time.Millisecond); !got.Equal(want) {
		t.Fatalf("NextPoll after the second failure = %v, want %v", got, want)
	}
	nextPoll(t, clk)
	before := clk.Now()
	h.Refresh()
	s = await(t, ch, "the refreshed poll to be under way", func(s Snapshot) bool {
		return s.Sources[0].Health.NextPoll.Equal(before)
	})
	if s.Sources[0].Health.Failures != 2 {
		t.Errorf("while the refreshed poll runs: %+v", s.Sources[0].Health)
	}
	close(release)
	s = await(t, ch, "the refreshed poll", failures(3))
	if !clk.Now().Equal(before) {
		t.Fatal("clock moved")
	}
	if got := nextPoll(t, clk); got != 11250*time.Millisecond {
		t.Errorf("wait after the refreshed failure = %v, want the first step, 11.25s", got)
	}
	if got, want := s.Sources[0].Health.NextPoll, before.Add(11250*time.Millisecond); !got.Equal(want) {
		t.Errorf("NextPoll after the refreshed failure = %v, want %v", got, want)
	}
	clk.Advance(11250 * time.Millisecond)
	await(t, ch, "the poll after the refreshed failure", failures(4))
	if got := nextPoll(t, clk); got != 22500*time.Millisecond {
		t.Errorf("wait after the next failure = %v, want the second step, 22.5s", got)
	}
}

func TestHubFanOut(t *testing.T) {
	release := make(chan struct{})
	src := newSource("prom", func(ctx context.Context, _ time.Time, call int) (Data, error) {
		<-release
		return good(call), nil
	})
	h, _ := startHub(t, []Source{src}, HubOptions{})
	var subs []<-chan Snapshot
	for range 3 {
		ch, unsub := h.Subscribe()
		defer unsub()
		subs = append(subs, ch)
	}
	for i, ch := range subs {
		s := await(t, ch, "the initial snapshot", func(Snapshot) bool { return true })
		if s.Sources[0].Health.Polled || s.Sources[0].Health.Name != "prom" || !s.At.Equal(t0) {
			t.Errorf("subscriber %d: initial snapshot %+v", i, s)
		}
	}
	close(release)
	var got []Snapshot
	for _, ch := range subs {
		got = append(got, await(t, ch, "the poll", polledOK))
	}
	for i, s := range got[1:] {
		if s.Sources[0].Last != got[0].Sources[0].Last || !s.At.Equal(got[0].At) {
			t.Errorf("subscriber %d saw a different snapshot", i+1)
		}
	}
	if h.Snapshot().Sources[0].Last != got[0].Sources[0].Last {
		t.Error("Hub.Snapshot differs from what subscribers got")
	}
}

func TestHubSlowSubscriber(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		return good(call), nil
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	slow, unsubSlow := h.Subscribe() // never read until the end
	defer unsubSlow()
	fast, unsub := h.Subscribe()
	defer unsub()

	for n := 1; n <= 5; n++ {
		await(t, fast, "a poll", func(s Snapshot) bool { return s.Sources[0].Last != nil && s.Sources[0].Last.Data.Signals.Requests == n })
		clk.Advance(nextPoll(t, clk))
	}
	await(t, fast, "the last poll", func(s Snapshot) bool { return s.Sources[0].Last.Data.Signals.Requests == 6 })
	if len(slow) != 1 {
		t.Fatalf("slow subscriber holds %d snapshots, want 1", len(slow))
	}
	if s := <-slow; s.Sources[0].Last.Data.Signals.Requests != 6 {
		t.Errorf("slow subscriber's pending snapshot is from poll %d, want the latest", s.Sources[0].Last.Data.Signals.Requests)
	}
}

func TestHubUnsubscribe(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		return good(call), nil
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	gone, unsubGone := h.Subscribe()
	ch, unsub := h.Subscribe()
	defer unsub()
	await(t, ch, "first poll", polledOK)

	unsubGone()
	unsubGone()
	for range gone { // drains what was pending, then ends because the channel is closed
	}
	clk.Advance(nextPoll(t, clk))
	await(t, ch, "second poll", func(s Snapshot) bool { return s.Sources[0].Last.Data.Signals.Requests == 2 })
}

func TestHubHealthAge(t *testing.T) {
	src := newSource("prom", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 1 {
			return good(call), nil
		}
		return Data{}, errors.New("connection reset by peer")
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	s := await(t, ch, "first poll", polledOK)
	if age := s.Sources[0].Health.Age(s.At); age != 0 {
		t.Errorf("age just after a success = %v", age)
	}
	clk.Advance(nextPoll(t, clk))
	s = await(t, ch, "a failure", failures(1))
	if age := s.Sources[0].Health.Age(s.At); age != 15*time.Second {
		t.Errorf("age after one failed poll = %v, want 15s", age)
	}
	clk.Advance(nextPoll(t, clk))
	s = await(t, ch, "a second failure", failures(2))
	if age := s.Sources[0].Health.Age(clk.Now()); age != 15*time.Second+11250*time.Millisecond {
		t.Errorf("age after two failed polls = %v", age)
	}
	if (Health{}).Age(clk.Now()) != 0 {
		t.Error("a source never polled has an age")
	}
}

func TestHubRecoversFromPanic(t *testing.T) {
	src := newSource("buggy", func(_ context.Context, _ time.Time, call int) (Data, error) {
		if call == 1 {
			panic("index out of range")
		}
		return good(call), nil
	})
	h, clk := startHub(t, []Source{src}, HubOptions{})
	ch, unsub := h.Subscribe()
	defer unsub()

	s := await(t, ch, "the panicking poll", failures(1))
	if got := s.Sources[0].Health.LastError; got != "panic: index out of range" {
		t.Errorf("LastError = %q", got)
	}
	clk.Advance(nextPoll(t, clk))
	await(t, ch, "the poll after the panic", polledOK)
}
