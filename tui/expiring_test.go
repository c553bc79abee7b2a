package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
)

// TestExpiringStripAboveTheFooter: at 80x24, what lapses within 30 minutes has one
// line above the footer, the screen keeps its 24 lines, and when nothing lapses the
// line is gone and the panes have it back.
func TestExpiringStripAboveTheFooter(t *testing.T) {
	m := pagesModel(t, 80, 24, nil)
	b := pagedBoard()
	lapse := clock.Add(4 * time.Minute)
	b.Pages[2].AckLapsesAt = &lapse // #1031, acknowledged
	b.Silences = []alerts.Silence{{ID: "s1", Subject: "HighLatency checkout", State: "active",
		StartsAt: clock.Add(-time.Hour), EndsAt: clock.Add(12 * time.Minute)}}
	board(m, b)
	lines := strings.Split(screen(m), "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines, want 24", len(lines))
	}
	if got, want := lines[22], "expiring: ack #1031 lapses in 4m · silence HighLatency checkout in 12m"; got != want {
		t.Errorf("line above the footer:\n got %q\nwant %q", got, want)
	}
	withStrip := m.bodyH()

	// The clock alone brings the strip: a silence 31 minutes from its end, a minute on.
	now := clock
	m.opts.Now = func() time.Time { return now }
	b.Pages[2].AckLapsesAt = nil
	b.Silences[0].EndsAt = clock.Add(31 * time.Minute)
	board(m, b)
	if strings.Contains(screen(m), "expiring") || m.bodyH() != withStrip+1 {
		t.Fatalf("31 minutes before its end: %s", screen(m))
	}
	now = clock.Add(time.Minute + time.Second)
	m.Update(tickMsg(now))
	if lines := strings.Split(screen(m), "\n"); len(lines) != 24 || lines[22] != "expiring: silence HighLatency checkout in 29m" || m.laidBody != withStrip {
		t.Errorf("a tick later: laid out for %d lines, want %d:\n%s", m.laidBody, withStrip, screen(m))
	}
	now = clock

	b.Silences[0].EndsAt = clock.Add(time.Hour)
	b.Pages[2].AckLapsesAt = nil
	board(m, b)
	lines = strings.Split(screen(m), "\n")
	if len(lines) != 24 || strings.Contains(screen(m), "expiring") || m.bodyH() != withStrip+1 {
		t.Errorf("nothing lapsing soon: %d lines, body %d (was %d):\n%s", len(lines), m.bodyH(), withStrip, screen(m))
	}
}
