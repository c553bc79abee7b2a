package sim

import "time"

// DemoQueries is the configuration `vigil demo` runs with, as plain data: the
// batched signal queries, the services, thresholds and SLOs. It is meant to be
// turned into a config by the caller; this package knows nothing of config files.
type DemoQueries struct {
	By         string // the label holding the service name
	Latency    string // seconds, p99
	Traffic    string // requests per second
	Errors     string // fraction of requests answered 5xx
	Saturation string // fraction of a 1 GB memory limit
	Services   []string
	Thresholds DemoThresholds
	SLOs       []DemoSLO
}

// DemoThresholds mark a signal crit above the value.
type DemoThresholds struct {
	Latency    time.Duration
	Errors     float64
	Saturation float64
}

// DemoSLO is one SLO. Exactly one of Errors (with Total) or Latency is set. Errors
// and Total hold the placeholder {{.window}} for the range.
type DemoSLO struct {
	Name      string
	Service   string
	Objective float64 // percent, e.g. 99.9
	Window    time.Duration
	Errors    string
	Total     string
	Latency   *DemoLatencySLI
}

// DemoLatencySLI counts requests slower than Threshold as bad.
type DemoLatencySLI struct {
	Histogram string // metric name without _bucket / _count
	Selector  string // label matchers
	Threshold time.Duration
}

// Demo is the demo configuration for DemoScenario.
//
// The signal queries use one-minute rates where a production config would use
// five: the incident's phases last two minutes each, and a 5m window would blur
// them into one another. SLO burn rates use the SLO package's own windows. The
// errors query yields 0, not no data, for a service with requests and no 5xx series
// (auth): `or ... * 0` supplies the zero.
func Demo() DemoQueries {
	return DemoQueries{
		By:         "job",
		Latency:    `histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[1m])))`,
		Traffic:    `sum by (job) (rate(http_requests_total[1m]))`,
		Errors:     `(sum by (job) (rate(http_requests_total{code=~"5.."}[1m])) or sum by (job) (rate(http_requests_total[1m])) * 0) / sum by (job) (rate(http_requests_total[1m]))`,
		Saturation: `max by (job) (process_resident_memory_bytes / 1e9)`,
		Services:   demoServiceNames(),
		Thresholds: DemoThresholds{Latency: 300 * time.Millisecond, Errors: 0.01, Saturation: 0.8},
		SLOs: []DemoSLO{
			{
				// 0.04 % errors against 0.1 % allowed: ~58 % of the budget left when
				// the demo opens, burning at ~17x in the 1h window.
				Name: "checkout-availability", Service: "checkout", Objective: 99.9, Window: 30 * 24 * time.Hour,
				Errors: `sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))`,
				Total:  `sum(rate(http_requests_total{job="checkout"}[{{.window}}]))`,
			},
			{
				// ~0.18 % of requests over 300 ms against 0.5 % allowed.
				Name: "checkout-latency", Service: "checkout", Objective: 99.5, Window: 30 * 24 * time.Hour,
				Latency: &DemoLatencySLI{
					Histogram: "http_request_duration_seconds",
					Selector:  `{job="checkout"}`,
					Threshold: 300 * time.Millisecond,
				},
			},
			{
				// Healthy: 0.1 % errors against 0.5 % allowed, 80 % of the budget left.
				Name: "search-availability", Service: "search", Objective: 99.5, Window: 7 * 24 * time.Hour,
				Errors: `sum(rate(http_requests_total{job="search",code=~"5.."}[{{.window}}]))`,
				Total:  `sum(rate(http_requests_total{job="search"}[{{.window}}]))`,
			},
		},
	}
}

func demoServiceNames() []string {
	var out []string
	for _, d := range demoServices() {
		out = append(out, d.name)
	}
	return out
}
