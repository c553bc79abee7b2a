package prometheus

import (
	"context"
	"fmt"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// simSource starts the demo simulator and a source on it; the scenario is anchored
// an hour before now so every window has data.
func simSource(b *testing.B, opts Options) (*Source, time.Time) {
	b.Helper()
	start := time.Now().Add(-time.Hour).Truncate(time.Minute)
	srv, err := sim.StartPrometheus(sim.DemoScenario(start), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	opts.Name, opts.URL, opts.HTTP = "sim", srv.URL(), promconfig.DefaultHTTPClientConfig
	src, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	return src, time.Now().Add(-time.Minute)
}

// BenchmarkPollRequests reports the HTTP requests one refresh of the golden signals
// makes for 6 to 1,000 services sharing the batched profile: the figure must not grow
// with the number of services.
func BenchmarkPollRequests(b *testing.B) {
	d := sim.Demo()
	for _, n := range []int{6, 100, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			spec := &SignalSpec{By: d.By, Profile: map[sources.Signal]string{
				sources.Latency: d.Latency, sources.Traffic: d.Traffic, sources.Errors: d.Errors, sources.Saturation: d.Saturation,
			}}
			for i := range n {
				name := fmt.Sprintf("svc-%04d", i)
				if i < len(d.Services) {
					name = d.Services[i]
				}
				spec.Services = append(spec.Services, ServiceSpec{Name: name})
			}
			src, at := simSource(b, Options{Signals: spec})
			requests := 0
			for b.Loop() {
				data, err := src.Poll(context.Background(), at)
				if err != nil {
					b.Fatal(err)
				}
				requests += data.Signals.Requests
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/refresh")
		})
	}
}

// BenchmarkSLORequests50 polls 50 SLOs (two window lengths, ratio and latency SLIs)
// at a 15 s refresh cadence and reports the average and the largest number of
// requests a refresh made, the first poll included.
func BenchmarkSLORequests50(b *testing.B) { benchSLORequests(b, 50) }

// BenchmarkSLORequests1000 is BenchmarkSLORequests50 for 1,000 SLOs: they share
// their shapes (one query written for many jobs), so the requests stay few.
func BenchmarkSLORequests1000(b *testing.B) { benchSLORequests(b, 1000) }

func benchSLORequests(b *testing.B, n int) {
	var defs []slo.Definition
	jobs := sim.Demo().Services
	for i := range n {
		job := jobs[i%len(jobs)]
		d := slo.Definition{Name: fmt.Sprintf("slo-%04d", i), Service: job, Objective: 0.999, Window: 30 * 24 * time.Hour}
		if i%2 == 1 {
			d.Window = 7 * 24 * time.Hour
		}
		if i%5 == 4 {
			d.SLI.Latency = &slo.LatencySLI{Histogram: "http_request_duration_seconds", Selector: fmt.Sprintf(`{job=%q}`, job), Threshold: 300 * time.Millisecond}
		} else {
			d.SLI.Errors = fmt.Sprintf(`sum(rate(http_requests_total{job=%q,code=~"5.."}[{{.window}}]))`, job)
			d.SLI.Total = fmt.Sprintf(`sum(rate(http_requests_total{job=%q}[{{.window}}]))`, job)
		}
		defs = append(defs, d)
	}
	src, at := simSource(b, Options{SLOs: defs})
	total, most, polls := 0, 0, 0
	for b.Loop() {
		// Successive refreshes 15 s apart, ending at most a minute ago.
		when := at.Add(-time.Hour).Add(time.Duration(polls%240) * 15 * time.Second)
		data, err := src.Poll(context.Background(), when)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(data.SLOs.Counts); got != n {
			b.Fatalf("%d SLOs answered, want %d", got, n)
		}
		total += data.SLOs.Requests
		most = max(most, data.SLOs.Requests)
		polls++
	}
	b.ReportMetric(float64(total)/float64(polls), "requests/refresh")
	b.ReportMetric(float64(most), "max-requests/refresh")
}

// BenchmarkAssembleOverrides merges the answers of a poll for 5,000 services with
// one override each: linear in services plus overrides (services × overrides took
// 0.2 s a poll).
func BenchmarkAssembleOverrides(b *testing.B) {
	const n = 5000
	spec := &SignalSpec{By: "job", Profile: map[sources.Signal]string{sources.Traffic: "t"}}
	p := &signalPlan{}
	batched := &sigResult{signal: sources.Traffic, what: "traffic", chunks: []*chunkResult{{read: sparkRead{values: map[string]float64{}, series: map[string][]sources.Point{}}}}}
	p.results = append(p.results, batched)
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		spec.Services = append(spec.Services, ServiceSpec{Name: name, Overrides: map[sources.Signal]string{sources.Latency: "l"}})
		batched.chunks[0].read.values[name] = float64(i)
		p.results = append(p.results, &sigResult{signal: sources.Latency, service: name, what: name + " latency",
			chunks: []*chunkResult{{read: sparkRead{values: map[string]float64{name: 1}, series: map[string][]sources.Point{}}}}})
	}
	for b.Loop() {
		out := p.assemble(spec, time.Second)
		if len(out.Services) != n {
			b.Fatalf("%d services", len(out.Services))
		}
	}
}
