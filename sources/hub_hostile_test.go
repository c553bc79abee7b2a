package sources_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/hostile"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/prometheus"
)

// A real Prometheus source against a server answering 429 with Retry-After: 120: the
// hub sends it nothing more for 120 s, though its backoff says under a second and the
// operator presses r, and then asks again.
func TestHubLeavesARateLimitingServerAlone(t *testing.T) {
	srv := &hostile.Server{Mode: hostile.RateLimited, RetryAfter: 120 * time.Second}
	src, err := prometheus.New(prometheus.Options{
		Name: "prod",
		URL:  hostile.Start(t, srv),
		Signals: &prometheus.SignalSpec{
			By: "job",
			Profile: map[sources.Signal]string{
				sources.Traffic: `sum by (job) (rate(http_requests_total[5m]))`,
				sources.Errors:  `sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))`,
			},
			Services: []prometheus.ServiceSpec{{Name: "a"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	clk := sources.NewFakeClock(t0)
	h := sources.NewHub([]sources.Source{src}, sources.HubOptions{
		Interval: time.Second, Clock: clk, Rand: func() float64 { return 0.5 },
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { h.Run(ctx); close(stopped) }()
	defer func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(2 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	}()
	ch, unsub := h.Subscribe()
	defer unsub()

	await := func(what string, cond func(sources.Health) bool) sources.Health {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case s := <-ch:
				if hl := s.Sources[0].Health; cond(hl) {
					return hl
				}
			case <-timeout:
				t.Fatalf("gave up waiting for %s", what)
			}
		}
	}
	// settled waits until the hub sleeps on its one timer, due at when.
	settled := func(when time.Time) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if next, ok := clk.Next(); ok && clk.Pending() == 1 && next.Equal(when) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the hub did not go to sleep until %v", when)
			}
			time.Sleep(time.Millisecond)
		}
	}

	hl := await("the rate-limited poll", func(hl sources.Health) bool { return hl.Failures == 1 })
	retryAt := t0.Add(120 * time.Second)
	if !hl.RateLimited || !hl.NextPoll.Equal(retryAt) {
		t.Fatalf("health %+v, want rate-limited until %v", hl, retryAt)
	}
	settled(retryAt)
	sent := srv.Requests()
	if sent < 1 {
		t.Fatal("the server saw no request")
	}

	// quiet checks that no request reaches the server for 50 ms of real time: a poll
	// that r started would send its first request well within that.
	quiet := func(when string) {
		t.Helper()
		for range 50 {
			if n := srv.Requests(); n != sent {
				t.Fatalf("%s: %d requests within the server's 120s, want none after the first poll's %d", when, n-sent, sent)
			}
			time.Sleep(time.Millisecond)
		}
	}
	h.Refresh()
	quiet("r at once")
	clk.Advance(60 * time.Second)
	h.Refresh()
	quiet("r after 60s")
	clk.Advance(59 * time.Second)
	settled(retryAt)
	quiet("at 119s")

	clk.Advance(time.Second)
	hl = await("the poll after the wait", func(hl sources.Health) bool { return hl.Failures == 2 })
	if n := srv.Requests(); n <= sent {
		t.Errorf("no request after the server's 120s (%d in all)", n)
	}
	if !hl.RateLimited || !hl.NextPoll.Equal(retryAt.Add(120*time.Second)) {
		t.Errorf("after the second 429: %+v", hl)
	}
}
