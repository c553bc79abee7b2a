package alertdetail

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// bigBoard is alerts.Build's Board of 100,000 alerts: one actionable group of
// 10,000, each inhibited by an alert the Board does not hold (the inhibitor search
// reads every row), the rest hidden as info, and 200 silences none of which
// selects the group.
func bigBoard() (*alerts.Board, alerts.Item) {
	now := time.Date(2025, 3, 14, 3, 7, 42, 0, time.UTC)
	data := &sources.AlertsData{Alerts: make([]sources.Alert, 100_000)}
	for i := range data.Alerts {
		sev := "critical"
		if i >= 10_000 {
			sev = "info"
		}
		data.Alerts[i] = sources.Alert{Fingerprint: fmt.Sprintf("%016x", i), State: "active", StartsAt: now.Add(-time.Hour),
			Labels: map[string]string{"alertname": "HighLatency", "service": "checkout", "severity": sev,
				"instance": fmt.Sprintf("10.0.%d.%d:80", i/250, i%250)},
			Annotations: map[string]string{"summary": "p99 latency above 2s", "runbook_url": "https://runbooks.example/HighLatency"},
			InhibitedBy: []string{fmt.Sprintf("gone-%d", i)}, Alertmanagers: []string{"am-1"}, Episodes: -1}
	}
	for i := range 200 {
		data.Silences = append(data.Silences, sources.Silence{ID: fmt.Sprint("s", i), State: "active", EndsAt: now.Add(time.Hour),
			Matchers: []sources.Matcher{{Name: "alertname", Value: fmt.Sprint("Other", i), IsEqual: true},
				{Name: "service", Value: "a|b", IsRegex: true, IsEqual: true}}})
	}
	snap := sources.Snapshot{At: now, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "am-1", Kind: sources.KindAlertmanager, OK: true, Polled: true, LastSuccess: now},
		Last:   &sources.Update{Source: "am-1", Eval: now, Data: sources.Data{Alerts: data}},
	}}}
	b := alerts.Build(snap, alerts.Rules{}, now)
	for _, it := range b.Actionable {
		if it.Count == 10_000 {
			return &b, it
		}
	}
	panic("no group of 10,000")
}

// BenchmarkOpen10kGroup opens the detail of a 10,000-alert group on a Board of
// 100,000 and draws it at 200x60: what enter costs on the UI goroutine.
func BenchmarkOpen10kGroup(b *testing.B) {
	board, group := bigBoard()
	th, err := themes.Get(themes.Default)
	if err != nil {
		b.Fatal(err)
	}
	st := ui.NewStyles(th, themes.Unicode)
	b.ReportAllocs()
	for b.Loop() {
		d := Open(st, group, board, true).SetSize(200, 60)
		_ = d.View(200, 60)
	}
}

// TestBigGroupIsListedInPart: a group of 10,000 lists its first MaxAlerts alerts and
// counts the rest, and each names its inhibitor as not in view.
func TestBigGroupIsListedInPart(t *testing.T) {
	board, group := bigBoard()
	mono, err := themes.Get(themes.Mono)
	if err != nil {
		t.Fatal(err)
	}
	d := Open(ui.NewStyles(mono, themes.Unicode), group, board, false).SetSize(120, 40)
	text := ansi.Strip(strings.Join(d.lines, "\n"))
	if n := strings.Count(text, "\nALERT "); n != MaxAlerts {
		t.Errorf("%d alerts listed, want %d", n, MaxAlerts)
	}
	if last := ansi.Strip(d.lines[len(d.lines)-1]); last != "9900 more alerts in this group not listed (silence or filter by the group key above)" {
		t.Errorf("last line %q", last)
	}
	if !strings.Contains(text, "    an alert not in this view (gone-0)") {
		t.Error("the inhibitor the Board lacks is not named by fingerprint")
	}
}
