package prometheus

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/slo"
)

// slothRules records one error ratio the way Sloth names it, for the recording test.
const slothRules = `groups:
  - name: sloth-slo-sli-recordings-rec
    rules:
      - record: slo:sli_error:ratio_rate5m
        expr: sum(rate(prometheus_http_requests_total{handler="/metrics"}[5m])) / sum(rate(prometheus_http_requests_total[5m]))
        labels: {sloth_slo: rec}
`

// fiftySLOs are every SLI form, two window lengths and awkward names, over
// Prometheus's own request counters.
func fiftySLOs() []slo.Definition {
	const (
		total   = `sum(rate(prometheus_http_requests_total{job="prometheus"}[{{.window}}]))`
		metrics = `sum(rate(prometheus_http_requests_total{job="prometheus",handler="/metrics"}[{{.window}}]))`
	)
	var defs []slo.Definition
	for i := range 50 {
		d := slo.Definition{
			Name:      fmt.Sprintf("slo-%02d", i),
			Service:   "prometheus",
			Objective: 0.99 + float64(i)/10000,
			Window:    30 * 24 * time.Hour,
		}
		if i%2 == 1 {
			d.Window = 7 * 24 * time.Hour
		}
		switch i % 5 {
		case 0: // no 5xx has ever happened: no series, which is 0 errors
			d.SLI = slo.SLI{Errors: `sum(rate(prometheus_http_requests_total{job="prometheus",code=~"5.."}[{{.window}}]))`, Total: total}
		case 1:
			d.SLI = slo.SLI{Errors: metrics, Total: total}
		case 2:
			d.SLI = slo.SLI{Good: metrics, Total: total}
		case 3:
			d.SLI = slo.SLI{Latency: &slo.LatencySLI{Histogram: "prometheus_http_request_duration_seconds",
				Selector: `{job="prometheus"}`, Threshold: 100 * time.Millisecond}}
		case 4:
			d.SLI = slo.SLI{ErrorRatio: "(" + metrics + ") / (" + total + ")"}
		}
		defs = append(defs, d)
	}
	defs[7].Name = `checkout $1 "avail" ünï`
	return defs
}

func testSLOCounts(t *testing.T, p *testservers.PromServer) {
	defs := fiftySLOs()
	src, err := New(Options{Name: "self", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, SLOs: defs})
	if err != nil {
		t.Fatal(err)
	}
	at := recentPast()
	pollAt := func(at time.Time) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		data, err := src.Poll(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if data.Signals != nil {
			t.Errorf("signal data from a source without signals")
		}
		return data.SLOs.Requests
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first poll: %d requests", data.SLOs.Requests)
	// 5 short windows, 1d+3d, the 30d and 7d SLO windows, the retention flag, the
	// coverage check.
	if n := data.SLOs.Requests; n != 9 {
		t.Errorf("first poll: %d requests, want 9", n)
	}
	if want := 400 * 24 * time.Hour; data.SLOs.Retention != want {
		t.Errorf("retention = %v, want %v", data.SLOs.Retention, want)
	}
	for _, d := range defs {
		got := data.SLOs.Counts[d.Name]
		for _, w := range append(slo.Windows[:len(slo.Windows):len(slo.Windows)], d.Window) {
			c, ok := got[w]
			if !ok {
				t.Errorf("%s: no counts for %s", d.Name, slo.WindowName(w))
				continue
			}
			if !(c.Total > 0) {
				t.Errorf("%s %s: total %v, want traffic", d.Name, slo.WindowName(w), c.Total)
			}
		}
	}
	// The counts of each SLI form equal its queries asked one by one.
	for _, d := range defs[:10] {
		for _, w := range []time.Duration{5 * time.Minute, d.Window} {
			errs, total := d.Queries(slo.WindowName(w))
			wantE, okE := direct(t, p, errs, at, "")
			wantT, okT := direct(t, p, total, at, "")
			if !okE && d.SLI.Errors != "" {
				wantE, okE = 0, true // no failure series yet
			}
			got := data.SLOs.Counts[d.Name][w]
			if !okE || !okT || !near(got.Errors, wantE) || !near(got.Total, wantT) {
				t.Errorf("%s %s: counts %+v, asked directly errors %v (%v) total %v (%v)",
					d.Name, slo.WindowName(w), got, wantE, okE, wantT, okT)
			}
		}
	}
	if c := data.SLOs.Counts["slo-01"][5*time.Minute]; !(c.Errors > 0) {
		t.Errorf("slo-01 5m: %+v; /metrics requests counted as errors should be > 0", c)
	}
	if c := data.SLOs.Counts["slo-00"][5*time.Minute]; c.Errors != 0 {
		t.Errorf("slo-00 5m: %+v; want 0 errors (no 5xx series)", c)
	}

	// Within LongWindowEvery only the five short windows are asked again; after it the
	// long ones too, and so for a past instant, which also measures coverage again
	// (it is asked at most hourly, in evaluation time).
	for _, step := range []struct {
		at   time.Time
		want int
	}{
		{at.Add(15 * time.Second), 5},
		{at.Add(30 * time.Second), 5},
		{at.Add(75 * time.Second), 7},
		{at.Add(80 * time.Second), 5},
		{at.Add(-2 * time.Hour), 8},
	} {
		if n := pollAt(step.at); n != step.want {
			t.Errorf("poll at %+v: %d requests, want %d", step.at.Sub(at), n, step.want)
		}
	}

	q := src.SLOQueries("slo-02")
	if len(q) != 2*8 || !strings.Contains(q["good 1h"], `handler="/metrics"}[1h]`) || !strings.Contains(q["total 30d"], "[30d]") {
		t.Errorf("SLOQueries(slo-02) = %v", q)
	}
	if q := src.SLOQueries("slo-09"); len(q) != 8 || !strings.HasPrefix(q["ratio 7d"], "max(") {
		t.Errorf("SLOQueries(slo-09) = %v", q)
	}
	if q := src.SLOQueries("nope"); q != nil {
		t.Errorf("SLOQueries(nope) = %v, want nil", q)
	}

	// Budget history: one range query whose last point is the budget the poll implies.
	for _, name := range []string{"slo-01", "slo-02", "slo-03", "slo-04"} {
		d := defs[src.sloIndex[name]]
		pts, err := src.BudgetHistory(ctx, name, at, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) == 0 {
			t.Errorf("%s: no budget history", name)
			continue
		}
		last := pts[len(pts)-1]
		c := data.SLOs.Counts[name][d.Window]
		want := 1 - (max(c.Errors, 0)/c.Total)/(1-d.Objective)
		if !last.T.Equal(at) || !near(last.V, want) {
			t.Errorf("%s: budget history ends with %v, want %v at %v", name, last, want, at)
		}
	}
	if _, err := src.BudgetHistory(ctx, "nope", at, 10); err == nil || err.Error() != `budget history: unknown SLO "nope"` {
		t.Errorf("BudgetHistory(nope): %v", err)
	}
}

func testSLORecording(t *testing.T, p *testservers.PromServer) {
	const sel = `slo:sli_error:ratio_rate5m{sloth_slo="rec"}`
	// Recorded for some seconds, so that it exists at recentPast too.
	p.WaitForSeries(t, `count_over_time(`+sel+`[10s]) >= 8`, 30*time.Second)
	d := slo.Definition{
		Name: "rec", Service: "prometheus", Objective: 0.999, Window: 30 * 24 * time.Hour,
		SLI: slo.SLI{
			Errors: `sum(rate(prometheus_http_requests_total{handler="/metrics"}[{{.window}}]))`,
			Total:  `sum(rate(prometheus_http_requests_total[{{.window}}]))`,
		},
		Recording: &slo.Recording{Generator: "sloth", ErrorRatio: map[time.Duration]string{
			5 * time.Minute:  sel,
			30 * time.Minute: `slo:sli_error:ratio_rate30m{sloth_slo="rec"}`, // not recorded here
		}},
	}
	src, err := New(Options{Name: "self", URL: p.URL(), HTTP: promconfig.DefaultHTTPClientConfig, SLOs: []slo.Definition{d}})
	if err != nil {
		t.Fatal(err)
	}
	at := recentPast()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	// The check for the recorded series, 5 short windows, 1d+3d, 30d, retention,
	// coverage.
	if n := data.SLOs.Requests; n != 10 {
		t.Errorf("first poll: %d requests, want 10", n)
	}
	q := src.SLOQueries("rec")
	if q["ratio 5m"] != "max("+sel+")" || q["errors 30m"] == "" || q["ratio 30m"] != "" {
		t.Errorf("SLOQueries = %v; want the recorded ratio for 5m and raw queries for 30m", q)
	}
	// The poll carries the same queries, so the detail view shows what was asked.
	if got := data.SLOs.Queries["rec"]; got["ratio 5m"] != q["ratio 5m"] || got["errors 30m"] != q["errors 30m"] {
		t.Errorf("poll queries = %v, want those of SLOQueries %v", got, q)
	}
	want, ok := direct(t, p, sel, at, "")
	if got := data.SLOs.Counts["rec"][5*time.Minute]; !ok || got.Total != 1 || !near(got.Errors, want) {
		t.Errorf("5m counts = %+v, want {%v 1} from the recorded series", got, want)
	}
	if got := data.SLOs.Counts["rec"][30*time.Minute]; !(got.Total > 0) || got.Total == 1 {
		t.Errorf("30m counts = %+v, want raw counts", got)
	}
	if n := pollRequests(t, src, at.Add(time.Second)); n != 5 {
		t.Errorf("second poll: %d requests, want 5 (the check is made once)", n)
	}
}

func pollRequests(t *testing.T, src *Source, at time.Time) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	return data.SLOs.Requests
}
