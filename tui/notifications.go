package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/tui/notify"
)

// Notify is the notify section: Off turns notifications off; MinSeverity is the
// least severity that notifies (critical, warning or info; "" is critical: a
// triggered high-urgency page and an SLO page count as critical); Cooldown is the
// least time between two (0 is a minute), what arrives within it told in the next.
type Notify notify.Config

// notify sends a due notification to the terminal through Bubble Tea (tea.Raw), in
// the form the terminal understands; nil when none is due.
func (m *Model) notify(note notify.Note, due bool) tea.Cmd {
	if !due {
		return nil
	}
	return tea.Raw(notify.Sequence(m.term, note))
}

// links reports whether URLs are drawn as OSC 8 hyperlinks: not when the options
// turn them off, in ASCII mode, or on a dumb terminal.
func (m *Model) links() bool {
	return !m.opts.NoHyperlinks && m.st.Glyphs.Name != "ascii" && !m.term.Dumb
}
