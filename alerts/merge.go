package alerts

import (
	"slices"

	"github.com/vigil-sre/vigil/sources"
)

// mergedAlerts is every alert of every alert source, one per fingerprint, and the
// silences they may name.
type mergedAlerts struct {
	alerts   []*sources.Alert
	silences map[string]*sources.Silence
	owned    []sources.Alert // the latest block of merged copies of alerts reported twice
}

// mergeAlerts gathers the alerts of every source. The Alertmanager source already
// merges its replicas; this merge is the same rule for whatever still arrives twice
// (two alert sources, or a Prometheus beside an Alertmanager), so each fingerprint
// leaves Build exactly once. Alerts are used by reference: the snapshot is immutable.
func mergeAlerts(snap sources.Snapshot) mergedAlerts {
	n, nsil := 0, 0
	for _, st := range snap.Sources {
		if st.Last != nil && st.Last.Data.Alerts != nil {
			n += len(st.Last.Data.Alerts.Alerts)
			nsil += len(st.Last.Data.Alerts.Silences)
		}
	}
	m := mergedAlerts{alerts: make([]*sources.Alert, 0, n)}
	if nsil > 0 {
		m.silences = make(map[string]*sources.Silence, nsil)
	}
	var byFP fpIndex // fingerprint -> index in alerts; only when there is a second source
	withAlerts := 0
	for _, st := range snap.Sources {
		if st.Last == nil || st.Last.Data.Alerts == nil {
			continue
		}
		d := st.Last.Data.Alerts
		withAlerts++
		if withAlerts == 2 {
			byFP = newFPIndex(n)
			for i, a := range m.alerts {
				byFP.put(a.Fingerprint, int32(i))
			}
		}
		for i := range d.Silences {
			if _, dup := m.silences[d.Silences[i].ID]; !dup {
				m.silences[d.Silences[i].ID] = &d.Silences[i]
			}
		}
		for i := range d.Alerts {
			a := &d.Alerts[i]
			if withAlerts == 1 {
				// A source lists each fingerprint once (sources.AlertsData):
				// only a second source can repeat one.
				m.alerts = append(m.alerts, a)
				continue
			}
			j, dup := byFP.get(a.Fingerprint)
			if !dup {
				byFP.put(a.Fingerprint, int32(len(m.alerts)))
				m.alerts = append(m.alerts, a)
				continue
			}
			if len(m.owned) == cap(m.owned) {
				// A new block, never a grown one: the pointers into it must stay put.
				m.owned = make([]sources.Alert, 0, max(64, 2*cap(m.owned)))
			}
			m.owned = append(m.owned, mergeTwo(*m.alerts[j], *a))
			m.alerts[j] = &m.owned[len(m.owned)-1]
		}
	}
	return m
}

// mergeTwo is one alert reported twice. Alertmanager's word beats Prometheus's (only
// Alertmanager knows silences); among Alertmanagers the alert is active if any says
// so — a silence in one replica does not hide it; among Prometheus reports, firing
// beats pending. Silences and inhibitions are the union, the start the earliest,
// episodes the most any source counted.
func mergeTwo(x, y sources.Alert) sources.Alert {
	out := x
	if stateRank(y.State) < stateRank(x.State) {
		out.State = y.State
	}
	if y.StartsAt.Before(x.StartsAt) && !y.StartsAt.IsZero() || x.StartsAt.IsZero() {
		out.StartsAt = y.StartsAt
	}
	out.Episodes = max(x.Episodes, y.Episodes)
	out.SilencedBy = union(x.SilencedBy, y.SilencedBy)
	out.InhibitedBy = union(x.InhibitedBy, y.InhibitedBy)
	out.Alertmanagers = union(x.Alertmanagers, y.Alertmanagers)
	return out
}

// stateRank orders alert states for the merge: lower wins.
func stateRank(s string) int {
	switch s {
	case "active":
		return 0
	case "unprocessed":
		return 1
	case "suppressed":
		return 2
	case "firing":
		return 3
	case "pending":
		return 4
	}
	return 5
}

// union is x then the elements of y it lacks, without writing to either; x itself
// when y adds nothing.
func union(x, y []string) []string {
	out := x
	for _, s := range y {
		if !slices.Contains(out, s) {
			if len(out) == len(x) {
				out = append(make([]string, 0, len(x)+len(y)), x...)
			}
			out = append(out, s)
		}
	}
	return out
}
