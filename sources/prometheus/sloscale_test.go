package prometheus

import (
	"context"
	"fmt"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/slo"
)

// scaleSLOs is n SLOs, one per ManyJobs job: every third a good/total SLI, every
// fifth a latency SLI on the bucket of 250ms, the rest errors/total.
func scaleSLOs(n int) []slo.Definition {
	defs := make([]slo.Definition, n)
	for i := range defs {
		job := testservers.ManyJobsName(i)
		d := slo.Definition{Name: fmt.Sprintf("slo-%04d", i), Service: job, Objective: 0.99, Window: 30 * 24 * time.Hour}
		switch {
		case i%5 == 4:
			d.SLI.Latency = &slo.LatencySLI{Histogram: "http_request_duration_seconds", Selector: fmt.Sprintf(`{job=%q}`, job), Threshold: 250 * time.Millisecond}
		case i%3 == 2:
			d.SLI.Good = fmt.Sprintf(`sum(rate(http_requests_total{job=%q,code="200"}[{{.window}}]))`, job)
			d.SLI.Total = fmt.Sprintf(`sum(rate(http_requests_total{job=%q}[{{.window}}]))`, job)
		default:
			d.SLI.Errors = fmt.Sprintf(`sum(rate(http_requests_total{job=%q,code="500"}[{{.window}}]))`, job)
			d.SLI.Total = fmt.Sprintf(`sum(rate(http_requests_total{job=%q}[{{.window}}]))`, job)
		}
		defs[i] = d
	}
	return defs
}

func sloScaleSource(tb testing.TB, url string, defs []slo.Definition) *Source {
	tb.Helper()
	src, err := New(Options{Name: "scale", URL: url, HTTP: promconfig.DefaultHTTPClientConfig, SLOs: defs})
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

// TestManySLOsEqualPromQL: 1,000 SLOs on 1,000 jobs, asked in chunks, each get the
// counts of every window that their own queries give when asked directly.
func TestManySLOsEqualPromQL(t *testing.T) {
	t.Parallel()
	const n = 1000
	p := manyJobsProm(t, n)
	defs := scaleSLOs(n)
	src := sloScaleSource(t, p.URL(), defs)
	at := scaleEnd.Add(-5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	data, err := src.Poll(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d SLOs: %s, %d requests", n, time.Since(start).Round(time.Millisecond), data.SLOs.Requests)
	if len(data.SLOs.Failures) > 0 || len(data.SLOs.Failed) > 0 {
		t.Fatalf("failures %+v %+v", data.SLOs.Failures, data.SLOs.Failed)
	}
	// Every window of every SLO against its own queries, asked one window at a time
	// for all SLOs of a kind: the errors/total ratio of each job.
	for _, w := range append(slo.Windows[:len(slo.Windows):len(slo.Windows)], 30*24*time.Hour) {
		win := slo.WindowName(w)
		errs := ratioByJob(t, p, fmt.Sprintf(`sum by (job) (rate(http_requests_total{code="500"}[%s])) / sum by (job) (rate(http_requests_total[%s]))`, win, win), at)
		slow := ratioByJob(t, p, fmt.Sprintf(`1 - sum by (job) (rate(http_request_duration_seconds_bucket{le="0.25"}[%s])) / sum by (job) (rate(http_request_duration_seconds_bucket{le="+Inf"}[%s]))`, win, win), at)
		for i, d := range defs {
			c, ok := data.SLOs.Counts[d.Name][w]
			if !ok || !(c.Total > 0) {
				t.Fatalf("%s %s: counts %+v (%v)", d.Name, win, c, ok)
			}
			want := errs[d.Service]
			if i%5 == 4 {
				want = slow[d.Service]
			}
			if got := c.Errors / c.Total; !near(got, want) && !(want == 0 && got < 1e-12) {
				t.Fatalf("%s %s: error ratio %.12g, PromQL %.12g", d.Name, win, got, want)
			}
		}
	}
}

func ratioByJob(t *testing.T, p *testservers.PromServer, q string, at time.Time) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, s := range p.Query(t, q, at) {
		out[s.Labels["job"]] = s.Value
	}
	if len(out) == 0 {
		t.Fatalf("no answer to %s", q)
	}
	return out
}

// BenchmarkSLOTerms measures how Prometheus's time for one SLO request grows with
// the number of SLO sub-expressions joined with `or`, which sets maxSLOTerms:
//
//	go test -run '^$' -bench BenchmarkSLOTerms -benchtime 3x ./sources/prometheus
func BenchmarkSLOTerms(b *testing.B) {
	p := manyJobsProm(b, 1000)
	defs := scaleSLOs(1000)
	src := sloScaleSource(b, p.URL(), defs)
	var subs []subQuery
	for i := range defs {
		if i%5 == 4 || i%3 == 2 {
			continue // errors/total SLIs only: two terms each
		}
		for _, pt := range src.parts(i, time.Hour) {
			subs = append(subs, subQuery{slo: i, window: time.Hour, part: pt[0], expr: pt[1]})
		}
	}
	at := scaleEnd.Add(-5 * time.Minute)
	for _, n := range []int{20, 50, 100, 200, 400, 800} {
		if n > len(subs) {
			break
		}
		q := combine(defs, subs[:n])
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, _, _, err := src.api.Query(context.Background(), q, at); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/term")
		})
	}
}

// BenchmarkSLOPoll is a full first poll (every window, coverage, retention) of 10
// and of 1,000 SLOs on 1,000 jobs, with a new source each time:
//
//	go test -run '^$' -bench BenchmarkSLOPoll -benchtime 3x ./sources/prometheus
func BenchmarkSLOPoll(b *testing.B) {
	p := manyJobsProm(b, 1000)
	at := scaleEnd.Add(-5 * time.Minute)
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("slos=%d", n), func(b *testing.B) {
			defs := scaleSLOs(n)
			requests := 0
			for b.Loop() {
				src := sloScaleSource(b, p.URL(), defs)
				data, err := src.Poll(context.Background(), at)
				if err != nil {
					b.Fatal(err)
				}
				if len(data.SLOs.Counts) != n || len(data.SLOs.Failures) > 0 {
					b.Fatalf("%d SLOs answered, failures %+v", len(data.SLOs.Counts), data.SLOs.Failures)
				}
				requests += data.SLOs.Requests
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/poll")
		})
	}
}
