package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
