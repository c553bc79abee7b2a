// Package expiring is the expiring-soon strip: one line above the footer naming what
// lapses within the next 30 minutes, soonest first — silences that end (what they
// hide comes back) and PagerDuty acknowledgements or snoozes that lapse (the page
// triggers again and pages whoever is on call). When nothing does, there is no line.
package expiring

import (
	"slices"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// Window is how far ahead the strip looks: the Board's own "ends soon".
const Window = alerts.SilenceEndsSoon

// subjectW bounds a silence's subject, so one long matcher does not fill the line.
const subjectW = 32

// entry is one thing about to lapse.
type entry struct {
	at   time.Time
	text string
}

// Line is the strip for the Board at now, at most w cells wide, or "" when nothing
// lapses within Window: "expiring: ack #1234 lapses in 4m · silence HighLatency
// checkout in 12m". What does not fit is counted ("+2 more"), never cut mid-word.
func Line(st *ui.Styles, b *alerts.Board, now time.Time, w int) string {
	entries := soon(b, now, st.Glyphs.Ellipsis)
	if len(entries) == 0 || w <= 0 {
		return ""
	}
	sep := " · "
	if st.Glyphs.Name == "ascii" {
		sep = ", "
	}
	const lead = "expiring: "
	var lb ui.LineBuilder
	lb.Add(st.P(ui.Warn, false), lead)
	used := len(lead)
	plain := st.P(ui.Plain, false)
	for i, e := range entries {
		text := e.text
		if i > 0 {
			text = sep + text
		}
		// Room for this one, and for "+N more" after it unless it is the last.
		rest := 0
		if i < len(entries)-1 {
			rest = ui.Width(sep + "+" + strconv.Itoa(len(entries)-i-1) + " more")
		}
		if i > 0 && used+ui.Width(text)+rest > w {
			lb.Add(st.P(ui.NoData, false), sep+"+"+strconv.Itoa(len(entries)-i)+" more")
			break
		}
		if i == 0 {
			text = ui.Trunc(text, max(w-used, 0), st.Glyphs.Ellipsis) // a narrow window: the first, cut
		}
		lb.Add(plain, text)
		used += ui.Width(text)
	}
	return ui.Clip(lb.String(), w)
}

// soon lists what lapses after now and within Window, soonest first.
func soon(b *alerts.Board, now time.Time, ell string) []entry {
	var out []entry
	within := func(at time.Time) bool { return at.After(now) && !at.After(now.Add(Window)) }
	for _, s := range b.Silences {
		if s.State != "active" || !within(s.EndsAt) {
			continue
		}
		what := s.Subject
		if what == "" {
			what = s.Matchers // a Board not made by Build: its matchers say what it silences
		}
		subject := ui.Trunc(textsafe.Clean(what), subjectW, ell)
		out = append(out, entry{s.EndsAt, "silence " + subject + " in " + format.Age(s.EndsAt.Sub(now))})
	}
	for _, p := range b.Pages {
		if p.Status != "acknowledged" || p.AckLapsesAt == nil || !within(*p.AckLapsesAt) {
			continue
		}
		out = append(out, entry{*p.AckLapsesAt, "ack #" + strconv.Itoa(p.Number) + " lapses in " + format.Age(p.AckLapsesAt.Sub(now))})
	}
	slices.SortStableFunc(out, func(x, y entry) int { return x.at.Compare(y.at) })
	return out
}
