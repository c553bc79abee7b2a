// Package pages is the pages pane: one row per open PagerDuty incident, in the
// Board's order (triggered before acknowledged, high urgency first, then the
// oldest), with its number, urgency, status, priority, title, service, assignee and
// age. The cursor follows the incident ID, never the title: two pages can share one.
package pages

import (
	"slices"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/filter"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// Column widths: "#12345", "HIGH", "TRIGGERED", "P1", age "59m".
const (
	numW      = 6
	urgencyW  = 4
	statusW   = 9
	priorityW = 3
	ageW      = 4
	minTitle  = 16
	serviceW  = 14
	whoW      = 14
	lead      = 2 // cursor and a space
)

// Pane is the pages pane. It is a value: setters return the changed copy.
type Pane struct {
	st      *ui.Styles
	all     []alerts.Page // the Board's pages, in its order
	shown   []alerts.Page // all, or only mine, then those the filter keeps
	total   int           // rows before the filter: all, or only mine
	filter  filter.Query  // the / filter
	list    ui.List
	loaded  bool
	focused bool
	mine    bool
	me      string            // the PagerDuty user ID that "mine" means; "" disables it
	pending map[string]string // incident ID -> the write under way
	doubt   string            // why the pages may not be all there are ("" when PagerDuty answered) ("ack…")
	now     time.Time
	w, h    int
}

// New returns an empty pane drawn with st; me is the user ID "only mine" filters on.
func New(st *ui.Styles, me string) Pane { return Pane{st: st, me: me} }

// SetBoard shows the Board's pages. The cursor stays on the incident it was on.
func (p Pane) SetBoard(b *alerts.Board) Pane {
	p.all, p.loaded, p.now = b.Pages, true, b.GeneratedAt
	p.doubt = ui.SourceDoubt(b, "pagerduty")
	return p.refilter()
}

// SetNow moves the clock the ages are counted from.
func (p Pane) SetNow(now time.Time) Pane { p.now = now; return p }

// SetPending marks the incidents whose writes are under way, by ID.
func (p Pane) SetPending(pending map[string]string) Pane { p.pending = pending; return p }

// ToggleMine shows only the pages assigned to me, or all again. It reports false
// when no user is configured, so the caller can say why nothing happened.
func (p Pane) ToggleMine() (Pane, bool) {
	if p.me == "" {
		return p, false
	}
	p.mine = !p.mine
	return p.refilter(), true
}

// Pin makes the cursor follow the page it is on from now on, as if the operator had
// moved to it: after a write, the row written to is the one to watch.
func (p Pane) Pin() Pane {
	p.list.Pin()
	return p
}

func (p Pane) refilter() Pane {
	p.shown = p.all
	if p.mine {
		p.shown = nil
		for _, pg := range p.all {
			if slices.Contains(pg.AssigneeIDs, p.me) {
				p.shown = append(p.shown, pg)
			}
		}
	}
	p.total = len(p.shown)
	p.shown = filter.Apply(p.filter, p.shown, filter.Page)
	ids := make([]string, len(p.shown))
	for i, pg := range p.shown {
		ids[i] = pg.ID
	}
	p.list.Set(ids)
	return p
}

// SetFilter shows only the pages q keeps; the cursor stays on its page when that is
// still shown, else goes to the first.
func (p Pane) SetFilter(q filter.Query) Pane {
	p.filter = q
	sel, had := p.list.SelectedName()
	p = p.refilter()
	p.list.Refiltered(sel, had)
	return p
}

// Filter is the pane's / filter.
func (p Pane) Filter() filter.Query { return p.filter }

// SetSize records the size the pane is drawn at.
func (p Pane) SetSize(w, h int) Pane {
	p.w, p.h = w, h
	p.list.SetHeight(max(h-1, 1))
	return p
}

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
func (p Pane) Need() int { return max(len(p.shown), 1) + 1 }

// Len is the number of pages shown.
func (p Pane) Len() int { return len(p.shown) }

// Selected is the page under the cursor, as the Board gave it.
func (p Pane) Selected() (alerts.Page, bool) {
	if p.list.Len() == 0 {
		return alerts.Page{}, false
	}
	return p.shown[p.list.At(p.list.Cursor())], true
}

// View draws the pane in exactly height lines, none wider than width.
func (p Pane) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	out := make([]string, 0, height)
	rowsH := height - 1
	first := p.list.Window(rowsH)
	last := min(first+rowsH, p.list.Len())
	lay := layoutFor(width, p.joinedW())
	out = append(out, p.header(lay, first, last))
	muted := p.st.P(ui.NoData, false)
	switch {
	case !p.loaded:
		out = append(out, muted.Render(ui.Trunc("    waiting for the first poll…", width, p.st.Glyphs.Ellipsis)))
	case len(p.shown) == 0 && p.filter.Active():
		out = append(out, muted.Render(ui.Trunc(ui.NoMatch(p.filter.String(), p.doubt), width, p.st.Glyphs.Ellipsis)))
	case len(p.shown) == 0 && p.mine:
		out = append(out, muted.Render(ui.Trunc("    none assigned to you (m shows all)", width, p.st.Glyphs.Ellipsis)))
	case len(p.shown) == 0:
		msg := "    no open pages"
		if p.doubt != "" {
			msg = "    pages unknown: " + textsafe.Clean(p.doubt)
		}
		out = append(out, muted.Render(ui.Trunc(msg, width, p.st.Glyphs.Ellipsis)))
	}
	cur := p.list.Cursor()
	for pos := first; pos < last; pos++ {
		out = append(out, p.row(&p.shown[p.list.At(pos)], lay, pos == cur))
	}
	return ui.Lines(out, height)
}

// joinedW is the room the widest "+7 alerts" of the shown pages takes.
func (p Pane) joinedW() int {
	most := 0
	for i := range p.shown {
		most = max(most, len(p.shown[i].Joined))
	}
	if most == 0 {
		return 0
	}
	return len(joinedText(most))
}

// joinedText is " +7 alerts".
func joinedText(n int) string {
	if n == 1 {
		return " +1 alert"
	}
	return " +" + strconv.Itoa(n) + " alerts"
}

// title paints the page's title in w cells and, when Alertmanager alerts were
// joined into it, "+7 alerts" after it: those alerts have no row of their own, so
// the page says they are there. The count keeps its cells; the title gives way.
func (p Pane) title(lb *ui.LineBuilder, pg *alerts.Page, w int, hl bool) {
	plain, ell := p.st.P(ui.Plain, hl), p.st.Glyphs.Ellipsis
	title := textsafe.Clean(pg.Title)
	n := len(pg.Joined)
	if n == 0 {
		lb.Left(plain, plain, ui.Trunc(title, w, ell), w)
		return
	}
	// "+7 alerts", or "+7" where even dropping columns left the title too little room.
	more := joinedText(n)
	if w-len(more) < minTitle/2 {
		more = " +" + strconv.Itoa(n)
	}
	tw := w - ui.Width(more)
	t := ui.Trunc(title, max(tw, 0), ell)
	lb.Add(plain, t)
	lb.Left(plain, p.st.P(ui.Accent, hl), ui.Trunc(more, w-ui.Width(t), ell), w-ui.Width(t))
}

// layout is which optional columns fit: the title shrinks first to minTitle (plus
// joined, the room "+7 alerts" takes), then the assignee, the service and the
// priority go, in that order.
type layout struct {
	width, title       int
	who, service, prio bool
	over               bool // too narrow even without the optional columns: rows are clipped
}

func layoutFor(w, joined int) layout {
	l := layout{width: w, who: true, service: true, prio: true}
	fixed := func() int {
		n := lead + numW + 1 + urgencyW + 1 + statusW + 1 + 1 + ageW
		if l.prio {
			n += priorityW + 1
		}
		if l.service {
			n += serviceW + 1
		}
		if l.who {
			n += whoW + 1
		}
		return n
	}
	for _, drop := range []*bool{&l.who, &l.service, &l.prio} {
		if w-fixed() >= minTitle+joined {
			break
		}
		*drop = false
	}
	l.title = max(w-fixed(), 1)
	l.over = fixed()+l.title > w
	return l
}

func (p Pane) header(lay layout, first, last int) string {
	var lb ui.LineBuilder
	title := ui.Title("3", "PAGES", "PAGES", len(p.shown), first, last, p.loaded, lead+numW+urgencyW+statusW+1)
	if p.mine {
		title += " mine"
	}
	if p.filter.Active() {
		name := "PAGES"
		if p.mine {
			name += " mine"
		}
		title = ui.FilterTitle("3", name, "PAGES", len(p.shown), p.total, first, last, p.loaded, p.filter.String(), lay.width-1)
	}
	mark, role := " ", ui.Border
	if p.focused {
		mark, role = p.st.Glyphs.Cursor, ui.Accent
	}
	lb.Add(p.st.P(role, false), ui.Trunc(mark+title, lay.width, p.st.Glyphs.Ellipsis))
	return ui.Clip(lb.String(), lay.width)
}

// row paints one page: cursor, number, urgency, status, priority, title, service,
// assignee, age. Status and urgency are words, so they read without colour.
func (p Pane) row(pg *alerts.Page, lay layout, sel bool) string {
	st, g := p.st, p.st.Glyphs
	hl := sel && p.focused
	plain := st.P(ui.Plain, hl)
	var lb ui.LineBuilder
	lb.Grow(lay.width + 64)
	switch {
	case hl:
		lb.Add(st.P(ui.Accent, hl), g.Cursor)
	case sel:
		lb.Add(st.P(ui.Border, false), g.Cursor)
	default:
		lb.Pad(plain, 1)
	}
	lb.Pad(plain, 1)
	lb.Left(plain, plain, ui.Trunc("#"+strconv.Itoa(pg.Number), numW, g.Ellipsis), numW)
	lb.Pad(plain, 1)
	urg, urgRole := "low", ui.NoData
	if pg.Urgency == "high" {
		urg, urgRole = "HIGH", ui.Crit
	}
	lb.Left(plain, st.P(urgRole, hl), urg, urgencyW)
	lb.Pad(plain, 1)
	status, statusRole := "ACK", ui.Warn
	if pg.Status == "triggered" {
		status, statusRole = "TRIGGERED", ui.Crit
	}
	if w, ok := p.pending[pg.ID]; ok {
		status, statusRole = w, ui.Accent
	}
	lb.Left(plain, st.P(statusRole, hl), ui.Trunc(status, statusW, g.Ellipsis), statusW)
	lb.Pad(plain, 1)
	if lay.prio {
		lb.Left(plain, plain, ui.Trunc(textsafe.Clean(pg.Priority), priorityW, g.Ellipsis), priorityW)
		lb.Pad(plain, 1)
	}
	p.title(&lb, pg, lay.title, hl)
	lb.Pad(plain, 1)
	if lay.service {
		lb.Left(plain, st.P(ui.NoData, hl), ui.Trunc(textsafe.Clean(pg.Service), serviceW, g.Ellipsis), serviceW)
		lb.Pad(plain, 1)
	}
	if lay.who {
		who := g.Dash
		if len(pg.Assignees) > 0 {
			who = textsafe.Clean(pg.Assignees[0])
			if n := len(pg.Assignees); n > 1 {
				who += " +" + strconv.Itoa(n-1)
			}
		}
		lb.Left(plain, st.P(ui.NoData, hl), ui.Trunc(who, whoW, g.Ellipsis), whoW)
		lb.Pad(plain, 1)
	}
	lb.Right(plain, st.P(ui.NoData, hl), format.Age(max(p.now.Sub(pg.CreatedAt), 0)), ageW)
	if lay.over {
		return ui.Clip(lb.String(), lay.width)
	}
	return lb.String() // every cell was cut to its column: the row fits

}
