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
	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources/alertmanager"
)

// TestSnapshotTriagesAlertmanagerAlerts runs `vigil snapshot` against two real,
// unclustered Alertmanagers: a critical alert is actionable and names both, a
// heartbeat and a silenced alert are hidden with their reasons, a user rule hides
// with its words, and `check` counts what each holds.
func TestSnapshotTriagesAlertmanagerAlerts(t *testing.T) {
	am1 := testservers.Alertmanager(t, testservers.AMOptions{})
	am2 := testservers.Alertmanager(t, testservers.AMOptions{})
	old := time.Now().Add(-10 * time.Minute) // older than the 2m hold
	push := []testservers.PushAlert{
		{Labels: map[string]string{"alertname": "CheckoutDown", "service": "checkout", "severity": "critical"}, StartsAt: old},
		{Labels: map[string]string{"alertname": "Watchdog", "severity": "none"}, StartsAt: old},
		{Labels: map[string]string{"alertname": "DiskFull", "service": "db", "severity": "warning"}, StartsAt: old},
		{Labels: map[string]string{"alertname": "NoisyBatch", "service": "batch", "severity": "warning"}, StartsAt: old},
	}
	am1.Push(t, push...)
	am2.Push(t, push...)
	id1 := am1.Silence(t, map[string]string{"alertname": "DiskFull"}, "disk swap under way")
	am2.Silence(t, map[string]string{"alertname": "DiskFull"}, "disk swap under way")

	cfg := "refresh: 10s\ntimeout: 10s\nalertmanager:\n  - name: am-1\n    url: " + am1.URL() + "\n  - name: am-2\n    url: " + am2.URL() +
		"\ntriage:\n  hide:\n    - match: '{service=\"batch\"}'\n      reason: batch jobs page nobody\n"
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var doc struct {
		Actionable []struct {
			Kind, ID, Title, Severity string
			Count                     int
			Members                   []string
			Alertmanagers             []string
		} `json:"actionable"`
		Hidden []struct {
			Title, Reason string
			ReasonDetail  string `json:"reason_detail"`
		} `json:"hidden"`
		HiddenCounts map[string]int `json:"hidden_counts"`
	}
	// Alertmanager takes a moment to mark the silenced alert; poll until it has.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var out, stderr bytes.Buffer
		if err := Snapshot(ctx, &out, SnapshotOptions{ConfigPath: path, Format: "json", Stderr: &stderr}); err != nil {
			t.Fatalf("snapshot: %v\n%s", err, stderr.String())
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.HiddenCounts["silenced"] == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(doc.Actionable) != 1 || doc.Actionable[0].Title != "CheckoutDown" || doc.Actionable[0].Severity != "critical" ||
		len(doc.Actionable[0].Members) != 1 || len(doc.Actionable[0].Alertmanagers) != 2 {
		t.Errorf("actionable = %+v, want CheckoutDown alone, from both Alertmanagers", doc.Actionable)
	}
	reasons := map[string]string{}
	for _, h := range doc.Hidden {
		reasons[h.Title] = h.Reason + ": " + h.ReasonDetail
	}
	for title, want := range map[string]string{"Watchdog": "heartbeat", "DiskFull": "silenced", "NoisyBatch": "rule"} {
		if !strings.HasPrefix(reasons[title], want) {
			t.Errorf("%s hidden as %q, want %s", title, reasons[title], want)
		}
	}
	if !strings.Contains(reasons["DiskFull"], id1) || !strings.Contains(reasons["NoisyBatch"], "batch jobs page nobody") {
		t.Errorf("details: %v", reasons)
	}

	var out strings.Builder
	if err := Check(ctx, &out, path); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "alertmanager am-1, am-2: ok (4 alerts, 2 silences)") {
		t.Errorf("check output:\n%s", out.String())
	}
}

// TestSilenceActionsReachEveryAlertmanager: a silence made from the dashboard's form
// text is held by both Alertmanagers, and expiring it ends it on both.
func TestSilenceActionsReachEveryAlertmanager(t *testing.T) {
	am1, am2, group, acts := silencePair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := acts.CreateSilence(ctx, `{alertname="CheckoutDown",service=~"check.*"}`, time.Hour, "ada@example.com", "deploy"); err != nil {
		t.Fatal(err)
	}
	data, err := group.Poll(ctx, time.Now())
	if err != nil || data.Alerts == nil || len(data.Alerts.Silences) != 1 || len(data.Alerts.Silences[0].IDs) != 2 {
		t.Fatalf("silences after create: %+v, %v (one silence, a copy with its own ID in each unclustered Alertmanager)", data.Alerts, err)
	}
	if len(am1.AmtoolSilenceIDs(t)) != 1 || len(am2.AmtoolSilenceIDs(t)) != 1 {
		t.Errorf("amtool silence query: am-1 %v, am-2 %v, want one each", am1.AmtoolSilenceIDs(t), am2.AmtoolSilenceIDs(t))
	}
	for _, s := range data.Alerts.Silences {
		if s.State != "active" || s.CreatedBy != "ada@example.com" || s.Comment != "deploy" || len(s.Matchers) != 2 {
			t.Errorf("silence = %+v", s)
		}
		for _, id := range s.IDs {
			if err := acts.ExpireSilence(ctx, id); err != nil {
				t.Errorf("expire %s: %v", id, err)
			}
		}
	}
	if ids := append(am1.AmtoolSilenceIDs(t), am2.AmtoolSilenceIDs(t)...); len(ids) != 0 {
		t.Errorf("amtool still lists active silences after expire: %v", ids)
	}
	data, err = group.Poll(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range data.Alerts.Silences {
		if s.State != "expired" {
			t.Errorf("after expire: %+v", s)
		}
	}
	if err := acts.CreateSilence(ctx, `{alertname=~"("}`, time.Hour, "ada", "bad"); err == nil {
		t.Error("a bad matcher was posted")
	}
}

// A silence that reaches one Alertmanager of two says where it was made and where not,
// and asked again reaches only the one it missed: no second copy where it took.
func TestPartlyMadeSilenceIsRetriedWhereItFailed(t *testing.T) {
	am1, am2, _, acts := silencePair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	am2.Stop()
	err := acts.CreateSilence(ctx, `{alertname="DBDown"}`, time.Hour, "ada@example.com", "db maintenance")
	if err == nil || !strings.Contains(err.Error(), "silence made on am-1 (") || !strings.Contains(err.Error(), "but not on am-2") ||
		!strings.Contains(err.Error(), "asks only am-2") {
		t.Fatalf("with am-2 down: %v", err)
	}
	am2.Start()
	if err := acts.CreateSilence(ctx, `{alertname="DBDown"}`, time.Hour, "ada@example.com", "db maintenance"); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if a, b := am1.AmtoolSilenceIDs(t), am2.AmtoolSilenceIDs(t); len(a) != 1 || len(b) != 1 {
		t.Errorf("after the retry am-1 holds %v and am-2 %v, want one each", a, b)
	}
	// Once made everywhere, the same silence asked again is a new one, everywhere.
	if err := acts.CreateSilence(ctx, `{alertname="DBDown"}`, time.Hour, "ada@example.com", "db maintenance"); err != nil {
		t.Fatal(err)
	}
	if a, b := am1.AmtoolSilenceIDs(t), am2.AmtoolSilenceIDs(t); len(a) != 2 || len(b) != 2 {
		t.Errorf("a new silence: am-1 holds %v and am-2 %v, want two each", a, b)
	}
}

// silencePair is two real, unclustered Alertmanagers (am-1, am-2), the source over
// them as the config makes it, and the dashboard's silence writes.
func silencePair(t *testing.T) (am1, am2 *testservers.AMServer, group *alertmanager.Group, acts *silenceActions) {
	t.Helper()
	am1 = testservers.Alertmanager(t, testservers.AMOptions{})
	am2 = testservers.Alertmanager(t, testservers.AMOptions{})
	cfg := "alertmanager:\n  - name: am-1\n    url: " + am1.URL() + "\n  - name: am-2\n    url: " + am2.URL() + "\n"
	c, err := config.Parse("vigil.yaml", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	group, _, err = alertSources(c)
	if err != nil {
		t.Fatal(err)
	}
	return am1, am2, group, newSilenceActions(group)
}
