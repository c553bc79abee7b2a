package alerts

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// verdict is what triage decided about one alert.
type verdict struct {
	name     string // the alertname label, read once while the labels are warm
	sev      Severity
	reason   int8 // index in HiddenReasons; -1: actionable
	rule     int32
	flapping bool
}

// triageAlerts decides, for every alert of the snapshot, whether it is hidden (with
// the first reason that applies), folded into the open page it caused, or shown in
// a group; and merges the groups into the actionable list, which holds the pages
// and SLO items already in order. Every alert leaves exactly once: in Hidden, in a
// page's Members or in a group's Members.
func triageAlerts(b *Board, snap sources.Snapshot, t Triage, now time.Time) {
	b.HiddenCounts = map[string]int{}
	for i := range b.Actionable {
		if b.Actionable[i].Members == nil {
			b.Actionable[i].Members = noMembers
		}
	}
	m := mergeAlerts(snap)
	if len(m.alerts) == 0 {
		return
	}
	r := t.withDefaults()
	verdicts := make([]verdict, len(m.alerts))
	gr := newGrouper(len(m.alerts), r.groupBy)
	hidden := 0
	for i, a := range m.alerts {
		v := &verdicts[i]
		v.name = a.Labels["alertname"]
		v.sev = r.severityOf(a.Labels)
		v.reason, v.rule, v.flapping = r.hiddenBy(a, v.name, v.sev, now)
		if v.reason >= 0 {
			hidden++
			gr.skip(i)
		} else {
			gr.add(i, a) // now, while its labels are in cache
		}
	}
	if hidden > 0 {
		b.Hidden = hiddenItems(m, verdicts, hidden, &r, now, b.HiddenCounts)
	}
	if hidden == len(m.alerts) {
		return
	}
	joined := joinPages(b, m.alerts, verdicts)
	for i, j := range joined {
		if j {
			gr.drop(i)
		}
	}
	pageAlerts(b.Actionable, m.alerts, joined)
	b.Actionable = mergeSorted(b.Actionable, gr.items(m.alerts, verdicts))
}

// pageAlerts fills the Alerts of the page rows that alerts were folded into, from
// their Members: the few joined alerts are indexed, not all of them.
func pageAlerts(items []Item, all []*sources.Alert, joined []bool) {
	var byFP map[string]*sources.Alert
	for k := range items {
		it := &items[k]
		if it.Kind != "page" || len(it.Members) == 0 {
			continue
		}
		if byFP == nil {
			byFP = map[string]*sources.Alert{}
			for i, j := range joined {
				if j {
					byFP[all[i].Fingerprint] = all[i]
				}
			}
		}
		it.Alerts = make([]*sources.Alert, len(it.Members))
		for i, fp := range it.Members {
			it.Alerts[i] = byFP[fp]
		}
	}
}

// noMembers is the members of a page or SLO row with no alerts: one shared, never
// written, empty slice, so JSON shows [].
var noMembers = []string{}

// hiddenBy is the first reason that hides a, or -1; rule is the index of the user
// rule when that is the reason; flapping is whether a flaps, hidden or not.
func (r *triageRules) hiddenBy(a *sources.Alert, name string, sev Severity, now time.Time) (reason int8, rule int32, flapping bool) {
	critical := sev == SeverityCritical
	flapping = r.flapEpisodes > 0 && r.episodes(a) >= r.flapEpisodes
	switch {
	case a.State == "suppressed" && len(a.SilencedBy) > 0:
		return idxSilenced, -1, flapping
	case a.State == "suppressed":
		// Suppressed with no silence named: Alertmanager's only other mute is an
		// inhibition.
		return idxInhibited, -1, flapping
	case r.heartbeats[name]:
		return idxHeartbeat, -1, flapping
	}
	for i := range r.hide {
		if r.hide[i].matches(a.Labels) {
			return idxRule, int32(i), flapping
		}
	}
	switch {
	case severityRank(sev) > r.minRank:
		return idxSeverity, -1, flapping
	case a.State == "pending":
		return idxPending, -1, flapping
	case flapping && !critical:
		return idxFlapping, -1, flapping
	case !critical && r.hold > 0 && !a.StartsAt.IsZero() && now.Sub(a.StartsAt) < r.hold:
		return idxHeld, -1, flapping
	}
	return -1, -1, flapping
}

// hiddenItems lists the hidden alerts in hiddenOrder and counts them per reason.
func hiddenItems(m mergedAlerts, verdicts []verdict, n int, r *triageRules, now time.Time, counts map[string]int) []Item {
	order := hiddenOrder(m.alerts, verdicts, n)
	var perReason [len(HiddenReasons)]int
	members := make([]string, n) // every hidden item's one member, in one array
	items := make([]Item, n)
	d := newDetails(m, verdicts, r, now)
	for j, idx := range order {
		a, v := m.alerts[idx], verdicts[idx]
		perReason[v.reason]++
		members[j] = a.Fingerprint
		items[j] = Item{
			Kind: "alert", ID: a.Fingerprint, Title: alertTitle(a, v.name), Severity: v.sev, Labels: labelsOf(a),
			Since: a.StartsAt, Reason: HiddenReasons[v.reason], Count: 1, Members: members[j : j+1 : j+1],
			Flapping: v.flapping, Alertmanagers: a.Alertmanagers, ReasonDetail: d.detail(a, v),
			Alerts: m.alerts[idx : idx+1 : idx+1], // Build's own array, never written again
		}
	}
	for i, c := range perReason {
		if c > 0 {
			counts[HiddenReasons[i]] = c
		}
	}
	return items
}

// alertTitle is the alert's name; the fingerprint when it has none.
func alertTitle(a *sources.Alert, name string) string {
	if name != "" {
		return name
	}
	return a.Fingerprint
}

// labelsOf is the alert's labels, shared with the snapshot (immutable), never nil.
func labelsOf(a *sources.Alert) map[string]string {
	if a.Labels == nil {
		return noLabels
	}
	return a.Labels
}

// mergeSorted merges the alert groups, in their order, into the actionable list,
// already in its order. Alert groups have ranks of their own (critical, warning,
// info), so within a rank groups only meet groups and keep their oldest-first order.
func mergeSorted(items, groups []Item) []Item {
	if len(groups) == 0 {
		return items
	}
	out := make([]Item, 0, len(items)+len(groups))
	i, j := 0, 0
	for i < len(items) && j < len(groups) {
		if groups[j].Rank() < items[i].Rank() {
			out = append(out, groups[j])
			j++
		} else {
			out = append(out, items[i])
			i++
		}
	}
	out = append(out, items[i:]...)
	return append(out, groups[j:]...)
}

// hiddenOrder is the indices of the hidden alerts by reason (in the order reasons
// are tried), then oldest first to the second, then in input order (Alertmanager
// lists alerts by fingerprint), so a row does not move between polls. Each key is
// packed into one integer — reason, start second, index — and the integers sorted
// without a comparison function: 100,000 alerts sort in a few milliseconds.
func hiddenOrder(alerts []*sources.Alert, verdicts []verdict, n int) []int32 {
	const idxBits, secBits = 24, 36
	var first int64 = math.MaxInt64
	for i, v := range verdicts {
		if v.reason >= 0 {
			first = min(first, alerts[i].StartsAt.Unix())
		}
	}
	keys := make([]uint64, 0, n)
	packable := len(alerts) < 1<<idxBits
	for i, v := range verdicts {
		if v.reason < 0 {
			continue
		}
		sec := uint64(alerts[i].StartsAt.Unix() - first)
		if sec >= 1<<secBits {
			packable = false // starts centuries apart: the zero time beside a real one
			break
		}
		keys = append(keys, uint64(v.reason)<<(secBits+idxBits)|sec<<idxBits|uint64(i))
	}
	order := make([]int32, 0, n)
	if packable {
		slices.Sort(keys)
		for _, k := range keys {
			order = append(order, int32(k&(1<<idxBits-1)))
		}
		return order
	}
	for i, v := range verdicts {
		if v.reason >= 0 {
			order = append(order, int32(i))
		}
	}
	slices.SortStableFunc(order, func(x, y int32) int {
		if c := cmp.Compare(verdicts[x].reason, verdicts[y].reason); c != 0 {
			return c
		}
		return cmp.Compare(alerts[x].StartsAt.Unix(), alerts[y].StartsAt.Unix())
	})
	return order
}
