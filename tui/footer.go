package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/vigil-sre/vigil/tui/internal/ui"
)

type hint struct{ key, does string }

// footer is the bottom line: the state the operator must not forget (frozen order,
// a refresh under way) and the key hints that fit, "? help" and "q quit" always.
func (m *Model) footer() string {
	st := m.st
	var lb ui.LineBuilder
	used := 0
	status := func(r ui.Role, s string) {
		lb.Add(st.P(r, false), s)
		lb.Add(st.P(ui.Plain, false), "  ")
		used += ui.Width(s) + 2
	}
	if m.frozen {
		status(ui.BadgeStale, "FROZEN")
	}
	if m.zoom && !m.help && !m.detailOpen {
		status(ui.Accent, "ZOOM")
	}
	if m.refreshing {
		status(ui.Accent, "refreshing"+st.Glyphs.Ellipsis)
	}
	if m.notice != "" && m.now.Before(m.noticeUntil) {
		status(ui.OK, ui.Trunc(m.notice, max(m.w-used-2-len("? help  q quit"), 8), st.Glyphs.Ellipsis))
	}

	var hints []hint
	switch {
	case m.help:
		hints = []hint{{"esc", "close"}}
	case m.detailOpen:
		hints = []hint{{"esc", "back"}, {"j/k", "scroll"}, {"c", "copy queries"}, {"r", "refresh"}}
	default:
		hints = []hint{{"j/k", "move"}, {"tab", "pane"}}
		if m.focus == paneSLOs {
			hints = append(hints, hint{"enter", "detail"})
		}
		freeze := "freeze"
		if m.frozen {
			freeze = "unfreeze"
		}
		zoom := "zoom"
		if m.zoom {
			zoom = "unzoom"
		}
		hints = append(hints, hint{"f", freeze}, hint{"z", zoom}, hint{"r", "refresh"}, hint{"g/G", "top/bottom"})
	}
	tail := []hint{{"?", "help"}, {"q", "quit"}}
	if m.help {
		tail = tail[1:]
	}
	width := func(hs []hint) int {
		n := 0
		for _, h := range hs {
			n += len(h.key) + 1 + len(h.does) + 2
		}
		return n
	}
	room := m.w - used - width(tail)
	for len(hints) > 0 && width(hints) > room {
		hints = hints[:len(hints)-1]
	}
	for i, h := range append(hints, tail...) {
		if i > 0 {
			lb.Add(st.P(ui.Plain, false), "  ")
		}
		lb.Add(st.P(ui.Header, false), h.key)
		lb.Add(st.P(ui.NoData, false), " "+h.does)
	}
	return ui.Clip(lb.String(), m.w)
}

// helpKeys is every key that does something today, as DESIGN.md's key table names
// them. Keys of panes not built yet are not listed.
var helpKeys = []hint{
	{"j/k, ↑/↓", "move"},
	{"g / G", "top / bottom"},
	{"tab / shift+tab", "next / previous pane"},
	{"1 / 2", "golden signals / SLOs"},
	{"enter / esc", "SLO detail / back"},
	{"c", "copy the SLO's queries (detail)"},
	{"f", "freeze / unfreeze the row order"},
	{"z", "zoom the focused pane"},
	{"r", "refresh now"},
	{"?", "this help"},
	{"q, ctrl+c", "quit"},
}

// helpView is the help overlay: the keys and what the row markers mean, in a box
// centred in the body.
func (m *Model) helpView(w, h int) string {
	st, g := m.st, m.st.Glyphs
	keyW := 0
	for _, k := range helpKeys {
		keyW = max(keyW, ui.Width(m.keyName(k.key)))
	}
	var lines []string
	title := "KEYS"
	if m.opts.Version != "" {
		title += "  vigil " + m.opts.Version
	}
	lines = append(lines, st.P(ui.Header, false).Render(title), "")
	for _, k := range helpKeys {
		lines = append(lines, st.P(ui.Accent, false).Render(ui.Fit(m.keyName(k.key), keyW, ""))+"  "+k.does)
	}
	lines = append(lines, "",
		st.P(ui.Header, false).Render("MARKERS"), "",
		st.P(ui.Crit, false).Render(g.Crit)+" over threshold   "+
			st.P(ui.Warn, false).Render(g.Warn)+" near it   "+
			st.P(ui.OK, false).Render(g.OK)+" ok   "+
			st.P(ui.NoData, false).Render(g.NoData)+" no data",
		g.Dash+" no value (never 0)   stale: its source is failing, values are old",
	)
	border := lipgloss.RoundedBorder()
	if g.Name == "ascii" {
		border = lipgloss.ASCIIBorder()
	}
	inner := max(w-4, 1)
	for i, l := range lines {
		lines[i] = ui.Clip(l, inner)
	}
	box := lipgloss.NewStyle().Border(border).BorderForeground(st.Theme.Border.GetForeground()).
		Padding(0, 1).Render(strings.Join(lines, "\n"))
	out := strings.Split(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box), "\n")
	for i, l := range out {
		out[i] = ui.Clip(strings.TrimRight(l, " "), w)
	}
	return ui.Lines(out, h)
}

// keyName spells arrows in ASCII when the glyphs are.
func (m *Model) keyName(k string) string {
	if m.st.Glyphs.Name == "ascii" {
		return strings.NewReplacer("↑", "up", "↓", "down").Replace(k)
	}
	return k
}
