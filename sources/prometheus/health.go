package prometheus

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// The parts of the default health query, told apart by its "part" label.
const (
	healthUp    = "up"
	healthTotal = "total"
)

// healthResult is what the health query of one poll returned, over its chunks.
type healthResult struct {
	query  string
	custom bool                              // the profile's own query: a share per service
	chunks []map[string]sources.TargetHealth // by service, per chunk
	errs   []error                           // per chunk
}

func (h *healthResult) err() error {
	for _, err := range h.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// wantsHealth tells whether this source asks for target health: only a source with a
// signals profile (batched by a label) or a health query of its own does.
func wantsHealth(spec *SignalSpec) bool {
	if spec == nil {
		return false
	}
	if spec.Health != "" {
		return true
	}
	for _, q := range spec.Profile {
		if q != "" {
			return true
		}
	}
	return false
}

// HealthQuery is the PromQL asked for target health: the profile's own health query,
// or one that counts, per service, the targets that are up and all targets, from the
// `up` series Prometheus writes for every scrape. "" when none is asked.
func (s *Source) HealthQuery() string {
	spec := s.opts.Signals
	if !wantsHealth(spec) {
		return ""
	}
	if spec.Health != "" {
		return spec.Health
	}
	return defaultHealthQuery(spec.By)
}

func defaultHealthQuery(by string) string {
	return fmt.Sprintf(`label_replace(sum by (%[1]s) (up), "part", %[2]q, "", "") or label_replace(count by (%[1]s) (up), "part", %[3]q, "", "")`,
		by, healthUp, healthTotal)
}

// planHealth makes the health jobs of a poll at `at`, one per chunk of services;
// nil result when none is asked.
func (s *Source) planHealth(at time.Time) ([]job, *healthResult) {
	q := s.HealthQuery()
	if q == "" {
		return nil, nil
	}
	h := &healthResult{query: q, custom: s.opts.Signals.Health != ""}
	h.chunks = make([]map[string]sources.TargetHealth, len(s.health))
	h.errs = make([]error, len(s.health))
	key := s.serviceKey("")
	var jobs []job
	for i, part := range s.health {
		keep := s.keepFor(part, "")
		jobs = append(jobs, job{what: "health query", query: part.query, do: func(ctx context.Context) error {
			v, _, _, err := s.api.Query(ctx, part.query, at)
			if err == nil {
				h.chunks[i], err = readHealth(v, key, h.custom)
			}
			for name := range h.chunks[i] {
				if keep != nil && !keep[name] {
					delete(h.chunks[i], name)
				}
			}
			h.errs[i] = err
			return err
		}})
	}
	return jobs, h
}

// readHealth reads the health query's answer per service. The default query gives up
// and total counts; a custom one gives the share of targets up, which is kept within
// 0..1. A service absent from the answer has no `up` series at all: not Known.
func readHealth(v model.Value, key func(model.Metric) (string, bool), custom bool) (map[string]sources.TargetHealth, error) {
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, errNotVector(v)
	}
	out := map[string]sources.TargetHealth{}
	if custom {
		for _, smp := range vec {
			name, ok := key(smp.Metric)
			x := float64(smp.Value)
			if !ok || !usable(x) {
				continue
			}
			x = math.Min(math.Max(x, 0), 1)
			if old, seen := out[name]; seen {
				x = math.Min(old.Share, x) // several series for one service: the worst
			}
			out[name] = sources.TargetHealth{Known: true, Share: x}
		}
		return out, nil
	}
	type counts struct{ up, total float64 }
	got := map[string]*counts{}
	for _, smp := range vec {
		name, ok := key(smp.Metric)
		x := float64(smp.Value)
		if !ok || !usable(x) {
			continue
		}
		c := got[name]
		if c == nil {
			c = &counts{}
			got[name] = c
		}
		switch string(smp.Metric["part"]) {
		case healthUp:
			c.up = x
		case healthTotal:
			c.total = x
		}
	}
	for name, c := range got {
		if c.total <= 0 {
			continue
		}
		up := min(max(c.up, 0), c.total)
		out[name] = sources.TargetHealth{Known: true, Up: int(up), Total: int(c.total), Share: up / c.total}
	}
	return out, nil
}

// apply puts the targets into the services' signals, or the failure of the health
// query into every service it would have answered for.
func (h *healthResult) apply(out *sources.SignalsData, budget time.Duration) *sources.QueryFailure {
	if err := h.err(); err != nil {
		reason := describe(err, budget)
		for name, ss := range out.Services {
			ss.Targets = sources.TargetHealth{Err: reason}
			out.Services[name] = ss
		}
		return &sources.QueryFailure{What: "health query", Query: h.query, Err: reason}
	}
	for _, targets := range h.chunks {
		for name, t := range targets {
			if ss, ok := out.Services[name]; ok {
				ss.Targets = t
				out.Services[name] = ss
			}
		}
	}
	return nil
}

// validLabelName is what PromQL accepts unquoted in `by (...)`.
func validLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && (i == 0 || !('0' <= r && r <= '9')) {
			return false
		}
	}
	return true
}
