package prometheus

import (
	"testing"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// TestSeveralSeriesPerService: an un-aggregated query returns one series per
// instance. Traffic must add up; the other signals keep the worst instance.
func TestSeveralSeriesPerService(t *testing.T) {
	byJob := func(m model.Metric) (string, bool) { j, ok := m["job"]; return string(j), ok }
	vec := model.Vector{
		{Metric: model.Metric{"job": "api", "instance": "a"}, Value: 30, Timestamp: 1000},
		{Metric: model.Metric{"job": "api", "instance": "b"}, Value: 12, Timestamp: 1000},
		{Metric: model.Metric{"job": "db"}, Value: 5, Timestamp: 1000},
	}
	for sig, want := range map[sources.Signal]float64{
		sources.Traffic: 42, sources.Latency: 30, sources.Errors: 30, sources.Saturation: 30,
	} {
		got, err := instantValues(vec, byJob, combineFor(sig))
		if err != nil {
			t.Fatal(err)
		}
		if got["api"] != want || got["db"] != 5 {
			t.Errorf("%s: api = %v, db = %v; want %v and 5", sig, got["api"], got["db"], want)
		}
	}

	mat := model.Matrix{
		{Metric: model.Metric{"job": "api", "instance": "a"}, Values: []model.SamplePair{{Timestamp: 1000, Value: 1}, {Timestamp: 2000, Value: 2}}},
		{Metric: model.Metric{"job": "api", "instance": "b"}, Values: []model.SamplePair{{Timestamp: 2000, Value: 5}, {Timestamp: 3000, Value: 7}}},
	}
	series, err := rangeSeries(mat, byJob, combineFor(sources.Traffic))
	if err != nil {
		t.Fatal(err)
	}
	var vals []float64
	for _, p := range series["api"] {
		vals = append(vals, p.V)
	}
	if len(vals) != 3 || vals[0] != 1 || vals[1] != 7 || vals[2] != 7 {
		t.Errorf("traffic sparkline = %v, want [1 7 7] (the shared instant summed)", vals)
	}
}
