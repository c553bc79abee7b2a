package alerts

import (
	"cmp"
	"fmt"
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
	// Discover, by source name, is the rule for a service that source reports but the
	// config does not list (signals.services: all); Name is filled per service.
	Discover map[string]ServiceRule
	// Triage is the triage section: what hides an alert and how alerts group.
	// Which alerts an open page carries comes with the page (sources.Incident).
	Triage Triage
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
		OnCall:      []OnCall{},
		Silences:    []Silence{},
		Actionable:  []Item{},
		Hidden:      []Item{},
	}
	bySource := make(map[string]*sources.SourceState, len(snap.Sources))
	for i := range snap.Sources {
		st := &snap.Sources[i]
		bySource[st.Health.Name] = st
		b.Sources = append(b.Sources, memberRows(st, sourceStatus(st, now))...)
	}
	listed := make(map[string]bool, len(rules.Services))
	for _, rule := range rules.Services {
		listed[rule.Name] = true
		if len(rule.From) == 0 {
			continue // a service with SLOs only: it has no row of signals to show
		}
		b.Services = append(b.Services, serviceRow(rule, bySource))
	}
	for src, tmpl := range rules.Discover {
		st := bySource[src]
		if st == nil || st.Last == nil || st.Last.Data.Signals == nil {
			continue
		}
		for name := range st.Last.Data.Signals.Services {
			if !listed[name] {
				listed[name] = true
				rule := tmpl
				rule.Name = name
				b.Services = append(b.Services, serviceRow(rule, bySource))
			}
		}
	}
	// Names are unique, so this order is total and an unstable sort gives the same
	// rows in the same order every time, faster than a stable one on 10,000 rows.
	slices.SortFunc(b.Services, func(x, y ServiceRow) int {
		if c := cmp.Compare(y.State.Rank(), x.State.Rank()); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	buildSLOs(&b, rules.SLOs, bySource)
	buildPages(&b, snap)
	buildSilences(&b, snap, now)
	b.Actionable = sortActionable(b.Actionable, b.pageItems)
	triageAlerts(&b, snap, rules.Triage, now)
	if b.Actionable == nil {
		b.Actionable = []Item{}
	}
	b.pageItems = nil
	return b
}

func sourceStatus(st *sources.SourceState, now time.Time) SourceStatus {
	h := st.Health
	s := SourceStatus{Name: h.Name, Kind: string(h.Kind), OK: h.OK, Error: h.LastError, Failures: []QueryFailure{}, Warnings: []string{}}
	if !h.LastSuccess.IsZero() {
		t := h.LastSuccess
		s.LastSuccess, s.AgeSeconds = &t, Num(max(now.Sub(t).Seconds(), 0))
	}
	s.Stale = h.Polled && !h.OK && st.Last != nil
	if !h.OK && !h.NextPoll.IsZero() {
		t := h.NextPoll
		s.RetryAt = &t
	}
	s.RateLimited = !h.OK && h.RateLimited
	if h.OK && st.Last != nil && len(st.Last.Data.Warnings) > 0 {
		s.Partial = true
		s.Warnings = st.Last.Data.Warnings
		s.Error = "partial answer: " + s.Warnings[0]
	}
	if h.OK && st.Last != nil {
		s.Failures = failures(st.Last.Data)
		if len(s.Failures) > 0 {
			s.Degraded = true
			f := s.Failures[0]
			s.Error = f.What + ": " + f.Error
			if n := len(s.Failures); n > 1 {
				s.Error += fmt.Sprintf(" (and %d more)", n-1)
			}
		}
	}
	if h.OK && st.Last != nil && st.Last.Data.Pages != nil && st.Last.Data.Pages.Skipped != "" {
		// The request budget was spent: the pages shown are an earlier poll's.
		s.Stale, s.Error = true, st.Last.Data.Pages.Skipped
	}
	switch {
	case !h.Polled:
		s.State = SourceWaiting
	case s.Degraded:
		s.State = SourceDegraded
	case s.Partial:
		s.State = SourcePartial
	case h.OK && !s.Stale:
		s.State = SourceOK
	case s.Stale:
		s.State = SourceStale
	default:
		s.State = SourceDown
	}
	return s
}

// memberRows are the rows of a source: one, or one per Alertmanager when it merges
// several (an HA pair, one per cluster), so one replica down reads as that replica
// down while the others' alerts are still shown. A replica that failed while the
// others answered is down with its own error and no age (it is not tracked apart);
// when the whole poll failed, every replica has the source's state and error, which
// names each of them.
func memberRows(st *sources.SourceState, s SourceStatus) []SourceStatus {
	var members []sources.Member
	if st.Last != nil && st.Last.Data.Alerts != nil {
		members = st.Last.Data.Alerts.Members
	}
	if len(members) == 0 {
		// No answer yet (or every Alertmanager failed from the start): each still
		// has its row, with the source's state and error.
		for _, name := range st.Health.Members {
			members = append(members, sources.Member{Name: name})
		}
	}
	if len(members) == 0 {
		return []SourceStatus{s}
	}
	out := make([]SourceStatus, len(members))
	for i, m := range members {
		r := s
		r.Name = m.Name
		if st.Health.OK && m.Err != "" {
			r.OK, r.State, r.Error, r.Stale, r.Partial, r.Degraded = false, SourceDown, m.Err, false, false, false
			r.Warnings, r.Failures, r.LastSuccess, r.AgeSeconds = []string{}, []QueryFailure{}, nil, nil
		}
		out[i] = r
	}
	return out
}

// failures lists the queries of a poll that failed while the rest answered.
func failures(d sources.Data) []QueryFailure {
	var out []QueryFailure
	add := func(fs []sources.QueryFailure) {
		for _, f := range fs {
			out = append(out, QueryFailure{What: f.What, Query: f.Query, Error: f.Err})
		}
	}
	if d.Signals != nil {
		add(d.Signals.Failures)
	}
	if d.SLOs != nil {
		add(d.SLOs.Failures)
		if d.SLOs.Err != "" && len(d.SLOs.Failures) == 0 {
			out = append(out, QueryFailure{What: "SLO queries", Error: d.SLOs.Err})
		}
	}
	if out == nil {
		return []QueryFailure{}
	}
	return out
}

// noErrors is the errors object of every row without failed queries: one shared,
// never written, empty map, so that JSON shows {} and no row allocates one.
var noErrors = map[string]string{}

// serviceRow judges one service. It runs for every configured service on every poll,
// so it looks each source and the service's entry up once, not once per signal, and
// allocates the row's numbers in one block.
func serviceRow(rule ServiceRule, bySource map[string]*sources.SourceState) ServiceRow {
	row := ServiceRow{Name: rule.Name, Errors: noErrors}
	nums := new([sources.NumSignals*2 + 1]Number)
	used := 0
	num := func(v float64) *Number {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		n := &nums[used]
		used++
		*n = Number(v)
		return n
	}
	fail := func(key, why string) {
		if len(row.Errors) == 0 {
			row.Errors = make(map[string]string, 1)
		}
		row.Errors[key] = why
	}
	var (
		targets sources.TargetHealth
		svs     [sources.NumSignals]SignalValue
		lastSrc string
		st      *sources.SourceState
		ss      sources.ServiceSignals
		have    bool
	)
	for i, sig := range sources.AllSignals {
		sv := &svs[i]
		unjudged := rule.Unjudged[sig]
		if t, ok := rule.Thresholds[sig]; ok && !unjudged {
			sv.Threshold = num(t)
		}
		if src := rule.From[sig]; src != lastSrc || st == nil {
			lastSrc, st, have = src, bySource[src], false
			if st != nil && st.Last != nil && st.Last.Data.Signals != nil {
				// A service no query mentions reads as the zero entry: no data.
				ss, have = st.Last.Data.Signals.Services[rule.Name], true
			}
		}
		if st != nil {
			if row.Source == "" {
				row.Source = lastSrc
			}
			if !st.Health.OK && st.Health.Polled && st.Last != nil {
				row.Stale = true // values shown are the last good ones
			}
			if have {
				if r, ok := ss.Values[sig]; ok {
					if r.Valid {
						sv.Value = num(r.Value)
					}
					sv.Err = r.Err
				}
				sv.Series = ss.Series[sig]
				if ss.Targets.Known || ss.Targets.Err != "" {
					targets = ss.Targets
				}
			}
		}
		if sv.Err != "" {
			sv.Value = nil
			fail(string(sig), sv.Err)
		}
		sv.State = judge(*sv, unjudged)
	}
	row.State = rowState(svs[:])
	if targets.Known {
		if targets.Total > 0 {
			up, total := targets.Up, targets.Total
			row.TargetsUp, row.TargetsTotal = &up, &total
		}
		row.TargetsUpRatio = num(targets.Share)
		switch {
		case targets.Share <= 0:
			// Every target is down: the other signals come from samples scraped
			// before it died (rates look back minutes), so they are not current.
			row.State, row.Stale = StateDown, true
		case targets.Share < 1 && row.State.Rank() < StateDegraded.Rank():
			row.State = StateDegraded
		}
	} else if targets.Err != "" {
		fail("health", targets.Err)
	}
	row.Signals = svs
	row.LatencySeconds = svs[0].Value
	row.TrafficRPS = svs[1].Value
	row.ErrorRatio = svs[2].Value
	row.SaturationRatio = svs[3].Value
	return row
}

// rowState is the worst of a row's signals. A signal with no data makes the row
// "nodata" only when no signal has data (a quiet service has no latency); a failed
// query always counts; a row whose every value is unjudged is neutral, never ok.
func rowState(sigs []SignalValue) State {
	worst, data, judged := StateOK, false, false
	for _, sv := range sigs {
		switch sv.State {
		case StateNoData:
			continue
		case StateNone:
			data = true
			continue
		}
		data, judged = true, true
		if sv.State.Rank() > worst.Rank() {
			worst = sv.State
		}
	}
	switch {
	case !data:
		return StateNoData
	case !judged:
		return StateNone
	}
	return worst
}

// judge gives a signal's state: err when its query failed, nodata without a value,
// none when the user chose no threshold, else crit above the threshold and warn
// above 80 % of it.
func judge(sv SignalValue, unjudged bool) State {
	v, ok := sv.Value.Get()
	t, hasT := sv.Threshold.Get()
	switch {
	case sv.Err != "":
		return StateErr
	case !ok:
		return StateNoData
	case unjudged || !hasT:
		return StateNone
	case v > t:
		return StateCrit
	case v > t*warnShare:
		return StateWarn
	}
	return StateOK
}
