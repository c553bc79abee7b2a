// Package e2e drives the real vigil binary in a real terminal: tmux runs it,
// send-keys types, capture-pane reads the screen.
package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// vigilBinary builds cmd/vigil once per test run.
func vigilBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "vigil")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/vigil").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// term is one tmux session with its own server socket, so tests never touch a user's tmux.
type term struct {
	t      testing.TB
	socket string
	name   string
}

func requireTmux(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if testservers.RequireServers() {
			t.Fatal("tmux not installed: apt-get install -y tmux (scripts/test does this)")
		}
		t.Skip("SKIPPING end-to-end terminal test: tmux not installed (apt-get install -y tmux)")
	}
}

// newTerm starts sh in a detached tmux session of the given size, in dir.
func newTerm(t testing.TB, width, height int, dir string, env ...string) *term {
	t.Helper()
	requireTmux(t)
	tm := &term{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), name: "vigil"}
	args := []string{"new-session", "-d", "-s", tm.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "-c", dir}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, "sh")
	tm.tmux(args...)
	tm.tmux("set-option", "-g", "status", "off")
	tm.tmux("set-option", "-g", "escape-time", "0")
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// line types a shell line and presses enter.
func (tm *term) line(s string) {
	tm.tmux("send-keys", "-t", tm.name, "-l", s)
	tm.tmux("send-keys", "-t", tm.name, "Enter")
}

// keys sends tmux key names (q, ?, Escape, Tab).
func (tm *term) keys(k ...string) {
	tm.tmux(append([]string{"send-keys", "-t", tm.name}, k...)...)
}

func (tm *term) screen() string {
	return tm.tmux("capture-pane", "-p", "-t", tm.name)
}

// waitFor polls the screen until every want is on it, or fails after timeout.
func (tm *term) waitFor(timeout time.Duration, want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	var s string
	for time.Now().Before(deadline) {
		s = tm.screen()
		if containsAll(s, want) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("screen never showed %q within %s; last screen:\n%s", want, timeout, s)
	return ""
}

// waitGone polls the screen until gone is no longer on it, or fails after timeout.
func (tm *term) waitGone(timeout time.Duration, gone string) {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	var s string
	for time.Now().Before(deadline) {
		if s = tm.screen(); !strings.Contains(s, gone) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("%q still on screen after %s:\n%s", gone, timeout, s)
}

func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

var demoServices = []string{"api", "checkout", "payments", "search", "auth", "frontend"}

func TestDemoInTmux(t *testing.T) {
	bin := vigilBinary(t)
	dir := t.TempDir()
	tm := newTerm(t, 100, 30, dir, "TERM=xterm-256color")
	// Record the tty settings before and after, so "the terminal is restored" is checked
	// by the kernel's own view of it, not by eye.
	// The quotes keep the marker off the typed command line, which is on screen at
	// once: only the echo may show it.
	tm.line(fmt.Sprintf("stty -g > before; %s demo; stty -g > after; cmp -s before after && echo TTY-RESTORED-''OK", bin))

	s := tm.waitFor(20*time.Second, append([]string{"DEMO"}, demoServices...)...)
	for _, l := range strings.Split(s, "\n") {
		if len([]rune(l)) > 100 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}

	tm.keys("?")
	tm.waitFor(5*time.Second, "MARKERS", "refresh now")
	tm.keys("Escape")
	// Wait for the overlay to close before the next key: an ESC followed at once by q
	// reads as alt+q, in a terminal as much as here.
	tm.waitGone(5*time.Second, "MARKERS")

	tm.keys("q")
	s = tm.waitFor(10*time.Second, "TTY-RESTORED-OK")
	if strings.Contains(s, "DEMO") {
		t.Errorf("the dashboard is still on screen after quit (alt screen not left):\n%s", s)
	}
}

func TestDashboardStartsWithPrometheusDownThenRecovers(t *testing.T) {
	bin := vigilBinary(t)
	prom := testservers.Prometheus(t, testservers.PromOptions{})
	prom.Stop()

	dir := t.TempDir()
	cfg := fmt.Sprintf(`refresh: 2s
timeout: 2s
prometheus:
  - name: prod
    url: %s
signals:
  by: job
  latency: histogram_quantile(0.99, sum by (job, le) (rate(prometheus_http_request_duration_seconds_bucket[1m])))
  traffic: sum by (job) (rate(prometheus_http_requests_total[1m]))
  errors: sum by (job) (rate(prometheus_http_requests_total{code=~"5.."}[1m])) / sum by (job) (rate(prometheus_http_requests_total[1m]))
  saturation: max by (job) (process_resident_memory_bytes / 1e9)
services:
  - name: prometheus
`, prom.URL())
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, 100, 30, dir, "TERM=xterm-256color")
	tm.line(bin + " --config config.yaml")
	s := tm.waitFor(20*time.Second, "prod", "connection refused", "prometheus")
	if strings.Contains(s, "prod ok") {
		t.Fatalf("badge says ok while Prometheus is down:\n%s", s)
	}

	prom.Start()
	// No key pressed: the hub's backoff (capped, with 2s refresh here) must find the
	// server again on its own.
	tm.waitFor(60*time.Second, "prod ok")
	tm.keys("q")
}

// TestDemoKeysAt80x24 drives the panes at the smallest supported size: nothing may
// wrap or spill, and the SLO detail, freeze and zoom work from the keyboard.
func TestDemoKeysAt80x24(t *testing.T) {
	bin := vigilBinary(t)
	tm := newTerm(t, 80, 24, t.TempDir(), "TERM=xterm-256color")
	tm.line("exec " + bin + " demo")
	s := tm.waitFor(20*time.Second, "DEMO", "checkout", "checkout-availability", "BUDGET")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 24 {
		t.Errorf("%d lines on a 24-line screen", len(lines))
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d cells on an 80-column screen: %q", n, l)
		}
	}

	tm.keys("2", "g", "Enter")
	tm.waitFor(5*time.Second, "BURN-RATE CONDITIONS", "QUERIES")
	tm.keys("Escape")
	tm.waitGone(5*time.Second, "BURN-RATE CONDITIONS")

	tm.keys("f")
	tm.waitFor(5*time.Second, "FROZEN")
	tm.keys("f")
	tm.waitGone(5*time.Second, "FROZEN")

	tm.keys("1", "z")
	s = tm.waitFor(5*time.Second, "ZOOM")
	if strings.Contains(s, "checkout-availability") {
		t.Errorf("zoomed on the signals pane, the SLO pane should be hidden:\n%s", s)
	}
	tm.keys("z")
	tm.waitFor(5*time.Second, "checkout-availability")
	tm.keys("q")
}

// TestHangingSourceNeverFreezesTheScreen points vigil at a server that accepts
// connections and never answers: keys must still work while the poll hangs, and the
// badge must then say it timed out.
func TestHangingSourceNeverFreezesTheScreen(t *testing.T) {
	bin := vigilBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() { // accept and hold every connection, answering nothing
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()

	dir := t.TempDir()
	cfg := fmt.Sprintf("refresh: 3s\ntimeout: 3s\nprometheus:\n  - name: hung\n    url: http://%s\nservices:\n  - name: api\n    traffic: sum(rate(http_requests_total{job=\"api\"}[1m]))\n", l.Addr())
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, 100, 30, dir, "TERM=xterm-256color")
	tm.line("exec " + bin + " --config config.yaml")
	tm.waitFor(10*time.Second, "hung", "api")

	// The first poll is still hanging: the screen must answer keys at once.
	start := time.Now()
	tm.keys("?")
	tm.waitFor(2*time.Second, "MARKERS")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("help took %s to open while a poll hung", d)
	}
	tm.keys("Escape")
	tm.waitGone(2*time.Second, "MARKERS")

	tm.waitFor(15*time.Second, "timeout after 3s")
	tm.keys("q")
}
