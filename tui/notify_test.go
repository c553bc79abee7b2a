package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/tui/notify"
)

// rawOf runs cmd and returns what it asks Bubble Tea to write raw, "" for none.
func rawOf(cmd tea.Cmd) string {
	if cmd == nil {
		return ""
	}
	switch msg := cmd().(type) {
	case tea.RawMsg:
		return msg.Msg.(string)
	case tea.BatchMsg:
		var out string
		for _, c := range msg {
			if _, isTick := c().(tickMsg); !isTick {
				out += rawOf(c)
			}
		}
		return out
	}
	return ""
}

func TestNotificationThroughBubbleTea(t *testing.T) {
	now := clock
	m := newModel(t, 120, 40, func(o *Options) {
		o.Alerts = true
		o.Now = func() time.Time { return now }
	})
	m.term = notify.Terminal{Protocol: notify.OSC777}
	b := alertedBoard()
	if _, cmd := m.Update(BoardMsg{Board: b}); rawOf(cmd) != "" {
		t.Fatal("the first board notified")
	}
	b.Actionable = append(b.Actionable, alerts.Item{Kind: "alert", ID: `{alertname="Down"}`, Title: "Down\x1b]0;x\x07",
		Severity: alerts.SeverityCritical, Labels: map[string]string{"service": "api"}, Count: 1})
	_, cmd := m.Update(BoardMsg{Board: b})
	if got, want := rawOf(cmd), "\x1b]777;notify;vigil;critical alert Down (api)\a"; got != want {
		t.Fatalf("new critical alert: %q, want %q", got, want)
	}
	b.Actionable = append(b.Actionable, alerts.Item{Kind: "page", ID: "P1", Title: "#7 checkout down",
		Severity: alerts.SeverityCritical, Status: "triggered"})
	now = now.Add(10 * time.Second)
	if _, cmd := m.Update(BoardMsg{Board: b}); rawOf(cmd) != "" {
		t.Fatal("notified within the cooldown")
	}
	now = now.Add(time.Minute)
	_, cmd = m.Update(tickMsg(now))
	if got, want := rawOf(cmd), "\x1b]777;notify;vigil;critical page #7 checkout down\a"; got != want {
		t.Fatalf("after the cooldown, the clock tick: %q, want %q", got, want)
	}

	off := newModel(t, 120, 40, func(o *Options) { o.Alerts, o.Notify = true, Notify{Off: true} })
	board(off, alertedBoard())
	if _, cmd := off.Update(BoardMsg{Board: b}); rawOf(cmd) != "" {
		t.Error("notify off still notified")
	}
}
