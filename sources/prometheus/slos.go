package prometheus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
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
	query string
	subs  []subQuery
}

// subQuery is one sub-expression of a combined query.
type subQuery struct {
	slo    int
	window time.Duration
	part   string
	expr   string // already aggregated to one series
}

// groups splits the windows: each of slo.Windows shorter than a day alone, those of a
// day and more together, and every SLO window that is not one of slo.Windows together.
// With any number of SLOs and SLO window lengths a poll makes 5 requests, and 7 when
// the long windows are due.
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

// planSLOs makes the SLO jobs of one poll at `at`: the short windows always, the long
// ones when the cached answer is older than LongWindowEvery (in evaluation time, so a
// snapshot of the past is not answered from the present), and the retention flag until
// the server has answered it once.
func (s *Source) planSLOs(at time.Time) (jobs []job, finish func() *sources.SLOData) {
	groups := s.groups()
	results := make([]map[int]map[time.Duration]slo.Counts, len(groups))
	s.mu.Lock()
	defer s.mu.Unlock()
	for gi, g := range groups {
		if c := s.long[g.name]; g.long && c != nil && (at.Sub(c.at)).Abs() < s.opts.LongWindowEvery {
			results[gi] = c.counts
			continue
		}
		b := s.built[g.name]
		if b == nil {
			// The text depends only on the definitions and the recording check, so it
			// is built once rather than on every poll.
			subs := s.subQueries(g)
			b = &builtQuery{subs: subs, query: combine(s.opts.SLOs, subs)}
			s.built[g.name] = b
		}
		query, subs := b.query, b.subs
		jobs = append(jobs, job{what: "SLO " + g.name + " query", do: func(ctx context.Context) error {
			v, _, _, err := s.api.Query(ctx, query, at)
			if err != nil {
				return err
			}
			counts, err := s.readCounts(v, subs)
			if err != nil {
				return err
			}
			results[gi] = counts
			if g.long {
				s.mu.Lock()
				s.long[g.name] = &longCache{at: at, counts: counts}
				s.mu.Unlock()
			}
			return nil
		}})
	}
	if s.retention == nil {
		jobs = append(jobs, job{what: "retention", do: s.readRetention})
	}
	return jobs, func() *sources.SLOData {
		out := &sources.SLOData{Counts: make(map[string]map[time.Duration]slo.Counts, len(s.opts.SLOs))}
		for i, d := range s.opts.SLOs {
			m := make(map[time.Duration]slo.Counts, len(slo.Windows)+1)
			for _, r := range results {
				for w, c := range r[i] {
					m[w] = c
				}
			}
			out.Counts[d.Name] = m
		}
		s.mu.Lock()
		if s.retention != nil {
			out.Retention = *s.retention
		}
		if s.queries == nil {
			// Built once the recording-rule check has run, so the detail view shows
			// what is really asked (a recording rule or the raw query).
			s.queries = make(map[string]map[string]string, len(s.opts.SLOs))
			for i, d := range s.opts.SLOs {
				s.queries[d.Name] = s.sloQueriesLocked(i)
			}
		}
		out.Queries = s.queries
		s.mu.Unlock()
		return out
	}
}

// subQueries lists what group g asks of every SLO. Caller holds s.mu.
func (s *Source) subQueries(g sloGroup) []subQuery {
	var subs []subQuery
	for i, d := range s.opts.SLOs {
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
	for _, smp := range vec {
		i, ok1 := s.sloIndex[string(smp.Metric["slo"])]
		w, ok2 := windows[string(smp.Metric["window"])]
		if !ok1 || !ok2 {
			continue
		}
		k := key{i, w}
		p := got[k]
		if p == nil {
			p = &parts{vals: map[string]float64{}}
			got[k] = p
		}
		x := float64(smp.Value)
		if !usable(x) {
			p.bad = true
			continue
		}
		p.vals[string(smp.Metric["part"])] = x
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

// readRetention reads storage.tsdb.retention.time once. It never fails the poll: a
// server without the flags endpoint (Thanos, Mimir) has an unknown retention, 0.
func (s *Source) readRetention(ctx context.Context) error {
	flags, err := s.api.Flags(ctx)
	if err != nil && passing(err) {
		return nil // ask again next poll
	}
	r := retentionFromFlags(flags)
	s.mu.Lock()
	s.retention = &r
	s.mu.Unlock()
	return nil
}

// retentionFromFlags reads Prometheus's retention flags. With neither time nor size
// set Prometheus keeps 15 days; with only a size the time limit is unknown.
func retentionFromFlags(flags v1.FlagsResult) time.Duration {
	t := flags["storage.tsdb.retention.time"]
	if t == "" || t == "0s" {
		t = flags["storage.tsdb.retention"] // the pre-2.8 name, still accepted
	}
	if d, err := model.ParseDuration(t); err == nil && d > 0 {
		return time.Duration(d)
	}
	if _, ok := flags["storage.tsdb.retention.time"]; !ok {
		return 0
	}
	if size := flags["storage.tsdb.retention.size"]; size == "" || size == "0B" || size == "0" {
		return 15 * 24 * time.Hour
	}
	return 0
}

// checkRecording asks, once, which Sloth/Pyrra recording series exist, in one query
// for every SLO that names some. An SLO window whose series exists is then read from
// it; the others are computed from the raw queries. A server that rejects the check
// (a selector it cannot parse) leaves every SLO on its raw queries.
func (s *Source) checkRecording(ctx context.Context, at time.Time) error {
	s.mu.Lock()
	done := s.recording != nil
	s.mu.Unlock()
	if done {
		return nil
	}
	var b strings.Builder
	for _, d := range s.opts.SLOs {
		if d.Recording == nil {
			continue
		}
		for _, w := range slo.Windows {
			sel := d.Recording.ErrorRatio[w]
			if sel == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(" or ")
			}
			fmt.Fprintf(&b, `label_replace(label_replace(count(%s), "slo", %s, "", ""), "window", "%s", "", "")`,
				sel, quoteReplacement(d.Name), slo.WindowName(w))
		}
	}
	rec := make([]map[time.Duration]bool, len(s.opts.SLOs))
	if b.Len() > 0 {
		v, _, _, err := s.api.Query(ctx, b.String(), at)
		switch {
		case err != nil && passing(err):
			return err
		case err == nil:
			vec, _ := v.(model.Vector)
			for _, smp := range vec {
				i, ok := s.sloIndex[string(smp.Metric["slo"])]
				w, err := model.ParseDuration(string(smp.Metric["window"]))
				if !ok || err != nil {
					continue
				}
				if rec[i] == nil {
					rec[i] = map[time.Duration]bool{}
				}
				rec[i][time.Duration(w)] = true
			}
		}
	}
	s.mu.Lock()
	s.recording = rec
	clear(s.built)
	s.queries = nil
	s.mu.Unlock()
	return nil
}

// passing tells a failure that may clear by the next poll (the network, an overloaded
// or restarting server) from an answer that will not change (404: no such endpoint,
// 400: a selector it cannot parse), which is worth remembering.
func passing(err error) bool {
	var apiErr *v1.Error
	if !errors.As(err, &apiErr) {
		return true
	}
	switch apiErr.Type {
	case v1.ErrServer, v1.ErrTimeout, v1.ErrCanceled:
		return true
	}
	return false
}
