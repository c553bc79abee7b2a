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

// grouper folds the actionable alerts not joined to a page into one row per
// group-by key. A label an alert lacks is left out of its key, so alerts without a
// service label group by alertname alone. Alerts are added in triage's first pass,
// while their labels are in cache; those joined to a page are dropped again; items
// then lays every group's members out in one array.
type grouper struct {
	groupBy []string
	byKey   map[string]int32
	groups  []group
	of      []int32 // each alert's group; -1 when not in one
	buf     []byte
}

func newGrouper(n int, groupBy []string) *grouper {
	return &grouper{groupBy: groupBy, byKey: map[string]int32{}, of: make([]int32, n)}
}

// add puts alert i into its group.
func (gr *grouper) add(i int, a *sources.Alert) {
	gr.buf = appendGroupKey(gr.buf[:0], a.Labels, gr.groupBy)
	g, ok := gr.byKey[string(gr.buf)] // no allocation for the lookup
	if !ok {
		g = int32(len(gr.groups))
		key := string(gr.buf)
		gr.byKey[key] = g
		gr.groups = append(gr.groups, group{key: key})
	}
	gr.of[i] = g
	gr.groups[g].count++
}

// skip marks alert i as in no group (hidden).
func (gr *grouper) skip(i int) { gr.of[i] = -1 }

// drop takes alert i out of its group: it is folded into a page instead.
func (gr *grouper) drop(i int) {
	if g := gr.of[i]; g >= 0 {
		gr.groups[g].count--
		gr.of[i] = -1
	}
}

// items is one row per group, in the actionable order: critical before warning
// before info, then the oldest, then by key. A group's severity (the worst), start
// (the earliest), flapping and Alertmanagers are its remaining members'.
func (gr *grouper) items(alerts []*sources.Alert, verdicts []verdict) []Item {
	total := 0
	for g := range gr.groups {
		gr.groups[g].start, gr.groups[g].first = total, -1
		total += gr.groups[g].count
	}
	if total == 0 {
		return nil
	}
	members := make([]string, total)
	behind := make([]*sources.Alert, total) // the alerts behind members, in one array too
	filled := make([]int, len(gr.groups))
	for i, g := range gr.of {
		if g < 0 {
			continue
		}
		a, v, grp := alerts[i], verdicts[i], &gr.groups[g]
		members[grp.start+filled[g]] = a.Fingerprint
		behind[grp.start+filled[g]] = a
		filled[g]++
		if grp.first < 0 {
			grp.first, grp.sev, grp.since, grp.flapping, grp.ams = int32(i), v.sev, a.StartsAt, v.flapping, a.Alertmanagers
			continue
		}
		if severityRank(v.sev) < severityRank(grp.sev) {
			grp.sev = v.sev
		}
		if a.StartsAt.Before(grp.since) {
			grp.since = a.StartsAt
		}
		grp.flapping = grp.flapping || v.flapping
		if !slices.Equal(grp.ams, a.Alertmanagers) {
			grp.ams = union(grp.ams, a.Alertmanagers)
		}
	}
	// Groups every member of which went to a page are gone.
	groups := slices.DeleteFunc(gr.groups, func(g group) bool { return g.count == 0 })
	groupBy := gr.groupBy
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
			Flapping: g.flapping, Alertmanagers: g.ams, Alerts: behind[g.start : g.start+g.count : g.start+g.count],
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
		buf = appendQuoted(buf, v)
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

// appendQuoted is strconv.AppendQuote, without its rune-by-rune walk for the usual
// value that is plain printable ASCII with nothing to escape.
func appendQuoted(buf []byte, v string) []byte {
	for i := range len(v) {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return strconv.AppendQuote(buf, v)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, v...)
	return append(buf, '"')
}
