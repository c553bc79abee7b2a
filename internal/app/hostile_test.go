package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/hostile"
)

// hostileConfig writes a config whose one Prometheus is the hostile server at url.
func hostileConfig(t *testing.T, url string, mode hostile.Mode) string {
	t.Helper()
	// Room for 30,000 series or 32 MiB under the race detector with every mode running
	// at once; only the slow body is meant to run into its timeout.
	timeout := "30s"
	if mode == hostile.SlowBody {
		timeout = "3s"
	}
	cfg := `refresh: 30s
timeout: ` + timeout + `
prometheus:
  - name: hostile
    url: ` + url + `
    alerts: false  # a fake server: its signals are under test, not its alerts
signals:
  prometheus: hostile
  by: job
  latency: latency_query
  traffic: traffic_query
services:
  - name: a
`
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileFailures is, per mode that fails a poll, what the one-line error must say.
var hostileFailures = map[hostile.Mode]string{
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
	hostile.ManySeries:     "too many series (30000 > 20000): aggregate by the service label",
	hostile.EscapeError:    "query failed:",
}

// unsafeOutput is what must never reach a terminal or a JSON consumer unescaped.
const unsafeOutput = "\x1b\u009b\u202e\x07"

// TestSnapshotAgainstHostileServer runs `vigil snapshot --format json` against every
// misbehaving answer: no panic; stdout is valid JSON without raw escape, C1 or bidi
// characters; a failing poll exits 1 with one clean line on stderr naming the limit or
// the fault.
func TestSnapshotAgainstHostileServer(t *testing.T) {
	t.Parallel()
	for _, mode := range hostile.Modes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			url := hostile.Start(t, &hostile.Server{Mode: mode, Series: 30_000, MaxMiB: 40, Trickle: 100 * time.Millisecond})
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			err := Snapshot(ctx, &stdout, SnapshotOptions{ConfigPath: hostileConfig(t, url, mode), Format: "json", Stderr: &stderr})
			if !json.Valid(stdout.Bytes()) {
				t.Errorf("stdout is not valid JSON: %.300q", stdout.String())
			}
			if strings.ContainsAny(stdout.String(), unsafeOutput) {
				t.Errorf("stdout holds raw escape, C1 or bidi characters: %.300q", stdout.String())
			}
			if strings.ContainsAny(stderr.String(), unsafeOutput) {
				t.Errorf("stderr holds raw escape, C1 or bidi characters: %q", stderr.String())
			}
			want, fails := hostileFailures[mode]
			if mode == hostile.NullMetric {
				// Series without the by label: no configured service is in any answer,
				// which must not read as a healthy board of no data.
				want, fails = "no configured service is in any answer", true
			}
			var exit *ExitError
			switch {
			case !fails && err != nil:
				t.Errorf("error %v, want success", err)
			case fails && (!errors.As(err, &exit) || exit.Code != 1):
				t.Errorf("error %v, want exit code 1", err)
			case fails:
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				if len(lines) != 1 || !strings.Contains(lines[0], want) {
					t.Errorf("stderr %q, want one line saying %q", stderr.String(), want)
				}
			}
		})
	}
}

// TestCheckAgainstHostileServer runs `vigil check` against every misbehaving answer:
// no panic, clean output, and exit 1 with the reason when the probe fails.
func TestCheckAgainstHostileServer(t *testing.T) {
	t.Parallel()
	for _, mode := range hostile.Modes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			url := hostile.Start(t, &hostile.Server{Mode: mode, Series: 30_000, MaxMiB: 40, Trickle: 100 * time.Millisecond})
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			err := Check(ctx, &out, hostileConfig(t, url, mode))
			if strings.ContainsAny(out.String(), unsafeOutput) {
				t.Errorf("output holds raw escape, C1 or bidi characters: %q", out.String())
			}
			want, fails := hostileFailures[mode]
			if !fails {
				return // the probe may pass or fail on these; the output is clean either way
			}
			var exit *ExitError
			if !errors.As(err, &exit) || exit.Code != 1 {
				t.Errorf("error %v, want exit code 1", err)
			}
			if !strings.Contains(out.String(), "FAIL "+want) && !strings.Contains(out.String(), want) {
				t.Errorf("output %q, want it to say %q", out.String(), want)
			}
		})
	}
}
