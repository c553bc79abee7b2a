package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources/sim"
)

// TestSnapshotPagesAgainstTheSimulator: `vigil snapshot --format json` fills pages[],
// on_call[] and the page items of actionable[] from PagerDuty's state.
func TestSnapshotPagesAgainstTheSimulator(t *testing.T) {
	sc := sim.DemoScenario(time.Now())
	pd := sim.DemoPagerDuty(sc, time.Now)
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pd.Close() })
	t.Setenv("PD_SNAPSHOT_TOKEN", "snapshot-token-canary")
	cfg := "refresh: 5s\ntimeout: 5s\npagerduty:\n  token_env: PD_SNAPSHOT_TOKEN\n  read_only: true\n  url: " + pd.URL() +
		"\n  user_id: " + sim.DemoPagerDutyUserID + "\n  escalation_policies: [" + sim.DemoPagerDutyPolicyID + "]\n  scope: account\n"
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	if err := Snapshot(context.Background(), &out, SnapshotOptions{ConfigPath: path, Format: "json", Stderr: &stderr}); err != nil {
		t.Fatalf("snapshot: %v\n%s", err, stderr.String())
	}
	if strings.Contains(out.String()+stderr.String(), "snapshot-token-canary") {
		t.Fatal("the token reached the output")
	}
	var doc struct {
		Pages []struct {
			ID, Title, Status, Urgency, Service, URL string
			Number                                   int
			Assignees                                []string
			CreatedAt                                time.Time `json:"created_at"`
		} `json:"pages"`
		OnCall []struct {
			Policy, Person string
			Level          int
		} `json:"on_call"`
		Actionable []struct {
			Kind, ID, Severity, Status string
		} `json:"actionable"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	state := pd.Incidents()
	open := 0
	for _, in := range state {
		if in.Status == "triggered" || in.Status == "acknowledged" {
			open++
		}
	}
	if len(doc.Pages) != open || open < 3 {
		t.Fatalf("pages %d, the simulator has %d open: %+v", len(doc.Pages), open, doc.Pages)
	}
	first := doc.Pages[0]
	if first.Status != "triggered" || first.Urgency != "high" || first.Service != "checkout" || first.Number == 0 || first.URL == "" {
		t.Errorf("first page = %+v, want checkout's triggered high-urgency page", first)
	}
	pages := 0
	for _, it := range doc.Actionable {
		if it.Kind == "page" {
			pages++
		}
	}
	if pages != open || doc.Actionable[0].Kind != "page" || doc.Actionable[0].ID != first.ID {
		t.Errorf("actionable = %+v", doc.Actionable)
	}
	if len(doc.OnCall) != 2 || doc.OnCall[0].Level != 1 || doc.OnCall[0].Person == "" {
		t.Errorf("on call = %+v", doc.OnCall)
	}
}
