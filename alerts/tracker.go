package alerts

import "time"

// Tracker remembers when each actionable item was first seen, so an item's Since
// reads "paging since 03:12" rather than the time of the latest poll. Build stays a
// pure function of one snapshot; the tracker is the small memory a long-running
// dashboard adds on top. It is not safe for concurrent use: one per board stream.
type Tracker struct {
	first map[string]time.Time // ID and severity -> first seen
}

// Stamp sets Since on b's page and SLO items to when each was first seen with its
// current severity (a ticket that escalates to a page starts again), and forgets
// items that are gone. Alert groups keep theirs: an alert's age is its startsAt, as
// Alertmanager says, not when this dashboard first saw it.
func (t *Tracker) Stamp(b *Board) {
	if t.first == nil {
		t.first = map[string]time.Time{}
	}
	seen := make(map[string]bool, len(b.Actionable))
	for i := range b.Actionable {
		it := &b.Actionable[i]
		if it.Kind == "alert" {
			continue
		}
		key := it.ID + "\x00" + string(it.Severity)
		seen[key] = true
		if first, ok := t.first[key]; ok && first.Before(it.Since) {
			it.Since = first
		} else {
			t.first[key] = it.Since
		}
	}
	for k := range t.first {
		if !seen[k] {
			delete(t.first, k)
		}
	}
}
