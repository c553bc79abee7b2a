package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources/sim"
)

// TestSnapshotJoinsPageAndAlerts runs `vigil snapshot` against a real Alertmanager
// and the PagerDuty simulator. The incident's one PagerDuty alert is what
// Alertmanager's PagerDuty integration sends for a group of three firing alerts: the
// page's row carries the two of them Alertmanager shows active (members, count), and
// no alert group row repeats them; the third is silenced and stays hidden though the
// page names it; an alert the page does not name keeps its own group. The page's
// acknowledgement times out, and pages[] says when.
func TestSnapshotJoinsPageAndAlerts(t *testing.T) {
	am := testservers.Alertmanager(t, testservers.AMOptions{})
	old := time.Now().Add(-10 * time.Minute) // older than the 2m hold
	latency := func(pod string) map[string]string {
		return map[string]string{"alertname": "HighLatency", "service": "checkout", "severity": "critical", "pod": pod}
	}
	var push []testservers.PushAlert
	for _, pod := range []string{"a", "b", "c", "d"} {
		push = append(push, testservers.PushAlert{Labels: latency(pod), Annotations: map[string]string{"summary": "p99 over 300ms"}, StartsAt: old})
	}
	am.Push(t, push...)
	silence := am.Silence(t, map[string]string{"alertname": "HighLatency", "pod": "c"}, "pod c is being drained")

	pd := sim.NewPagerDuty(time.Now)
	pd.AddUser(sim.PDUser{ID: "PADA", Name: "Ada Lovelace", Email: "ada@example.com"})
	pd.AddEscalationPolicy(sim.PDEscalationPolicy{ID: "PEP1", Name: "Checkout", Levels: 1})
	pd.AddService(sim.PDService{ID: "PCHK", Name: "checkout", EscalationPolicyID: "PEP1", AckTimeout: 20 * time.Minute})
	var firing []sim.FiringAlert
	for _, pod := range []string{"a", "b", "c"} { // not d
		firing = append(firing, sim.FiringAlert{Labels: latency(pod), Annotations: map[string]string{"summary": "p99 over 300ms"},
			GeneratorURL: "http://prometheus:9090/graph"})
	}
	acked := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	id, err := pd.AddIncident(sim.PDIncident{
		// Not Alertmanager's default subject: only the alert details can join it.
		Title: "checkout is slow", ServiceID: "PCHK", Status: "acknowledged", Assignees: []string{"PADA"}, CreatedAt: acked,
		Alerts: []sim.PDAlert{sim.AlertmanagerAlert("[FIRING:3] HighLatency checkout (critical)", "critical", firing...)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pd.Close() })

	t.Setenv("PD_JOIN_TOKEN", "join-token")
	cfg := "refresh: 10s\ntimeout: 10s\nalertmanager:\n  - name: am\n    url: " + am.URL() +
		"\npagerduty:\n  token_env: PD_JOIN_TOKEN\n  read_only: true\n  scope: account\n  url: " + pd.URL() + "\n"
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	type item struct {
		Kind, ID, Reason string
		Count            int
		Members          []string
	}
	var doc struct {
		Pages []struct {
			ID          string
			AckLapsesAt *time.Time `json:"ack_lapses_at"`
		} `json:"pages"`
		Actionable   []item         `json:"actionable"`
		Hidden       []item         `json:"hidden"`
		HiddenCounts map[string]int `json:"hidden_counts"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Alertmanager takes a moment to mark the silenced alert; poll until it has.
	for deadline := time.Now().Add(15 * time.Second); ; {
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

	fp := func(pod string) string {
		ls := model.LabelSet{}
		for k, v := range latency(pod) {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		return ls.Fingerprint().String()
	}
	var page, group *item
	for i, it := range doc.Actionable {
		switch {
		case it.Kind == "page" && it.ID == id:
			page = &doc.Actionable[i]
		case it.Kind == "alert":
			if group != nil {
				t.Errorf("a second alert row: %+v", it)
			}
			group = &doc.Actionable[i]
		}
	}
	if page == nil || group == nil {
		t.Fatalf("actionable = %+v, want the page and one alert group", doc.Actionable)
	}
	want := []string{fp("a"), fp("b")}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(page.Members))
	if page.Count != 2 || !slices.Equal(got, want) {
		t.Errorf("page row: count %d, members %v; want 2, %v (pods a and b)", page.Count, page.Members, want)
	}
	if group.Count != 1 || !slices.Equal(group.Members, []string{fp("d")}) {
		t.Errorf("group row %+v: want pod d alone, the alert the page does not name", group)
	}
	if len(doc.Hidden) != 1 || doc.Hidden[0].ID != fp("c") || doc.Hidden[0].Reason != "silenced" {
		t.Errorf("hidden %+v: want pod c, silenced (%s), though the page names it", doc.Hidden, silence)
	}
	if len(doc.Pages) != 1 || doc.Pages[0].AckLapsesAt == nil || !doc.Pages[0].AckLapsesAt.Equal(acked.Add(20*time.Minute)) {
		t.Errorf("pages %+v: want the acknowledgement to lapse at %s", doc.Pages, acked.Add(20*time.Minute))
	}
	t.Logf("page %+v; group %+v; hidden %+v", *page, *group, doc.Hidden)
	var asked bool
	for _, r := range pd.Requests() {
		asked = asked || r.Path == "/incidents/"+id+"/alerts"
	}
	if !asked {
		t.Error("the incident's alerts were never read")
	}
}
