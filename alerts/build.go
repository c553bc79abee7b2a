package alerts

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// warnShare is the share of a threshold above which a signal is "warn": close enough
// to the line that the operator should look before it is crossed.
const warnShare = 0.8

// Rules is what Build needs from the configuration: which services and SLOs exist,
// where their data comes from and what their thresholds are.
type Rules struct {
	Services []ServiceRule
	SLOs     []SLORule
}

// ServiceRule is one configured service.
type ServiceRule struct {
	Name string
	// From names, per signal, the source whose poll carries it: the batched profile's
	// Prometheus, or the one a per-service override queries.
	From map[sources.Signal]string
	// Thresholds per signal (latency in seconds), built-in defaults included.
	Thresholds map[sources.Signal]float64
	// Unjudged are the signals the user set to `none`: shown neutral, never as ok.
	Unjudged map[sources.Signal]bool
}

// SLORule is one SLO and the source that evaluates it.
type SLORule struct {
	Def    slo.Definition
	Source string
	// Queries are the PromQL the source asks for this SLO (label -> query), shown in
	// the detail view so the operator can paste them into Prometheus.
	Queries map[string]string
}

// Build turns a snapshot into the Board. It is pure: the same inputs give the same
// Board, and it never blocks.
func Build(snap sources.Snapshot, rules Rules, now time.Time) Board {
	b := Board{
		GeneratedAt: now,
		Sources:     make([]SourceStatus, 0, len(snap.Sources)),
		Services:    make([]ServiceRow, 0, len(rules.Services)),
		SLOs:        []SLOStatus{},
		Pages:       []Page{},
		Actionable:  []Item{},
		Hidden:      []Item{},
	}
	bySource := make(map[string]*sources.SourceState, len(snap.Sources))
	for i := range snap.Sources {
		st := &snap.Sources[i]
		bySource[st.Health.Name] = st
		b.Sources = append(b.Sources, sourceStatus(st, now))
	}
	for _, rule := range rules.Services {
		b.Services = append(b.Services, serviceRow(rule, bySource))
	}
	slices.SortStableFunc(b.Services, func(x, y ServiceRow) int {
		if c := cmp.Compare(rank(y.State), rank(x.State)); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	buildSLOs(&b, rules.SLOs, bySource)
	return b
}

// rank orders row states for the worst-first list: an unknown service sorts above a
// healthy one, because no data during an incident is itself suspicious.
func rank(s State) int {
	switch s {
	case StateCrit:
		return 3
	case StateWarn:
		return 2
	case StateNoData:
		return 1
	}
	return 0
}

func sourceStatus(st *sources.SourceState, now time.Time) SourceStatus {
	h := st.Health
	s := SourceStatus{Name: h.Name, Kind: string(h.Kind), OK: h.OK, Error: h.LastError}
	if !h.LastSuccess.IsZero() {
		t := h.LastSuccess
		age := max(now.Sub(t).Seconds(), 0)
		s.LastSuccess, s.AgeSeconds = &t, &age
	}
	s.Stale = h.Polled && !h.OK && st.Last != nil
	return s
}

func serviceRow(rule ServiceRule, bySource map[string]*sources.SourceState) ServiceRow {
	row := ServiceRow{Name: rule.Name, Signals: make(map[sources.Signal]SignalValue, len(sources.AllSignals))}
	anyData := false
	for _, sig := range sources.AllSignals {
		var sv SignalValue
		if t, ok := rule.Thresholds[sig]; ok {
			sv.Threshold = &t
		}
		src := rule.From[sig]
		if st := bySource[src]; st != nil {
			if row.Source == "" {
				row.Source = src
			}
			if !st.Health.OK && st.Health.Polled && st.Last != nil {
				row.Stale = true // values shown are the last good ones
			}
			if st.Last != nil && st.Last.Data.Signals != nil {
				ss := st.Last.Data.Signals.Services[rule.Name]
				if r, ok := ss.Values[sig]; ok && r.Valid && !math.IsNaN(r.Value) && !math.IsInf(r.Value, 0) {
					v := r.Value
					sv.Value = &v
					anyData = true
				}
				sv.Series = ss.Series[sig]
			}
		}
		sv.State = judge(sv.Value, sv.Threshold)
		row.State = max(row.State, sv.State)
		row.Signals[sig] = sv
	}
	if !anyData {
		row.State = StateNoData
	}
	row.LatencySeconds = row.Signals[sources.Latency].Value
	row.TrafficRPS = row.Signals[sources.Traffic].Value
	row.ErrorRatio = row.Signals[sources.Errors].Value
	row.SaturationRatio = row.Signals[sources.Saturation].Value
	return row
}

// judge gives a value's state against a threshold: crit above it, warn above 80 % of it.
func judge(v, threshold *float64) State {
	switch {
	case v == nil:
		return StateNoData
	case threshold == nil:
		return StateOK
	case *v > *threshold:
		return StateCrit
	case *v > *threshold*warnShare:
		return StateWarn
	}
	return StateOK
}
