package testservers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// VMOptions shapes a test VictoriaMetrics (single node). The zero value scrapes
// nothing and serves only what the test imports (see VMServer.Import).
type VMOptions struct {
	// ScrapeInterval is the interval of the jobs in Scrape; default 1s.
	ScrapeInterval time.Duration
	// Scrape lists scrape jobs; a target may be Self (this server's own /metrics) or
	// any host:port, such as a test Prometheus or DeadAddr.
	Scrape []ScrapeJob
	Args   []string // extra command-line flags
}

// VMServer is a running VictoriaMetrics owned by one test.
type VMServer struct {
	t       testing.TB
	dir     string
	logPath string
	port    int
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
}

// VictoriaMetrics starts a single-node VictoriaMetrics on a free loopback port with
// its own temporary storage and stops it when the test ends. It returns once the
// server answers /health.
//
// The flags make answers a test can compare exactly:
//   - -search.latencyOffset=0: by default the last 30 s of samples are hidden from
//     queries, so a query "now" would not see what was just scraped or imported;
//   - -search.disableCache: the rollup cache keeps answers about the past, which an
//     import of history would otherwise leave stale;
//   - -retentionPeriod=100y: imported history of any age is kept.
func VictoriaMetrics(t testing.TB, opts VMOptions) *VMServer {
	t.Helper()
	bin := lookBinary(t, "victoria-metrics", "victoria-metrics")
	if opts.ScrapeInterval <= 0 {
		opts.ScrapeInterval = time.Second
	}
	dir := t.TempDir()
	v := &VMServer{t: t, dir: dir, logPath: filepath.Join(dir, "victoria-metrics.log")}
	t.Cleanup(func() {
		v.stop()
		if t.Failed() {
			t.Logf("victoria-metrics on port %d, last lines of its log:\n%s", v.port, tail(v.logPath, 30))
		}
	})
	firstStart(t, "victoria-metrics", v.logPath, &v.port, func() error { return v.start(bin, opts) })
	return v
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234: the Prometheus query API
// is under /api/v1 there, as on Prometheus.
func (v *VMServer) URL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(v.port))
}

func (v *VMServer) start(bin string, opts VMOptions) error {
	args := []string{
		"-httpListenAddr=" + net.JoinHostPort("127.0.0.1", strconv.Itoa(v.port)),
		"-storageDataPath=" + filepath.Join(v.dir, "data"),
		"-retentionPeriod=100y",
		"-search.latencyOffset=0",
		"-search.disableCache",
	}
	if len(opts.Scrape) > 0 {
		cfg := filepath.Join(v.dir, "scrape.yml")
		if err := os.WriteFile(cfg, []byte(v.scrapeConfig(opts)), 0o600); err != nil {
			return err
		}
		args = append(args, "-promscrape.config="+cfg)
	}
	cmd := exec.Command(bin, append(args, opts.Args...)...)
	done, err := launch(cmd, v.logPath, v.URL()+"/health")
	if err != nil {
		return err
	}
	v.cmd, v.done = cmd, done
	return nil
}

func (v *VMServer) scrapeConfig(opts VMOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\nscrape_configs:\n", opts.ScrapeInterval)
	self := net.JoinHostPort("127.0.0.1", strconv.Itoa(v.port))
	for _, j := range opts.Scrape {
		fmt.Fprintf(&b, "  - job_name: %q\n    static_configs:\n      - targets: [", j.Job)
		for i, target := range j.Targets {
			if target == Self {
				target = self
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", target)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// stop ends the server: SIGTERM (VictoriaMetrics flushes its buffers), then SIGKILL
// after 5s.
func (v *VMServer) stop() {
	if v.cmd == nil {
		return
	}
	stopProcess(v.cmd, v.done)
	v.cmd = nil
}

const importTimeout = time.Minute

// Import writes samples in the Prometheus text exposition format, each line with its
// own timestamp in milliseconds (`name{labels} value 1700000000000`), through
// /api/v1/import/prometheus, then flushes VictoriaMetrics's in-memory buffers so the
// samples are searchable at once rather than within a second or so. History that
// would take hours to scrape is there in moments. It fails the test on any error.
func (v *VMServer) Import(t testing.TB, text []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), importTimeout)
	defer cancel()
	if err := v.post(ctx, "/api/v1/import/prometheus", text); err != nil {
		t.Fatalf("testservers: import %d bytes: %v", len(text), err)
	}
	if err := v.post(ctx, "/internal/force_flush", nil); err != nil {
		t.Fatalf("testservers: flush after import: %v", err)
	}
}

func (v *VMServer) post(ctx context.Context, path string, body []byte) error {
	method := http.MethodPost
	if body == nil {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, v.URL()+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}

// Query asks an instant query at `at`, parsed by hand like PromServer.Query, so a test
// compares what vigil read with what VictoriaMetrics itself answers.
func (v *VMServer) Query(t testing.TB, query string, at time.Time) []Sample {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := InstantQuery(ctx, v.URL(), query, at)
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	return s
}

// WaitForSeries polls query at `at` until it returns at least one sample, failing the
// test after timeout: for a scrape to have happened, or an import to be searchable.
func (v *VMServer) WaitForSeries(t testing.TB, query string, at time.Time, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		instant := at
		if instant.IsZero() {
			instant = time.Now()
		}
		s, err := InstantQuery(ctx, v.URL(), query, instant)
		cancel()
		if err == nil && len(s) > 0 {
			return
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no series for %s after %s (last error: %v)", query, timeout, last)
}
