package alertmanager

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/sources"
)

// merge joins what several Alertmanagers said, given in config order, into one
// answer: alerts by fingerprint, silences by ID.
//
// An alert's merged State is:
//   - active if any Alertmanager that has it says active: a silence or inhibition that
//     exists in only one replica (a broken gossip, a silence made on one side) does not
//     hide it;
//   - else unprocessed if any says unprocessed (it is not suppressed everywhere);
//   - else suppressed. It is then silenced when SilencedBy is not empty (any replica
//     names a silence), else inhibited (or muted by a time interval).
//
// SilencedBy and InhibitedBy are the union of what every replica said, so an active
// alert may name a silence held by one replica only: its State, not the lists, says
// whether it is suppressed. StartsAt is the earliest, EndsAt the latest, labels,
// annotations and generator URL the first Alertmanager's, and Alertmanagers lists
// every Alertmanager that reported it.
//
// A silence held by several Alertmanagers (a cluster shares IDs) is one Silence whose
// Sources lists them; its fields are those of the most alive copy (active, then
// pending, then expired), since that copy is the one still muting alerts. Copies of
// one silence under different IDs (unclustered Alertmanagers) are one too: joinTwins.
func merge(answers []answer) *sources.AlertsData {
	n := 0
	for _, a := range answers {
		n += len(a.alerts)
	}
	out := &sources.AlertsData{Alerts: make([]sources.Alert, 0, n), Silences: []sources.Silence{}}
	type seen struct {
		i                   int
		active, unprocessed bool
	}
	byFP := make(map[string]*seen, n)
	for _, ans := range answers {
		for _, a := range ans.alerts {
			s := byFP[a.Fingerprint]
			if s == nil {
				a.SilencedBy = uniq(nil, a.SilencedBy)
				a.InhibitedBy = uniq(nil, a.InhibitedBy)
				a.Alertmanagers = []string{ans.am}
				s = &seen{i: len(out.Alerts)}
				byFP[a.Fingerprint] = s
				out.Alerts = append(out.Alerts, a)
			} else {
				m := &out.Alerts[s.i]
				m.SilencedBy = uniq(m.SilencedBy, a.SilencedBy)
				m.InhibitedBy = uniq(m.InhibitedBy, a.InhibitedBy)
				if a.StartsAt.Before(m.StartsAt) {
					m.StartsAt = a.StartsAt
				}
				if a.EndsAt.After(m.EndsAt) {
					m.EndsAt = a.EndsAt
				}
				if m.GeneratorURL == "" {
					m.GeneratorURL = a.GeneratorURL
				}
				if !slices.Contains(m.Alertmanagers, ans.am) {
					m.Alertmanagers = append(m.Alertmanagers, ans.am)
				}
			}
			s.active = s.active || a.State == StateActive
			s.unprocessed = s.unprocessed || a.State == StateUnprocessed
		}
	}
	for _, s := range byFP {
		a := &out.Alerts[s.i]
		switch {
		case s.active:
			a.State = StateActive
		case s.unprocessed:
			a.State = StateUnprocessed
		default:
			a.State = StateSuppressed
		}
	}
	slices.SortFunc(out.Alerts, func(x, y sources.Alert) int { return strings.Compare(x.Fingerprint, y.Fingerprint) })

	byID := map[string]int{}
	for _, ans := range answers {
		for _, s := range ans.silences {
			i, ok := byID[s.ID]
			if !ok {
				s.Sources = []string{ans.am}
				byID[s.ID] = len(out.Silences)
				out.Silences = append(out.Silences, s)
				continue
			}
			m := &out.Silences[i]
			holders := m.Sources
			if !slices.Contains(holders, ans.am) {
				holders = append(holders, ans.am)
			}
			if silenceRank(s.State) > silenceRank(m.State) {
				*m = s
			}
			m.Sources = holders
		}
	}
	slices.SortFunc(out.Silences, func(x, y sources.Silence) int { return strings.Compare(x.ID, y.ID) })
	out.Silences = joinTwins(out.Silences)
	return out
}

// joinTwins makes one Silence of the copies of a silence that Alertmanagers which do
// not share silences (separate clusters, a pair with broken gossip) each hold under an
// ID of their own: vigil posts the same silence to every Alertmanager, and the
// operator means one silence, listed once and expired everywhere. Twins have the same
// matchers, author, comment and end (to the millisecond: vigil posts one body to all) and live in
// different Alertmanagers. The first ID (in ID order) names the silence; IDs lists them all.
func joinTwins(silences []sources.Silence) []sources.Silence {
	first := map[string]int{}
	out := silences[:0]
	for _, s := range silences {
		s.IDs = []string{s.ID}
		key := twinKey(s)
		i, ok := first[key]
		if ok && !sharesSource(out[i].Sources, s.Sources) {
			t := &out[i]
			t.IDs = append(t.IDs, s.ID)
			t.Sources = uniq(t.Sources, s.Sources)
			if silenceRank(s.State) > silenceRank(t.State) {
				t.State, t.StartsAt = s.State, s.StartsAt
			}
			continue
		}
		if !ok {
			first[key] = len(out)
		}
		out = append(out, s)
	}
	return out
}

// twinKey is what two copies of one silence have in common.
func twinKey(s sources.Silence) string {
	ms := make([]string, len(s.Matchers))
	for i, m := range s.Matchers {
		ms[i] = fmt.Sprintf("%q %t %t %q", m.Name, m.IsRegex, m.IsEqual, m.Value)
	}
	slices.Sort(ms)
	return fmt.Sprintf("%q\x00%q\x00%d\x00%s", s.CreatedBy, s.Comment, s.EndsAt.UnixMilli(), strings.Join(ms, "\x00"))
}

func sharesSource(a, b []string) bool {
	for _, s := range b {
		if slices.Contains(a, s) {
			return true
		}
	}
	return false
}

// silenceRank orders silence states by how much they still mute.
func silenceRank(state string) int {
	switch state {
	case "active":
		return 3
	case "pending":
		return 2
	case "expired":
		return 1
	}
	return 0
}

// uniq appends to dst the strings of add it lacks, always returning a fresh slice
// owned by the caller (never nil, so JSON shows [] rather than null).
func uniq(dst, add []string) []string {
	if dst == nil {
		dst = make([]string, 0, len(add))
	}
	for _, s := range add {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}
