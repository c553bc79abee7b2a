// Package slo defines service-level objectives, reads them from OpenSLO, Sloth and
// Pyrra files, and does the error-budget maths of the SRE Workbook's "Alerting on SLOs".
// It is pure: no terminal, no network, nothing of ours imported.
package slo

import "time"

// Definition is one SLO, however it was written down.
type Definition struct {
	Name      string
	Service   string
	Objective float64       // a fraction strictly between 0 and 1: 99.9 % is 0.999
	Window    time.Duration // the rolling window the budget is spent over
	SLI       SLI
	Origin    string // where it came from: "config.yaml:31", "slos/sloth.yaml (sloth)"
}

// SLI says how to count bad and total events. Exactly one of the ratio form
// (Errors or Good, with Total) or Latency is set. Ratio queries are PromQL with the
// placeholder {{.window}} standing for the range, e.g. [{{.window}}].
type SLI struct {
	Errors  string
	Good    string
	Total   string
	Latency *LatencySLI
}

// LatencySLI counts requests slower than Threshold as bad, from a Prometheus histogram.
type LatencySLI struct {
	Histogram string        // metric name without _bucket / _count
	Selector  string        // label matchers, e.g. {job="checkout"}; may be empty
	Threshold time.Duration // must be a bucket boundary of the histogram
}

// Counts is how many events were bad and how many there were in all over one window.
// Total == 0 means no traffic: nothing can be said about the ratio.
type Counts struct {
	Errors float64
	Total  float64
}
