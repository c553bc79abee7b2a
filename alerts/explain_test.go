package alerts

import (
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

func TestExplain(t *testing.T) {
	held := alert("h", "alertname", "JustNow")
	held.StartsAt = t0.Add(-30 * time.Second)
	flappy := alert("f", "alertname", "Flappy", "severity", "critical")
	flappy.Episodes = 6
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{
		held, flappy, alert("w1", "alertname", "Slow", "service", "api"), alert("w2", "alertname", "Slow", "service", "api"),
	}})
	pd := &sources.PagesData{Incidents: []sources.Incident{{ID: "P1", Number: 3, Title: "[FIRING:1] Slow api",
		Status: "acknowledged", Urgency: "high", CreatedAt: t0}}}
	b := Build(snap, Rules{}, t0)
	got := map[string]string{}
	for _, it := range append(b.Actionable, b.Hidden...) {
		got[it.ID] = Explain(it)
	}
	want := map[string]string{
		"h": "hidden: held — started 30s ago; held until 2m old (triage.hold)",
		`{alertname="Flappy"}`: "shown: critical alert at or above triage.min_severity, firing; not silenced or inhibited everywhere, " +
			"not a heartbeat, no triage.hide rule; flapping, but a critical alert is never hidden for that",
		`{alertname="Slow",service="api"}`: "shown: warning alert at or above triage.min_severity, firing; not silenced or " +
			`inhibited everywhere, not a heartbeat, no triage.hide rule; older than triage.hold; 2 alerts grouped by triage.group_by {alertname="Slow",service="api"}`,
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s:\n got %q\nwant %q", id, got[id], w)
		}
	}

	snap.Sources = append(snap.Sources, sources.SourceState{
		Health: sources.Health{Name: "pd", OK: true, Polled: true}, Last: &sources.Update{Data: sources.Data{Pages: pd}}})
	b = Build(snap, Rules{}, t0)
	page := b.Actionable[1] // after the critical alert, before the warnings
	if got, w := Explain(page), "shown: open PagerDuty page, acknowledged, high urgency: pages are never hidden; "+
		"2 alerts it carries folded in"; page.ID != "P1" || got != w {
		t.Errorf("page %s:\n got %q\nwant %q", page.ID, got, w)
	}
}
