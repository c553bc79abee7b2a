package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/tui/alertdetail"
	"github.com/vigil-sre/vigil/tui/alertlist"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/pages"
	"github.com/vigil-sre/vigil/tui/signals"
	"github.com/vigil-sre/vigil/tui/silencelist"
	"github.com/vigil-sre/vigil/tui/slodetail"
	"github.com/vigil-sre/vigil/tui/slos"
)

// pane is one list of the dashboard. The root keeps its panes in a slice with a focus
// index, tells each its size, sends keys to the focused one and lays them out; a pane
// only draws what the Board decided. Panes are values: every setter returns the copy.
type pane interface {
	setBoard(b *alerts.Board) pane
	setSize(w, h int) pane
	setStyles(st *ui.Styles) pane
	setFocused(f bool) pane
	setFrozen(f bool) pane
	update(msg tea.KeyPressMsg) (pane, tea.Cmd)
	view(w, h int) string
	// need is how many lines the pane would use to show every row, its header
	// included; rows is how many rows it has.
	need() int
	rows() int
	// helpName names the pane in the help ("golden signals").
	helpName() string
	// open is what enter opens on the row under the cursor: an overlay, or nil when
	// the pane has no detail.
	open(m *Model) (overlay, tea.Cmd)
}

// signalsPane is the golden-signals pane behind the pane interface.
type signalsPane struct{ p signals.Pane }

func (s signalsPane) setBoard(b *alerts.Board) pane  { s.p = s.p.SetBoard(b.Services); return s }
func (s signalsPane) setSize(w, h int) pane          { s.p = s.p.SetSize(w, h); return s }
func (s signalsPane) setStyles(st *ui.Styles) pane   { s.p = s.p.SetStyles(st); return s }
func (s signalsPane) setFocused(f bool) pane         { s.p = s.p.SetFocused(f); return s }
func (s signalsPane) setFrozen(f bool) pane          { s.p = s.p.SetFrozen(f); return s }
func (s signalsPane) view(w, h int) string           { return s.p.View(w, h) }
func (s signalsPane) need() int                      { return s.p.Need() }
func (s signalsPane) rows() int                      { return s.p.Len() }
func (s signalsPane) helpName() string               { return "golden signals" }
func (s signalsPane) open(*Model) (overlay, tea.Cmd) { return nil, nil }
func (s signalsPane) update(msg tea.KeyPressMsg) (pane, tea.Cmd) {
	var cmd tea.Cmd
	s.p, cmd = s.p.Update(msg)
	return s, cmd
}

// slosPane is the SLO pane behind the pane interface; enter opens an SLO's detail.
type slosPane struct{ p slos.Pane }

func (s slosPane) setBoard(b *alerts.Board) pane { s.p = s.p.SetBoard(b.SLOs); return s }
func (s slosPane) setSize(w, h int) pane         { s.p = s.p.SetSize(w, h); return s }
func (s slosPane) setStyles(st *ui.Styles) pane  { s.p = s.p.SetStyles(st); return s }
func (s slosPane) setFocused(f bool) pane        { s.p = s.p.SetFocused(f); return s }
func (s slosPane) setFrozen(f bool) pane         { s.p = s.p.SetFrozen(f); return s }
func (s slosPane) view(w, h int) string          { return s.p.View(w, h) }
func (s slosPane) need() int                     { return s.p.Need() }
func (s slosPane) rows() int                     { return s.p.Len() }
func (s slosPane) helpName() string              { return "SLOs" }
func (s slosPane) update(msg tea.KeyPressMsg) (pane, tea.Cmd) {
	var cmd tea.Cmd
	s.p, cmd = s.p.Update(msg)
	return s, cmd
}

func (s slosPane) open(m *Model) (overlay, tea.Cmd) {
	sel, ok := s.p.Selected()
	if !ok {
		return nil, nil
	}
	m.seq++
	d, cmd := slodetail.Open(m.st, sel, m.opts.History, m.seq)
	return detailOverlay{d: d}, cmd
}

// pagesPane is the pages pane behind the pane interface; enter opens a page in
// context.
type pagesPane struct {
	p   pages.Pane
	now func() time.Time
}

func (s pagesPane) setBoard(b *alerts.Board) pane {
	s.p = s.p.SetBoard(b)
	return s
}
func (s pagesPane) setSize(w, h int) pane        { s.p = s.p.SetSize(w, h); return s }
func (s pagesPane) setStyles(st *ui.Styles) pane { s.p = s.p.SetStyles(st); return s }
func (s pagesPane) setFocused(f bool) pane       { s.p = s.p.SetFocused(f); return s }
func (s pagesPane) setFrozen(f bool) pane        { s.p = s.p.SetFrozen(f); return s }
func (s pagesPane) view(w, h int) string         { return s.p.SetNow(s.now()).View(w, h) }
func (s pagesPane) need() int                    { return s.p.Need() }
func (s pagesPane) rows() int                    { return s.p.Len() }
func (s pagesPane) helpName() string             { return "pages" }
func (s pagesPane) update(msg tea.KeyPressMsg) (pane, tea.Cmd) {
	var cmd tea.Cmd
	s.p, cmd = s.p.Update(msg)
	return s, cmd
}
func (s pagesPane) open(m *Model) (overlay, tea.Cmd) {
	sel, ok := s.p.Selected()
	if !ok {
		return nil, nil
	}
	return openPage(m, sel)
}

// alertsPane is the alerts pane behind the pane interface; h switches it to the
// hidden alerts and x explains a row.
type alertsPane struct {
	p   alertlist.Pane
	now func() time.Time
}

func (s alertsPane) setBoard(b *alerts.Board) pane { s.p = s.p.SetBoard(b); return s }
func (s alertsPane) setSize(w, h int) pane         { s.p = s.p.SetSize(w, h); return s }
func (s alertsPane) setStyles(st *ui.Styles) pane  { s.p = s.p.SetStyles(st); return s }
func (s alertsPane) setFocused(f bool) pane        { s.p = s.p.SetFocused(f); return s }
func (s alertsPane) setFrozen(f bool) pane         { s.p = s.p.SetFrozen(f); return s }
func (s alertsPane) view(w, h int) string          { return s.p.SetNow(s.now()).View(w, h) }
func (s alertsPane) need() int                     { return s.p.Need() }
func (s alertsPane) rows() int                     { return s.p.Len() }
func (s alertsPane) helpName() string              { return "alerts" }
func (s alertsPane) update(msg tea.KeyPressMsg) (pane, tea.Cmd) {
	var cmd tea.Cmd
	s.p, cmd = s.p.Update(msg)
	return s, cmd
}

// open shows the row under the cursor, a group or a hidden alert, in full.
func (s alertsPane) open(m *Model) (overlay, tea.Cmd) {
	if it, ok := s.p.Selected(); ok {
		return alertOverlay{d: alertdetail.Open(m.st, it, &m.board, m.links())}, nil
	}
	return nil, nil
}

// silencesPane is the silences pane behind the pane interface; E expires a silence.
type silencesPane struct {
	p   silencelist.Pane
	now func() time.Time
}

func (s silencesPane) setBoard(b *alerts.Board) pane  { s.p = s.p.SetBoard(b); return s }
func (s silencesPane) setSize(w, h int) pane          { s.p = s.p.SetSize(w, h); return s }
func (s silencesPane) setStyles(st *ui.Styles) pane   { s.p = s.p.SetStyles(st); return s }
func (s silencesPane) setFocused(f bool) pane         { s.p = s.p.SetFocused(f); return s }
func (s silencesPane) setFrozen(f bool) pane          { s.p = s.p.SetFrozen(f); return s }
func (s silencesPane) view(w, h int) string           { return s.p.SetNow(s.now()).View(w, h) }
func (s silencesPane) need() int                      { return s.p.Need() }
func (s silencesPane) rows() int                      { return s.p.Len() }
func (s silencesPane) helpName() string               { return "silences" }
func (s silencesPane) open(*Model) (overlay, tea.Cmd) { return nil, nil }
func (s silencesPane) update(msg tea.KeyPressMsg) (pane, tea.Cmd) {
	var cmd tea.Cmd
	s.p, cmd = s.p.Update(msg)
	return s, cmd
}

// region is where a pane is drawn: its column, its first body line and its size.
type region struct {
	col, top, w, h int
}

// sideBySideWidth is the width from which panes stand in two columns: each then has
// the 100 columns a signals row with sparklines wants, and a 200x60 screen no longer
// leaves two thirds of its lines empty.
const sideBySideWidth = 200

// allocate lays the panes out in a body w×h. Below sideBySideWidth they are stacked;
// from there the first pane (the golden signals, which scroll) has the left column and
// the others share the right. Within a column every pane gets what its rows need when
// all fit, with a blank line after it when there is room; otherwise the later panes
// keep up to a third of the column each (they are short and every row matters) and
// the first pane of the column, which scrolls, takes the rest. Zoom gives the focused
// pane everything.
func allocate(ps []pane, focus int, zoom bool, w, h int) []region {
	out := make([]region, len(ps))
	if len(ps) == 0 || w <= 0 || h <= 0 {
		return out
	}
	if zoom {
		out[focus] = region{w: w, h: h}
		return out
	}
	columns := [][]int{make([]int, len(ps))}
	for i := range ps {
		columns[0][i] = i
	}
	colW := []int{w}
	if w >= sideBySideWidth && len(ps) > 1 {
		left := (w - 1) / 2
		columns = [][]int{{0}, columns[0][1:]}
		colW = []int{left, w - 1 - left}
	}
	for c, idx := range columns {
		heights := share(ps, idx, h)
		top := 0
		for k, i := range idx {
			out[i] = region{col: c, top: top, w: colW[c], h: heights[k]}
			top += heights[k]
		}
	}
	return out
}

// share divides h lines among the panes idx of one column (see allocate).
func share(ps []pane, idx []int, h int) []int {
	hs := make([]int, len(idx))
	total := 0
	for k, i := range idx {
		hs[k] = ps[i].need()
		total += hs[k]
	}
	if total <= h {
		// Everyone fits: a blank line after each pane but the last while room lasts,
		// and the spare lines at the bottom.
		spare := h - total
		for k := range len(hs) - 1 {
			if spare > 0 {
				hs[k]++
				spare--
			}
		}
		hs[len(hs)-1] += spare
		return hs
	}
	rest := h
	for k := 1; k < len(idx); k++ {
		need := ps[idx[k]].need()
		hs[k] = min(need, max(4, h/3))
		rest -= hs[k]
	}
	// The first pane gets the rest; what it does not need goes back to the others.
	if first := ps[idx[0]].need(); rest > first {
		extra := rest - first
		rest = first
		for k := 1; k < len(idx) && extra > 0; k++ {
			give := min(extra, ps[idx[k]].need()-hs[k])
			hs[k] += give
			extra -= give
		}
		rest += extra
	}
	hs[0] = max(rest, 0)
	// Never more lines than there are: the last panes shrink first.
	over := -h
	for _, x := range hs {
		over += x
	}
	for k := len(hs) - 1; k >= 0 && over > 0; k-- {
		cut := min(over, hs[k])
		hs[k] -= cut
		over -= cut
	}
	return hs
}
