// Package sim simulates, in process, the Prometheus HTTP API over a scripted world:
// six services with request counters, a latency histogram and resident memory, and a
// repeating incident on checkout. `vigil demo` shows it and tests query it.
//
// Series are not stored: each sample is a closed-form function of its timestamp, so
// 90 days of history cost nothing until queried, and PromQL is evaluated by
// Prometheus's own engine over them (see storage.go), so any query a config holds
// behaves as it would against a real server.
package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

const (
	// ScrapeInterval is the spacing of recent samples, as a scrape interval would be.
	ScrapeInterval = 15 * time.Second
	// CycleLength is how often the scripted incident repeats.
	CycleLength = 6 * time.Minute
	// Retention is the history the simulated server holds and reports.
	Retention = 90 * 24 * time.Hour

	slotsPerCycle = int(CycleLength / ScrapeInterval)
	warmupCycles  = 10 // one hour of incident before Start, see IncidentSince
	historyCycles = int(Retention / CycleLength)
)

// Phase is a stage of the scripted incident.
type Phase int

const (
	PhaseBaseline  Phase = iota // before the incident cycles began: calm history
	PhaseSteady                 // every service healthy
	PhaseLatency                // checkout slow: p99 ~450 ms against a 300 ms threshold
	PhaseErrors                 // checkout failing: ~5 % of requests answered 500
	PhaseRecovered              // healthy again until the next cycle
)

var phaseNames = [...]string{"baseline", "steady", "latency", "errors", "recovered"}

func (p Phase) String() string {
	if p >= 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// PhaseSpan is where a phase lies within a cycle, as offsets from the cycle's start.
type PhaseSpan struct {
	Phase    Phase
	From, To time.Duration
}

// timeline is one incident cycle. Every boundary is a multiple of ScrapeInterval so
// that samples never straddle two phases.
var timeline = []PhaseSpan{
	{PhaseSteady, 0, time.Minute},
	{PhaseLatency, time.Minute, 3 * time.Minute},
	{PhaseErrors, 3 * time.Minute, 5 * time.Minute},
	{PhaseRecovered, 5 * time.Minute, CycleLength},
}

// Nominal is what a service is scripted to show during a phase, averaged over the
// phase. Short-window queries scatter around these figures by the noise.
type Nominal struct {
	Traffic    float64 // requests per second, all codes
	ErrorRatio float64 // share of requests answered 5xx
	SlowRatio  float64 // share of requests slower than 300 ms
	P99        float64 // seconds, as histogram_quantile(0.99, ...) estimates it
	Saturation float64 // resident memory over a 1 GB limit
}

// Scenario is the simulated world. It is immutable and safe for concurrent use.
type Scenario struct {
	Start         time.Time // what the scenario was built for
	HistoryStart  time.Time // the oldest sample
	IncidentSince time.Time // the first incident cycle: an hour before FirstCycle
	FirstCycle    time.Time // the first cycle starting at or after Start
	Incident      string    // the service the incident happens to

	services []*service
	series   []*series // sorted by labels
	originMs int64     // HistoryStart in ms
	incMs    int64     // IncidentSince in ms
}

type service struct {
	name     string
	calm     profile
	phases   map[Phase]profile // incident cycle overrides of calm
	calmSlot [slotsPerCycle]slot
	incSlot  [slotsPerCycle]slot
	nominal  map[Phase]Nominal
}

// DemoScenario is the world of `vigil demo`. Its first incident cycle starts at
// Start rounded up to a scrape boundary; checkout turns slow one minute later.
//
// Before the cycles, 90 days of calm history give the SLOs realistic budgets. The
// cycles themselves start an hour before Start (IncidentSince), so that the 1h
// burn-rate window is already full of the incident when the demo opens: a 1h
// burn above 14.4 needs an hour of it, and nobody should wait an hour to see a
// page.
func DemoScenario(start time.Time) *Scenario {
	first := ceilTime(start, ScrapeInterval)
	inc := first.Add(-warmupCycles * CycleLength)
	origin := inc.Add(-time.Duration(historyCycles) * CycleLength)
	sc := &Scenario{
		Start:         start,
		HistoryStart:  origin,
		IncidentSince: inc,
		FirstCycle:    first,
		Incident:      "checkout",
		originMs:      origin.UnixMilli(),
		incMs:         inc.UnixMilli(),
	}
	for _, d := range demoServices() {
		sc.services = append(sc.services, newService(d))
	}
	sc.series = buildSeries(sc.services)
	return sc
}

type serviceDef struct {
	name   string
	calm   profile
	phases map[Phase]profile
}

// demoServices are the six services. Only checkout has an incident; the others
// differ in scale so that the dashboard has something to sort, and auth never fails.
func demoServices() []serviceDef {
	calm := func(rps, errRatio, notFound, median, p99, tail, tailMedian, memGB float64) profile {
		return profile{rps: rps, errRatio: errRatio, notFound: notFound, median: median, p99: p99,
			tail: tail, tailMedian: tailMedian, memBytes: memGB * 1e9}
	}
	checkout := calm(38, 0.0004, 0.01, 0.045, 0.120, 0.002, 0.6, 0.55)
	slow := checkout
	slow.median, slow.p99, slow.tail, slow.tailMedian = 0.110, 0.450, 0.006, 1.2
	slow.memTo = 0.74e9
	failing := checkout
	failing.errRatio = 0.05
	failing.median, failing.p99, failing.tail, failing.tailMedian = 0.060, 0.220, 0.004, 0.8
	failing.memBytes = 0.74e9
	return []serviceDef{
		{name: "api", calm: calm(420, 0.0002, 0.015, 0.025, 0.080, 0.0005, 0.5, 0.42)},
		{name: "checkout", calm: checkout, phases: map[Phase]profile{PhaseLatency: slow, PhaseErrors: failing}},
		{name: "payments", calm: calm(21, 0.0001, 0.002, 0.070, 0.200, 0.001, 0.8, 0.31)},
		{name: "search", calm: calm(160, 0.001, 0.005, 0.050, 0.150, 0.001, 0.6, 0.58)},
		// auth never fails, so it has no 5xx series at all, as a real service that has
		// never answered 5xx has none: an errors query must still read 0 for it.
		{name: "auth", calm: calm(95, 0, 0.03, 0.012, 0.040, 0.0002, 0.3, 0.34)},
		{name: "frontend", calm: calm(260, 0.0003, 0.02, 0.090, 0.220, 0.002, 0.9, 0.47)},
	}
}

func newService(d serviceDef) *service {
	s := &service{name: d.name, calm: d.calm, phases: d.phases, nominal: map[Phase]Nominal{}}
	traffic := noiseTable(seedOf(d.name, "traffic"), trafficNoise, true)
	lat := noiseTable(seedOf(d.name, "latency"), latencyNoise, false)
	mem := noiseTable(seedOf(d.name, "memory"), memoryNoise, false)
	fits := map[Phase]latency{}
	fit := func(ph Phase, p profile) latency {
		if l, ok := fits[ph]; ok {
			return l
		}
		l := fitLatency(p)
		fits[ph] = l
		return l
	}
	mk := func(ph Phase, p profile, k, inPhase, phaseSlots int) slot {
		m := p.memBytes
		if p.memTo != 0 {
			m += (p.memTo - p.memBytes) * float64(inPhase+1) / float64(phaseSlots)
		}
		return slot{
			rps:      p.rps * traffic[k],
			errRatio: p.errRatio,
			notFound: p.notFound,
			lat:      fit(ph, p).scaled(lat[k]),
			mem:      m * mem[k],
		}
	}
	for k := range slotsPerCycle {
		s.calmSlot[k] = mk(PhaseBaseline, d.calm, k, 0, 1)
	}
	for _, span := range timeline {
		p := s.profileOf(span.Phase)
		from, to := int(span.From/ScrapeInterval), int(span.To/ScrapeInterval)
		for k := from; k < to; k++ {
			s.incSlot[k] = mk(span.Phase, p, k, k-from, to-from)
		}
	}
	s.nominal[PhaseBaseline] = nominalOf(s.calmSlot[:])
	for _, span := range timeline {
		s.nominal[span.Phase] = nominalOf(s.incSlot[span.From/ScrapeInterval : span.To/ScrapeInterval])
	}
	return s
}

func (s *service) profileOf(ph Phase) profile {
	if p, ok := s.phases[ph]; ok {
		return p
	}
	return s.calm
}

// nominalOf averages slots the way a query over the whole phase would: rates are
// request-weighted, memory is a plain mean.
func nominalOf(slots []slot) Nominal {
	var reqs, errs, slow, mem float64
	buckets := make([]float64, len(bucketBounds))
	for _, sl := range slots {
		reqs += sl.rps
		errs += sl.rps * sl.errRatio
		slow += sl.rps * (1 - sl.lat.cdf(slowBound))
		mem += sl.mem
		for i, b := range bucketBounds {
			buckets[i] += sl.rps * sl.lat.cdf(b)
		}
	}
	n := float64(len(slots))
	return Nominal{
		Traffic:    reqs / n,
		ErrorRatio: errs / reqs,
		SlowRatio:  slow / reqs,
		P99:        estimatedQuantile(0.99, buckets, reqs),
		Saturation: mem / n / 1e9,
	}
}

// Services are the simulated services in display order.
func (sc *Scenario) Services() []string {
	out := make([]string, len(sc.services))
	for i, s := range sc.services {
		out[i] = s.name
	}
	return out
}

// Timeline is one incident cycle, phase by phase.
func (sc *Scenario) Timeline() []PhaseSpan { return append([]PhaseSpan(nil), timeline...) }

// PhaseAt is the phase of the scenario at t.
func (sc *Scenario) PhaseAt(t time.Time) Phase {
	ms := t.UnixMilli()
	if ms < sc.incMs {
		return PhaseBaseline
	}
	off := time.Duration(floorMod(ms-sc.incMs, CycleLength.Milliseconds())) * time.Millisecond
	for _, span := range timeline {
		if off < span.To {
			return span.Phase
		}
	}
	return PhaseRecovered
}

// PhaseWindow is when phase p of cycle n happens, n counting from FirstCycle (n = 0;
// the warm-up cycles are -10 to -1). PhaseBaseline is the calm history, whatever n.
func (sc *Scenario) PhaseWindow(n int, p Phase) (from, to time.Time) {
	if p == PhaseBaseline {
		return sc.HistoryStart, sc.IncidentSince
	}
	c := sc.FirstCycle.Add(time.Duration(n) * CycleLength)
	for _, span := range timeline {
		if span.Phase == p {
			return c.Add(span.From), c.Add(span.To)
		}
	}
	return c, c
}

// Nominal is what service is scripted to show during phase p; false for an
// unknown service. Services without an incident show their baseline in every phase.
func (sc *Scenario) Nominal(service string, p Phase) (Nominal, bool) {
	for _, s := range sc.services {
		if s.name == service {
			n, ok := s.nominal[p]
			return n, ok
		}
	}
	return Nominal{}, false
}

// Value is the raw sample of the one series that selector matches, at t rounded
// down to a scrape boundary, e.g. Value(`http_requests_total{job="checkout",code="500"}`, t).
// It fails when the selector matches no series or several, or t has no sample.
func (sc *Scenario) Value(selector string, t time.Time) (float64, error) {
	ms, err := parser.NewParser(parser.Options{}).ParseMetricSelector(selector)
	if err != nil {
		return math.NaN(), fmt.Errorf("selector %q: %w", selector, err)
	}
	var found *series
	for _, s := range sc.series {
		if matchAll(s.lset, ms) {
			if found != nil {
				return math.NaN(), fmt.Errorf("selector %q matches more than one series", selector)
			}
			found = s
		}
	}
	if found == nil {
		return math.NaN(), fmt.Errorf("selector %q matches no series", selector)
	}
	at := floorDiv(t.UnixMilli(), ScrapeInterval.Milliseconds()) * ScrapeInterval.Milliseconds()
	if at < sc.originMs {
		return math.NaN(), fmt.Errorf("%s is before the scenario's history", t.Format(time.RFC3339))
	}
	return sc.valueAt(found, at), nil
}

func matchAll(ls labels.Labels, ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

// ceilTime rounds t up to a multiple of d since the Unix epoch, where the
// scrape grid lies.
func ceilTime(t time.Time, d time.Duration) time.Time {
	step := d.Nanoseconds()
	n := t.UnixNano()
	return time.Unix(0, -floorDiv(-n, step)*step).In(t.Location())
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
