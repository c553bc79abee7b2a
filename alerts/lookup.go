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

// FindAlerts is the alerts with the fingerprints fps among the rows of the Board
// (actionable, folded into a page, or hidden), in one pass over them; a fingerprint
// the Board does not hold is absent from the map.
func (b *Board) FindAlerts(fps []string) map[string]*sources.Alert {
	out := make(map[string]*sources.Alert, len(fps))
	if len(fps) == 0 {
		return out
	}
	want := make(map[string]bool, len(fps))
	for _, fp := range fps {
		want[fp] = true
	}
	for _, items := range [][]Item{b.Actionable, b.Hidden} {
		for i := range items {
			for _, a := range items[i].Alerts {
				if a != nil && want[a.Fingerprint] {
					out[a.Fingerprint] = a
					if len(out) == len(want) {
						return out
					}
				}
			}
		}
	}
	return out
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
			t.Matches = b.selects(&t.Silence, a.Labels)
		}
		out = append(out, t)
	}
	for _, s := range b.Silences {
		if !slices.Contains(a.SilencedBy, s.ID) && b.selects(&s, a.Labels) {
			out = append(out, SilenceTouch{Silence: s, Matches: true, Known: true})
		}
	}
	return out
}

// selects reports whether silence s's matchers select an alert with these labels,
// read with Alertmanager's own matcher parser (once, by Build, for the Board's
// silences; a Board made otherwise parses on use); a missing label reads as "", as
// Alertmanager reads it. Matchers that do not parse select nothing.
func (b *Board) selects(s *Silence, lbls map[string]string) bool {
	ms, ok := b.silenceMatchers[s.ID]
	if !ok {
		var err error
		if ms, err = labels.ParseMatchers(s.Matchers); err != nil {
			return false
		}
	}
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if !m.Matches(lbls[m.Name]) {
			return false
		}
	}
	return true
}
