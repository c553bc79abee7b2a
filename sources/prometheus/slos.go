package prometheus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
)

// The parts of one SLO's answer over one window, told apart by the "part" label of the
// combined query. Counts from rate-shaped queries are per-second rates averaged over
// the window rather than event counts; errors and total share the window, so their
// ratio is the ratio of the counts, which is all slo.Evaluate uses.
const (
	partErrors = "errors"
	partGood   = "good"
	partTotal  = "total"
	partRatio  = "ratio" // a precomputed error ratio: Counts{Errors: r, Total: 1}
)

// sloGroup is one request of the SLO part of a poll: the windows it answers for every
// SLO. The short windows are asked every poll, one request each, so the five requests
// run side by side; the long ones change slowly and are cached.
type sloGroup struct {
	name    string
	windows []time.Duration
	long    bool
	own     bool // answers each SLO's own window only (the SLO windows group)
}

// longCache is the last answer of a long group and the instant it was asked about.
type longCache struct {
	at     time.Time
	counts map[int]map[time.Duration]slo.Counts // by SLO index
}

// builtQuery is a group's combined query and the sub-expressions it is made of.
type builtQuery struct {
	name   string // the group's name, and the chunk's place when it has several
	query  string
	subs   []subQuery   // every SLO, window and part it answers
	shapes []*shapeTerm // the shared terms, by their "shape" tag
}

// subQuery is one sub-expression of a combined query.
type subQuery struct {
	slo    int
	window time.Duration
	part   string
	expr   string // already aggregated to one series; "" when asked through a shape
}

// groups splits the windows: each of slo.Windows shorter than a day alone, those of a
// day and more together, and every SLO window that is not one of slo.Windows together.
// Each group is asked in requests of at most maxSLOTerms terms (see chunkSubs).
func (s *Source) groups() []sloGroup {
	var gs []sloGroup
	long := sloGroup{name: "", long: true}
	for _, w := range slo.Windows {
		if w < 24*time.Hour {
			gs = append(gs, sloGroup{name: slo.WindowName(w), windows: []time.Duration{w}})
		} else {
			long.windows = append(long.windows, w)
		}
	}
	if len(long.windows) > 0 {
		long.name = joinWindows(long.windows)
		gs = append(gs, long)
	}
	own := sloGroup{long: true, own: true}
	for _, d := range s.opts.SLOs {
		if !slices.Contains(slo.Windows, d.Window) && !slices.Contains(own.windows, d.Window) {
			own.windows = append(own.windows, d.Window)
		}
	}
	if len(own.windows) > 0 {
		slices.Sort(own.windows)
		own.name = joinWindows(own.windows)
		gs = append(gs, own)
	}
	return gs
}

func joinWindows(ws []time.Duration) string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = slo.WindowName(w)
	}
	return strings.Join(names, "+")
}

// subQueries lists what group g asks of every SLO that is not in trouble. Caller
// holds s.mu.
func (s *Source) subQueries(g sloGroup) []subQuery {
	var subs []subQuery
	for i, d := range s.opts.SLOs {
		if s.trouble[i] != nil {
			continue // asked on its own until it answers again: see sloTrouble
		}
		for _, w := range g.windows {
			if g.own && w != d.Window {
				continue
			}
			for _, p := range s.parts(i, w) {
				subs = append(subs, subQuery{slo: i, window: w, part: p[0], expr: p[1]})
			}
		}
	}
	return subs
}

// parts is what is asked about SLO i over window w, as (part, aggregated PromQL)
// pairs. Counts of events are summed into one series; ratios are not summable, so a
// ratio with several series (one per replica, say) keeps the worst one.
func (s *Source) parts(i int, w time.Duration) [][2]string {
	d := s.opts.SLOs[i]
	win := slo.WindowName(w)
	if s.recording != nil && s.recording[i][w] {
		return [][2]string{{partRatio, "max(" + d.Recording.ErrorRatio[w] + ")"}}
	}
	errs, total := d.Queries(win)
	switch {
	case d.SLI.ErrorRatio != "":
		return [][2]string{{partRatio, "max(" + errs + ")"}}
	case goodForm(d):
		// Asked on its own rather than as total - good, so that a good counter with no
		// series (nothing succeeded) reads as 0 good events, not as no data.
		return [][2]string{{partGood, "sum(" + goodQuery(d, win) + ")"}, {partTotal, "sum(" + total + ")"}}
	}
	return [][2]string{{partErrors, "sum(" + errs + ")"}, {partTotal, "sum(" + total + ")"}}
}

// goodForm tells an SLI written as good and total events.
func goodForm(d slo.Definition) bool {
	return d.SLI.Good != "" && d.SLI.Errors == "" && d.SLI.Latency == nil && d.SLI.ErrorRatio == ""
}

// goodQuery is d's good-events query over win. The slo package substitutes windows
// only through Queries, so it is asked for the good query in the errors slot.
func goodQuery(d slo.Definition, win string) string {
	g := slo.Definition{SLI: slo.SLI{Errors: d.SLI.Good, Total: d.SLI.Total}}
	q, _ := g.Queries(win)
	return q
}

// combine joins sub-expressions into one query with `or`; label_replace tags each
// one's single series with the SLO, part and window it answers, so every series is
// distinct and `or` keeps them all.
func combine(defs []slo.Definition, subs []subQuery) string {
	var b strings.Builder
	for i, q := range subs {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(`label_replace(label_replace(label_replace(`)
		b.WriteString(q.expr)
		b.WriteString(`, "slo", `)
		b.WriteString(quoteReplacement(defs[q.slo].Name))
		b.WriteString(`, "", ""), "part", "`)
		b.WriteString(q.part)
		b.WriteString(`", "", ""), "window", "`)
		b.WriteString(slo.WindowName(q.window))
		b.WriteString(`", "", "")`)
	}
	return b.String()
}

// quoteReplacement makes s a PromQL string literal that label_replace writes back
// unchanged: "$" would start a capture-group reference.
func quoteReplacement(s string) string {
	return strconv.Quote(strings.ReplaceAll(s, "$", "$$"))
}

// readCounts turns a combined query's answer into counts per SLO and window.
//
// An errors part with no series while its total has one counts as 0 errors: failure
// counters commonly have no series until the first failure, and a healthy service must
// not read as "no data". Likewise a good part with no series is 0 good events. A
// latency SLI's errors come from the histogram that also gives its total, so missing
// errors there mean a misconfigured threshold, and stay no data. NaN or ±Inf in any
// part leaves the window without data.
func (s *Source) readCounts(v model.Value, subs []subQuery) (map[int]map[time.Duration]slo.Counts, error) {
	return s.readShapedCounts(v, subs, nil)
}

// readShapedCounts is readCounts for an answer that holds shared terms too: a series
// tagged with the shape at index n of shapes answers for the SLOs of the value it
// carries in the shape's label.
func (s *Source) readShapedCounts(v model.Value, subs []subQuery, shapes []*shapeTerm) (map[int]map[time.Duration]slo.Counts, error) {
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("bad response: want a vector, got a %s", v.Type())
	}
	type key struct {
		slo    int
		window time.Duration
	}
	type parts struct {
		vals map[string]float64
		bad  bool
	}
	windows := map[string]time.Duration{}
	for _, q := range subs {
		windows[slo.WindowName(q.window)] = q.window
	}
	got := map[key]*parts{}
	put := func(i int, w time.Duration, part string, x float64) {
		k := key{i, w}
		p := got[k]
		if p == nil {
			p = &parts{vals: map[string]float64{}}
			got[k] = p
		}
		if !usable(x) {
			p.bad = true
			return
		}
		p.vals[part] = x
	}
	for _, smp := range vec {
		w, ok := windows[string(smp.Metric["window"])]
		if !ok {
			continue
		}
		part, x := string(smp.Metric["part"]), float64(smp.Value)
		if tag, shaped := smp.Metric["shape"]; shaped {
			n, err := strconv.Atoi(string(tag))
			if err != nil || n < 0 || n >= len(shapes) {
				continue
			}
			for _, i := range shapes[n].slos[string(smp.Metric[model.LabelName(shapes[n].label)])] {
				put(i, w, part, x)
			}
			continue
		}
		if i, ok := s.sloIndex[string(smp.Metric["slo"])]; ok {
			put(i, w, part, x)
		}
	}
	out := map[int]map[time.Duration]slo.Counts{}
	for k, p := range got {
		if p.bad {
			continue
		}
		d := s.opts.SLOs[k.slo]
		var c slo.Counts
		if r, ok := p.vals[partRatio]; ok {
			c = slo.Counts{Errors: r, Total: 1}
		} else if t, ok := p.vals[partTotal]; ok {
			switch e, hasE := p.vals[partErrors]; {
			case goodForm(d):
				c = slo.Counts{Errors: t - p.vals[partGood], Total: t}
			case hasE:
				c = slo.Counts{Errors: e, Total: t}
			case d.SLI.Latency == nil:
				c = slo.Counts{Errors: 0, Total: t}
			default:
				// Requests came and no bucket answered for the threshold: it is not
				// one of the histogram's boundaries. Said on the SLO, not as no data.
				s.noBucketMu.Lock()
				if s.noBucket == nil {
					s.noBucket = map[int]bool{}
				}
				s.noBucket[k.slo] = true
				s.noBucketMu.Unlock()
				continue
			}
		} else {
			continue
		}
		if out[k.slo] == nil {
			out[k.slo] = map[time.Duration]slo.Counts{}
		}
		out[k.slo][k.window] = c
	}
	return out, nil
}
