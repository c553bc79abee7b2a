package slo

import (
	"testing"
	"time"
)

func TestQueries(t *testing.T) {
	for _, tc := range []struct {
		name                string
		sli                 SLI
		window              string
		wantErrors, wantTot string
	}{
		{
			name: "errors and total",
			sli: SLI{
				Errors: `sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))`,
				Total:  `sum(rate(http_requests_total{job="checkout"}[{{ .window }}]))`,
			},
			window:     "30d",
			wantErrors: `sum(rate(http_requests_total{job="checkout",code=~"5.."}[30d]))`,
			wantTot:    `sum(rate(http_requests_total{job="checkout"}[30d]))`,
		},
		{
			name: "good and total",
			sli: SLI{
				Good:  `sum(rate(jobs_ok_total[{{.window}}]))`,
				Total: `sum(rate(jobs_total[{{.window}}]))`,
			},
			window:     "5m",
			wantErrors: `(sum(rate(jobs_total[5m]))) - (sum(rate(jobs_ok_total[5m])))`,
			wantTot:    `sum(rate(jobs_total[5m]))`,
		},
		{
			name:       "error ratio",
			sli:        SLI{ErrorRatio: `avg_over_time(wifi:error_ratio[{{.window}}])`},
			window:     "1h",
			wantErrors: `(avg_over_time(wifi:error_ratio[1h]))`,
			wantTot:    `(avg_over_time(wifi:error_ratio[1h])) * 0 + 1`,
		},
		{
			name: "latency at a bound with one spelling",
			sli: SLI{Latency: &LatencySLI{
				Histogram: "http_request_duration_seconds", Selector: `{job="checkout"}`, Threshold: 300 * time.Millisecond,
			}},
			window:     "30d",
			wantErrors: `sum(rate(http_request_duration_seconds_count{job="checkout"}[30d])) - sum(rate(http_request_duration_seconds_bucket{job="checkout",le="0.3"}[30d]))`,
			wantTot:    `sum(rate(http_request_duration_seconds_count{job="checkout"}[30d]))`,
		},
		{
			name: "latency at a whole second, selector without braces",
			sli: SLI{Latency: &LatencySLI{
				Histogram: "rpc_seconds", Selector: `service="a", method!="Health"`, Threshold: time.Second,
			}},
			window:     "6h",
			wantErrors: `sum(rate(rpc_seconds_count{service="a",method!="Health"}[6h])) - sum(rate(rpc_seconds_bucket{service="a",method!="Health",le=~"1|1\\.0"}[6h]))`,
			wantTot:    `sum(rate(rpc_seconds_count{service="a",method!="Health"}[6h]))`,
		},
		{
			name:       "latency without a selector",
			sli:        SLI{Latency: &LatencySLI{Histogram: "rpc_seconds", Threshold: 250 * time.Millisecond}},
			window:     "5m",
			wantErrors: `sum(rate(rpc_seconds_count[5m])) - sum(rate(rpc_seconds_bucket{le="0.25"}[5m]))`,
			wantTot:    `sum(rate(rpc_seconds_count[5m]))`,
		},
		{name: "no SLI", window: "5m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, tot := Definition{SLI: tc.sli}.Queries(tc.window)
			if e != tc.wantErrors {
				t.Errorf("errors:\n got %s\nwant %s", e, tc.wantErrors)
			}
			if tot != tc.wantTot {
				t.Errorf("total:\n got %s\nwant %s", tot, tc.wantTot)
			}
		})
	}
}

func TestLeMatcher(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		op, re string
	}{
		{0.3, "=", "0.3"},
		{0.25, "=", "0.25"},
		{2.5, "=", "2.5"},
		{1, "=~", `1|1\.0`},
		{10, "=~", `10|10\.0`},
		{0.00001, "=~", `1e-05|0\.00001`},
		{1e6, "=~", `1e\+06|1000000|1000000\.0`},
	} {
		m := leMatcher(tc.v)
		if m.Name != "le" || m.Op != tc.op || m.Value != tc.re {
			t.Errorf("leMatcher(%v) = %s %s %q, want le %s %q", tc.v, m.Name, m.Op, m.Value, tc.op, tc.re)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Definition{Name: "a", Objective: 0.99, Window: 30 * day, SLI: SLI{
		Errors: `sum(rate(e[{{.window}}]))`, Total: `sum(rate(t[{{.window}}]))`,
	}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid definition: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Definition)
		want string
	}{
		{"no name", func(d *Definition) { d.Name = "" }, "name: must be set"},
		{"percent objective", func(d *Definition) { d.Objective = 99.9 }, "objective: 99.9 is not strictly between 0 and 1"},
		{"no window", func(d *Definition) { d.Window = 0 }, "window: 0s is not positive"},
		{"no window placeholder", func(d *Definition) { d.SLI.Total = "sum(rate(t[5m]))" }, "total: must use {{.window}}"},
		{"errors and good", func(d *Definition) { d.SLI.Good = d.SLI.Errors }, "sli: exactly one of errors or good must be set"},
		{"two forms", func(d *Definition) { d.SLI.ErrorRatio = "r[{{.window}}]" }, "sli: exactly one of errors/good with total, error_ratio or latency must be set"},
		{"bad latency selector", func(d *Definition) {
			d.SLI = SLI{Latency: &LatencySLI{Histogram: "h", Selector: `{job=}`, Threshold: time.Second}}
		}, `latency.selector: expected a quoted string at offset 5`},
	} {
		d := ok
		tc.edit(&d)
		if err := d.Validate(); err == nil || err.Error() != tc.want {
			t.Errorf("%s: Validate() = %v, want %q", tc.name, err, tc.want)
		}
	}
}
