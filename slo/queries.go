package slo

import (
	"regexp"
	"strconv"
	"strings"
)

// windowVar matches the {{.window}} placeholder, also written the text/template way
// with spaces, as Sloth files sometimes do.
var windowVar = regexp.MustCompile(`\{\{\s*\.window\s*\}\}`)

func hasWindow(q string) bool { return windowVar.MatchString(q) }

func withWindow(q, window string) string {
	return windowVar.ReplaceAllLiteralString(q, window)
}

// Queries returns PromQL for the bad and the total events of d over window, a PromQL
// duration such as "5m" or "30d" (see WindowName).
//
// Both are rate-shaped: the user's queries are written with rate(...[{{.window}}]),
// so they give events per second averaged over the window rather than counts. That
// is enough, and exact: both are rates over the same window, so their ratio is the
// ratio of the counts (rate × window = increase), and the budget over the SLO window
// stays weighted by requests. Generated queries use rate too so that every SLI's
// Counts are of one kind.
//
//   - Errors/Total: the queries with the window substituted.
//   - Good/Total: errors are (total) - (good).
//   - ErrorRatio: errors are the ratio and total is 1 wherever the ratio exists, so a
//     ratio with no series or NaN (no traffic) reads as no data.
//   - Latency: total counts every observation; errors are those above the
//     threshold's bucket (see leMatcher).
//
// An empty pair means d has no SLI.
func (d Definition) Queries(window string) (errors, total string) {
	s := d.SLI
	switch {
	case s.Latency != nil:
		return latencyQueries(*s.Latency, window)
	case s.ErrorRatio != "":
		r := "(" + withWindow(s.ErrorRatio, window) + ")"
		return r, r + " * 0 + 1"
	case s.Errors != "":
		return withWindow(s.Errors, window), withWindow(s.Total, window)
	case s.Good != "":
		t := withWindow(s.Total, window)
		return "(" + t + ") - (" + withWindow(s.Good, window) + ")", t
	}
	return "", ""
}

func latencyQueries(l LatencySLI, window string) (errors, total string) {
	ms, err := parseMatchers(l.Selector)
	if err != nil {
		// Validate rejects such a selector; keep the user's text so the error
		// Prometheus returns points at it.
		ms = nil
		inner := strings.TrimSpace(l.Selector)
		inner = strings.TrimSuffix(strings.TrimPrefix(inner, "{"), "}")
		if inner != "" {
			ms = []matcher{{raw: inner}}
		}
	}
	count := selector{Name: l.Histogram + "_count", Matchers: ms}
	bucket := selector{Name: l.Histogram + "_bucket", Matchers: append(ms[:len(ms):len(ms)], leMatcher(l.Threshold.Seconds()))}
	total = "sum(rate(" + count.withRange(window) + "))"
	return total + " - sum(rate(" + bucket.withRange(window) + "))", total
}

// leMatcher selects the histogram bucket whose upper bound is v, however the bound
// was written into the le label. Prometheus 2 stored what the client exposed: Go
// clients write the shortest form ("1", "0.3", "1e-05"), others write "1.0" or
// "0.00001". Prometheus 3 normalises le on ingestion to the OpenMetrics form, which
// is the shortest form with ".0" added to whole numbers ("1.0", "0.3", "1e-05"). The
// matcher takes every one of those spellings, so the query works before, after and
// across an upgrade (a 30-day window can hold both); a bound with one spelling
// stays a plain equality.
func leMatcher(v float64) matcher {
	forms := make([]string, 0, 4)
	add := func(s string) {
		for _, f := range forms {
			if f == s {
				return
			}
		}
		forms = append(forms, s)
	}
	withPoint := func(s string) string {
		if strings.ContainsAny(s, ".eEnN") { // already a float, or NaN/Inf
			return s
		}
		return s + ".0"
	}
	g := strconv.FormatFloat(v, 'g', -1, 64)
	f := strconv.FormatFloat(v, 'f', -1, 64)
	add(g)
	add(withPoint(g))
	add(f)
	add(withPoint(f))
	if len(forms) == 1 {
		return matcher{Name: "le", Op: "=", Value: forms[0]}
	}
	for i, s := range forms {
		forms[i] = regexp.QuoteMeta(s)
	}
	return matcher{Name: "le", Op: "=~", Value: strings.Join(forms, "|")}
}
