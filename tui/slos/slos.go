// Package slos is the SLO pane: one row per SLO with its objective, the error
// budget left, the burn rates and the time until the budget is spent, the SLOs
// that page first.
package slos

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/filter"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// BurnWindows are the burn-rate windows shown as columns, shortest first.
var BurnWindows = [4]string{"1h", "6h", "1d", "3d"}

// Badge is the text of a state's badge and the role it is drawn in.
func Badge(state alerts.SLOState) (string, ui.Role) {
	switch state {
	case alerts.SLOPage:
		return "PAGE", ui.Crit
	case alerts.SLOTicket:
		return "TICKET", ui.Warn
	case alerts.SLOOK:
		return "OK", ui.OK
	}
	return "NO DATA", ui.NoData
}

// LevelBadge is the badge of a burn-rate condition's alert: PAGE or TICKET.
func LevelBadge(l alerts.Level) (string, ui.Role) {
	if l == alerts.LevelPage {
		return "PAGE", ui.Crit
	}
	return "TICKET", ui.Warn
}

// LevelRole is the role a burn rate is drawn in: over a page threshold is crit, over
// a ticket's is warn, otherwise plain. The Board judged which.
func LevelRole(l alerts.Level) ui.Role {
	switch l {
	case alerts.LevelPage:
		return ui.Crit
	case alerts.LevelTicket:
		return ui.Warn
	}
	return ui.Plain
}

// tagRoom is the room the name column keeps for a tag (" stale", " partial 3d/7d"),
// whether or not a row has one now, so that a tag coming or going does not change
// the layout and repaint every row.
const tagRoom = len(" partial 29d/30d")

// row is one SLO, formatted once when its Board arrives.
type row struct {
	name      string
	nameW     int // cells of the name alone
	tagW      int // and with its tag
	state     alerts.SLOState
	spent     bool // the budget is used up: as loud as a page
	role      ui.Role
	badge     string
	objective string // "99.9% 30d"
	budget    float64
	hasBudget bool
	budgetPct string
	burns     [4]string
	burnRoles [4]ui.Role
	exhaust   string
	retention bool
	stale     bool   // its counts are from an earlier poll
	failed    bool   // its queries failed and there are no earlier counts
	partial   string // "3d/7d": the window is only partly covered by data
}

// Pane is the SLO pane. It is a value: methods that change it return the copy.
type Pane struct {
	st      *ui.Styles
	all     []alerts.SLOStatus // the Board's SLOs; Boards are immutable
	src     []alerts.SLOStatus // those the filter keeps, in the Board's order
	rows    []row              // src's rows
	list    ui.List
	loaded  bool
	focused bool
	filter  filter.Query // the / filter

	longestName, longest, objW int

	lay   layout
	lines []string
}

// New returns an empty pane drawn with st.
func New(st *ui.Styles) Pane { return Pane{st: st, objW: len("OBJECTIVE")} }

// SetBoard shows slos, in the Board's order (worst first), or those the filter
// keeps. The cursor stays on the SLO it was on.
func (p Pane) SetBoard(slos []alerts.SLOStatus) Pane {
	src := slos
	rows := make([]row, len(src))
	names := make([]string, len(src))
	p.longestName, p.longest, p.objW = 0, 0, len("OBJECTIVE")
	for i := range src {
		rows[i] = p.makeRow(&src[i])
		names[i] = rows[i].name
		p.longestName = max(p.longestName, rows[i].nameW)
		p.longest = max(p.longest, rows[i].nameW+tagRoom)
		p.objW = max(p.objW, ui.Width(rows[i].objective))
	}
	if p.filter.Active() {
		// The columns stay sized for every SLO, so they hold still while a filter is
		// typed.
		var buf filter.Row
		src = nil
		kept, keptNames := rows[:0], names[:0]
		for i := range slos {
			if buf = filter.SLO(buf[:0], &slos[i]); p.filter.Match(buf) {
				src = append(src, slos[i])
				kept, keptNames = append(kept, rows[i]), append(keptNames, names[i])
			}
		}
		rows, names = kept, keptNames
	}
	p.all, p.src, p.rows, p.loaded = slos, src, rows, true
	p.list.Set(names)
	return p.relayout(p.lay.width, true)
}

// SetFilter shows only the SLOs q keeps; the cursor stays on its SLO when that is
// still shown, else goes to the first.
func (p Pane) SetFilter(q filter.Query) Pane {
	p.filter = q
	if !p.loaded {
		return p
	}
	sel, had := p.list.SelectedName()
	p = p.SetBoard(p.all)
	p.list.Refiltered(sel, had)
	return p
}

// Filter is the pane's / filter.
func (p Pane) Filter() filter.Query { return p.filter }

func (p Pane) makeRow(s *alerts.SLOStatus) row {
	g := p.st.Glyphs
	r := row{name: textsafe.Clean(s.Name), state: s.State, spent: s.Spent, retention: s.RetentionExceeded, stale: s.Stale,
		failed: s.Error != "" && !s.Stale}
	if c, ok := s.CoverageSeconds.Get(); ok && s.Partial {
		r.partial = format.Span(time.Duration(c*float64(time.Second))) + "/" + textsafe.Clean(s.Window)
	}
	r.badge, r.role = Badge(s.State)
	r.nameW = ui.Width(r.name)
	r.tagW = r.nameW
	r.tagW += ui.Width(p.tag(r))
	r.objective = ui.Num(&s.Objective, g.Dash, format.Objective) + " " + textsafe.Clean(s.Window)
	r.budgetPct = g.Dash
	if b, ok := s.BudgetRemaining.Get(); ok {
		r.budget, r.hasBudget = b, true
		r.budgetPct = format.Budget(r.budget)
		if r.partial != "" {
			// Computed on part of the window: marked on the number itself, which no
			// width cuts, as well as in the name's tag, which a narrow screen may.
			r.budgetPct = "~" + r.budgetPct
		}
	}
	for c, w := range BurnWindows {
		r.burns[c], r.burnRoles[c] = g.Dash, ui.NoData
		if b, ok := s.BurnRates[w].Get(); ok {
			r.burns[c], r.burnRoles[c] = format.Burn(b), LevelRole(s.BurnLevels[w])
		}
	}
	r.exhaust = g.Dash
	if e, ok := s.ExhaustionSeconds.Get(); ok {
		r.exhaust = format.Exhaustion(e)
	}
	return r
}

// tag is what follows an SLO's name: warnings that its numbers are not the whole
// truth (old counts, or a window longer than the data kept).
func (p Pane) tag(r row) string {
	t := ""
	switch {
	case r.stale:
		t += " stale"
	case r.failed:
		t += " error"
	}
	if r.partial != "" {
		t += " partial " + r.partial
	}
	if r.retention {
		t += " " + p.st.Glyphs.Warning + " retention"
	}
	return t
}

// SetSize lays the pane out for w×h cells and paints its rows for that width.
func (p Pane) SetSize(w, h int) Pane {
	p.list.SetHeight(max(h-1, 1))
	return p.relayout(w, false)
}

// SetStyles changes the theme or glyphs and repaints.
func (p Pane) SetStyles(st *ui.Styles) Pane {
	p.st = st
	if p.loaded {
		return p.SetBoard(p.all)
	}
	return p
}

// SetFocused marks the pane as the one keys go to.
func (p Pane) SetFocused(f bool) Pane {
	p.focused = f
	return p
}

// SetFrozen freezes or unfreezes the row order.
func (p Pane) SetFrozen(f bool) Pane {
	p.list.SetFrozen(f)
	return p
}

func (p Pane) relayout(w int, force bool) Pane {
	if w <= 0 {
		return p
	}
	lay := computeLayout(w, p.longestName, p.longest, p.objW)
	if !force && lay == p.lay && p.lines != nil {
		return p
	}
	p.lay = lay
	lines := make([]string, len(p.rows))
	for i := range p.rows {
		lines[i] = p.renderRow(&p.rows[i], lay, false)
	}
	p.lines = lines
	return p
}

// Update moves the cursor. The parent sends keys only when the pane has focus.
func (p Pane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	key, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	p.list.Key(key.String())
	return p, nil
}

// Need is how many lines the pane would use to show every row.
func (p Pane) Need() int { return max(len(p.rows), 1) + 1 }

// Len is the number of SLOs.
func (p Pane) Len() int { return len(p.rows) }

// Selected is the SLO under the cursor, as it came in the Board.
func (p Pane) Selected() (alerts.SLOStatus, bool) {
	if p.list.Len() == 0 {
		return alerts.SLOStatus{}, false
	}
	return p.src[p.list.At(p.list.Cursor())], true
}

// Find is the SLO called name in the latest Board, shown or not.
func (p Pane) Find(name string) (alerts.SLOStatus, bool) {
	for i := range p.all {
		if p.all[i].Name == name {
			return p.all[i], true
		}
	}
	return alerts.SLOStatus{}, false
}

// View draws the pane in exactly height lines, none wider than width.
func (p Pane) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lay, lines := p.lay, p.lines
	if lay.width != width {
		lay, lines = computeLayout(width, p.longestName, p.longest, p.objW), nil
	}
	out := make([]string, 0, height)
	rowsH := height - 1
	first := p.list.Window(rowsH)
	last := min(first+rowsH, p.list.Len())
	out = append(out, p.header(lay, first, last))
	muted := p.st.P(ui.NoData, false)
	switch {
	case !p.loaded:
		out = append(out, muted.Render(ui.Trunc("    waiting for the first poll…", width, p.st.Glyphs.Ellipsis)))
	case len(p.rows) == 0 && p.filter.Active():
		out = append(out, muted.Render(ui.Trunc(ui.NoMatch(p.filter.String(), ""), width, p.st.Glyphs.Ellipsis)))
	case len(p.rows) == 0:
		out = append(out, muted.Render(ui.Trunc("    no SLOs configured", width, p.st.Glyphs.Ellipsis)))
	}
	cur := p.list.Cursor()
	for pos := first; pos < last; pos++ {
		i := p.list.At(pos)
		if pos == cur || lines == nil {
			out = append(out, p.renderRow(&p.rows[i], lay, pos == cur))
			continue
		}
		out = append(out, lines[i])
	}
	return ui.Lines(out, height)
}

func (p Pane) header(lay layout, first, last int) string {
	var lb ui.LineBuilder
	titleW := 2 + badgeW + lay.nameW
	title := ui.Title("2", "SLOS", "SLOS", len(p.rows), first, last, p.loaded, titleW-1)
	mark, role := " ", ui.Border
	if p.focused {
		mark, role = p.st.Glyphs.Cursor, ui.Accent
	}
	none := ui.Paint{}
	lb.Left(none, p.st.P(role, false), ui.Trunc(mark+title, titleW, p.st.Glyphs.Ellipsis), titleW)
	h := p.st.P(ui.Header, false)
	if lay.obj {
		lb.Pad(none, 2)
		lb.Left(none, h, "OBJECTIVE", lay.objW)
	}
	lb.Pad(none, 2)
	lb.Left(none, h, "BUDGET", lay.budgetW())
	for c := range lay.burns {
		lb.Pad(none, 1)
		lb.Right(none, h, BurnWindows[c], burnW)
	}
	if lay.exhaust {
		lb.Pad(none, 2)
		lb.Right(none, h, "EMPTY IN", exhaustW)
	}
	line := ui.Clip(lb.String(), lay.width)
	if p.filter.Active() {
		title = ui.FilterTitle("2", "SLOS", "SLOS", len(p.rows), len(p.all), first, last, p.loaded, p.filter.String(), lay.width-1)
		line = ui.Clip(ui.Overrun(line, p.st.P(role, false).Render(ui.Trunc(mark+title, lay.width, p.st.Glyphs.Ellipsis)), titleW), lay.width)
	}
	return line
}

// renderRow paints one SLO: cursor, state badge, name, objective, budget bar and
// share, burn rates and time to exhaustion.
func (p Pane) renderRow(r *row, lay layout, sel bool) string {
	st, g := p.st, p.st.Glyphs
	hl := sel && p.focused
	plain := st.P(ui.Plain, hl)
	var lb ui.LineBuilder
	lb.Grow(lay.width + 64)
	switch {
	case hl: // the focused pane's cursor: where keys go
		lb.Add(st.P(ui.Accent, hl), g.Cursor)
	case sel: // a dim cursor in the other pane, so 2 then enter opens what was seen
		lb.Add(st.P(ui.Border, false), g.Cursor)
	default:
		lb.Pad(plain, 1)
	}
	lb.Left(plain, st.P(r.role, hl), r.badge, badgeW)
	lb.Pad(plain, 1)
	lb.Left(plain, plain, ui.NameCell(r.name, p.tag(*r), lay.nameW, minName, g.Ellipsis), lay.nameW)
	if lay.obj {
		lb.Pad(plain, 2)
		lb.Left(plain, plain, ui.Trunc(r.objective, lay.objW, g.Ellipsis), lay.objW)
	}
	lb.Pad(plain, 2)
	budgetRole := r.role
	if r.hasBudget && r.budget < 0 {
		budgetRole = ui.Crit
	}
	if lay.bar > 0 {
		if r.hasBudget {
			lb.Add(st.P(budgetRole, hl), ui.Bar(r.budget, lay.bar, g.BarFull, g.BarEmpty))
		} else {
			lb.Pad(plain, lay.bar)
		}
		lb.Pad(plain, 1)
	}
	lb.Right(plain, st.P(budgetRole, hl), r.budgetPct, pctW)
	for c := range lay.burns {
		lb.Pad(plain, 1)
		lb.Right(plain, st.P(r.burnRoles[c], hl), r.burns[c], burnW)
	}
	if lay.exhaust {
		lb.Pad(plain, 2)
		lb.Right(plain, st.P(exhaustRole(r), hl), r.exhaust, exhaustW)
	}
	line := lb.String()
	if lay.over {
		line = ui.Clip(line, lay.width)
	}
	return line
}

func exhaustRole(r *row) ui.Role {
	if r.spent {
		return ui.Crit
	}
	if r.state == alerts.SLOPage || r.state == alerts.SLOTicket {
		return r.role
	}
	return ui.Plain
}
