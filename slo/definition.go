// Package slo defines service-level objectives, reads them from OpenSLO, Sloth and
// Pyrra files, and does the error-budget maths of the SRE Workbook's "Alerting on SLOs".
// It is pure: no terminal, no network, nothing of ours imported.
package slo

import (
	"errors"
	"fmt"
	"time"
)

// Definition is one SLO, however it was written down.
type Definition struct {
	Name      string
	Service   string
	Objective float64       // a fraction strictly between 0 and 1: 99.9 % is 0.999
	Window    time.Duration // the rolling window the budget is spent over
	SLI       SLI
	Origin    string // where it came from: "config.yaml:31", "slos/sloth.yaml:12 (sloth)"

	// Recording, when set, names series that the rule generator the SLO was
	// imported from already records; nil for inline and OpenSLO definitions.
	Recording *Recording
}

// SLI says how to count bad and total events. Exactly one of the ratio form
// (Errors or Good, with Total), ErrorRatio or Latency is set. Queries are PromQL
// with the placeholder {{.window}} standing for the range, e.g. [{{.window}}].
type SLI struct {
	Errors  string
	Good    string
	Total   string
	Latency *LatencySLI

	// ErrorRatio is a query that yields the fraction of bad events over
	// {{.window}} directly (Sloth's raw SLI, OpenSLO's raw ratio metric). With only
	// a ratio the traffic behind it is unknown, so the budget is spent by the ratio
	// the query defines rather than weighted by requests, and "no traffic" can be
	// told only when the query returns nothing or NaN.
	ErrorRatio string
}

// LatencySLI counts requests slower than Threshold as bad, from a Prometheus histogram.
type LatencySLI struct {
	Histogram string        // metric name without _bucket / _count
	Selector  string        // label matchers, e.g. {job="checkout"}; may be empty
	Threshold time.Duration // must be a bucket boundary of the histogram
}

// Counts is how many events were bad and how many there were in all over one window.
// Both may be per-second rates averaged over the window instead of counts (that is
// what Queries returns): only their ratio is used, and the ratio of two rates over
// the same window equals the ratio of the counts.
// Total == 0 means no traffic: nothing can be said about the ratio.
type Counts struct {
	Errors float64
	Total  float64
}

// Recording points at error-ratio series that Sloth or Pyrra already record for an
// SLO, so a source may read one precomputed series per window instead of
// evaluating the raw queries over long ranges.
//
// The series hold ratios (bad/total), not counts: read as Counts{Errors: r,
// Total: 1}, with NaN (0/0) meaning no traffic. Only windows of Windows the
// generator records at exactly that length are listed. The SLO window itself is
// never listed: Sloth's period series is a mean of 5m ratios, not weighted by
// requests, so the budget must come from Queries(def.Window).
type Recording struct {
	Generator  string                   // "sloth" or "pyrra"
	ErrorRatio map[time.Duration]string // window -> PromQL selector of the ratio series
}

// Validate reports the first thing that makes d unusable by Evaluate and Queries.
func (d Definition) Validate() error {
	if d.Name == "" {
		return errors.New("name: must be set")
	}
	if !(d.Objective > 0 && d.Objective < 1) {
		return fmt.Errorf("objective: %v is not strictly between 0 and 1", d.Objective)
	}
	if d.Window <= 0 {
		return fmt.Errorf("window: %v is not positive", d.Window)
	}
	s := d.SLI
	forms := 0
	if s.Errors != "" || s.Good != "" || s.Total != "" {
		forms++
	}
	if s.ErrorRatio != "" {
		forms++
	}
	if s.Latency != nil {
		forms++
	}
	if forms != 1 {
		return errors.New("sli: exactly one of errors/good with total, error_ratio or latency must be set")
	}
	switch {
	case s.Latency != nil:
		if s.Latency.Histogram == "" {
			return errors.New("latency.histogram: must be set")
		}
		if s.Latency.Threshold <= 0 {
			return errors.New("latency.threshold: must be positive")
		}
		if _, err := parseMatchers(s.Latency.Selector); err != nil {
			return fmt.Errorf("latency.selector: %w", err)
		}
	case s.ErrorRatio != "":
		if !hasWindow(s.ErrorRatio) {
			return errors.New("error_ratio: must use {{.window}}")
		}
	default:
		if (s.Errors == "") == (s.Good == "") {
			return errors.New("sli: exactly one of errors or good must be set")
		}
		if s.Total == "" {
			return errors.New("total: must be set")
		}
		for _, q := range [...]struct{ name, query string }{{"errors", s.Errors}, {"good", s.Good}, {"total", s.Total}} {
			if q.query != "" && !hasWindow(q.query) {
				return fmt.Errorf("%s: must use {{.window}}", q.name)
			}
		}
	}
	return nil
}
