package tui

import (
	"slices"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// footer is the bottom line: the state the operator must not forget (frozen order,
// zoom, a refresh under way, a confirmation, the alerts folded away) and the key
// hints that fit, from the keymap: the top overlay's, or the panes'. Help and quit
// are always there.
func (m *Model) footer() string {
	st := m.st
	var lb ui.LineBuilder
	used := 0
	status := func(r ui.Role, s string) {
		lb.Add(st.P(r, false), s)
		lb.Add(st.P(ui.Plain, false), "  ")
		used += ui.Width(s) + 2
	}
	top := m.top()
	tail := []binding{keys.Help, keys.Quit}
	if top != nil && top.modal() { // the help, a confirmation, an input: ? is theirs
		tail = tail[1:]
	}
	if typing(top) {
		quit := keys.Quit
		quit.SetHelp("ctrl+c", "quit")
		tail = []binding{quit}
	}
	width := func(bs []binding) int {
		n := 0
		for _, b := range bs {
			h := b.Help()
			n += len(h.Key) + 1 + len(h.Desc) + 2
		}
		return n
	}

	if m.frozen {
		status(ui.BadgeStale, "FROZEN")
	}
	if m.zoom && top == nil {
		status(ui.Accent, "ZOOM")
	}
	if m.refreshing {
		status(ui.Accent, "refreshing"+st.Glyphs.Ellipsis)
	}

	if m.opts.Pages && m.opts.Actions == nil {
		status(ui.NoData, "READ-ONLY")
	}
	hidden := m.hiddenTally()
	if m.notice != "" && m.now.Before(m.noticeUntil) {
		// A notice leaves the hidden count its shortest form: that is never dropped.
		keep := 0
		if hidden.total != "" {
			keep = ui.Width(hidden.fit(0, st.Glyphs.Name)) + 2
		}
		status(ui.OK, ui.Trunc(m.notice, max(m.w-used-width(tail)-keep, 8), st.Glyphs.Ellipsis))
	}
	if hidden.total != "" {
		// The counts win over the key hints: the hints are in the help, the alerts
		// folded away are nowhere else on screen.
		status(ui.NoData, hidden.fit(m.w-used-width(tail), st.Glyphs.Name))
	}

	hints := m.hints(top)
	room := m.w - used - width(tail)
	for len(hints) > 0 && width(hints) > room {
		hints = hints[:len(hints)-1]
	}
	for i, b := range append(hints, tail...) {
		if i > 0 {
			lb.Add(st.P(ui.Plain, false), "  ")
		}
		h := b.Help()
		lb.Add(st.P(ui.Header, false), h.Key)
		lb.Add(st.P(ui.NoData, false), " "+h.Desc)
	}
	return ui.Clip(lb.String(), m.w)
}

// hiddenTally is how many alerts triage folded away, by reason, in triage's order.
// Always shown when alerts are watched, so nobody forgets there is more than the
// screen shows; fit writes it in the room there is.
type hiddenTally struct {
	total string   // "1,204", "0", or a dash when unknown; "" when alerts are not watched
	parts []string // "silenced 812", "flapping 37", …
}

func (m *Model) hiddenTally() hiddenTally {
	if !m.opts.Alerts {
		return hiddenTally{}
	}
	total := 0
	var parts []string
	for _, r := range alerts.HiddenReasons {
		if n := m.board.HiddenCounts[r]; n > 0 {
			total += n
			parts = append(parts, r+" "+thousands(n))
		}
	}
	if total == 0 && ui.SourceDoubt(&m.board, ui.AlertSources...) != "" {
		return hiddenTally{total: m.st.Glyphs.Dash} // unknown, not none
	}
	return hiddenTally{total: thousands(total), parts: parts}
}

// fit writes the tally in w cells, as much of it as fits: every reason, "hidden
// 1,204: silenced 812 · flapping 37 · severity 355"; the first reasons and how many
// more, "hidden 1,204: silenced 812 · +2 more"; or the total alone, "hidden 1,204",
// which is returned even when it does not fit (the line is clipped, not emptied).
func (t hiddenTally) fit(w int, glyphs string) string {
	head := "hidden " + t.total
	if len(t.parts) == 0 {
		return head
	}
	dot := " · "
	if glyphs == "ascii" {
		dot = ", "
	}
	if s := head + ": " + strings.Join(t.parts, dot); ui.Width(s) <= w {
		return s
	}
	for n := len(t.parts) - 1; n > 0; n-- {
		s := head + ": " + strings.Join(t.parts[:n], dot) + dot + "+" + strconv.Itoa(len(t.parts)-n) + " more"
		if ui.Width(s) <= w {
			return s
		}
	}
	return head
}

// thousands writes n with commas: 1,204.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// hints are the footer's key hints, most useful first: the top overlay's, else what
// works on the panes now (enter only where the focused pane opens a detail).
func (m *Model) hints(top overlay) []binding {
	if top != nil {
		return top.hints()
	}
	hs := []binding{keys.Move, keys.PaneCycle}
	switch m.panes[m.focus].(type) {
	case slosPane:
		hs = append(hs, keys.Enter)
	case alertsPane:
		hs = append(hs, keys.Enter, keys.Hidden, keys.Explain)
	case pagesPane:
		hs = append(hs, keys.Enter)
		if m.opts.Actions != nil {
			hs = append(hs, keys.Ack, keys.Resolve, keys.Snooze, keys.Note, keys.Escalate)
		}
		if m.opts.Me != "" {
			hs = append(hs, keys.Mine)
		}
	}
	if m.paneFilter(m.focus).Active() {
		clear := keys.Back
		clear.SetHelp("esc", "clear filter")
		hs = append([]binding{clear}, hs...)
	} else {
		hs = append(hs, keys.Filter)
	}
	freeze, zoom := keys.Freeze, keys.Zoom
	if m.frozen {
		freeze.SetHelp("f", "unfreeze")
	}
	if m.zoom {
		zoom.SetHelp("z", "unzoom")
	}
	return append(hs, freeze, zoom, keys.Refresh, keys.Ends)
}

// helpKeys is what the help overlay lists: every enabled binding that has help
// wording, with the pane keys spelled from the panes there are.
func (m *Model) helpKeys() [][2]string {
	var out [][2]string
	pageKeys := []string{keys.Ack.Keys()[0], keys.Snooze.Keys()[0], keys.Open.Keys()[0], keys.AckMine.Keys()[0], keys.Mine.Keys()[0]}
	alertKeys := []string{keys.Hidden.Keys()[0], keys.Explain.Keys()[0], keys.Silence.Keys()[0]}
	writes := []string{keys.Ack.Keys()[0], keys.Snooze.Keys()[0], keys.AckMine.Keys()[0]}
	for _, b := range keys.all() {
		first := b.Binding.Keys()[0]
		switch {
		case !b.Enabled():
		case slices.Contains(pageKeys, first) && !m.opts.Pages:
			// No PagerDuty source: no pages pane, and its keys do nothing.
		case slices.Contains(alertKeys, first) && !m.opts.Alerts:
			// No alert source: no alerts pane.
		case slices.Contains(writes, first) && m.opts.Actions == nil:
			out = append(out, [2]string{b.helpKeys, b.helpDoes + " (off: " + m.readOnly() + ")"})
		case b.Binding.Keys()[0] == keys.PaneJump.Keys()[0]:
			nums, names := "", ""
			for i, p := range m.panes {
				if i > 0 {
					nums, names = nums+" / ", names+" / "
				}
				nums += strconv.Itoa(i + 1)
				names += p.helpName()
			}
			out = append(out, [2]string{nums, names})
		case b.helpKeys != "":
			out = append(out, [2]string{b.helpKeys, b.helpDoes})
		}
	}
	return out
}

// helpView is the help overlay: the keys and what the row markers mean, in a box
// centred in the body.
func (m *Model) helpView(w, h int) string {
	st, g := m.st, m.st.Glyphs
	helpKeys := m.helpKeys()
	keyW := 0
	for _, k := range helpKeys {
		keyW = max(keyW, ui.Width(m.keyName(k[0])))
	}
	var lines []string
	title := "KEYS"
	if m.opts.Version != "" {
		title += "  vigil " + m.opts.Version
	}
	lines = append(lines, st.P(ui.Header, false).Render(title), "")
	for _, k := range helpKeys {
		lines = append(lines, st.P(ui.Accent, false).Render(ui.Fit(m.keyName(k[0]), keyW, ""))+"  "+k[1])
	}
	lines = append(lines, "",
		st.P(ui.Header, false).Render("MARKERS"), "",
		st.P(ui.Crit, false).Render(g.Crit)+" over threshold   "+
			st.P(ui.Warn, false).Render(g.Warn)+" near it   "+
			st.P(ui.OK, false).Render(g.OK)+" ok   "+
			st.P(ui.NoData, false).Render(g.NoData)+" no data",
		g.Dash+" no value (never 0)   stale: its source is failing, values are old",
		"alerts: "+st.P(ui.Crit, false).Render(g.Crit+"CRIT")+"  "+st.P(ui.Warn, false).Render(g.Warn+"WARN")+"  "+
			st.P(ui.NoData, false).Render(g.NoData+"INFO")+"   ~flapping: fires and resolves over and over",
	)
	return m.box(w, h, lines)
}

// promptBox is a question or an input line in a box centred in the body.
func (m *Model) promptBox(w, h int, lines []string) string {
	for i, l := range lines {
		lines[i] = textsafe.Clean(l)
	}
	return m.box(w, h, lines)
}

// box draws lines in a bordered box centred in w×h.
func (m *Model) box(w, h int, lines []string) string {
	st, g := m.st, m.st.Glyphs
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
