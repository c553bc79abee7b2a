package expiring

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

var now = time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)

func styles(t *testing.T, g themes.Glyphs) *ui.Styles {
	t.Helper()
	mono, err := themes.Get(themes.Mono)
	if err != nil {
		t.Fatal(err)
	}
	return ui.NewStyles(mono, g)
}

func silence(subject, state string, in time.Duration) alerts.Silence {
	return alerts.Silence{ID: subject, Subject: subject, State: state, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(in)}
}

func ackPage(number int, status string, in time.Duration) alerts.Page {
	at := now.Add(in)
	return alerts.Page{ID: "P" + status, Number: number, Status: status, AckLapsesAt: &at}
}

// line is the strip as text, at 80 columns.
func line(t *testing.T, b alerts.Board) string {
	t.Helper()
	got := Line(styles(t, themes.Unicode), &b, now, 80)
	if w := ansi.StringWidth(got); w > 80 {
		t.Errorf("%d cells wide: %q", w, ansi.Strip(got))
	}
	return ansi.Strip(got)
}

func TestNothingExpiringNoLine(t *testing.T) {
	b := alerts.Board{
		Silences: []alerts.Silence{
			silence("HighLatency checkout", "active", 45*time.Minute), // not within 30 minutes
			silence("DiskFull", "active", -time.Minute),               // ended
			silence("Deploy", "pending", 10*time.Minute),              // not started: nothing to lapse
		},
		Pages: []alerts.Page{
			ackPage(1234, "acknowledged", 2*time.Hour),
			ackPage(1235, "triggered", 5*time.Minute), // already triggered
			{ID: "PNONE", Number: 1236, Status: "acknowledged"},
		},
	}
	if got := line(t, b); got != "" {
		t.Errorf("strip %q, want none", got)
	}
	if got := line(t, alerts.Board{}); got != "" {
		t.Errorf("empty board: %q", got)
	}
}

func TestExpiringSoonestFirst(t *testing.T) {
	b := alerts.Board{
		Silences: []alerts.Silence{silence("HighLatency checkout", "active", 12*time.Minute+30*time.Second)},
		Pages:    []alerts.Page{ackPage(1234, "acknowledged", 4*time.Minute)},
	}
	want := "expiring: ack #1234 lapses in 4m · silence HighLatency checkout in 12m"
	if got := line(t, b); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	b.Pages[0] = ackPage(1234, "acknowledged", 30*time.Minute) // the window's edge is in it
	b.Silences[0].EndsAt = now.Add(40 * time.Second)
	want = "expiring: silence HighLatency checkout in 40s · ack #1234 lapses in 30m"
	if got := line(t, b); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestExpiringClippedToTheWidth: what does not fit at 80 columns is counted; a long
// or hostile subject is cut and cleaned.
func TestExpiringClippedToTheWidth(t *testing.T) {
	var b alerts.Board
	for i, s := range []string{"KafkaConsumerLagTooHighForTooLong payments-ledger-writer", "B\x1b]0;pwned\x07\u202eq",
		"C", "D", "E"} {
		b.Silences = append(b.Silences, silence(s, "active", time.Duration(i+2)*time.Minute))
	}
	want := "expiring: silence KafkaConsumerLagTooHighForTooLo… in 2m · +4 more"
	if got := line(t, b); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	b.Pages = []alerts.Page{ackPage(1234, "acknowledged", time.Minute)}
	want = "expiring: ack #1234 lapses in 1m · +5 more" // the next would not leave room for the count
	if got := line(t, b); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	got := Line(styles(t, themes.ASCII), &b, now, 200)
	if strings.ContainsAny(got, "\x07\u202e") || strings.Contains(got, "pwned") {
		t.Errorf("a silence's subject drove the terminal: %q", got)
	}
	want = "expiring: ack #1234 lapses in 1m, silence KafkaConsumerLagTooHighForTooLo~ in 2m, silence Bq in 3m, silence C in 4m, silence D in 5m, silence E in 6m"
	if got := ansi.Strip(got); got != want {
		t.Errorf("ascii, 200 columns:\ngot  %q\nwant %q", got, want)
	}
	if got := ansi.Strip(Line(styles(t, themes.Unicode), &b, now, 20)); got != "expiring: ack #1234…" {
		t.Errorf("20 columns: %q", got)
	}
}
