package sim

import (
	"hash/fnv"
	"math"

	"github.com/prometheus/prometheus/promql"
)

// bucketBounds are the finite upper bounds of the latency histogram. 0.3 is among
// them so that a 300 ms latency SLI can be read straight off one bucket.
var bucketBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10}

// slowBound is the latency above which a request counts against the latency SLI.
const slowBound = 0.3

// Noise amplitudes: small enough that a healthy service never crosses a threshold,
// large enough that a one-minute rate visibly moves.
const (
	trafficNoise = 0.08  // ± share of the request rate, per scrape slot
	latencyNoise = 0.06  // ± share of the latency scale, per scrape slot
	memoryNoise  = 0.015 // ± share of resident memory, per scrape slot
	tailSigma    = 0.5   // spread of the slow tail (log-normal sigma)
)

// profile is what a service looks like during one phase, before per-slot noise.
type profile struct {
	rps        float64 // requests per second, all codes
	errRatio   float64 // share answered 500
	notFound   float64 // share answered 404: client errors, which no SLO counts
	median     float64 // seconds, the main body of the latency distribution
	p99        float64 // seconds, what histogram_quantile(0.99) reports for the phase
	tail       float64 // share of requests in a slow tail (cold caches, retries)
	tailMedian float64 // seconds
	memBytes   float64 // resident memory at the start of the phase
	memTo      float64 // when non-zero, memory ramps to this by the end of the phase
}

// slot is one scrape interval of a cycle with its noise applied.
type slot struct {
	rps      float64
	errRatio float64
	notFound float64
	lat      latency
	mem      float64
}

// latency is a log-normal body plus a log-normal slow tail.
type latency struct {
	median, sigma    float64
	tail, tailMedian float64
}

func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// cdf is the share of requests that took at most le seconds.
func (l latency) cdf(le float64) float64 {
	if math.IsInf(le, 1) {
		return 1
	}
	body := normCDF(math.Log(le/l.median) / l.sigma)
	tail := normCDF(math.Log(le/l.tailMedian) / tailSigma)
	return (1-l.tail)*body + l.tail*tail
}

// mean is the expected request duration, for the histogram's _sum.
func (l latency) mean() float64 {
	return (1-l.tail)*l.median*math.Exp(l.sigma*l.sigma/2) +
		l.tail*l.tailMedian*math.Exp(tailSigma*tailSigma/2)
}

// scaled is the same shape, every request slower by factor f.
func (l latency) scaled(f float64) latency {
	l.median *= f
	l.tailMedian *= f
	return l
}

// estimatedQuantile is what histogram_quantile reports for a distribution whose
// bucket counts are weights[i] for bucketBounds[i] (and total for +Inf): the
// engine's own interpolation, so nominal figures match the queries exactly.
func estimatedQuantile(q float64, weights []float64, total float64) float64 {
	bs := make(promql.Buckets, 0, len(weights)+1)
	for i, w := range weights {
		bs = append(bs, promql.Bucket{UpperBound: bucketBounds[i], Count: w})
	}
	bs = append(bs, promql.Bucket{UpperBound: math.Inf(1), Count: total})
	v, _, _, _, _, _ := promql.BucketQuantile(q, bs)
	return v
}

func (l latency) estimatedP99() float64 {
	w := make([]float64, len(bucketBounds))
	for i, b := range bucketBounds {
		w[i] = l.cdf(b)
	}
	return estimatedQuantile(0.99, w, 1)
}

// fitLatency finds the body spread for which histogram_quantile(0.99) of the
// buckets reports p.p99. Fitting to the estimate rather than to the true quantile
// matters: linear interpolation inside the wide (0.1, 0.25] bucket would
// otherwise report ~200 ms for a true p99 of 120 ms.
// The search always ends on a valid distribution; a test checks that every demo
// profile is met.
func fitLatency(p profile) latency {
	l := latency{median: p.median, tail: p.tail, tailMedian: p.tailMedian}
	lo, hi := 0.01, 3.0
	for range 100 {
		l.sigma = (lo + hi) / 2
		if l.estimatedP99() < p.p99 {
			lo = l.sigma
		} else {
			hi = l.sigma
		}
	}
	return l
}

// unit is a deterministic pseudo-random number in [0, 1) for (seed, k): noise that
// is the same for the same instant in every run.
func unit(seed uint64, k int) float64 {
	x := seed + uint64(k+1)*0x9E3779B97F4A7C15
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

func seedOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// noiseTable is one factor per slot around 1. With normalise, the factors average
// exactly 1 over the cycle, so a whole number of cycles holds exactly the nominal
// number of requests and long-window figures have closed forms.
func noiseTable(seed uint64, amplitude float64, normalise bool) [slotsPerCycle]float64 {
	var t [slotsPerCycle]float64
	sum := 0.0
	for k := range t {
		t[k] = 1 + amplitude*(2*unit(seed, k)-1)
		sum += t[k]
	}
	if normalise {
		for k := range t {
			t[k] *= float64(slotsPerCycle) / sum
		}
	}
	return t
}
