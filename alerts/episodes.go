package alerts

import (
	"slices"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// EpisodeTracker counts the firing episodes of alerts whose source cannot say how
// often they fired (no Prometheus to ask ALERTS_FOR_STATE of): a long-running
// dashboard remembers the distinct starts (startsAt) it has seen of each alert over
// the flapping window. An alert that resolves and fires again comes back with a new
// start, so an episode that began and ended between two polls is still counted when
// the next one is seen. It is what a dashboard can know, not history: it starts from
// nothing, so `vigil snapshot` and a dashboard's first minutes rely on Prometheus.
// It is not safe for concurrent use: one per board stream.
type EpisodeTracker struct {
	// Window is the flapping window (0 is 1h).
	Window time.Duration
	starts map[string][]time.Time // fingerprint -> distinct starts, oldest first
}

// maxStarts bounds what is kept per alert: more starts than this in one window flaps
// under any setting anyone would choose.
const maxStarts = 64

// Observe records the alerts of snap and returns, for each alert its source left
// without episodes (Episodes < 0), how many distinct starts fall in the window ending
// at now. Alerts whose starts all left the window are forgotten.
func (t *EpisodeTracker) Observe(snap sources.Snapshot, now time.Time) map[string]int {
	window := t.Window
	if window <= 0 {
		window = time.Hour
	}
	if t.starts == nil {
		t.starts = map[string][]time.Time{}
	}
	from := now.Add(-window)
	var out map[string]int
	for _, st := range snap.Sources {
		if st.Last == nil || st.Last.Data.Alerts == nil {
			continue
		}
		for i := range st.Last.Data.Alerts.Alerts {
			a := &st.Last.Data.Alerts.Alerts[i]
			if a.Episodes >= 0 || a.StartsAt.IsZero() {
				continue
			}
			s := t.starts[a.Fingerprint]
			if !slices.ContainsFunc(s, a.StartsAt.Equal) {
				s = append(s, a.StartsAt)
				slices.SortFunc(s, time.Time.Compare)
				if len(s) > maxStarts {
					s = s[len(s)-maxStarts:]
				}
				t.starts[a.Fingerprint] = s
			}
			n := 0
			for _, at := range s {
				if !at.Before(from) {
					n++
				}
			}
			if out == nil {
				out = map[string]int{}
			}
			out[a.Fingerprint] = max(n, 1) // firing now is one episode, however old
		}
	}
	for fp, s := range t.starts {
		if s[len(s)-1].Before(from) {
			if _, firing := out[fp]; !firing {
				delete(t.starts, fp)
			}
		}
	}
	return out
}
