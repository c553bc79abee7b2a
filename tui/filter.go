package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/filter"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// The / filter, as k9s has it: / opens a line under the panes, the focused pane
// narrows as the filter is typed, enter keeps it, esc while typing puts back the one
// there was, and esc on a filtered pane clears it. Each pane keeps its own filter;
// the alerts pane has one for both its views, so h shows what is hidden of what the
// operator is looking at. Free text finds rows by their words; matchers
// ({service="checkout",severity=~"crit.*"}) are read by Alertmanager's parser.

// filterable is a pane that can be filtered: every pane is.
type filterable interface {
	filter() filter.Query
	setFilter(q filter.Query) pane
}

func (s signalsPane) filter() filter.Query          { return s.p.Filter() }
func (s signalsPane) setFilter(q filter.Query) pane { s.p = s.p.SetFilter(q); return s }
func (s slosPane) filter() filter.Query             { return s.p.Filter() }
func (s slosPane) setFilter(q filter.Query) pane    { s.p = s.p.SetFilter(q); return s }
func (s pagesPane) filter() filter.Query            { return s.p.Filter() }
func (s pagesPane) setFilter(q filter.Query) pane   { s.p = s.p.SetFilter(q); return s }
func (s alertsPane) filter() filter.Query           { return s.p.Filter() }
func (s alertsPane) setFilter(q filter.Query) pane  { s.p = s.p.SetFilter(q); return s }
func (s silencesPane) filter() filter.Query         { return s.p.Filter() }
func (s silencesPane) setFilter(q filter.Query) pane {
	s.p = s.p.SetFilter(q)
	return s
}

// paneFilter is pane i's filter; the zero Query when it has none.
func (m *Model) paneFilter(i int) filter.Query {
	if fp, ok := m.panes[i].(filterable); ok {
		return fp.filter()
	}
	return filter.Query{}
}

// setFilter filters pane i and lays the panes out again: a narrowed pane needs
// fewer lines.
func (m *Model) setFilter(i int, q filter.Query) {
	if fp, ok := m.panes[i].(filterable); ok {
		m.panes[i] = fp.setFilter(q)
		m.layout()
	}
}

// filterKey handles / (open the filter line), esc on a filtered pane (clear it) and
// every key while the filter line is open, and reports whether it took the key. It
// runs before any other key handling: while a filter is typed, q and the pane keys
// are letters.
func (m *Model) filterKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch top := m.top().(type) {
	case *filterOverlay:
		return top.key(m, msg), true
	case nil:
		switch {
		case is(msg, keys.Filter):
			// The operator chose this pane: a Board must not move the focus, which
			// would close the line being typed.
			m.focusChosen = true
			q := m.paneFilter(m.focus)
			m.push(&filterOverlay{pane: m.focus, before: q, value: q.Text()})
			return nil, true
		case is(msg, keys.Back) && m.paneFilter(m.focus).Active():
			m.setFilter(m.focus, filter.Query{})
			return nil, true
		}
	}
	return nil, false
}

// filterOverlay is the filter line under the panes while a filter is typed: the
// panes stay in view and narrow with every key.
type filterOverlay struct {
	pane     int          // the pane being filtered
	before   filter.Query // its filter when / was pressed: esc puts it back
	value    string
	complain string // the parser's message while the value does not parse
}

// key edits the filter and applies it at once when it parses; while it does not,
// the pane keeps the last filter that did and the line says why.
func (f *filterOverlay) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "ctrl+c":
		return tea.Quit
	case "esc":
		m.setFilter(f.pane, f.before)
		return m.replaceTop(nil, nil)
	case "enter":
		if f.complain != "" {
			return nil // the line stays open until it parses or esc gives up
		}
		return m.replaceTop(nil, nil)
	case "backspace":
		if r := []rune(f.value); len(r) > 0 {
			f.value = string(r[:len(r)-1])
		}
	case "ctrl+u":
		f.value = ""
	default:
		if !f.add(msg.Text) {
			return nil
		}
	}
	f.apply(m)
	return nil
}

// add appends typed or pasted text, one line with nothing that could drive the
// terminal, and reports whether anything was added.
func (f *filterOverlay) add(text string) bool {
	text = textsafe.Clean(strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(text))
	if text == "" || len([]rune(f.value))+len([]rune(text)) > maxInput {
		return false
	}
	f.value += text
	return true
}

func (f *filterOverlay) apply(m *Model) {
	q, err := filter.Parse(f.value)
	if err != nil {
		f.complain = err.Error()
		return
	}
	f.complain = ""
	m.setFilter(f.pane, q)
}

func (*filterOverlay) modal() bool { return true }

// update takes pasted text; keys come through key.
func (f *filterOverlay) update(m *Model, msg tea.Msg) (overlay, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok && f.add(p.Content) {
		f.apply(m)
	}
	return f, nil
}

// view is the panes with the filter line, and the parser's message when there is
// one, under them.
func (f *filterOverlay) view(m *Model, w, h int) string {
	st := m.st
	prompt := "/"
	room := max(w-ui.Width(prompt)-1, 1) // the cursor's cell
	value := f.value
	if ui.Width(value) > room {
		// The end is where the typing is: the start gives way.
		value = ansi.TruncateLeft(value, ui.Width(value)-room+1, st.Glyphs.Ellipsis)
	}
	line := st.P(ui.Accent, false).Render(prompt) + st.P(ui.Plain, false).Render(value) + st.P(ui.Accent, false).Render("_")
	hint := "  " + m.panes[f.pane].helpName()
	if f.value == "" {
		hint += `: text, or matchers like {service="checkout",severity=~"crit.*"}`
	}
	if room := w - ui.Width(prompt+value) - 1; room > 4 {
		line += st.P(ui.NoData, false).Render(ui.Trunc(hint, room, st.Glyphs.Ellipsis))
	}
	lines := []string{ui.Clip(line, w)}
	if f.complain != "" {
		lines = append(lines, st.P(ui.Warn, false).Render(ui.Trunc(st.Glyphs.Warning+" "+textsafe.Clean(f.complain), w, st.Glyphs.Ellipsis)))
	}
	if h <= len(lines) {
		return ui.Lines(lines[len(lines)-h:], h)
	}
	return m.body(h-len(lines)) + "\n" + strings.Join(lines, "\n")
}

func (*filterOverlay) hints() []binding {
	keep := keys.Enter
	keep.SetHelp("enter", "keep")
	cancel := keys.Back
	cancel.SetHelp("esc", "cancel")
	return []binding{keep, cancel, eraseHint}
}
func (f *filterOverlay) setBoard(*alerts.Board) overlay    { return f }
func (f *filterOverlay) setSize(int, int) overlay          { return f }
func (f *filterOverlay) setStyles(*ui.Styles) overlay      { return f }
func (f *filterOverlay) refresh(*Model) (overlay, tea.Cmd) { return f, nil }

// eraseHint is ctrl+u on the filter line, for the footer.
var eraseHint = bind([]string{"ctrl+u"}, "ctrl+u", "erase", "", "")

// typing reports whether the top overlay reads text: q is then a letter, and only
// ctrl+c quits.
func typing(top overlay) bool {
	switch top.(type) {
	case *inputOverlay, *filterOverlay:
		return true
	}
	return false
}
