package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources/sim"
)

// BenchmarkFirstFrame1000Pages is the time from starting the real binary in tmux to
// its first frame listing 1,000 open incidents read from the PagerDuty simulator (ten
// pages of 100). tmux is asked for the screen every 5 ms, so the figure is that much
// coarse. Run it with -benchtime 3x.
func BenchmarkFirstFrame1000Pages(b *testing.B) {
	bin := vigilBinary(b)
	pd := sim.NewPagerDuty(time.Now)
	pd.AddUser(sim.PDUser{ID: "PADA", Name: "Ada", Email: "ada@example.com"})
	pd.AddEscalationPolicy(sim.PDEscalationPolicy{ID: "PEP", Name: "prod", Levels: 1})
	pd.AddService(sim.PDService{ID: "PSVC", Name: "checkout", EscalationPolicyID: "PEP"})
	for i := range 1000 {
		if _, err := pd.AddIncident(sim.PDIncident{Title: fmt.Sprintf("incident %d", i), ServiceID: "PSVC",
			CreatedAt: time.Now().Add(-time.Duration(i) * time.Minute), Assignees: []string{"PADA"}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := pd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pd.Close() })
	dir := b.TempDir()
	cfg := "refresh: 30s\ntimeout: 10s\npagerduty:\n  token_env: PD_BENCH_TOKEN\n  read_only: true\n  url: " + pd.URL() +
		"\n  scope: account\n  requests_per_minute: 120\n"
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for b.Loop() {
		tm := newTerm(b, 160, 40, dir, "TERM=xterm-256color", "PD_BENCH_TOKEN=bench")
		start := time.Now()
		tm.line(bin + " --config vigil.yaml")
		deadline := start.Add(30 * time.Second)
		for !strings.Contains(tm.screen(), "3 PAGES 1-") && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if !strings.Contains(tm.screen(), "3 PAGES 1-") {
			b.Fatalf("no pages after 30 s:\n%s", tm.screen())
		}
		total += time.Since(start)
		tm.keys("q")
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-frame")
}

// BenchmarkFirstFrame10000Alerts is the time from starting the real binary in tmux to
// its first frame triaging 10,000 alerts held by a real Alertmanager (60 alertnames
// over 100 services, an instance each, a seventh silenced, severities mixed), and the
// binary's peak RSS (VmHWM) then and after two more polls; then the same with the
// Alertmanager's answers recorded and replayed at once. tmux is asked for the screen
// every 5 ms. Run it with -benchtime 3x.
func BenchmarkFirstFrame10000Alerts(b *testing.B) {
	bin := vigilBinary(b)
	am := testservers.Alertmanager(b, testservers.AMOptions{})
	if am == nil {
		return
	}
	severities := []string{"critical", "warning", "warning", "info", "warning"}
	batch := make([]testservers.PushAlert, 0, 1000)
	for i := range 10000 {
		batch = append(batch, testservers.PushAlert{
			Labels: map[string]string{
				"alertname": fmt.Sprintf("Alert%02d", i%60), "service": fmt.Sprintf("svc-%03d", i%100),
				"instance": fmt.Sprintf("10.0.%d.%d:9100", i/250, i%250), "severity": severities[i%len(severities)],
				"team": "team-" + strconv.Itoa(i%7),
			},
			Annotations: map[string]string{"summary": fmt.Sprintf("something is wrong on instance %d", i),
				"runbook_url": "https://runbooks.example.com/alert" + strconv.Itoa(i%60)},
			StartsAt:     time.Now().Add(-time.Duration(i) * time.Second),
			GeneratorURL: "http://127.0.0.1:9090/graph?g0.expr=up",
		})
		if len(batch) == cap(batch) {
			am.Push(b, batch...)
			batch = batch[:0]
		}
	}
	am.Silence(b, map[string]string{"team": "team-3"}, "team 3 maintenance")
	if n := am.AlertCount(b); n != 10000 {
		b.Fatalf("the Alertmanager holds %d alerts, want 10000", n)
	}
	// The same answers, recorded and served at once: what vigil itself spends,
	// without Alertmanager's 200-300 ms of building them.
	recorded := map[string][]byte{}
	for _, path := range []string{"/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true", "/api/v2/silences"} {
		resp, err := http.Get(am.URL() + path)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		recorded[strings.Split(path, "?")[0]] = body
	}
	replay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(recorded[r.URL.Path])
	}))
	b.Cleanup(replay.Close)

	for _, c := range []struct{ name, url string }{{"alertmanager", am.URL()}, {"recorded-answer", replay.URL}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			cfg := "refresh: 5s\ntimeout: 5s\nalertmanager:\n  - name: am\n    url: " + c.url + "\n"
			if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
				b.Fatal(err)
			}
			firstFrame(b, bin, dir)
		})
	}
}

// firstFrame times the binary from its start in tmux to a frame with the triaged
// alerts, and reads its peak RSS then and two polls later.
func firstFrame(b *testing.B, bin, dir string) {
	var total time.Duration
	var firstHWM, laterHWM int
	for b.Loop() {
		tm := newTerm(b, 160, 40, dir, "TERM=xterm-256color")
		start := time.Now()
		tm.line(bin + " --config vigil.yaml")
		deadline := start.Add(30 * time.Second)
		for !strings.Contains(tm.screen(), "silenced ") && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		elapsed := time.Since(start)
		if s := tm.screen(); !strings.Contains(s, "silenced ") || !strings.Contains(s, "Alert") {
			b.Fatalf("no triaged alerts after 30 s:\n%s", s)
		}
		total += elapsed
		pid := tm.childPID()
		firstHWM = max(firstHWM, peakRSS(b, pid))
		time.Sleep(11 * time.Second) // two more polls
		laterHWM = max(laterHWM, peakRSS(b, pid))
		tm.keys("q")
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-frame")
	b.ReportMetric(float64(firstHWM)/1024, "MiB-peak-rss-first-frame")
	b.ReportMetric(float64(laterHWM)/1024, "MiB-peak-rss-after-3-polls")
}

// childPID is the process the pane's shell is running (the binary typed into it).
func (tm *term) childPID() int {
	tm.t.Helper()
	shell := strings.TrimSpace(tm.tmux("list-panes", "-t", tm.name, "-F", "#{pane_pid}"))
	out, err := os.ReadFile("/proc/" + shell + "/task/" + shell + "/children")
	if err != nil {
		tm.t.Fatalf("children of the pane's shell %s: %v", shell, err)
	}
	f := strings.Fields(string(out))
	if len(f) != 1 {
		tm.t.Fatalf("the pane's shell %s runs %q, want one process", shell, out)
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		tm.t.Fatal(err)
	}
	return pid
}

// peakRSS is a process's peak resident set (VmHWM) in KiB.
func peakRSS(tb testing.TB, pid int) int {
	tb.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for l := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				tb.Fatal(err)
			}
			return kb
		}
	}
	tb.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
