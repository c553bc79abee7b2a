package sim

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
)

// series is one simulated time series. Its values repeat with the cycle, so one
// cycle of per-slot figures describes it for all time: a calm cycle repeated from
// HistoryStart to IncidentSince, then the incident cycle repeated for ever.
type series struct {
	lset  labels.Labels
	gauge bool
	calm  table
	inc   table
	// calmTotal is a counter's value at IncidentSince: the whole calm history.
	calmTotal float64
}

// table is one cycle of a series. For a counter v is the per-second rate in each
// slot and cum its running integral, so the counter's value at any instant is a
// few multiplications away: that keeps increase(x[30d]) as cheap as increase(x[5m]).
type table struct {
	v   [slotsPerCycle]float64
	cum [slotsPerCycle + 1]float64
}

func newTable(v [slotsPerCycle]float64) table {
	t := table{v: v}
	for k, r := range v {
		t.cum[k+1] = t.cum[k] + r*ScrapeInterval.Seconds()
	}
	return t
}

// integral is the counter's increase over d milliseconds from a cycle's start.
func (t *table) integral(d int64) float64 {
	cycle := CycleLength.Milliseconds()
	step := ScrapeInterval.Milliseconds()
	n, off := d/cycle, d%cycle
	k := off / step
	return float64(n)*t.cum[slotsPerCycle] + t.cum[k] + t.v[k]*float64(off-k*step)/1000
}

// at is a gauge's value d milliseconds after a cycle's start.
func (t *table) at(d int64) float64 {
	return t.v[(d%CycleLength.Milliseconds())/ScrapeInterval.Milliseconds()]
}

// valueAt is the sample of s at t (ms, not before HistoryStart). Counters start
// from zero at HistoryStart and never decrease: every rate is non-negative.
func (sc *Scenario) valueAt(s *series, t int64) float64 {
	if s.gauge {
		if t < sc.incMs {
			return s.calm.at(t - sc.originMs)
		}
		return s.inc.at(t - sc.incMs)
	}
	if t <= sc.incMs {
		return s.calm.integral(t - sc.originMs)
	}
	return s.calmTotal + s.inc.integral(t-sc.incMs)
}

// buildSeries lays out, per service:
//
//	http_requests_total{code="200"|"404"|"500"} (no 500 for a service that never fails)
//	http_request_duration_seconds_bucket{le=...} (12 bounds and +Inf), _count, _sum
//	process_resident_memory_bytes, up
//
// all with job and instance labels. _count equals the sum of the request counters.
func buildSeries(svcs []*service) []*series {
	var out []*series
	for _, s := range svcs {
		base := []string{"job", s.name, "instance", s.name + ":8080"}
		add := func(gauge bool, f func(sl slot) float64, kv ...string) {
			var calm, inc [slotsPerCycle]float64
			for k := range slotsPerCycle {
				calm[k], inc[k] = f(s.calmSlot[k]), f(s.incSlot[k])
			}
			se := &series{lset: labels.FromStrings(append(kv, base...)...), gauge: gauge,
				calm: newTable(calm), inc: newTable(inc)}
			se.calmTotal = float64(historyCycles) * se.calm.cum[slotsPerCycle]
			out = append(out, se)
		}
		const name = "__name__"
		add(false, func(sl slot) float64 { return sl.rps * (1 - sl.errRatio - sl.notFound) },
			name, "http_requests_total", "code", "200")
		add(false, func(sl slot) float64 { return sl.rps * sl.notFound },
			name, "http_requests_total", "code", "404")
		if s.fails() {
			add(false, func(sl slot) float64 { return sl.rps * sl.errRatio },
				name, "http_requests_total", "code", "500")
		}
		for _, b := range bucketBounds {
			add(false, func(sl slot) float64 { return sl.rps * sl.lat.cdf(b) },
				name, "http_request_duration_seconds_bucket", "le", labels.FormatOpenMetricsFloat(b))
		}
		add(false, func(sl slot) float64 { return sl.rps },
			name, "http_request_duration_seconds_bucket", "le", "+Inf")
		add(false, func(sl slot) float64 { return sl.rps }, name, "http_request_duration_seconds_count")
		add(false, func(sl slot) float64 { return sl.rps * sl.lat.mean() }, name, "http_request_duration_seconds_sum")
		add(true, func(sl slot) float64 { return sl.mem }, name, "process_resident_memory_bytes")
		add(true, func(slot) float64 { return 1 }, name, "up")
	}
	sortSeries(out)
	return out
}

func sortSeries(ss []*series) {
	slices.SortFunc(ss, func(a, b *series) int { return labels.Compare(a.lset, b.lset) })
}

// fails tells whether the service ever answers 5xx: a client library creates the
// series of a status code on its first use, so one that never failed has none.
func (s *service) fails() bool {
	for k := range slotsPerCycle {
		if s.calmSlot[k].errRatio > 0 || s.incSlot[k].errRatio > 0 {
			return true
		}
	}
	return false
}
