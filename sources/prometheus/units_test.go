package prometheus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

func TestDescribe(t *testing.T) {
	post := func(err error) error {
		return &url.Error{Op: "Post", URL: "http://10.0.0.1:9090/api/v1/query", Err: err}
	}
	long := strings.Repeat("x", 500)
	tests := []struct {
		err    error
		budget time.Duration
		want   string
	}{
		{post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), 0, "connection refused"},
		{post(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), 0, "connection reset"},
		{post(&net.DNSError{Err: "no such host", Name: "prom.invalid", IsNotFound: true}), 0, "no such host prom.invalid"},
		{post(context.DeadlineExceeded), 10 * time.Second, "timeout after 10s"},
		{context.DeadlineExceeded, 9999 * time.Millisecond, "timeout after 10s"},
		{context.DeadlineExceeded, 0, "timeout"},
		{post(io.EOF), 0, "connection closed by the server"},
		{io.ErrUnexpectedEOF, 0, "response cut short"},
		{post(&capError{max: 32 << 20}), 0, "response over 32 MiB cap"},
		{&v1.Error{Type: v1.ErrServer, Msg: "server error: 500"}, 0, "HTTP 500"},
		{&v1.Error{Type: v1.ErrClient, Msg: "client error: 429", Detail: "too many outstanding requests\n"}, 0, "HTTP 429: too many outstanding requests"},
		{&v1.Error{Type: v1.ErrServer, Msg: "server error: 502", Detail: "<html>\n<h1>Bad Gateway</h1></html>"}, 0, "HTTP 502"},
		{&v1.Error{Type: v1.ErrExec, Msg: "query processing would load too many samples into memory in query execution"}, 0,
			"execution: query processing would load too many samples into memory in query execution"},
		{&v1.Error{Type: v1.ErrBadData, Msg: long}, 0, "bad_data: " + strings.Repeat("x", maxReason-len("bad_data: ")-1) + "…"},
		{&v1.Error{Type: v1.ErrBadResponse, Msg: "unexpected end of JSON input"}, 0, "bad response: unexpected end of JSON input"},
		{post(errors.New("proxyconnect tcp: \x1b[31mred\x1b[0m\nsecond line")), 0, "proxyconnect tcp: red second line"},
	}
	for _, tc := range tests {
		if got := describe(tc.err, tc.budget); got != tc.want {
			t.Errorf("describe(%v)\n got %q\nwant %q", tc.err, got, tc.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{32 << 20: "32 MiB", 1024: "1 KiB", 1000: "1000 bytes", 3 << 19: "1536 KiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRetentionFromFlags(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		flags v1.FlagsResult
		want  time.Duration
	}{
		{v1.FlagsResult{"storage.tsdb.retention.time": "400d", "storage.tsdb.retention.size": "0B"}, 400 * day},
		{v1.FlagsResult{"storage.tsdb.retention.time": "0s", "storage.tsdb.retention.size": "0B"}, 15 * day}, // Prometheus's default
		{v1.FlagsResult{"storage.tsdb.retention.time": "0s", "storage.tsdb.retention.size": "50GB"}, 0},
		{v1.FlagsResult{"storage.tsdb.retention.time": "0s", "storage.tsdb.retention": "30d"}, 30 * day},
		{v1.FlagsResult{}, 0}, // Thanos, Mimir: not a Prometheus TSDB
		{nil, 0},
	} {
		if got := retentionFromFlags(tc.flags); got != tc.want {
			t.Errorf("retentionFromFlags(%v) = %v, want %v", tc.flags, got, tc.want)
		}
	}
}

func TestCombineQuotesNames(t *testing.T) {
	defs := []slo.Definition{{Name: `a "b" $1 \ c`}}
	got := combine(defs, []subQuery{{slo: 0, window: time.Hour, part: partTotal, expr: "sum(x)"}})
	const want = `label_replace(label_replace(label_replace(sum(x), "slo", "a \"b\" $$1 \\ c", "", ""), "part", "total", "", ""), "window", "1h", "", "")`
	if got != want {
		t.Errorf("combine\n got %s\nwant %s", got, want)
	}
}

// A poll never has more than `parallel` requests in flight, and does use them.
func TestPollConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	var inFlight, peak atomic.Int64
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		if strings.HasSuffix(r.URL.Path, "/query_range") {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	})
	profile := map[sources.Signal]string{}
	overrides := map[sources.Signal]string{}
	for _, sig := range sources.AllSignals {
		profile[sig] = "q"
		overrides[sig] = "q"
	}
	src := oneSignal(t, url, func(o *Options) {
		o.Signals.Profile = profile
		o.Signals.Services = []ServiceSpec{{Name: "a", Overrides: overrides}, {Name: "b", Overrides: overrides}}
	})
	data, err := poll(t, src, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// A range query per signal of the profile and of each of two services'
	// overrides, and the health query.
	if data.Signals.Requests != 13 {
		t.Errorf("%d requests, want 13", data.Signals.Requests)
	}
	if p := peak.Load(); p > parallel || p < 2 {
		t.Errorf("peak of %d requests in flight, want 2..%d", p, parallel)
	}
}

func TestSLOPollFailureNamesTheWindow(t *testing.T) {
	t.Parallel()
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	})
	src, err := New(Options{Name: "p", URL: url, HTTP: promconfig.DefaultHTTPClientConfig, SLOs: []slo.Definition{{
		Name: "x", Objective: 0.999, Window: 28 * 24 * time.Hour,
		SLI: slo.SLI{Errors: "sum(rate(e[{{.window}}]))", Total: "sum(rate(t[{{.window}}]))"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poll(t, src, 5*time.Second); err == nil || err.Error() != "SLO 5m query: HTTP 503: overloaded" {
		t.Errorf("error %v, want SLO 5m query: HTTP 503: overloaded", err)
	}
}

func TestNewRejectsBadSLOs(t *testing.T) {
	good := slo.Definition{Name: "x", Objective: 0.999, Window: 30 * 24 * time.Hour,
		SLI: slo.SLI{Errors: "sum(rate(e[{{.window}}]))", Total: "sum(rate(t[{{.window}}]))"}}
	bad := good
	bad.Objective = 99.9
	if _, err := New(Options{Name: "p", URL: "http://x", SLOs: []slo.Definition{bad}}); err == nil ||
		!strings.HasPrefix(err.Error(), `prometheus p: slo "x": objective`) {
		t.Errorf("objective 99.9: %v", err)
	}
	if _, err := New(Options{Name: "p", URL: "http://x", SLOs: []slo.Definition{good, good}}); err == nil ||
		err.Error() != `prometheus p: slo "x": defined twice` {
		t.Errorf("duplicate: %v", err)
	}
}

func BenchmarkCombine50SLOs(b *testing.B) {
	defs := fiftySLOs()
	src, err := New(Options{Name: "p", URL: "http://127.0.0.1:9", SLOs: defs})
	if err != nil {
		b.Fatal(err)
	}
	g := src.groups()[0]
	b.ReportAllocs()
	for b.Loop() {
		src.mu.Lock()
		subs := src.subQueries(g)
		src.mu.Unlock()
		_ = combine(defs, subs)
	}
}
