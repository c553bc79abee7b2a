package alerts

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// benchInput is a snapshot of 200 services with 30-point sparklines and 50 SLOs.
func benchInput() (sources.Snapshot, Rules) {
	data := &sources.SignalsData{Services: map[string]sources.ServiceSignals{}}
	sloData := &sources.SLOData{Counts: map[string]map[time.Duration]slo.Counts{}}
	var rules Rules
	for i := range 200 {
		name := fmt.Sprintf("svc-%03d", i)
		ss := sources.ServiceSignals{Service: name, Values: map[sources.Signal]sources.Reading{}, Series: map[sources.Signal][]sources.Point{}}
		for j, sig := range sources.AllSignals {
			ss.Values[sig] = sources.Reading{Value: float64(i%17) / 20 * float64(j+1) / 4, Valid: true}
			pts := make([]sources.Point, 30)
			for k := range pts {
				pts[k] = sources.Point{T: t0.Add(time.Duration(k-30) * time.Minute), V: float64(k % 7)}
			}
			ss.Series[sig] = pts
		}
		data.Services[name] = ss
		rules.Services = append(rules.Services, rule(name))
	}
	for i := range 50 {
		def := slo.Definition{Name: fmt.Sprintf("slo-%02d", i), Objective: 0.999, Window: 30 * 24 * time.Hour}
		counts := map[time.Duration]slo.Counts{def.Window: {Errors: 4, Total: 10000}}
		for _, w := range slo.Windows {
			counts[w] = slo.Counts{Errors: float64(i % 20), Total: 1000}
		}
		sloData.Counts[def.Name] = counts
		rules.SLOs = append(rules.SLOs, SLORule{Def: def, Source: "prod"})
	}
	snap := sources.Snapshot{At: t0, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "prod", Kind: sources.KindPrometheus, OK: true, Polled: true, LastSuccess: t0},
		Last:   &sources.Update{Source: "prod", Eval: t0, Data: sources.Data{Signals: data, SLOs: sloData}},
	}}}
	return snap, rules
}

// BenchmarkBuild200 is the Board for 200 services and 50 SLOs: the work done each
// time a source reports, off the UI goroutine.
func BenchmarkBuild200(b *testing.B) {
	snap, rules := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		Build(snap, rules, t0)
	}
}
