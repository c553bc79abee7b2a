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
	// pairs are the Alertmanager lists of merged alerts, by the two lists' one name
	// each: thousands of alerts reported by the same two sources share one list.
	pairs map[[2]string][]string
}

// mergeAlerts gathers the alerts of every source. The Alertmanager source already
// merges its replicas; this merge is the same rule for whatever still arrives twice
// (two alert sources, or a Prometheus beside an Alertmanager), so each fingerprint
// leaves Build exactly once. Alerts are used by reference: the snapshot is immutable.
//
// A source lists each fingerprint once (sources.AlertsData), so only a second source
// can repeat one. The index that finds repeats holds every source's alerts but the
// largest's: those are only looked up, and looking 100,000 alerts up in a small map
// is much cheaper than inserting them into a large one.
func mergeAlerts(snap sources.Snapshot) mergedAlerts {
	var datas []*sources.AlertsData
	n, nsil, big := 0, 0, 0
	for _, st := range snap.Sources {
		if st.Last == nil || st.Last.Data.Alerts == nil {
			continue
		}
		d := st.Last.Data.Alerts
		if len(datas) > 0 && len(d.Alerts) > len(datas[big].Alerts) {
			big = len(datas)
		}
		datas = append(datas, d)
		n += len(d.Alerts)
		nsil += len(d.Silences)
	}
	m := mergedAlerts{alerts: make([]*sources.Alert, 0, n)}
	if nsil > 0 {
		m.silences = make(map[string]*sources.Silence, nsil)
	}
	// placed, by fingerprint, is where an alert of a small source went in alerts;
	// -1 until it is placed.
	var placed fpIndex
	if len(datas) > 1 {
		placed = newFPIndex(n - len(datas[big].Alerts))
		for s, d := range datas {
			if s != big {
				for i := range d.Alerts {
					placed.put(d.Alerts[i].Fingerprint, -1)
				}
			}
		}
	}
	for s, d := range datas {
		for i := range d.Silences {
			if _, dup := m.silences[d.Silences[i].ID]; !dup {
				m.silences[d.Silences[i].ID] = &d.Silences[i]
			}
		}
		for i := range d.Alerts {
			a := &d.Alerts[i]
			j, small := int32(-1), false
			if len(datas) > 1 {
				j, small = placed.get(a.Fingerprint)
			}
			switch {
			case !small && s == big || len(datas) == 1:
				m.alerts = append(m.alerts, a) // no other source has it
			case j < 0:
				placed.put(a.Fingerprint, int32(len(m.alerts)))
				m.alerts = append(m.alerts, a)
			default:
				if len(m.owned) == cap(m.owned) {
					// A new block, never a grown one: the pointers into it stay put.
					m.owned = make([]sources.Alert, 0, max(64, 2*cap(m.owned)))
				}
				m.owned = append(m.owned, m.mergeTwo(*m.alerts[j], *a))
				m.alerts[j] = &m.owned[len(m.owned)-1]
			}
		}
	}
	return m
}

// mergeTwo is one alert reported twice. Alertmanager's word beats Prometheus's (only
// Alertmanager knows silences); among Alertmanagers the alert is active if any says
// so — a silence in one replica does not hide it; among Prometheus reports, firing
// beats pending. Silences and inhibitions are the union, the start the earliest,
// episodes the most any source counted.
func (m *mergedAlerts) mergeTwo(x, y sources.Alert) sources.Alert {
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
	if len(x.Alertmanagers) == 1 && len(y.Alertmanagers) == 1 {
		key := [2]string{x.Alertmanagers[0], y.Alertmanagers[0]}
		if m.pairs[key] == nil {
			if m.pairs == nil {
				m.pairs = map[[2]string][]string{}
			}
			m.pairs[key] = slices.Clip(union(x.Alertmanagers, y.Alertmanagers))
		}
		out.Alertmanagers = m.pairs[key]
	} else {
		out.Alertmanagers = union(x.Alertmanagers, y.Alertmanagers)
	}
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
