package alerts

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// group is the actionable alerts that share the group-by labels' values.
type group struct {
	key      string
	first    int32 // the first member's index: its labels stand for the group's
	count    int
	sev      Severity
	since    time.Time
	flapping bool
	ams      []string // every Alertmanager that reported a member
	start    int      // where its members begin in the shared members array
}

// groupAlerts folds the actionable alerts not joined to a page into one row per
// group-by key, in the actionable order: critical before warning before info, then
// the oldest, then by key. A label an alert lacks is left out of its key, so alerts
// without a service label group by alertname alone. Two passes: the first finds
// each alert's group, the second lays the members of every group out in one array.
func groupAlerts(alerts []*sources.Alert, verdicts []verdict, joined []bool, groupBy []string) []Item {
	byKey := map[string]int32{}
	var groups []group
	of := make([]int32, len(alerts)) // each alert's group; -1 when not in one
	var buf []byte
	for i, a := range alerts {
		v := verdicts[i]
		if v.reason >= 0 || (joined != nil && joined[i]) {
			of[i] = -1
			continue
		}
		buf = appendGroupKey(buf[:0], a.Labels, groupBy)
		g, ok := byKey[string(buf)] // no allocation for the lookup
		if !ok {
			g = int32(len(groups))
			key := string(buf)
			byKey[key] = g
			groups = append(groups, group{key: key, first: int32(i), sev: v.sev, since: a.StartsAt, ams: a.Alertmanagers})
		}
		of[i] = g
		gr := &groups[g]
		gr.count++
		if severityRank(v.sev) < severityRank(gr.sev) {
			gr.sev = v.sev
		}
		if a.StartsAt.Before(gr.since) {
			gr.since = a.StartsAt
		}
		gr.flapping = gr.flapping || v.flapping
		if !slices.Equal(gr.ams, a.Alertmanagers) {
			gr.ams = union(gr.ams, a.Alertmanagers)
		}
	}
	if len(groups) == 0 {
		return nil
	}
	total := 0
	for g := range groups {
		groups[g].start = total
		total += groups[g].count
	}
	members := make([]string, total)
	filled := make([]int, len(groups))
	for i, g := range of {
		if g >= 0 {
			members[groups[g].start+filled[g]] = alerts[i].Fingerprint
			filled[g]++
		}
	}
	slices.SortFunc(groups, func(x, y group) int {
		if c := cmp.Compare(severityRank(x.sev), severityRank(y.sev)); c != 0 {
			return c
		}
		if c := x.since.Compare(y.since); c != 0 {
			return c
		}
		return cmp.Compare(x.key, y.key)
	})
	items := make([]Item, len(groups))
	for j, g := range groups {
		a := alerts[g.first]
		it := Item{
			Kind: "alert", ID: g.key, Title: alertTitle(a, verdicts[g.first].name), Severity: g.sev, Labels: labelsOf(a),
			Since: g.since, Count: g.count, Members: members[g.start : g.start+g.count : g.start+g.count],
			Flapping: g.flapping, Alertmanagers: g.ams,
		}
		if g.count > 1 {
			// The row stands for several alerts: only the labels they group by are
			// theirs in common for sure.
			it.Labels = groupLabels(a.Labels, groupBy)
		}
		items[j] = it
	}
	return items
}

// appendGroupKey writes the group key in matcher syntax, {alertname="X",service="y"}:
// an ID that reads as what it is and that a silence form can start from.
func appendGroupKey(buf []byte, lbls map[string]string, groupBy []string) []byte {
	buf = append(buf, '{')
	n := 0
	for _, name := range groupBy {
		v, ok := lbls[name]
		if !ok {
			continue
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, name...)
		buf = append(buf, '=')
		buf = strconv.AppendQuote(buf, v)
		n++
	}
	return append(buf, '}')
}

// groupLabels is the group-by labels of a group's first alert.
func groupLabels(lbls map[string]string, groupBy []string) map[string]string {
	out := make(map[string]string, len(groupBy))
	for _, name := range groupBy {
		if v, ok := lbls[name]; ok {
			out[name] = v
		}
	}
	return out
}
