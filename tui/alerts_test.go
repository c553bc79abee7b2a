package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
)

// alertedBoard is the troubled board with two alert groups and three hidden alerts.
func alertedBoard() alerts.Board {
	b := troubledBoard()
	b.Actionable = append(b.Actionable,
		alerts.Item{Kind: "alert", ID: "HighLatency/checkout", Title: "HighLatency", Severity: alerts.SeverityCritical,
			Labels: map[string]string{"service": "checkout"}, Since: clock.Add(-9 * 60e9), Count: 3,
			Members: []string{"a", "b", "c"}, Alertmanagers: []string{"am-1", "am-2"}},
		alerts.Item{Kind: "alert", ID: "DiskFilling/db\x1b]0;x\x07", Title: "DiskFilling \x1b[31m", Severity: alerts.SeverityWarning,
			Labels: map[string]string{"job": "db"}, Since: clock.Add(-90 * 60e9), Count: 1, Members: []string{"d"}, Flapping: true})
	b.Hidden = []alerts.Item{
		{Kind: "alert", ID: "f1", Title: "Watchdog", Severity: alerts.SeverityWarning, Reason: "heartbeat", ReasonDetail: "Watchdog is a heartbeat", Count: 1},
		{Kind: "alert", ID: "f2", Title: "NodeDown", Severity: alerts.SeverityCritical, Reason: "silenced",
			ReasonDetail: "silence 4f2a by ada: kernel upgrade, ends 04:00", Count: 1},
		{Kind: "alert", ID: "f3", Title: "CPUHigh", Severity: alerts.SeverityInfo, Reason: "severity", ReasonDetail: "info is below warning", Count: 1},
	}
	b.HiddenCounts = map[string]int{"silenced": 1, "heartbeat": 1, "severity": 1201}
	return b
}

func TestAlertsPane(t *testing.T) {
	m := newModel(t, 120, 40, func(o *Options) { o.Alerts = true })
	board(m, alertedBoard())
	press(t, m, "3")
	s := screen(m)
	for _, want := range []string{"3 ALERTS 2", "CRIT HighLatency", "×3", "checkout", "am-1,am-2", "WARN DiskFilling ~flapping",
		"hidden 1,203: silenced 1 · heartbeat 1 · severity 1,201"} {
		if !strings.Contains(s, want) {
			t.Errorf("alerts pane lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(m.render(), "\x1b]0;x") {
		t.Error("an alert's label drove the terminal")
	}
	press(t, m, "x")
	// Too long for the footer at 120 columns: a box with the whole explanation, a
	// clause a paragraph, closed by any key.
	s = screen(m)
	for _, want := range []string{"WHY", "HighLatency: shown: critical alert at or above triage.min_severity, firing", "critical alerts are never held"} {
		if !strings.Contains(s, want) {
			t.Errorf("x lacks %q:\n%s", want, s)
		}
	}
	press(t, m, "esc")
	if strings.Contains(screen(m), "WHY") {
		t.Error("esc does not close the explanation")
	}
	press(t, m, "h")
	s = screen(m)
	for _, want := range []string{"3 HIDDEN 3", "Watchdog", "heartbeat", "NodeDown", "silenced"} {
		if !strings.Contains(s, want) {
			t.Errorf("hidden view lacks %q:\n%s", want, s)
		}
	}
	press(t, m, "j", "x")
	if s := screen(m); !strings.Contains(s, "NodeDown: hidden: silenced — silence 4f2a by ada") {
		t.Errorf("x on a hidden alert:\n%s", s)
	}
	press(t, m, "esc")
	press(t, m, "h")
	if !strings.Contains(screen(m), "3 ALERTS 2") {
		t.Error("h does not come back to the alerts")
	}
}

// fakeSilences records the silence writes.
type fakeSilences struct{ calls []string }

func (f *fakeSilences) CreateSilence(_ context.Context, matchers string, d time.Duration, by, comment string) error {
	f.calls = append(f.calls, fmt.Sprintf("create %s %s %s %s", matchers, d, by, comment))
	return nil
}
func (f *fakeSilences) ExpireSilence(_ context.Context, id string) error {
	f.calls = append(f.calls, "expire "+id)
	return nil
}

func TestSilenceAndExpire(t *testing.T) {
	sil := &fakeSilences{}
	m := newModel(t, 140, 40, func(o *Options) { o.Alerts, o.Silences, o.User = true, sil, "ada@example.com" })
	b := alertedBoard()
	b.Actionable[len(b.Actionable)-2].Labels = map[string]string{"alertname": "HighLatency", "service": "checkout", "instance": "10.0.0.7:80"}
	b.Silences = []alerts.Silence{{ID: "4f2a", Matchers: `{alertname="NodeDown"}`, State: "active", CreatedBy: "lin",
		Comment: "kernel upgrade", EndsAt: clock.Add(12 * time.Minute), EndsSoon: true, Alertmanagers: []string{"am-1", "am-2"}}}
	board(m, b)
	press(t, m, "3", "S")
	if s := screen(m); !strings.Contains(s, `{alertname="HighLatency",service="checkout"}`) || strings.Contains(s, "instance=") {
		t.Fatalf("the form must prefill the group's labels without instance-like ones:\n%s", s)
	}
	press(t, m, "enter", "enter") // matchers, then 1h
	press(t, m, "enter")          // no comment: refused
	if !strings.Contains(screen(m), "a silence needs a comment") {
		t.Errorf("an empty comment was accepted:\n%s", screen(m))
	}
	press(t, m, "d", "e", "p", "l", "o", "y", "enter")
	want := `create {alertname="HighLatency",service="checkout"} 1h0m0s ada@example.com deploy`
	if len(sil.calls) != 1 || sil.calls[0] != want {
		t.Errorf("calls %v, want %q", sil.calls, want)
	}
	press(t, m, "4")
	if s := screen(m); !strings.Contains(s, "4 SILENCES 1  1 ending within 30m") || !strings.Contains(s, "SOON 12m") {
		t.Errorf("silences pane:\n%s", s)
	}
	press(t, m, "E")
	if !strings.Contains(screen(m), `Expire silence 4f2a {alertname="NodeDown"}?`) {
		t.Fatalf("no confirmation:\n%s", screen(m))
	}
	press(t, m, "y")
	if len(sil.calls) != 2 || sil.calls[1] != "expire 4f2a" {
		t.Errorf("calls %v", sil.calls)
	}
}

// TestEmptyPanesDoNotClaimAllClear: with its source down, an empty alerts, silences
// or pages pane says the rows are unknown, not that nothing is open.
func TestEmptyPanesDoNotClaimAllClear(t *testing.T) {
	m := newModel(t, 120, 50, func(o *Options) { o.Alerts, o.Pages = true, true })
	b := troubledBoard()
	b.Sources = append(b.Sources,
		alerts.SourceStatus{Name: "am", Kind: "alertmanager", State: alerts.SourceDown, Error: "connection refused"},
		alerts.SourceStatus{Name: "pagerduty", Kind: "pagerduty", State: alerts.SourceDown, Error: "HTTP 401 unauthorized"})
	board(m, b)
	s := screen(m)
	for _, want := range []string{"pages unknown: pd down: 401 Unauthorized", "alerts unknown: am down: connection refused", "silences unknown: am down"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "no alert needs a human") || strings.Contains(s, "no open pages") || strings.Contains(s, "hidden 0") {
		t.Errorf("an empty pane claims all clear while its source is down:\n%s", s)
	}
}

// Where the explanation fits the footer, x says it there and opens nothing.
func TestExplainFitsTheFooterWhenItCan(t *testing.T) {
	m := newModel(t, 400, 40, func(o *Options) { o.Alerts = true })
	board(m, alertedBoard())
	press(t, m, "3", "x")
	if l := lastLine(m); !strings.Contains(l, "HighLatency: shown: critical") || strings.Contains(screen(m), "WHY") {
		t.Errorf("x at 400 columns: footer %q", l)
	}
}

// x on a page or an SLO row says why it is (or is not) in the list needing a human.
func TestExplainPagesAndSLOs(t *testing.T) {
	m := pagesModel(t, 400, 50, nil)
	b := pagedBoard()
	for _, p := range b.Pages {
		b.Actionable = append(b.Actionable, alerts.Item{Kind: "page", ID: p.ID, Status: p.Status, Severity: alerts.SeverityCritical})
	}
	board(m, b)
	press(t, m, "3", "x")
	if l := lastLine(m); !strings.Contains(l, "#1042 ") || !strings.Contains(l, "shown: open PagerDuty page, triggered, high urgency") {
		t.Errorf("x on a page: %q", l)
	}
	m = newModel(t, 400, 40)
	tb := troubledBoard()
	tb.Actionable = append(tb.Actionable, alerts.Item{Kind: "slo", ID: "slo:checkout-availability", Severity: alerts.SeverityPage})
	board(m, tb)
	press(t, m, "2", "x")
	if l := lastLine(m); !strings.Contains(l, "checkout-availability: shown: SLO burning its error budget fast enough to page") {
		t.Errorf("x on a paging SLO: %q", l)
	}
}

// With two Alertmanagers, a silence one of them lacks says where it is held: it
// hides nothing the other fires.
func TestSilenceHeldByOneReplicaSaysWhere(t *testing.T) {
	m := newModel(t, 200, 40, func(o *Options) { o.Alerts = true })
	b := alertedBoard()
	b.Sources = append(b.Sources, alerts.SourceStatus{Name: "am-1", Kind: "alertmanager", OK: true, State: alerts.SourceOK},
		alerts.SourceStatus{Name: "am-2", Kind: "alertmanager", OK: true, State: alerts.SourceOK})
	b.Silences = []alerts.Silence{
		{ID: "s1", State: "active", Matchers: `{alertname="OnlyOne"}`, EndsAt: clock.Add(time.Hour), CreatedBy: "lin", Alertmanagers: []string{"am-1"}},
		{ID: "s2", State: "active", Matchers: `{alertname="Both"}`, EndsAt: clock.Add(2 * time.Hour), CreatedBy: "ada", Alertmanagers: []string{"am-1", "am-2"}},
	}
	board(m, b)
	s := screen(m)
	if !strings.Contains(s, "only in am-1 · lin") || strings.Contains(s, "only in am-1, am-2") {
		t.Errorf("silences pane:\n%s", s)
	}
}

// A footer notice built from outside text (an explanation naming a label value, an
// Alertmanager's error) never carries its control sequences to the terminal.
func TestNoticesAreCleaned(t *testing.T) {
	m := newModel(t, 200, 40, func(o *Options) { o.Alerts = true })
	board(m, alertedBoard())
	m.say("silence failed: \x1b]0;pwned\x07 \u202eevil \x9b2J")
	if r := m.render(); strings.Contains(r, "\x1b]0;") || strings.Contains(r, "\u202e") || strings.Contains(r, "\x9b") {
		t.Errorf("the notice drove the terminal: %q", lastLine(m))
	}
	if !strings.Contains(lastLine(m), "silence failed:") {
		t.Errorf("footer %q", lastLine(m))
	}
}
