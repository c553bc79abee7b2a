package alerts

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// firingSets are the label sets sources/pagerduty reads from two alerts' `firing`
// detail (its ParseFiring).
var firingSets = []map[string]string{
	{"alertname": "HighLatency", "instance": "a:9090", "service": "checkout"},
	{"alertname": "HighLatency", "instance": "b:9090", "service": "checkout"},
}

func TestSubjectTokens(t *testing.T) {
	cases := map[string][]string{
		"[FIRING:3] HighLatency checkout (prod warning)": {"HighLatency", "checkout", "prod", "warning"},
		"[FIRING:1] Watchdog":                            {"Watchdog"},
		"[FIRING:1] ":                                    nil,
		"[RESOLVED] HighLatency":                         nil,
		"Database is down":                               nil,
	}
	for title, want := range cases {
		if got := subjectTokens(title); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", title, got, want)
		}
	}
}

func TestPageJoin(t *testing.T) {
	pd := &sources.PagesData{Incidents: []sources.Incident{
		{ID: "PLBL", Number: 7, Title: "checkout latency", Status: "triggered", Urgency: "high", CreatedAt: t0.Add(-time.Minute),
			AlertLabels: firingSets, AlertsKnown: true},
		// Its alerts carried no label set (a custom template): joined by its title.
		{ID: "PSUBJ", Number: 8, Title: "[FIRING:2] DiskFull (db prod)", Status: "acknowledged", Urgency: "low", CreatedAt: t0,
			AlertsKnown: true},
	}}
	silencedA := alert("fp-silenced", "alertname", "HighLatency", "instance", "a:9090", "service", "checkout")
	silencedA.State, silencedA.SilencedBy = "suppressed", []string{"s1"}
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{
		silencedA, // named by the page, but a hidden reason wins
		alert("fp-b", "alertname", "HighLatency", "instance", "b:9090", "service", "checkout"),
		alert("fp-c", "alertname", "HighLatency", "instance", "c:9090", "service", "checkout"), // not in the page's sets
		alert("fp-d1", "alertname", "DiskFull", "team", "db", "env", "prod", "device", "sda"),
		alert("fp-d2", "alertname", "DiskFull", "team", "db", "env", "staging"), // the subject says prod
	}})
	snap.Sources = append(snap.Sources, sources.SourceState{
		Health: sources.Health{Name: "pd", OK: true, Polled: true, LastSuccess: t0},
		Last:   &sources.Update{Eval: t0, Data: sources.Data{Pages: pd}}})
	b := Build(snap, Rules{}, t0)

	rows := map[string]Item{}
	var order []string
	for _, it := range b.Actionable {
		rows[it.ID] = it
		order = append(order, it.ID)
	}
	if p := rows["PLBL"]; p.Count != 1 || !slices.Equal(p.Members, []string{"fp-b"}) {
		t.Errorf("the page carries the alert its details name, not the silenced one: %+v", p)
	}
	if p := rows["PSUBJ"]; p.Count != 1 || !slices.Equal(p.Members, []string{"fp-d1"}) {
		t.Errorf("joined by Alertmanager's subject: %+v", p)
	}
	want := []string{"PLBL", "PSUBJ", `{alertname="DiskFull"}`, `{alertname="HighLatency",service="checkout"}`}
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if g := rows[`{alertname="HighLatency",service="checkout"}`]; !slices.Equal(g.Members, []string{"fp-c"}) {
		t.Errorf("the alert no page names keeps its own row: %+v", g)
	}
	if len(b.Hidden) != 1 || b.Hidden[0].ID != "fp-silenced" {
		t.Errorf("hidden: %+v", b.Hidden)
	}
	for _, p := range b.Pages {
		if it := rows[p.ID]; len(p.Joined) != it.Count {
			t.Errorf("%s lists %d joined alerts, its row counts %d", p.ID, len(p.Joined), it.Count)
		}
	}
	if j := b.Pages[0].Joined; len(j) != 1 || j[0].Fingerprint != "fp-b" || j[0].Name != "HighLatency" ||
		j[0].State != "active" || j[0].Labels["instance"] != "b:9090" || !j[0].Since.Equal(t0.Add(-time.Hour)) {
		t.Errorf("the page detail's alerts: %+v", j)
	}
}

// TestPageJoinByTitleUntilAlertsAreRead: a page whose alerts the source has not read
// yet (the request budget put them off) is joined by Alertmanager's default subject
// in its title; once read, by the label sets they carry, and no longer by the title.
func TestPageJoinByTitleUntilAlertsAreRead(t *testing.T) {
	in := sources.Incident{ID: "PNEW", Number: 9, Title: "[FIRING:2] CacheMiss cache (prod)", Status: "acknowledged",
		Urgency: "high", CreatedAt: t0, AckLapsesAt: t0.Add(4 * time.Minute)}
	build := func(in sources.Incident) (Board, map[string]Item) {
		snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{
			alert("fp-1", "alertname", "CacheMiss", "service", "cache", "env", "prod", "pod", "a"),
			alert("fp-2", "alertname", "CacheMiss", "service", "cache", "env", "prod", "pod", "b"),
			alert("fp-3", "alertname", "CacheMiss", "service", "cache", "env", "dev"),
		}})
		snap.Sources = append(snap.Sources, sources.SourceState{
			Health: sources.Health{Name: "pd", OK: true, Polled: true, LastSuccess: t0},
			Last:   &sources.Update{Eval: t0, Data: sources.Data{Pages: &sources.PagesData{Incidents: []sources.Incident{in}}}}})
		b := Build(snap, Rules{}, t0)
		rows := map[string]Item{}
		for _, it := range b.Actionable {
			rows[it.ID] = it
		}
		return b, rows
	}
	b, rows := build(in)
	if p := rows["PNEW"]; p.Count != 2 || !slices.Equal(p.Members, []string{"fp-1", "fp-2"}) {
		t.Errorf("not read yet: joined by the title's words: %+v", p)
	}
	if g := rows[`{alertname="CacheMiss",service="cache"}`]; !slices.Equal(g.Members, []string{"fp-3"}) {
		t.Errorf("the dev alert is not in the subject: %+v", g)
	}
	if at := b.Pages[0].AckLapsesAt; at == nil || !at.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("ack lapses at %v", at)
	}
	in.AlertLabels, in.AlertsKnown = []map[string]string{{"alertname": "CacheMiss", "service": "cache", "env": "prod", "pod": "b"}}, true
	_, rows = build(in)
	if p := rows["PNEW"]; p.Count != 1 || !slices.Equal(p.Members, []string{"fp-2"}) {
		t.Errorf("read: joined by its label sets only: %+v", p)
	}
	if g := rows[`{alertname="CacheMiss",service="cache"}`]; !slices.Equal(g.Members, []string{"fp-1", "fp-3"}) {
		t.Errorf("the rest keep their group: %+v", g)
	}
}

// FuzzSubjectTokens: incident titles are outside input; reading them never panics,
// and every token is one word.
func FuzzSubjectTokens(f *testing.F) {
	f.Add("[FIRING:3] HighLatency checkout (prod warning)")
	f.Add("[FIRING:] (")
	f.Add("[FIRING:1] a b (c")
	f.Fuzz(func(t *testing.T, title string) {
		for _, w := range subjectTokens(title) {
			if w == "" || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("%q: token %q", title, w)
			}
		}
	})
}
