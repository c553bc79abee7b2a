package prometheus

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// QueryCheck is what `vigil check` found for one signal or health query, asked once.
type QueryCheck struct {
	What    string // "latency query", "checkout latency query", "health query"
	Query   string
	Err     string // the query failed: the short reason
	Matched int    // configured services the answer has a series for
	Of      int    // configured services the query answers for
	Series  int    // series in the answer
	// Own is set for a service's own query, which is expected to return one series.
	Own bool
	// Fail is set when the query answered but cannot be what was meant: series came
	// back and none is for a configured service (a wrong `by` label, misspelt names).
	Fail bool
	// Notes say why fewer services matched than asked, and give advice.
	Notes []string
}

// Line is the check's verdict after the query's name: "ok, matched 2 of 2 services",
// "FAIL matched 0 of 2 services (label ...)", "WARN ...", "FAIL <error>".
func (c QueryCheck) Line() string {
	if c.Err != "" {
		return "FAIL " + c.Err
	}
	var head string
	if c.Own {
		head = fmt.Sprintf("%d series", c.Series)
	} else {
		head = fmt.Sprintf("matched %d of %d services", c.Matched, c.Of)
	}
	notes := ""
	if len(c.Notes) > 0 {
		notes = " (" + strings.Join(c.Notes, "; ") + ")"
	}
	switch {
	case c.Fail:
		return "FAIL " + head + notes
	case c.Matched < c.Of || len(c.Notes) > 0:
		return "WARN " + head + notes
	}
	return "ok, " + head
}

// CheckQueries is `vigil check` for the signal and health queries of this source:
// each is asked once at `at` (each with its own timeout) and its answer compared with
// the configured services. Queries are in plan order: the profile's, the overrides',
// then health.
func (s *Source) CheckQueries(ctx context.Context, at time.Time, timeout time.Duration) []QueryCheck {
	spec := s.opts.Signals
	if spec == nil {
		return nil
	}
	var (
		checks []QueryCheck
		jobs   []job
	)
	add := func(what, query string, services []string, override bool) {
		i := len(checks)
		checks = append(checks, QueryCheck{What: what, Query: query, Of: len(services), Own: override})
		jobs = append(jobs, job{what: what, query: query, do: func(ctx context.Context) error {
			qctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			v, _, _, err := s.api.Query(qctx, query, at)
			if err != nil {
				checks[i].Err = describe(err, timeout)
				return nil
			}
			s.judge(&checks[i], v, services, override)
			return nil
		}})
	}
	for _, sig := range sources.AllSignals {
		q := spec.Profile[sig]
		if q == "" {
			continue
		}
		var names []string
		for _, svc := range spec.Services {
			if svc.Overrides[sig] == "" {
				names = append(names, svc.Name)
			}
		}
		add(string(sig)+" query", q, names, false)
	}
	for _, svc := range spec.Services {
		for _, sig := range sources.AllSignals {
			if q := svc.Overrides[sig]; q != "" {
				add(svc.Name+" "+string(sig)+" query", q, []string{svc.Name}, true)
			}
		}
	}
	if q := s.HealthQuery(); q != "" {
		var names []string
		for _, svc := range spec.Services {
			names = append(names, svc.Name)
		}
		add("health query", q, names, false)
	}
	runJobs(ctx, jobs)
	adviseErrors(checks, spec.By)
	s.noteUnrestricted(checks)
	return checks
}

// noteUnrestricted says which working batched queries the poll cannot restrict to
// the configured services (see restrictQuery), and so asks for every service
// Prometheus has. A profile meant for all services (AllServices) is asked whole on
// purpose.
func (s *Source) noteUnrestricted(checks []QueryCheck) {
	spec := s.opts.Signals
	if spec.AllServices || len(spec.Services) == 0 {
		return
	}
	whole := func(parts []restricted) bool { return len(parts) == 1 && parts[0].keep == nil }
	for i := range checks {
		c := &checks[i]
		var parts []restricted
		switch {
		case c.Own:
			continue
		case c.What == "health query":
			parts = s.health
		default:
			parts = s.profile[sources.Signal(strings.TrimSuffix(c.What, " query"))]
		}
		if c.Err == "" && !c.Fail && whole(parts) { // a failing query has worse news
			c.Notes = append(c.Notes, fmt.Sprintf("asked for every service Prometheus has: no selector's %q label reaches the answer unchanged, so it cannot be restricted to the configured services", spec.By))
		}
	}
}

// judge compares an answer with the services it should cover.
func (s *Source) judge(c *QueryCheck, v model.Value, services []string, override bool) {
	var metrics []model.Metric
	switch v := v.(type) {
	case model.Vector:
		for _, smp := range v {
			if smp != nil {
				metrics = append(metrics, smp.Metric)
			}
		}
	case *model.Scalar:
		metrics = append(metrics, model.Metric{})
	default:
		c.Err = errNotVector(v).Error()
		return
	}
	c.Series = len(metrics)
	if override {
		// One series is expected, whatever its labels.
		if len(metrics) > 0 {
			c.Matched = 1
		} else {
			c.Notes = append(c.Notes, "no series: no traffic yet, or a selector that matches nothing")
		}
		return
	}
	by := model.LabelName(s.opts.Signals.By)
	values := map[string]bool{}
	labels := map[string]bool{}
	for _, m := range metrics {
		for name := range m {
			if name != model.MetricNameLabel {
				labels[string(name)] = true
			}
		}
		if v, ok := m[by]; ok {
			values[string(v)] = true
		}
	}
	var missing []string
	for _, name := range services {
		if values[name] {
			c.Matched++
		} else {
			missing = append(missing, name)
		}
	}
	switch {
	case len(missing) == 0:
		return
	case len(metrics) == 0:
		c.Notes = append(c.Notes, "no series")
		return
	case len(values) == 0:
		seen := slices.Sorted(mapKeys(labels))
		list := "none"
		if len(seen) > 0 {
			list = strings.Join(seen, ", ")
		}
		c.Notes = append(c.Notes, fmt.Sprintf("label %q not in the result; labels seen: %s", string(by), list))
		c.Fail = c.Matched == 0
		return
	}
	suggested := false
	for _, name := range missing {
		for v := range values {
			if strings.EqualFold(v, name) {
				c.Notes = append(c.Notes, fmt.Sprintf("service %q not found; did you mean %q?", name, v))
				suggested = true
				break
			}
		}
	}
	if !suggested {
		seen := slices.Sorted(mapKeys(values))
		if len(seen) > 5 {
			seen = append(seen[:5], "…")
		}
		c.Notes = append(c.Notes, fmt.Sprintf("values of %q seen: %s", string(by), strings.Join(seen, ", ")))
	}
	c.Fail = c.Matched == 0
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// adviseErrors warns when the errors query answers for fewer services than traffic:
// written as a plain ratio of 5xx to all requests it has no series for a service
// that has had no errors, which the board shows as no data instead of 0.
func adviseErrors(checks []QueryCheck, by string) {
	var traffic, errs *QueryCheck
	for i := range checks {
		switch checks[i].What {
		case string(sources.Traffic) + " query":
			traffic = &checks[i]
		case string(sources.Errors) + " query":
			errs = &checks[i]
		}
	}
	if traffic == nil || errs == nil || traffic.Err != "" || errs.Err != "" || errs.Matched >= traffic.Matched {
		return
	}
	errs.Notes = append(errs.Notes, fmt.Sprintf("errors matches fewer services than traffic (%d < %d): a service without 5xx series reads as no data; write it to yield 0 when there are requests and no errors: %s",
		errs.Matched, traffic.Matched, ErrorsQueryAdvice(by, "http_requests_total")))
}

// ErrorsQueryAdvice is the errors query that yields 0 for a service with requests and
// no errors, for a request counter with a code label.
func ErrorsQueryAdvice(by, counter string) string {
	all := fmt.Sprintf("sum by (%s) (rate(%s[5m]))", by, counter)
	bad := fmt.Sprintf(`sum by (%s) (rate(%s{code=~"5.."}[5m]))`, by, counter)
	return "(" + bad + " or " + all + " * 0) / " + all
}

// HasSignals tells whether this source reads any golden signals.
func (s *Source) HasSignals() bool { return s.opts.Signals != nil }
