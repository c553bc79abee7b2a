// Package ui holds what every pane of the dashboard shares: painting text in a
// theme's roles, formatting values, fitting text into cells, sparklines, bars and
// charts, and the ordered list with a cursor that follows a name.
package ui

import (
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/themes"
)

// Role is a semantic colour role of the theme.
type Role uint8

// The roles, mirroring themes.Theme.
const (
	Plain Role = iota
	OK
	Warn
	Crit
	NoData
	Accent
	Header
	BadgeOK
	BadgeStale
	Demo
	Border
	numRoles
)

// Paint is a style reduced to the escape sequences around the text. Panes render
// hundreds of cells per frame; lipgloss.Style.Render measures, wraps and pads each
// one, while a Paint is two string writes.
type Paint struct{ pre, post string }

// paintOf captures the sequences lipgloss writes around a single character.
func paintOf(st lipgloss.Style) Paint {
	out := st.Render("X")
	i := strings.IndexByte(out, 'X')
	if i < 0 || out == "X" {
		return Paint{}
	}
	return Paint{pre: out[:i], post: out[i+1:]}
}

// Add writes s in this paint to b.
func (p Paint) Add(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	b.WriteString(p.pre)
	b.WriteString(s)
	b.WriteString(p.post)
}

// Render returns s in this paint.
func (p Paint) Render(s string) string {
	if s == "" || p.pre == "" {
		return s
	}
	return p.pre + s + p.post
}

// Styles is a theme and a glyph set prepared for drawing.
type Styles struct {
	Theme  themes.Theme
	Glyphs themes.Glyphs

	normal, selected [numRoles]Paint
}

// NewStyles prepares t and g. The selected variant of each role is the role with
// the theme's selection laid over it, so a crit value under the cursor stays crit.
func NewStyles(t themes.Theme, g themes.Glyphs) *Styles {
	s := &Styles{Theme: t, Glyphs: g}
	base := [numRoles]lipgloss.Style{
		Plain: lipgloss.NewStyle(), OK: t.OK, Warn: t.Warn, Crit: t.Crit,
		NoData: t.NoData, Accent: t.Accent, Header: t.Header, BadgeOK: t.BadgeOK,
		BadgeStale: t.BadgeStale, Demo: t.Demo, Border: t.Border,
	}
	for r, st := range base {
		s.normal[r] = paintOf(st)
		s.selected[r] = paintOf(st.Inherit(t.Selection))
	}
	return s
}

// P returns the paint of role r, selected or not.
func (s *Styles) P(r Role, selected bool) Paint {
	if selected {
		return s.selected[r]
	}
	return s.normal[r]
}

// StateRole is the role a threshold state is drawn in.
func StateRole(st alerts.State) Role {
	switch st {
	case alerts.StateCrit, alerts.StateDown:
		return Crit
	case alerts.StateWarn, alerts.StateErr, alerts.StateDegraded:
		return Warn
	case alerts.StateOK, alerts.StateNone:
		return Plain
	}
	return NoData
}

// Marker is the two-cell row marker of a state, readable without colour.
// A row judged by nothing (every threshold set to none) has no marker at all: an
// ok mark there would claim a health nobody measured.
func (s *Styles) Marker(st alerts.State) string {
	switch st {
	case alerts.StateCrit, alerts.StateDown:
		return s.Glyphs.Crit
	case alerts.StateWarn, alerts.StateErr, alerts.StateDegraded:
		return s.Glyphs.Warn
	case alerts.StateOK:
		return s.Glyphs.OK
	case alerts.StateNone:
		return "  "
	}
	return s.Glyphs.NoData
}

// Severity is an alert severity's word, shape and colour: never colour alone.
func Severity(st *Styles, s alerts.Severity) (word, mark string, role Role) {
	switch s {
	case alerts.SeverityCritical, alerts.SeverityPage:
		return "CRIT", st.Glyphs.Crit, Crit
	case alerts.SeverityWarning, alerts.SeverityError:
		return "WARN", st.Glyphs.Warn, Warn
	}
	return "INFO", st.Glyphs.NoData, NoData
}

// LineBuilder paints a line segment by segment, writing an escape sequence only
// where the paint changes: fewer bytes per frame over a slow SSH link.
type LineBuilder struct {
	b       strings.Builder
	cur     Paint
	open    bool
	pending int   // blank cells not written yet
	padP    Paint // their paint
}

// Pad appends n blank cells in paint p. They are written only if something follows
// them, so a line never ends in spaces the terminal would have to be sent.
func (lb *LineBuilder) Pad(p Paint, n int) {
	if n <= 0 {
		return
	}
	if lb.pending > 0 && p != lb.padP {
		lb.flush()
	}
	lb.pending += n
	lb.padP = p
}

func (lb *LineBuilder) flush() {
	n := lb.pending
	lb.pending = 0
	lb.Add(lb.padP, Spaces(n))
}

// Add appends s in paint p.
func (lb *LineBuilder) Add(p Paint, s string) {
	if s == "" {
		return
	}
	lb.paint(p)
	lb.b.WriteString(s)
}

// paint writes any pending blanks and switches to paint p.
func (lb *LineBuilder) paint(p Paint) {
	if lb.pending > 0 {
		lb.flush()
	}
	if !lb.open || p != lb.cur {
		if lb.open {
			lb.b.WriteString(lb.cur.post)
		}
		lb.b.WriteString(p.pre)
		lb.cur, lb.open = p, true
	}
}

// AddBytes appends s in paint p.
func (lb *LineBuilder) AddBytes(p Paint, s []byte) {
	if len(s) == 0 {
		return
	}
	lb.paint(p)
	lb.b.Write(s)
}

// String ends the line and returns it; blank cells at its end are dropped.
func (lb *LineBuilder) String() string {
	lb.pending = 0
	if lb.open {
		lb.b.WriteString(lb.cur.post)
		lb.open = false
	}
	return lb.b.String()
}

// Grow makes room for n more bytes.
func (lb *LineBuilder) Grow(n int) { lb.b.Grow(n) }

// Right appends s in paint p right-aligned in w cells, the blank before it in pad.
func (lb *LineBuilder) Right(pad, p Paint, s string, w int) {
	lb.Pad(pad, w-Width(s))
	lb.Add(p, s)
}

// Left appends s in paint p left-aligned in w cells, the blank after it in pad. s
// must already fit.
func (lb *LineBuilder) Left(pad, p Paint, s string, w int) {
	lb.Add(p, s)
	lb.Pad(pad, w-Width(s))
}

// Num formats a Board number with f, or dash when it is missing or not finite.
func Num(n *alerts.Number, dash string, f func(float64) string) string {
	v, ok := n.Get()
	if !ok {
		return dash
	}
	return f(v)
}

// NoticeMsg is a one-line confirmation for the footer ("copied 8 queries"), shown for
// a few seconds whatever key comes next.
type NoticeMsg string

// AlertSources are the kinds of source alerts come from.
var AlertSources = []string{"alertmanager", "prometheus-alerts"}

// SourceDoubt is why the Board's rows from sources of these kinds cannot be taken as the
// whole truth ("alertmanager down: connection refused"), or "" when every such source
// answered its latest poll. An empty pane says this instead of "nothing open": no
// answer is not the same as nothing to see.
func SourceDoubt(b *alerts.Board, kinds ...string) string {
	for _, s := range b.Sources {
		if !slices.Contains(kinds, s.Kind) || s.OK {
			continue
		}
		state := s.State
		if state == "" {
			state = "down"
		}
		why := s.Name + " " + state
		if s.Error != "" {
			why += ": " + s.Error
		}
		return why
	}
	return ""
}
