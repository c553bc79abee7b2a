package alerts

import (
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

func alertSnap(at time.Time, alerts ...sources.Alert) sources.Snapshot {
	return sources.Snapshot{At: at, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "am", Kind: sources.KindAlertmanager, OK: true, Polled: true, LastSuccess: at},
		Last:   &sources.Update{Source: "am", Kind: sources.KindAlertmanager, At: at, Data: sources.Data{Alerts: &sources.AlertsData{Alerts: alerts}}},
	}}}
}

// With no history to ask, a dashboard that saw an alert start four times in the
// window hides it as flapping; starts that leave the window stop counting, and an
// alert whose source knows its episodes is left to the source.
func TestEpisodeTrackerSeesFlapping(t *testing.T) {
	var tr EpisodeTracker
	noisy := func(start time.Time) sources.Alert {
		return sources.Alert{Fingerprint: "f1", Labels: map[string]string{"alertname": "Noisy", "severity": "warning"},
			StartsAt: start, State: "active", Episodes: -1}
	}
	known := sources.Alert{Fingerprint: "f2", Labels: map[string]string{"alertname": "Known"}, StartsAt: t0.Add(-time.Hour), State: "active", Episodes: 1}
	var seen map[string]int
	for i := range 4 { // fires, resolves, fires again: every 10 minutes
		now := t0.Add(time.Duration(i) * 10 * time.Minute)
		if got := tr.Observe(alertSnap(now, noisy(now.Add(-time.Minute)), known), now)["f1"]; got != i+1 {
			t.Fatalf("start %d: %d episodes", i+1, got)
		}
		seen = tr.Observe(alertSnap(now.Add(time.Minute), noisy(now.Add(-time.Minute)), known), now.Add(time.Minute)) // the same episode again
	}
	if seen["f1"] != 4 || len(seen) != 1 {
		t.Fatalf("seen %v, want f1 at 4 and nothing for the alert whose source counts", seen)
	}
	now := t0.Add(31 * time.Minute)
	b := Build(alertSnap(now, noisy(t0.Add(29*time.Minute)), known), Rules{Triage: Triage{SeenEpisodes: seen}}, now)
	if len(b.Hidden) != 1 || b.Hidden[0].Reason != "flapping" || b.Hidden[0].ReasonDetail != "4 firing episodes in 1h (triage.flapping.episodes 4)" {
		t.Errorf("hidden %+v, want Noisy flapping with 4 episodes", b.Hidden)
	}
	// An hour and a half later only the latest start is in the window.
	later := t0.Add(100 * time.Minute)
	if got := tr.Observe(alertSnap(later, noisy(t0.Add(29*time.Minute))), later)["f1"]; got != 1 {
		t.Errorf("after the window: %d episodes, want 1 (firing now)", got)
	}
	// Gone and out of the window: forgotten.
	tr.Observe(alertSnap(later), later)
	if len(tr.starts) != 0 {
		t.Errorf("the tracker still holds %v", tr.starts)
	}
}
