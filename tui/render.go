package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/tui/expiring"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// This file lays the screen out and draws it: the header, the problems line, the
// panes in their regions (stacked, or side by side), an overlay, the expiring-soon
// strip, the footer.

// bodyH is the height between the header and the footer.
func (m *Model) bodyH() int {
	h := m.h - 2
	if m.h >= 8 && m.problems() != "" {
		h--
	}
	if m.expiring() != "" {
		h--
	}
	return max(h, 0)
}

// expiring is the expiring-soon strip above the footer; "" when nothing lapses
// soon, or the window is too short to spare the line.
func (m *Model) expiring() string {
	if m.h < 8 {
		return ""
	}
	return expiring.Line(m.st, &m.board, m.now, m.w)
}

// layout tells the panes and the overlays their sizes, so they paint their rows once
// per Board or resize instead of once per frame.
func (m *Model) layout() {
	if m.w <= 0 || m.h <= 0 {
		return
	}
	body := m.bodyH()
	m.laidBody = body
	for i, r := range allocate(m.panes, m.focus, m.zoom, m.w, body) {
		m.panes[i] = m.panes[i].setSize(r.w, r.h)
	}
	for i := range m.stack {
		m.stack[i] = m.stack[i].setSize(m.w, body)
	}
}

// View draws the whole screen in the alternate screen buffer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "vigil"
	if m.opts.Demo {
		v.WindowTitle = "vigil DEMO"
	}
	return v
}

// render is the screen as text: exactly the window's height in lines, none wider
// than its width.
func (m *Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(m.w * m.h * 2)
	head, _ := m.header()
	b.WriteString(head)
	if p := m.problems(); p != "" && m.h >= 8 {
		b.WriteByte('\n')
		b.WriteString(p)
	}
	body := m.bodyH()
	if body > 0 {
		b.WriteByte('\n')
		if top := m.top(); top != nil {
			b.WriteString(top.view(m, m.w, body))
		} else {
			b.WriteString(m.body(body))
		}
	}
	if x := m.expiring(); x != "" {
		b.WriteByte('\n')
		b.WriteString(x)
	}
	if m.h > 1 {
		b.WriteByte('\n')
		b.WriteString(m.footer())
	}
	return b.String()
}

// body draws the panes in their regions: one stack, or two columns side by side.
func (m *Model) body(h int) string {
	regions := allocate(m.panes, m.focus, m.zoom, m.w, h)
	cols := 1
	for _, r := range regions {
		cols = max(cols, r.col+1)
	}
	column := make([][]string, cols)
	width := make([]int, cols)
	for i, r := range regions {
		if r.h <= 0 {
			continue
		}
		width[r.col] = r.w
		column[r.col] = append(column[r.col], strings.Split(m.panes[i].view(r.w, r.h), "\n")...)
	}
	if cols == 1 {
		return ui.Lines(column[0], h)
	}
	lines := make([]string, h)
	for y := range lines {
		var lb strings.Builder
		pending := 0 // blank cells owed before the next non-empty cell
		for c := range cols {
			cell := ""
			if y < len(column[c]) {
				cell = column[c][y]
			}
			cell, n := m.clipWidth(cell, width[c])
			if cell != "" {
				lb.WriteString(strings.Repeat(" ", pending))
				lb.WriteString(cell)
				pending = 0
			}
			// A column ends where it ends; the spaces up to the next one are written
			// only if something follows, so no line carries trailing blanks.
			pending += width[c] - n + 1
		}
		lines[y] = lb.String()
	}
	return ui.Lines(lines, h)
}

// clipWidth is ui.ClipWidth through the widths cache.
func (m *Model) clipWidth(line string, w int) (string, int) {
	if n, ok := m.widths[line]; ok && n <= w {
		return line, n
	}
	line, n := ui.ClipWidth(line, w)
	if m.widths == nil || len(m.widths) > 4*max(m.h, 16) {
		m.widths = make(map[string]int, 2*max(m.h, 16))
	}
	m.widths[line] = n
	return line, n
}
