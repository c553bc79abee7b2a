package alerts

import (
	"testing"
	"time"
)

func TestTrackerKeepsFirstSeen(t *testing.T) {
	var tr Tracker
	at := func(min int, items ...Item) Board {
		b := Board{}
		for _, it := range items {
			it.Since = t0.Add(time.Duration(min) * time.Minute)
			b.Actionable = append(b.Actionable, it)
		}
		tr.Stamp(&b)
		return b
	}
	page := Item{ID: "slo:a", Severity: "page"}
	ticket := Item{ID: "slo:a", Severity: "ticket"}

	at(0, ticket)
	if b := at(5, ticket); !b.Actionable[0].Since.Equal(t0) {
		t.Errorf("ticket since = %v, want first seen %v", b.Actionable[0].Since, t0)
	}
	// Escalation to a page starts its own clock.
	if b := at(7, page); !b.Actionable[0].Since.Equal(t0.Add(7 * time.Minute)) {
		t.Errorf("page since = %v, want 7m", b.Actionable[0].Since)
	}
	if b := at(9, page); !b.Actionable[0].Since.Equal(t0.Add(7 * time.Minute)) {
		t.Errorf("page since = %v, want still 7m", b.Actionable[0].Since)
	}
	// Gone, then back: a new occurrence.
	at(10)
	if b := at(12, page); !b.Actionable[0].Since.Equal(t0.Add(12 * time.Minute)) {
		t.Errorf("page since after clearing = %v, want 12m", b.Actionable[0].Since)
	}
	if len(tr.first) != 1 {
		t.Errorf("tracker holds %d entries, want 1", len(tr.first))
	}
}

// An alert group's age is its alerts' startsAt: restarted alerts (a newer startsAt)
// read younger, never the age of the group's first sighting.
func TestTrackerLeavesAlertGroupsTheirStart(t *testing.T) {
	var tr Tracker
	group := func(since time.Time) Board {
		b := Board{Actionable: []Item{{Kind: "alert", ID: "{alertname=\"DBDown\"}", Severity: SeverityCritical, Since: since}}}
		tr.Stamp(&b)
		return b
	}
	group(t0)
	if b := group(t0.Add(30 * time.Minute)); !b.Actionable[0].Since.Equal(t0.Add(30 * time.Minute)) {
		t.Errorf("since %v, want the alert's own start %v", b.Actionable[0].Since, t0.Add(30*time.Minute))
	}
}
