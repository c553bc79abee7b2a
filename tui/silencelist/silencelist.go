// Package silencelist is the silences pane: one row per active or pending
// Alertmanager silence, the one ending first on top, with its matchers, who made it
// and why, when it ends (marked when that is soon: what it hides comes back), and
// which Alertmanagers hold it. The cursor follows the silence ID.
package silencelist

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui/internal/filter"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

const (
	stateW = 7 // "active", "pending"
	endsW  = 9 // "in 59m" / "SOON 12m"
	byW    = 18
	minM   = 20
)

// Pane is the silences pane. It is a value: setters return the changed copy.
type Pane struct {
	st      *ui.Styles
	all     []alerts.Silence // the Board's silences
	rows    []alerts.Silence // those the filter keeps
	filter  filter.Query     // the / filter
	list    ui.List
	loaded  bool
	focused bool
	now     time.Time
	number  string
	doubt   string // why the silences may not be all there are
	ams     int    // how many Alertmanagers the Board reads
}

// New returns an empty pane drawn with st, numbered n on screen.
func New(st *ui.Styles, n int) Pane { return Pane{st: st, number: strconv.Itoa(n)} }

// SetBoard shows the Board's silences; the cursor stays on the one it was on.
func (p Pane) SetBoard(b *alerts.Board) Pane {
	p.all, p.loaded, p.now = b.Silences, true, b.GeneratedAt
	p.doubt = ui.SourceDoubt(b, ui.AlertSources...)
	p.ams = 0
	for _, s := range b.Sources {
		if s.Kind == string(sources.KindAlertmanager) {
			p.ams++
		}
	}
	return p.refilter()
}

// SetFilter shows only the silences q keeps; the cursor stays on its silence when
// that is still shown, else goes to the first.
func (p Pane) SetFilter(q filter.Query) Pane {
	p.filter = q
	sel, had := p.list.SelectedName()
	p = p.refilter()
	p.list.Refiltered(sel, had)
	return p
}

// Filter is the pane's / filter.
func (p Pane) Filter() filter.Query { return p.filter }

func (p Pane) refilter() Pane {
	p.rows = filter.Apply(p.filter, p.all, filter.Silence)
	ids := make([]string, len(p.rows))
	for i, s := range p.rows {
		ids[i] = s.ID
	}
	p.list.Set(ids)
	return p
}

// SetNow moves the clock the times are counted from.
func (p Pane) SetNow(now time.Time) Pane { p.now = now; return p }

// SetSize records the size the pane is drawn at.
func (p Pane) SetSize(_, h int) Pane { p.list.SetHeight(max(h-1, 1)); return p }

// SetStyles changes the theme or glyphs.
func (p Pane) SetStyles(st *ui.Styles) Pane { p.st = st; return p }

// SetFocused marks the pane as the one keys go to.
func (p Pane) SetFocused(f bool) Pane { p.focused = f; return p }

// SetFrozen freezes or unfreezes the row order.
func (p Pane) SetFrozen(f bool) Pane { p.list.SetFrozen(f); return p }

// Update moves the cursor.
func (p Pane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if key, ok := msg.(tea.KeyPressMsg); ok {
		p.list.Key(key.String())
	}
	return p, nil
}

// Need is how many lines the pane would use to show every row.
func (p Pane) Need() int { return max(len(p.rows), 1) + 1 }

// Len is the number of silences.
func (p Pane) Len() int { return len(p.rows) }

// Selected is the silence under the cursor.
func (p Pane) Selected() (alerts.Silence, bool) {
	if p.list.Len() == 0 {
		return alerts.Silence{}, false
	}
	return p.rows[p.list.At(p.list.Cursor())], true
}

// View draws the pane in exactly height lines, none wider than width.
func (p Pane) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	out := make([]string, 0, height)
	first := p.list.Window(height - 1)
	last := min(first+height-1, p.list.Len())
	mark, role := " ", ui.Border
	if p.focused {
		mark, role = p.st.Glyphs.Cursor, ui.Accent
	}
	soon := 0
	for _, s := range p.all { // the filter does not hide that one is ending
		if s.EndsSoon {
			soon++
		}
	}
	title := ui.Title(p.number, "SILENCES", "SILENCES", len(p.rows), first, last, p.loaded, width-2)
	if p.filter.Active() {
		title = ui.FilterTitle(p.number, "SILENCES", "SILENCES", len(p.rows), len(p.all), first, last, p.loaded, p.filter.String(), width-2)
	}
	if soon > 0 {
		title += "  " + strconv.Itoa(soon) + " ending within 30m"
	}
	out = append(out, p.st.P(role, false).Render(ui.Trunc(mark+title, width, p.st.Glyphs.Ellipsis)))
	if p.loaded && len(p.rows) == 0 {
		msg := "    no active silence"
		switch {
		case p.filter.Active():
			msg = ui.NoMatch(p.filter.String(), p.doubt)
		case p.doubt != "":
			msg = "    silences unknown: " + textsafe.Clean(p.doubt)
		}
		out = append(out, p.st.P(ui.NoData, false).Render(ui.Trunc(msg, width, p.st.Glyphs.Ellipsis)))
	}
	cur := p.list.Cursor()
	for pos := first; pos < last; pos++ {
		out = append(out, p.row(&p.rows[p.list.At(pos)], width, pos == cur))
	}
	return ui.Lines(out, height)
}

func (p Pane) row(s *alerts.Silence, w int, sel bool) string {
	st, g := p.st, p.st.Glyphs
	hl := sel && p.focused
	plain := st.P(ui.Plain, hl)
	var lb ui.LineBuilder
	switch {
	case hl:
		lb.Add(st.P(ui.Accent, hl), g.Cursor)
	case sel:
		lb.Add(st.P(ui.Border, false), g.Cursor)
	default:
		lb.Pad(plain, 1)
	}
	lb.Pad(plain, 1)
	state, role := s.State, ui.NoData
	lb.Left(plain, st.P(role, hl), ui.Trunc(state, stateW, g.Ellipsis), stateW)
	lb.Pad(plain, 1)
	ends, endsRole := "in "+format.Age(max(s.EndsAt.Sub(p.now), 0)), ui.Plain
	if s.EndsSoon {
		ends, endsRole = "SOON "+format.Age(max(s.EndsAt.Sub(p.now), 0)), ui.Warn
	}
	lb.Left(plain, st.P(endsRole, hl), ends, endsW)
	lb.Pad(plain, 1)
	mW := max(w-2-stateW-1-endsW-1-byW-1, minM)
	lb.Left(plain, plain, ui.Trunc(textsafe.Clean(s.Matchers), mW, g.Ellipsis), mW)
	lb.Pad(plain, 1)
	by := textsafe.Clean(s.CreatedBy)
	if p.ams > 1 && len(s.Alertmanagers) > 0 && len(s.Alertmanagers) < p.ams {
		// Held by some replicas only: it hides nothing another one fires.
		by = "only in " + textsafe.Clean(strings.Join(s.Alertmanagers, ", ")) + " · " + by
	}
	if s.Comment != "" {
		by += ": " + textsafe.Clean(strings.TrimSpace(s.Comment))
	}
	lb.Add(st.P(ui.NoData, hl), ui.Trunc(by, max(w-2-stateW-1-endsW-1-mW-1, 1), g.Ellipsis))
	return ui.Clip(lb.String(), w)
}
