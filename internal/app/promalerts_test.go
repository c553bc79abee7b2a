package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// triageRules is a rule file evaluated every second: alerts that fire at once (for:
// 0s), one pending for an hour, a heartbeat, and one alertname firing for two clusters.
const triageRulesFile = `groups:
  - name: vigil
    rules:
      - alert: CheckoutDown
        expr: vector(1)
        labels: {severity: critical, service: checkout}
      - alert: LongPending
        expr: vector(1)
        for: 1h
        labels: {severity: critical, service: api}
      - alert: Watchdog
        expr: vector(1)
        labels: {severity: none}
      - alert: DiskLow
        expr: vector(1)
        labels: {severity: warning, service: db}
      - alert: StagingDown
        expr: vector(1)
        labels: {severity: critical, service: web, env: staging}
      - alert: QueueStuck
        expr: vector(1)
        labels: {priority: P0, service: queue}
      - alert: NightlyReport
        expr: vector(1)
        labels: {priority: P5, service: reports}
      - alert: NodeDown
        expr: label_replace(vector(1), "cluster", "eu", "", "") or label_replace(vector(1), "cluster", "us", "", "")
        labels: {severity: critical, service: infra}
`

// snapshotDoc is the part of the snapshot JSON these tests read.
type snapshotDoc struct {
	Sources []struct {
		Name, Kind string
		OK         bool
	} `json:"sources"`
	Actionable []struct {
		Kind, ID, Title, Severity string
		Count                     int
		Members                   []string
		Alertmanagers             []string
	} `json:"actionable"`
	Hidden []struct {
		ID, Title, Severity, Reason string
		ReasonDetail                string `json:"reason_detail"`
		Alertmanagers               []string
	} `json:"hidden"`
	HiddenCounts map[string]int `json:"hidden_counts"`
}

// hiddenAs is every hidden alert as "title: reason: detail".
func (d *snapshotDoc) hiddenAs() map[string]string {
	out := map[string]string{}
	for _, h := range d.Hidden {
		out[h.Title] = h.Reason + ": " + h.ReasonDetail
	}
	return out
}

// rows is every actionable row as "id severity count".
func (d *snapshotDoc) rows() []string {
	var out []string
	for _, a := range d.Actionable {
		out = append(out, a.ID+" "+a.Severity+" "+strings.Repeat("+", a.Count))
	}
	slices.Sort(out)
	return out
}

// writeConfig writes a config file for one test and returns its path.
func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// snapshotUntil runs `vigil snapshot` on the config at path until done says the
// document is what the test waits for, or the deadline passes; it returns the last.
func snapshotUntil(t *testing.T, path string, wait time.Duration, done func(*snapshotDoc) bool) *snapshotDoc {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var out, stderr bytes.Buffer
		err := Snapshot(ctx, &out, SnapshotOptions{ConfigPath: path, Format: "json", Stderr: &stderr})
		cancel()
		if err != nil {
			t.Fatalf("snapshot: %v\n%s", err, stderr.String())
		}
		doc := &snapshotDoc{}
		if err := json.Unmarshal(out.Bytes(), doc); err != nil {
			t.Fatal(err)
		}
		if done(doc) || time.Now().After(deadline) {
			return doc
		}
		time.Sleep(time.Second)
	}
}

// everyRuleIn: every rule of triageRulesFile has been evaluated (nine alerts: NodeDown
// is two).
func everyRuleIn(d *snapshotDoc) bool {
	n := len(d.Hidden)
	for _, a := range d.Actionable {
		n += len(a.Members)
	}
	return n == 9
}

// TestPrometheusAlertsByDefault: with no Alertmanager configured, the Prometheus's own
// alerts are read, with a source row of their own and a check line. A pending alert is
// hidden as pending, a heartbeat as heartbeat, a fresh warning is held by the default
// 2m hold, and a critical alert is actionable at once.
func TestPrometheusAlertsByDefault(t *testing.T) {
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: triageRulesFile})
	path := writeConfig(t, "refresh: 10s\ntimeout: 10s\nprometheus:\n  - name: prom\n    url: "+p.URL()+"\n")
	doc := snapshotUntil(t, path, 30*time.Second, everyRuleIn)

	var rows []string
	for _, s := range doc.Sources {
		rows = append(rows, s.Name+" "+s.Kind+" "+map[bool]string{true: "ok", false: "FAIL"}[s.OK])
	}
	if want := []string{"prom prometheus ok", "prom alerts prometheus-alerts ok"}; !slices.Equal(rows, want) {
		t.Errorf("sources = %v, want %v", rows, want)
	}
	hidden := doc.hiddenAs()
	for title, want := range map[string]string{
		"LongPending":   "pending: pending in Prometheus: not firing yet",
		"Watchdog":      `heartbeat: alertname "Watchdog" is a heartbeat (triage.heartbeats)`,
		"DiskLow":       "held: started ",
		"NightlyReport": "held: started ", // no severity label: a warning, held
		"QueueStuck":    "held: started ",
	} {
		if !strings.HasPrefix(hidden[title], want) {
			t.Errorf("%s hidden as %q, want %q...", title, hidden[title], want)
		}
	}
	if len(doc.Hidden) != 5 {
		t.Errorf("hidden = %v, want the 5 above", hidden)
	}
	want := []string{
		`{alertname="CheckoutDown",service="checkout"} critical +`,
		`{alertname="NodeDown",service="infra"} critical ++`,
		`{alertname="StagingDown",service="web"} critical +`,
	}
	if got := doc.rows(); !slices.Equal(got, want) {
		t.Errorf("actionable rows\n%v\nwant\n%v", got, want)
	}
	checkout := model.LabelSet{"alertname": "CheckoutDown", "severity": "critical", "service": "checkout"}.Fingerprint().String()
	for _, a := range doc.Actionable {
		if a.Title == "CheckoutDown" && !slices.Equal(a.Members, []string{checkout}) {
			t.Errorf("CheckoutDown members %v, want its label set's fingerprint %s", a.Members, checkout)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out strings.Builder
	if err := Check(ctx, &out, path); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "prometheus prom alerts: ok (8 firing, 1 pending)\n") {
		t.Errorf("check output:\n%s", out.String())
	}
}

// TestTriageSettingsTakeEffect: the user's hide rule, severity label and map, hold and
// group_by all change what the snapshot shows, against the same real alerts.
func TestTriageSettingsTakeEffect(t *testing.T) {
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: triageRulesFile})
	prom := "refresh: 10s\ntimeout: 10s\nprometheus:\n  - name: prom\n    url: " + p.URL() + "\n"

	t.Run("hide, severity_label, severity_map, hold", func(t *testing.T) {
		path := writeConfig(t, prom+`triage:
  hide:
    - match: '{env="staging"}'
      reason: staging pages nobody
  severity_label: priority
  severity_map: {p0: critical, P5: info}
  hold: 0s
`)
		doc := snapshotUntil(t, path, 30*time.Second, everyRuleIn)
		hidden := doc.hiddenAs()
		for title, want := range map[string]string{
			"StagingDown":   `rule: triage.hide[0] {env="staging"}: staging pages nobody`,
			"NightlyReport": "severity: severity info is below triage.min_severity warning",
			"LongPending":   "pending: pending in Prometheus: not firing yet",
			"Watchdog":      `heartbeat: alertname "Watchdog" is a heartbeat (triage.heartbeats)`,
		} {
			if hidden[title] != want {
				t.Errorf("%s hidden as %q, want %q", title, hidden[title], want)
			}
		}
		if len(doc.Hidden) != 4 {
			t.Errorf("hidden = %v, want the 4 above", hidden)
		}
		// Severity is read from priority: QueueStuck's P0 is critical (the map's key
		// is case-insensitive); the alerts without a priority label are warnings, and
		// with hold 0s none is held.
		want := []string{
			`{alertname="CheckoutDown",service="checkout"} warning +`,
			`{alertname="DiskLow",service="db"} warning +`,
			`{alertname="NodeDown",service="infra"} warning ++`,
			`{alertname="QueueStuck",service="queue"} critical +`,
		}
		if got := doc.rows(); !slices.Equal(got, want) {
			t.Errorf("actionable rows\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("group_by", func(t *testing.T) {
		path := writeConfig(t, prom+"triage:\n  group_by: [alertname, cluster]\n  heartbeats: []\n")
		doc := snapshotUntil(t, path, 30*time.Second, everyRuleIn)
		// NodeDown is one row per cluster; an alert without the cluster label is keyed
		// by its alertname alone. heartbeats: [] makes Watchdog an alert like any
		// other (its severity none is info, below the default min_severity).
		want := []string{
			`{alertname="CheckoutDown"} critical +`,
			`{alertname="NodeDown",cluster="eu"} critical +`,
			`{alertname="NodeDown",cluster="us"} critical +`,
			`{alertname="StagingDown"} critical +`,
		}
		if got := doc.rows(); !slices.Equal(got, want) {
			t.Errorf("actionable rows\n%v\nwant\n%v", got, want)
		}
		if got := doc.hiddenAs()["Watchdog"]; got != "severity: severity info is below triage.min_severity warning" {
			t.Errorf("Watchdog with no heartbeats: %q", got)
		}
	})
}

// TestPrometheusAlertsFlapping: an alert that fires for 20 seconds in every 40 is
// hidden as flapping once Prometheus's history holds 3 firing episodes, the number
// configured, read from ALERTS_FOR_STATE on the first poll of a fresh process.
func TestPrometheusAlertsFlapping(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: `groups:
  - name: flapping
    rules:
      - alert: Flappy
        expr: (vector(time()) % 40) < 20
        labels: {severity: warning, service: batch}
`})
	path := writeConfig(t, "refresh: 10s\ntimeout: 10s\nprometheus:\n  - name: prom\n    url: "+p.URL()+
		"\ntriage:\n  flapping: {episodes: 3, window: 10m}\n")
	const want = "flapping: 3 firing episodes in 10m (triage.flapping.episodes 3)"
	// Three episodes take at most 20s (to the first) and 2×40s: 150s is room enough.
	doc := snapshotUntil(t, path, 150*time.Second, func(d *snapshotDoc) bool {
		return d.hiddenAs()["Flappy"] == want
	})
	if got := doc.hiddenAs()["Flappy"]; got != want {
		t.Fatalf("Flappy hidden as %q, want %q", got, want)
	}
	if len(doc.Actionable) != 0 || doc.HiddenCounts["flapping"] != 1 {
		t.Errorf("actionable %v, hidden counts %v", doc.Actionable, doc.HiddenCounts)
	}
}

// TestPrometheusAndAlertmanagerAlertsMerge: when a Prometheus's alerts are read beside
// an Alertmanager holding the same alert (alerts: true), the two fingerprints agree
// (the Prometheus's external labels included, as its notifier sends them) and the
// alert is one, Alertmanager's silence winning over Prometheus's "firing".
func TestPrometheusAndAlertmanagerAlertsMerge(t *testing.T) {
	p := testservers.Prometheus(t, testservers.PromOptions{Rules: triageRulesFile, ExternalLabels: map[string]string{"cluster": "eu"}})
	am := testservers.Alertmanager(t, testservers.AMOptions{})
	// The label sets Prometheus evaluates plus its external labels, as its notifier
	// would send them.
	am.Push(t,
		testservers.PushAlert{Labels: map[string]string{"alertname": "CheckoutDown", "severity": "critical", "service": "checkout", "cluster": "eu"}},
		testservers.PushAlert{Labels: map[string]string{"alertname": "StagingDown", "severity": "critical", "service": "web", "env": "staging", "cluster": "eu"}},
	)
	id := am.Silence(t, map[string]string{"alertname": "StagingDown"}, "staging rebuild")
	path := writeConfig(t, "refresh: 10s\ntimeout: 10s\nprometheus:\n  - name: prom\n    url: "+p.URL()+
		"\n    alerts: true\nalertmanager:\n  - name: am\n    url: "+am.URL()+"\n")
	doc := snapshotUntil(t, path, 30*time.Second, func(d *snapshotDoc) bool {
		return everyRuleIn(d) && d.HiddenCounts["silenced"] == 1
	})
	if got := doc.hiddenAs()["StagingDown"]; !strings.HasPrefix(got, "silenced: ") || !strings.Contains(got, id) {
		t.Errorf("StagingDown hidden as %q, want silenced by %s", got, id)
	}
	n := 0
	for _, a := range doc.Actionable {
		n += len(a.Members)
		if a.Title == "CheckoutDown" && (a.Count != 1 || !slices.Equal(a.Alertmanagers, []string{"am"})) {
			t.Errorf("CheckoutDown = %+v, want one alert, named by am", a)
		}
		if a.Title == "StagingDown" {
			t.Errorf("StagingDown is actionable from Prometheus although Alertmanager silenced it")
		}
	}
	if n+len(doc.Hidden) != 9 {
		t.Errorf("%d actionable and %d hidden alerts, want the 9 Prometheus evaluates, each once", n, len(doc.Hidden))
	}
	var names []string
	for _, s := range doc.Sources {
		names = append(names, s.Name)
	}
	if want := []string{"prom", "am", "prom alerts"}; !slices.Equal(names, want) {
		t.Errorf("sources %v, want %v", names, want)
	}
}
