package sim

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// Sample spacing. Recent samples are ScrapeInterval apart, as scraped. A selector
// whose range is longer than fineSpan (the 1d, 3d, 7d and 30d SLO windows) sees its
// samples older than fineSpan before the selection's end coarseStep apart instead:
// 30 days at 15 s would be 172,800 samples per series per query, at 5 min it is
// 8,640 plus 1,440 fine ones. rate() and increase() stay correct because every
// sample is the counter's exact value at its timestamp: only the handful of
// seconds the engine extrapolates at the window's old edge is estimated, and that
// is the same for every series of a query, so ratios of two counters are exact.
// What a coarse grid can miss is a short spike in a gauge under max_over_time over
// such a range, which nothing in vigil asks for.
const (
	coarseStep = 5 * time.Minute
	fineSpan   = 6 * time.Hour
)

// Queryable is the scenario as Prometheus storage, for promql.Engine. Samples exist
// from HistoryStart up to clock(), never in the simulated future.
func (sc *Scenario) Queryable(clock func() time.Time) storage.Queryable {
	return queryable{sc: sc, clock: clock}
}

type queryable struct {
	sc    *Scenario
	clock func() time.Time
}

func (q queryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{sc: q.sc, mint: max(mint, q.sc.originMs), maxt: min(maxt, q.clock().UnixMilli())}, nil
}

type querier struct {
	sc         *Scenario
	mint, maxt int64
}

func (q *querier) Close() error { return nil }

func (q *querier) Select(ctx context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	start, end := q.mint, q.maxt
	fineFrom := int64(math.MinInt64)
	if hints != nil {
		start, end = max(start, hints.Start), min(end, hints.End)
		if hints.Range > fineSpan.Milliseconds() {
			fineFrom = floorDiv(end-fineSpan.Milliseconds(), coarseStep.Milliseconds()) * coarseStep.Milliseconds()
		}
	}
	if start > end {
		return storage.EmptySeriesSet()
	}
	set := &seriesSet{}
	// The series are kept sorted, so the set is sorted whether asked or not.
	for _, s := range q.sc.series {
		if err := ctx.Err(); err != nil {
			return storage.ErrSeriesSet(err)
		}
		if matchAll(s.lset, ms) {
			set.series = append(set.series, &view{sc: q.sc, s: s, start: start, end: end, fineFrom: fineFrom})
		}
	}
	return set
}

func (q *querier) LabelValues(_ context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]bool{}
	for _, s := range q.sc.series {
		if v := s.lset.Get(name); v != "" && matchAll(s.lset, ms) {
			seen[v] = true
		}
	}
	return limited(seen, hints), nil, nil
}

func (q *querier) LabelNames(_ context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]bool{}
	for _, s := range q.sc.series {
		if matchAll(s.lset, ms) {
			s.lset.Range(func(l labels.Label) { seen[l.Name] = true })
		}
	}
	return limited(seen, hints), nil, nil
}

func limited(seen map[string]bool, hints *storage.LabelHints) []string {
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	if hints != nil && hints.Limit > 0 && len(out) > hints.Limit {
		out = out[:hints.Limit]
	}
	return out
}

type seriesSet struct {
	series []storage.Series
	i      int
}

func (ss *seriesSet) Next() bool {
	if ss.i >= len(ss.series) {
		return false
	}
	ss.i++
	return true
}
func (ss *seriesSet) At() storage.Series                { return ss.series[ss.i-1] }
func (ss *seriesSet) Err() error                        { return nil }
func (ss *seriesSet) Warnings() annotations.Annotations { return nil }

// view is a series as one selection sees it: samples in [start, end] on the grid
// that selection gets.
type view struct {
	sc                   *Scenario
	s                    *series
	start, end, fineFrom int64
}

func (v *view) Labels() labels.Labels { return v.s.lset }

// resetter is the reuse hook of Prometheus's list iterator.
type resetter interface{ Reset(storage.Samples) }

func (v *view) Iterator(reuse chunkenc.Iterator) chunkenc.Iterator {
	g := v.grid()
	if r, ok := reuse.(resetter); ok {
		r.Reset(g)
		return reuse
	}
	return storage.NewListSeriesIterator(g)
}

func (v *view) grid() *grid {
	coarse, fine := coarseStep.Milliseconds(), ScrapeInterval.Milliseconds()
	g := &grid{sc: v.sc, s: v.s, fineStep: fine, cur: -1}
	fineStart := ceilMul(v.start, fine)
	if v.fineFrom > v.start {
		g.coarseStart = ceilMul(v.start, coarse)
		g.nCoarse = count(g.coarseStart, min(v.fineFrom-1, v.end), coarse)
		fineStart = v.fineFrom
	}
	g.fineStart = fineStart
	g.n = g.nCoarse + count(fineStart, v.end, fine)
	return g
}

func ceilMul(t, step int64) int64 { return -floorDiv(-t, step) * step }

// count is how many multiples of step from a (itself one) are at most b.
func count(a, b, step int64) int {
	if a > b {
		return 0
	}
	return int((b-a)/step) + 1
}

// grid is the samples of one view, computed when asked for: memory stays constant
// however long the range, and a binary search by the engine's Seek computes
// timestamps only.
type grid struct {
	sc                     *Scenario
	s                      *series
	coarseStart, fineStart int64
	fineStep               int64
	nCoarse, n             int
	cur                    int // index of p, -1 for none
	p                      point
}

func (g *grid) Len() int { return g.n }

// Get returns a sample that stays valid until the next Get, which is how the list
// iterator uses it; Copy detaches one.
func (g *grid) Get(i int) chunks.Sample {
	if i != g.cur {
		t := g.fineStart + int64(i-g.nCoarse)*g.fineStep
		if i < g.nCoarse {
			t = g.coarseStart + int64(i)*coarseStep.Milliseconds()
		}
		g.cur, g.p = i, point{g: g, t: t}
	}
	return &g.p
}

type point struct {
	g    *grid
	t    int64
	f    float64
	done bool
}

func (p *point) T() int64 { return p.t }
func (p *point) F() float64 {
	if !p.done {
		p.f, p.done = p.g.sc.valueAt(p.g.s, p.t), true
	}
	return p.f
}
func (p *point) ST() int64                     { return 0 }
func (p *point) H() *histogram.Histogram       { return nil }
func (p *point) FH() *histogram.FloatHistogram { return nil }
func (p *point) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (p *point) Copy() chunks.Sample           { c := *p; c.F(); return &c }
