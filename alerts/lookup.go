package alerts

import (
	"slices"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/sources"
)

// The questions an alert's detail asks of the Board: which alert a fingerprint is,
// which silences touch it, what inhibits it. They are asked when an operator opens
// a detail, not on every poll, so they scan the Board instead of Build keeping an
// index of every fingerprint that nobody may read.

// AlertByFingerprint is the alert with fingerprint fp among the rows of the Board
// (actionable, folded into a page, or hidden), or nil when it holds none.
func (b *Board) AlertByFingerprint(fp string) *sources.Alert {
	for _, items := range [][]Item{b.Actionable, b.Hidden} {
		for i := range items {
			for _, a := range items[i].Alerts {
				if a != nil && a.Fingerprint == fp {
					return a
				}
			}
		}
	}
	return nil
}

// SilenceTouch is a silence that touches an alert: Alertmanager named it as muting
// the alert (Named), its matchers select the alert's labels (Matches: a pending
// silence that will mute it, or one whose replica has not caught up), or both.
type SilenceTouch struct {
	Silence
	Named   bool
	Matches bool
	// Known: the Board lists the silence; a named silence it does not list (expired
	// since, or not read yet) is known by its ID alone.
	Known bool
}

// SilencesTouching lists the silences touching a: those Alertmanager named, in its
// order, then the Board's other silences whose matchers select a's labels.
func (b *Board) SilencesTouching(a *sources.Alert) []SilenceTouch {
	var out []SilenceTouch
	for _, id := range a.SilencedBy {
		t := SilenceTouch{Silence: Silence{ID: id}, Named: true}
		if k := slices.IndexFunc(b.Silences, func(s Silence) bool { return s.ID == id }); k >= 0 {
			t.Silence, t.Known = b.Silences[k], true
			t.Matches = t.Silence.Selects(a.Labels)
		}
		out = append(out, t)
	}
	for _, s := range b.Silences {
		if !slices.Contains(a.SilencedBy, s.ID) && s.Selects(a.Labels) {
			out = append(out, SilenceTouch{Silence: s, Matches: true, Known: true})
		}
	}
	return out
}

// Selects reports whether the silence's matchers select an alert with these labels,
// read with Alertmanager's own matcher parser; a missing label reads as "", as
// Alertmanager reads it. Matchers that do not parse select nothing.
func (s Silence) Selects(lbls map[string]string) bool {
	ms, err := labels.ParseMatchers(s.Matchers)
	if err != nil || len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if !m.Matches(lbls[m.Name]) {
			return false
		}
	}
	return true
}

// Inhibitor is an alert that inhibits another: its fingerprint, and its alertname
// when the Board holds it ("" otherwise).
type Inhibitor struct {
	Fingerprint string
	Name        string
}

// InhibitorsOf names the alerts that inhibit a, in Alertmanager's order.
func (b *Board) InhibitorsOf(a *sources.Alert) []Inhibitor {
	out := make([]Inhibitor, 0, len(a.InhibitedBy))
	for _, fp := range a.InhibitedBy {
		in := Inhibitor{Fingerprint: fp}
		if by := b.AlertByFingerprint(fp); by != nil {
			in.Name = by.Labels["alertname"]
		}
		out = append(out, in)
	}
	return out
}
