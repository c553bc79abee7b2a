package alertdetail

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// A silence held by one replica while another fires the alert: the detail says it
// mutes the alert there only, which is why the alert is shown (as `x` says).
func TestSilenceInOneReplicaSaysWhereItMutes(t *testing.T) {
	now := time.Date(2025, 3, 14, 3, 7, 42, 0, time.UTC)
	data := &sources.AlertsData{
		Alerts: []sources.Alert{{Fingerprint: "f1", State: "active", StartsAt: now.Add(-time.Hour), SilencedBy: []string{"s1"},
			Labels: map[string]string{"alertname": "OnlyOneSilenced", "severity": "warning"}, Annotations: map[string]string{},
			Alertmanagers: []string{"am-a", "am-b"}, Episodes: -1}},
		Silences: []sources.Silence{{ID: "s1", State: "active", EndsAt: now.Add(time.Hour), CreatedBy: "lin", Sources: []string{"am-a"},
			Matchers: []sources.Matcher{{Name: "alertname", Value: "OnlyOneSilenced", IsEqual: true}}}},
	}
	snap := sources.Snapshot{At: now, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "alertmanager", Kind: sources.KindAlertmanager, OK: true, Polled: true, LastSuccess: now},
		Last:   &sources.Update{Source: "alertmanager", Eval: now, Data: sources.Data{Alerts: data}},
	}}}
	b := alerts.Build(snap, alerts.Rules{Triage: alerts.Triage{Hold: -1}}, now)
	if len(b.Actionable) != 1 {
		t.Fatalf("actionable %+v", b.Actionable)
	}
	mono, err := themes.Get(themes.Mono)
	if err != nil {
		t.Fatal(err)
	}
	d := Open(ui.NewStyles(mono, themes.Unicode), b.Actionable[0], &b, false).SetSize(160, 40)
	text := ansi.Strip(strings.Join(d.lines, "\n"))
	if !strings.Contains(text, "s1 by lin, active, ends 2025-03-14T04:07:42Z (in 1h); mutes it in am-a only: shown while another Alertmanager fires it") {
		t.Errorf("the detail does not say where the silence mutes:\n%s", text)
	}
}
