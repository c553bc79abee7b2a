package prometheus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/hostile"
	"github.com/vigil-sre/vigil/sources"
)

// hostileSource is a source with two batched signals on a hostile server.
func hostileSource(t *testing.T, srv *hostile.Server, mod func(*Options)) *Source {
	t.Helper()
	url := hostile.Start(t, srv)
	return oneSignal(t, url, func(o *Options) {
		o.Signals.Profile = map[sources.Signal]string{sources.Latency: "latency_query", sources.Traffic: "traffic_query"}
		o.MaxBodyBytes = 16 << 20
		if mod != nil {
			mod(o)
		}
	})
}

// TestHostileServer polls and checks a source against every misbehaving answer: no
// panic, and an error that says what was wrong, in one clean line.
func TestHostileServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode  hostile.Mode
		poll  string // a part of the poll's error; "" for none
		check string // a part of Check's error; "" for none
	}{
		{hostile.NullData, "bad response: no data", "bad response: no data"},
		{hostile.NoData, "bad response: no data", "bad response: no data"},
		{hostile.NullBody, "bad response: no data", "bad response: no data"},
		{hostile.NullResult, "bad response: null sample in result", "bad response: null sample in result"},
		{hostile.NullValues, "bad response: null point in result", "bad response: null point in result"},
		{hostile.NullMetric, "", ""},
		{hostile.WrongType, "bad response: want a vector, got a matrix", "bad response: want a vector, got a matrix"},
		{hostile.ErrorNoMessage, "error with no message", "error with no message"},
		{hostile.EndlessBody, "response over 16 MiB cap", "response over 16 MiB cap"},
		{hostile.EndlessString, "response holds a string over 1 MiB", "response holds a string over 1 MiB"},
		{hostile.SlowBody, "timeout", "timeout"},
		{hostile.RateLimited, "HTTP 429 rate-limited (retry after 2m0s)", "HTTP 429 rate-limited (retry after 2m0s)"},
		{hostile.Unavailable, "HTTP 503 unavailable (retry after ", "HTTP 503 unavailable (retry after "},
		{hostile.ManySeries, "too many series (50000 > 20000): aggregate by the service label", "too many series (50000 > 20000)"},
		{hostile.NonFinite, "", "unexpected answer to vector(1)"},
		{hostile.EscapeLabels, "", "unexpected answer to vector(1)"},
		{hostile.EscapeError, "query failed:", "query failed:"},
	}
	seen := map[hostile.Mode]bool{}
	for _, tc := range tests {
		seen[tc.mode] = true
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			src := hostileSource(t, &hostile.Server{Mode: tc.mode, MaxMiB: 20, Series: 50_000, Trickle: 20 * time.Millisecond}, nil)
			// Long enough for 50,000 series under the race detector on a busy machine;
			// only the slow body is meant to run into it.
			limit := 20 * time.Second
			if tc.mode == hostile.SlowBody {
				limit = 2 * time.Second
			}
			data, err := poll(t, src, limit)
			expectError(t, "poll", err, tc.poll)
			if err == nil && tc.poll == "" && data.Signals == nil {
				t.Errorf("poll: no error and no signals")
			}
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			expectError(t, "check", src.Check(ctx), tc.check)
		})
	}
	for _, m := range hostile.Modes {
		if !seen[m] {
			t.Errorf("mode %q is not tested", m)
		}
	}
}

func expectError(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want %q", what, want)
	case err != nil && !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q, want it to contain %q", what, err, want)
	}
	if err != nil && strings.ContainsAny(err.Error(), "\x1b\u009b\u202e\n\x07") {
		t.Errorf("%s: error %q holds control, escape or bidi characters", what, err)
	}
}

// TestRetryAfterStopsThePoll: after a 429 with Retry-After the poll sends none of its
// remaining requests, and its error tells the hub how long to wait. The poll runs up
// to `parallel` queries at once, so the requests already in flight when the first 429
// arrives may still reach the server: at most `parallel` of the poll's 8.
func TestRetryAfterStopsThePoll(t *testing.T) {
	t.Parallel()
	for _, mode := range []hostile.Mode{hostile.RateLimited, hostile.Unavailable} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			srv := &hostile.Server{Mode: mode}
			src := hostileSource(t, srv, func(o *Options) {
				o.Signals.Profile = map[sources.Signal]string{
					sources.Latency: "l", sources.Traffic: "t", sources.Errors: "e", sources.Saturation: "s",
				}
			})
			_, err := poll(t, src, 5*time.Second)
			if n := srv.Requests(); n < 1 || n > parallel {
				t.Errorf("%d requests reached the server, want 1 to %d of the poll's 8", n, parallel)
			}
			var ra sources.RetryAfter
			if !errors.As(err, &ra) {
				t.Fatalf("error %v does not implement sources.RetryAfter", err)
			}
			if w := ra.RetryAfter(); w < 118*time.Second || w > 120*time.Second {
				t.Errorf("RetryAfter() = %s, want 2m0s", w)
			}
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		status int
		header string
		want   time.Duration // 0: not a Retry-After error
	}{
		{429, "120", 2 * time.Minute},
		{503, "7", 7 * time.Second},
		{429, now.Add(90 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 90 * time.Second},
		{429, now.Add(-time.Minute).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 0},
		{429, "31536000", time.Hour}, // a year is capped
		{429, "0", 0},
		{429, "-5", 0},
		{429, "soon", 0},
		{429, "", 0},
		{500, "120", 0},
	}
	for _, tc := range tests {
		resp := &httpResponse{status: tc.status, retryAfter: tc.header}
		e, ok := retryAfter(resp.build(), now)
		switch {
		case tc.want == 0 && ok:
			t.Errorf("%d Retry-After %q: got %v, want an ordinary error", tc.status, tc.header, e)
		case tc.want != 0 && (!ok || e.RetryAfter() != tc.want):
			t.Errorf("%d Retry-After %q: got %v, want %s", tc.status, tc.header, e, tc.want)
		}
	}
}

// TestEndlessTokens: a string or a number that never ends fails once it passes
// maxString, long before the body cap, and so never fills memory.
func TestEndlessTokens(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("7", maxString+1)
	for name, body := range map[string]string{
		"string":  `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"` + long + `"},"value":[1,"1"]}]}}`,
		"number":  `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[` + long + `,"1"]}]}}`,
		"escapes": `{"status":"success","data":{"resultType":"vector","result":[],"x":"` + strings.Repeat(`\"`, maxString/2+1) + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			_, err := poll(t, oneSignal(t, url, nil), 10*time.Second)
			if err == nil || !strings.Contains(err.Error(), "response holds a string over 1 MiB") {
				t.Errorf("error %v, want the string limit", err)
			}
		})
	}
	// Just under the limit is fine.
	ok := `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"` + long[:maxString] + `"},"value":[1,"1"]}]}}`
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/query_range") {
			io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
			return
		}
		io.WriteString(w, ok)
	})
	if _, err := poll(t, oneSignal(t, url, nil), 10*time.Second); err != nil {
		t.Errorf("a string of exactly %d bytes: %v", maxString, err)
	}
}
