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

	"github.com/vigil-sre/vigil/internal/config"
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

// TestPagerDutyFromConfig: the config's pagerduty section becomes a source that polls
// its scope and maps services, honours --read-only, and says which token is missing
// without showing any.
func TestPagerDutyFromConfig(t *testing.T) {
	sc := sim.DemoScenario(time.Now())
	pd := sim.DemoPagerDuty(sc, time.Now)
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pd.Close() })
	t.Setenv("VIGIL_TEST_PD_TOKEN", "from-config-canary")
	yaml := "pagerduty:\n  token_env: VIGIL_TEST_PD_TOKEN\n  url: " + pd.URL() + "\n  from: " + sim.DemoPagerDutyFrom + "\n" +
		"  services: [" + sim.DemoPagerDutyServices["checkout"] + "]\n  user_id: " + sim.DemoPagerDutyUserID +
		"\n  service_map: {" + sim.DemoPagerDutyServices["checkout"] + ": shop}\nservices:\n  - name: shop\n"
	cfg, err := config.Parse("config.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	src, err := newPagerDuty(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := src.Poll(context.Background(), time.Now())
	if err != nil || d.Pages == nil {
		t.Fatalf("poll: %v", err)
	}
	for _, in := range d.Pages.Incidents {
		if in.Service != "shop" {
			t.Errorf("incident %s maps to %q, want shop (service_map)", in.ID, in.Service)
		}
	}
	if src.ReadOnly() || src.UserID() != sim.DemoPagerDutyUserID {
		t.Errorf("read-only %v, user %q", src.ReadOnly(), src.UserID())
	}
	if ro, err := newPagerDuty(cfg, true); err != nil || !ro.ReadOnly() {
		t.Errorf("--read-only: %v", err)
	}
	cfg.PagerDuty.TokenEnv = "VIGIL_TEST_PD_UNSET"
	_, err = newPagerDuty(cfg, false)
	if err == nil || !strings.Contains(err.Error(), "VIGIL_TEST_PD_UNSET") || strings.Contains(err.Error(), "from-config-canary") {
		t.Errorf("without a token: %v", err)
	}
}

func TestCheckPollsPagerDuty(t *testing.T) {
	sc := sim.DemoScenario(time.Now())
	pd := sim.DemoPagerDuty(sc, time.Now)
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pd.Close() })
	t.Setenv("PD_CHECK_TOKEN", "check-token-canary")
	cfg := "pagerduty:\n  token_env: PD_CHECK_TOKEN\n  from: " + sim.DemoPagerDutyFrom + "\n  url: " + pd.URL() + "\n  scope: account\n" +
		"  escalation_policies: [" + sim.DemoPagerDutyPolicyID + "]\n"
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Check(context.Background(), &out, path); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "pagerduty "+pd.URL()+": ok (") || !strings.Contains(out.String(), "writes as "+sim.DemoPagerDutyFrom) ||
		strings.Contains(out.String(), "check-token-canary") {
		t.Errorf("check output:\n%s", out.String())
	}
}
