package testservers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PromOptions shapes a test Prometheus. The zero value scrapes itself every second and
// keeps 400 days of data, so backfilled history is not deleted under the test.
type PromOptions struct {
	ScrapeInterval time.Duration // self-scrape and rule evaluation interval; default 1s
	NoScrape       bool          // serve only what Blocks holds (backfill tests)
	Blocks         string        // a directory of TSDB blocks (see Backfill); copied, so it can be shared
	Retention      string        // --storage.tsdb.retention.time; default 400d
	Rules          string        // the YAML of a rule file to load, e.g. recording rules
	// ExternalLabels are the global external_labels, which Prometheus adds to the
	// alerts it sends on but not to its own alerts API.
	ExternalLabels map[string]string
	Args           []string // extra command-line flags
	// Scrape adds scrape jobs besides the self-scrape (unless NoScrape): a target may
	// be Self (this server) or an address nothing listens on (see DeadAddr), whose
	// `up` is 0.
	Scrape []ScrapeJob
}

// ScrapeJob is one extra scrape job of a test Prometheus.
type ScrapeJob struct {
	Job     string
	Targets []string // host:port, or Self
}

// Self stands for the test Prometheus's own address in ScrapeJob.Targets.
const Self = "self"

// DeadAddr is a loopback address on which nothing listens (a port that was free a
// moment ago), for a scrape target that is down.
func DeadAddr(t testing.TB) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("testservers: pick a port: %v", err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// PromServer is a running (or stopped) Prometheus owned by one test.
type PromServer struct {
	t       testing.TB
	bin     string
	dir     string
	logPath string
	opts    PromOptions
	port    int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the current process has exited
}

const (
	readyTimeout = 30 * time.Second
	stopGrace    = 5 * time.Second
	bindAttempts = 4
)

var errBind = errors.New("address already in use")

// Prometheus starts a Prometheus on a free loopback port and stops it when the test
// ends. It returns once the server answers /-/ready.
func Prometheus(t testing.TB, opts PromOptions) *PromServer {
	t.Helper()
	bin := lookBinary(t, "prometheus", "prometheus")
	if opts.ScrapeInterval <= 0 {
		opts.ScrapeInterval = time.Second
	}
	if opts.Retention == "" {
		opts.Retention = "400d"
	}
	dir := t.TempDir()
	p := &PromServer{t: t, bin: bin, dir: dir, logPath: filepath.Join(dir, "prometheus.log"), opts: opts}
	data := filepath.Join(dir, "data")
	if opts.Blocks != "" {
		if err := os.CopyFS(data, os.DirFS(opts.Blocks)); err != nil {
			t.Fatalf("testservers: copy blocks from %s: %v", opts.Blocks, err)
		}
	}
	if opts.Rules != "" {
		if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(opts.Rules), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("prometheus on port %d, last lines of its log:\n%s", p.port, tail(p.logPath, 30))
		}
	})
	firstStart(t, "prometheus", p.logPath, &p.port, p.start)
	return p
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234.
func (p *PromServer) URL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port))
}

// Port is the loopback port the server listens on; it stays the same across Stop/Start.
func (p *PromServer) Port() int { return p.port }

// Start restarts a stopped server on the same port (and the same data), for tests of a
// Prometheus that goes away and comes back.
func (p *PromServer) Start() {
	p.t.Helper()
	restart(p.t, "prometheus", p.port, p.logPath, p.start)
}

// Stop ends the server: SIGTERM, then SIGKILL if it has not exited after 5s. Stopping a
// stopped server does nothing.
func (p *PromServer) Stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	stopProcess(cmd, done)
}

func (p *PromServer) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return errors.New("already running")
	}
	cfg := filepath.Join(p.dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(p.config()), 0o600); err != nil {
		return err
	}
	args := []string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + filepath.Join(p.dir, "data"),
		"--storage.tsdb.retention.time=" + p.opts.Retention,
		"--web.listen-address=" + net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)),
	}
	cmd := exec.Command(p.bin, append(args, p.opts.Args...)...)
	done, err := launch(cmd, p.logPath, p.URL()+"/-/ready")
	if err != nil {
		return err
	}
	p.cmd, p.done = cmd, done
	return nil
}

func (p *PromServer) config() string {
	var b strings.Builder
	iv := p.opts.ScrapeInterval.String()
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\n", iv, iv)
	if len(p.opts.ExternalLabels) > 0 {
		b.WriteString("  external_labels:\n")
		for _, k := range slices.Sorted(maps.Keys(p.opts.ExternalLabels)) {
			fmt.Fprintf(&b, "    %q: %q\n", k, p.opts.ExternalLabels[k])
		}
	}
	if p.opts.Rules != "" {
		fmt.Fprintf(&b, "rule_files: [%q]\n", filepath.Join(p.dir, "rules.yml"))
	}
	if p.opts.NoScrape {
		return b.String()
	}
	self := net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port))
	fmt.Fprintf(&b, "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [%q]\n", self)
	for _, j := range p.opts.Scrape {
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Sample is one element of an instant query's result. A scalar result is one Sample
// with no labels.
type Sample struct {
	Labels map[string]string
	Value  float64 // NaN and ±Inf as Prometheus sent them
}

// Query asks the server an instant query at `at` over plain HTTP and parses the JSON
// itself, independently of the client library the code under test uses, so a test can
// compare the two. It fails the test on any error.
func (p *PromServer) Query(t testing.TB, query string, at time.Time) []Sample {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := InstantQuery(ctx, p.URL(), query, at)
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	return s
}

// WaitForSeries polls query (at the current time) until it returns at least one sample,
// failing the test after timeout.
func (p *PromServer) WaitForSeries(t testing.TB, query string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := InstantQuery(ctx, p.URL(), query, time.Now())
		cancel()
		if err == nil && len(s) > 0 {
			return
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no series for %s after %s (last error: %v)", query, timeout, last)
}

// InstantQuery is GET /api/v1/query?query=...&time=at against base, parsed by hand.
func InstantQuery(ctx context.Context, base, query string, at time.Time) ([]Sample, error) {
	q := url.Values{"query": {query}, "time": {strconv.FormatFloat(float64(at.UnixNano())/1e9, 'f', 3, 64)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body.Error)
	}
	switch body.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(body.Data.Result, &vec); err != nil {
			return nil, err
		}
		out := make([]Sample, 0, len(vec))
		for _, s := range vec {
			v, err := parseValue(s.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, Sample{Labels: s.Metric, Value: v})
		}
		return out, nil
	case "scalar":
		var pair [2]any
		if err := json.Unmarshal(body.Data.Result, &pair); err != nil {
			return nil, err
		}
		v, err := parseValue(pair)
		if err != nil {
			return nil, err
		}
		return []Sample{{Labels: map[string]string{}, Value: v}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", body.Data.ResultType)
}

// parseValue reads the [time, "value"] pair of the Prometheus JSON API, where the value
// is a string so that NaN and ±Inf survive JSON.
func parseValue(pair [2]any) (float64, error) {
	s, ok := pair[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", pair[1])
	}
	return strconv.ParseFloat(s, 64) // accepts NaN, +Inf and -Inf as Prometheus writes them
}
