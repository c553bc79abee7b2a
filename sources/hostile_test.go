package sources_test

import (
	"context"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/hostile"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/prometheus"
)

func hostileProm(t *testing.T, srv *hostile.Server) sources.Source {
	t.Helper()
	src, err := prometheus.New(prometheus.Options{
		Name: "hostile", URL: hostile.Start(t, srv), HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &prometheus.SignalSpec{
			By:       "job",
			Profile:  map[sources.Signal]string{sources.Latency: "l", sources.Traffic: "t", sources.Errors: "e", sources.Saturation: "s"},
			Services: []prometheus.ServiceSpec{{Name: "a"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// hubFailures are the modes that fail a poll, and what the source's health must say.
var hubFailures = map[hostile.Mode]string{
	hostile.NullData:       "bad response: no data",
	hostile.NoData:         "bad response: no data",
	hostile.NullBody:       "bad response: no data",
	hostile.NullResult:     "bad response: null sample in result",
	hostile.NullValues:     "bad response: null point in result",
	hostile.WrongType:      "bad response: want a vector, got a matrix",
	hostile.ErrorNoMessage: "error with no message",
	hostile.EndlessBody:    "response over 32 MiB cap",
	hostile.EndlessString:  "response holds a string over 1 MiB",
	hostile.SlowBody:       "timeout",
	hostile.RateLimited:    "HTTP 429 rate-limited (retry after 2m0s)",
	hostile.Unavailable:    "HTTP 503 unavailable (retry after ",
	hostile.ManySeries:     "too many series (30000 > 20000)",
	hostile.EscapeError:    "query failed:",
}

// TestPollOnceAgainstHostileServer polls a real Prometheus source on a hostile server
// through the hub's PollOnce: no panic, and a failing poll shows in Health as one clean
// line naming the fault.
func TestPollOnceAgainstHostileServer(t *testing.T) {
	t.Parallel()
	for _, mode := range hostile.Modes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			src := hostileProm(t, &hostile.Server{Mode: mode, Series: 30_000, MaxMiB: 40, Trickle: 100 * time.Millisecond})
			// Room for 30,000 series or 32 MiB under the race detector with every mode
			// running at once; only the slow body is meant to run into the limit.
			limit := 30 * time.Second
			if mode == hostile.SlowBody {
				limit = 3 * time.Second
			}
			snap := sources.PollOnce(context.Background(), []sources.Source{src}, time.Unix(1_700_000_000, 0), limit, nil)
			h := snap.Sources[0].Health
			if !h.Polled {
				t.Fatal("no poll finished")
			}
			if strings.ContainsAny(h.LastError, "\x1b\u009b\u202e\n") {
				t.Errorf("LastError %q holds control, escape or bidi characters", h.LastError)
			}
			want, fails := hubFailures[mode]
			switch {
			case fails && (h.OK || !strings.Contains(h.LastError, want)):
				t.Errorf("health ok=%v error %q, want a failure saying %q", h.OK, h.LastError, want)
			case !fails && !h.OK:
				t.Errorf("health error %q, want ok", h.LastError)
			}
		})
	}
}

// TestHubHonoursRetryAfter: after a 429 with Retry-After: 120 the hub marks the source
// rate-limited and polls it no more within the test, however short its interval and
// back-off; the one poll sent at most as many requests as it runs at once.
func TestHubHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := &hostile.Server{Mode: hostile.RateLimited}
	hub := sources.NewHub([]sources.Source{hostileProm(t, srv)}, sources.HubOptions{
		Interval: 50 * time.Millisecond, Timeout: time.Second, MaxBackoff: 100 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }()
	time.Sleep(1500 * time.Millisecond)
	cancel()
	<-done
	h := hub.Snapshot().Sources[0].Health
	if !h.RateLimited {
		t.Errorf("health %+v, want RateLimited", h)
	}
	if wait := time.Until(h.NextPoll); wait < 100*time.Second {
		t.Errorf("next poll in %s, want at least the server's 2m less the test's run", wait)
	}
	if n := srv.Requests(); n > 4 {
		t.Errorf("%d requests in 1.5s, want one poll's at most 4: the hub must wait for Retry-After", n)
	}
}
