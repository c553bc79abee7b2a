package alerts

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// firingText is what Alertmanager's PagerDuty integration writes, by its default
// template, into the `firing` detail for two alerts.
const firingText = `Labels:
 - alertname = HighLatency
 - instance = a:9090
 - service = checkout
Annotations:
 - summary = p99 = 450ms over 300ms
Source: http://prometheus:9090/graph?g0.expr=x
Labels:
 - alertname = HighLatency
 - instance = b:9090
 - service = checkout
Annotations:
Source: http://prometheus:9090/graph?g0.expr=y
`

func TestParseFiring(t *testing.T) {
	got := ParseFiring(firingText)
	want := []map[string]string{
		{"alertname": "HighLatency", "instance": "a:9090", "service": "checkout"},
		{"alertname": "HighLatency", "instance": "b:9090", "service": "checkout"},
	}
	if !slices.EqualFunc(got, want, maps.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, text := range []string{"", "custom template: HighLatency on checkout", "Labels:\nAnnotations:\n - a = b\n"} {
		if got := ParseFiring(text); len(got) != 0 {
			t.Errorf("%q: no label sets, got %v", text, got)
		}
	}
	if got := ParseFiring("Labels:\r\n - a = b = c\r\n"); len(got) != 1 || got[0]["a"] != "b = c" {
		t.Errorf("CRLF lines and a value holding ' = ': %v", got)
	}
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
		{ID: "PLBL", Number: 7, Title: "checkout latency", Status: "triggered", Urgency: "high", CreatedAt: t0.Add(-time.Minute)},
		{ID: "PSUBJ", Number: 8, Title: "[FIRING:2] DiskFull (db prod)", Status: "acknowledged", Urgency: "low", CreatedAt: t0},
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
	rules := Rules{Triage: Triage{PageAlerts: map[string][]map[string]string{"PLBL": ParseFiring(firingText),
		"PSUBJ": ParseFiring("a custom template")}}}
	b := Build(snap, rules, t0)

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
}

// FuzzParseFiring: PagerDuty alert details and incident titles are outside input;
// reading them never panics, and what comes out is well formed.
func FuzzParseFiring(f *testing.F) {
	f.Add(firingText, "[FIRING:3] HighLatency checkout (prod warning)")
	f.Add("Labels:\n - = x\n - a = \n", "[FIRING:] (")
	f.Add("Labels:\r\n\r\n - a = b", "[FIRING:1] a b (c")
	f.Fuzz(func(t *testing.T, text, title string) {
		for _, ls := range ParseFiring(text) {
			if len(ls) == 0 {
				t.Fatalf("%q: an empty label set", text)
			}
			for name := range ls {
				if name == "" {
					t.Fatalf("%q: a label with no name", text)
				}
			}
		}
		for _, w := range subjectTokens(title) {
			if w == "" || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("%q: token %q", title, w)
			}
		}
	})
}
