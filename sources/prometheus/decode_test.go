package prometheus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

func byJob(m model.Metric) (string, bool) {
	v, ok := m["job"]
	return string(v), ok
}

// oneServiceMatrix is n series of service "a", each of pts points at times no other
// series shares: the shape that made pairwise merging quadratic.
func oneServiceMatrix(n, pts int) model.Matrix {
	m := make(model.Matrix, n)
	for i := range m {
		vs := make([]model.SamplePair, pts)
		for j := range vs {
			vs[j] = model.SamplePair{Timestamp: model.Time(int64(j)*60_000 + int64(i)), Value: model.SampleValue(i % 7)}
		}
		m[i] = &model.SampleStream{Metric: model.Metric{"job": "a", "instance": model.LabelValue(fmt.Sprint(i))}, Values: vs}
	}
	return m
}

func TestRangeSeriesMergesByTime(t *testing.T) {
	at := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	pair := func(s int64, v float64) model.SamplePair {
		return model.SamplePair{Timestamp: model.TimeFromUnix(s), Value: model.SampleValue(v)}
	}
	m := model.Matrix{
		{Metric: model.Metric{"job": "a"}, Values: []model.SamplePair{pair(60, 1), pair(120, 5), pair(180, 2)}},
		{Metric: model.Metric{"job": "b"}, Values: []model.SamplePair{pair(60, 9)}},
		{Metric: model.Metric{"job": "a"}, Values: []model.SamplePair{pair(30, 4), pair(120, 3), pair(240, math.Inf(1))}},
		{Metric: model.Metric{"instance": "x"}, Values: []model.SamplePair{pair(60, 100)}},
	}
	got, err := rangeSeries(m, byJob, combineFor(sources.Traffic))
	if err != nil {
		t.Fatal(err)
	}
	wantA := []sources.Point{{T: at(30), V: 4}, {T: at(60), V: 1}, {T: at(120), V: 8}, {T: at(180), V: 2}}
	if !slices.Equal(got["a"], wantA) {
		t.Errorf("a = %v, want %v", got["a"], wantA)
	}
	if want := []sources.Point{{T: at(60), V: 9}}; !slices.Equal(got["b"], want) {
		t.Errorf("b = %v, want %v", got["b"], want)
	}
	if len(got) != 2 {
		t.Errorf("services %v, want a and b", got)
	}
	worst, _ := rangeSeries(m, byJob, combineFor(sources.Latency))
	if p := worst["a"][2]; p.V != 5 {
		t.Errorf("latency at 120 = %v, want the worst, 5", p.V)
	}
}

// TestRangeSeriesOneServiceIsFast: 20,000 series of one service with distinct times
// took 15 s of CPU when merged pairwise; it must take well under a second.
// TestRangeSeriesOneServiceIsFast checks the merge is not quadratic without timing
// it (the benchmark below has the figures): merging pairwise, as before, allocated
// once per series (40,000 times here); gathering and sorting once allocates a handful.
func TestRangeSeriesOneServiceIsFast(t *testing.T) {
	m := oneServiceMatrix(20_000, 31)
	got, err := rangeSeries(m, byJob, combineFor(sources.Latency))
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(1, func() { _, _ = rangeSeries(m, byJob, combineFor(sources.Latency)) }); allocs > 100 {
		t.Errorf("merging 20,000 series allocated %.0f times: it grows with the series, not once", allocs)
	}
	if n := len(got["a"]); n != 20_000*31 {
		t.Errorf("%d points, want %d", n, 20_000*31)
	}
	if !slices.IsSortedFunc(got["a"], func(a, b sources.Point) int { return a.T.Compare(b.T) }) {
		t.Error("points are not in time order")
	}
}

func TestRangeSeriesStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rangeSeriesContext(ctx, oneServiceMatrix(20_000, 2), byJob, combineFor(sources.Latency))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func BenchmarkRangeSeriesOneService20k(b *testing.B) {
	m := oneServiceMatrix(20_000, 31)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rangeSeries(m, byJob, combineFor(sources.Latency)); err != nil {
			b.Fatal(err)
		}
	}
}
