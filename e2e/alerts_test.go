package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// postAlert sends one firing alert to a real Alertmanager, as Prometheus does.
func postAlert(t *testing.T, amURL string, labels, annotations map[string]string, generator string) {
	t.Helper()
	body, err := json.Marshal([]map[string]any{{
		"labels": labels, "annotations": annotations, "generatorURL": generator,
		"startsAt": time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339),
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(amURL+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
	}
}

// TestAlertDetailAndBellInTmux runs the real binary against a real Alertmanager:
// the alerts pane shows the group's summary, enter opens its alerts with the
// runbook and the rule's address, esc closes it; what is open at start does not
// ring, a new critical alert does (a bell, which tmux flags on the window).
func TestAlertDetailAndBellInTmux(t *testing.T) {
	bin := vigilBinary(t)
	am := testservers.Alertmanager(t, testservers.AMOptions{})
	postAlert(t, am.URL(),
		map[string]string{"alertname": "HighLatency", "service": "checkout", "severity": "critical", "instance": "10.0.0.7:80"},
		map[string]string{"summary": "p99 latency above 2s", "runbook_url": "https://runbooks.example/HighLatency"},
		"http://127.0.0.1:9090/graph?g0.expr=up")

	dir := t.TempDir()
	cfg := fmt.Sprintf("refresh: 2s\ntimeout: 2s\nalertmanager:\n  - name: am-1\n    url: %s\n", am.URL())
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, 140, 40, dir, "TERM=xterm-256color")
	tm.tmux("set-option", "-g", "bell-action", "any")
	tm.line(bin + " --config vigil.yaml")
	tm.waitFor(20*time.Second, "ALERTS", "HighLatency", "p99 latency above 2s")

	bell := func() string {
		return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", tm.name, "#{window_bell_flag}"))
	}
	time.Sleep(3 * time.Second) // a few polls: the alert open at start must not ring
	if b := bell(); b != "0" {
		t.Fatalf("the alert open at start rang the bell (flag %q)", b)
	}

	focusPane(t, tm, "ALERTS") // the first pane: no services or SLOs are configured
	tm.keys("Enter")
	s := tm.waitFor(5*time.Second, "▸ ALERT !!CRIT  HighLatency", "runbook: https://runbooks.example/HighLatency",
		"source: http://127.0.0.1:9090/graph?g0.expr=up", "reported by am-1", "instance: 10.0.0.7:80")
	if !strings.Contains(s, "summary: p99 latency above 2s") {
		t.Errorf("the detail lacks the summary annotation:\n%s", s)
	}
	tm.keys("Escape")
	tm.waitGone(5*time.Second, "▸ ALERT !!CRIT")

	postAlert(t, am.URL(),
		map[string]string{"alertname": "DiskFull", "service": "db", "severity": "critical"},
		map[string]string{"summary": "disk 99% full"}, "")
	tm.waitFor(15*time.Second, "DiskFull", "disk 99% full")
	deadline := time.Now().Add(5 * time.Second)
	for bell() != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("a new critical alert did not ring the bell:\n%s", tm.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.keys("q")
}
