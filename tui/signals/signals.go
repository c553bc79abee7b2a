// Package signals is the golden-signals pane: one row per service with its state
// marker, latency, traffic, errors and saturation, each with a sparkline when
// there is room, worst first.
package signals

import (
	"strconv"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui/internal/filter"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// tagRoom is the room the name column keeps for a tag (" DOWN 10/12 up", " stale"),
// whether or not a row has one now: the column's width then follows the configured
// names only, and a service turning stale does not shift and repaint every row.
const tagRoom = len(" DOWN 10/12 up")

// row is one service, formatted once when its Board arrives.
type row struct {
	name   string // cleaned of anything that could drive the terminal
	tagW   int    // cells the name and its tag want
	state  alerts.State
	stale  bool   // the values are not current: drawn dim
	tag    string // follows the name: " DOWN 0/2 up", " 2/3 up", " stale"
	vals   [4]string
	valsW  [4]int // cells of each value
	roles  [4]ui.Role
	series [4][]sources.Point
}

// Pane is the golden-signals pane. It is a value: methods that change it return
// the changed copy.
type Pane struct {
	st      *ui.Styles
	src     []alerts.ServiceRow // the Board's rows; Boards are immutable
	rows    []row
	list    ui.List
	loaded  bool
	focused bool
	filter  filter.Query // the / filter: rows holds only the services it keeps

	longest  int // widest name, plus room for the longest tag
	maxSpark int // the longest series, in points

	// lay and lines are the rows painted for the size last given to SetSize, so
	// View only copies them; lines[i] is rows[i] without the cursor, "" until it
	// is painted. Only the rows in view are painted when a Board arrives; the others
	// when a key scrolls to them.
	lay   layout
	h     int
	lines []string
}

// New returns an empty pane drawn with st.
func New(st *ui.Styles) Pane { return Pane{st: st} }

// SetBoard shows services, which come worst first, or those the filter keeps. The
// cursor stays on the service it was on; when frozen, rows keep their places and new
// services are appended.
func (p Pane) SetBoard(services []alerts.ServiceRow) Pane {
	rows := make([]row, len(services))
	names := make([]string, len(services))
	p.longest, p.maxSpark = 0, 0
	for i := range services {
		rows[i] = p.makeRow(&services[i])
		names[i] = rows[i].name
		p.longest = max(p.longest, ui.Width(rows[i].name)+tagRoom)
		for _, s := range rows[i].series {
			p.maxSpark = max(p.maxSpark, len(s))
		}
	}
	if p.filter.Active() {
		// The columns stay sized for every service, so they hold still while a
		// filter is typed.
		var buf filter.Row
		kept, keptNames := rows[:0], names[:0]
		for i := range services {
			if buf = filter.Service(buf[:0], &services[i]); p.filter.Match(buf) {
				kept, keptNames = append(kept, rows[i]), append(keptNames, names[i])
			}
		}
		rows, names = kept, keptNames
	}
	p.src, p.rows, p.loaded = services, rows, true
	p.list.Set(names)
	return p.relayout(p.lay.width, true)
}

// SetFilter shows only the services q keeps; the cursor stays on its service when
// that is still shown, else goes to the first.
func (p Pane) SetFilter(q filter.Query) Pane {
	p.filter = q
	if !p.loaded {
		return p
	}
	sel, had := p.list.SelectedName()
	p = p.SetBoard(p.src)
	p.list.Refiltered(sel, had)
	p.paintWindow()
	return p
}

// Filter is the pane's / filter.
func (p Pane) Filter() filter.Query { return p.filter }

func (p Pane) makeRow(s *alerts.ServiceRow) row {
	r := row{name: textsafe.Clean(s.Name), state: s.State, stale: s.Stale, tag: tag(s)}
	r.tagW = ui.Width(r.name) + ui.Width(r.tag)
	for c := range sources.AllSignals {
		sv := &s.Signals[c]
		v, state := sv.Value, sv.State
		r.series[c] = sv.Series
		x, ok := v.Get()
		switch {
		case state == alerts.StateErr:
			// The query feeding it failed: say so, rather than a dash that reads
			// as "no traffic".
			r.vals[c], r.roles[c] = "err", ui.Warn
		case !ok:
			r.vals[c], r.roles[c] = p.st.Glyphs.Dash, ui.NoData
		default:
			r.vals[c], r.roles[c] = formatValue(c, x), ui.StateRole(state)
		}
		r.valsW[c] = ui.Width(r.vals[c])
	}
	return r
}

// tag is what follows a service's name: that it is down, how many of its targets
// answer, or that its values are old.
func tag(s *alerts.ServiceRow) string {
	targets := ""
	switch {
	case s.TargetsUp != nil && s.TargetsTotal != nil:
		targets = " " + strconv.Itoa(*s.TargetsUp) + "/" + strconv.Itoa(*s.TargetsTotal) + " up"
	case s.TargetsUpRatio != nil:
		if share, ok := s.TargetsUpRatio.Get(); ok {
			targets = " " + format.Percent0(share) + " up"
		}
	}
	switch {
	case s.State == alerts.StateDown:
		return " DOWN" + targets
	case s.State == alerts.StateDegraded:
		return targets
	case s.Stale:
		return " stale"
	}
	return ""
}

func formatValue(col int, v float64) string {
	switch col {
	case 0:
		return format.Latency(v)
	case 1:
		return format.Rate(v)
	case 2:
		return format.Percent2(v)
	}
	return format.Percent0(v)
}

// SetSize lays the pane out for w×h cells and paints its rows for that width.
func (p Pane) SetSize(w, h int) Pane {
	p.h = max(h-1, 1)
	p.list.SetHeight(p.h)
	p = p.relayout(w, false)
	p.paintWindow() // a taller pane shows rows not painted yet
	return p
}

// SetStyles changes the theme or glyphs and repaints.
func (p Pane) SetStyles(st *ui.Styles) Pane {
	p.st = st
	if p.loaded {
		return p.SetBoard(p.src) // rows hold glyphs such as the no-data dash
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
	p.paintWindow()
	return p
}

// relayout recomputes the layout for width w and repaints the rows when it
// changed, or always when force is set (new rows or new styles).
func (p Pane) relayout(w int, force bool) Pane {
	if w <= 0 {
		return p
	}
	lay := computeLayout(w, p.longest, p.maxSpark)
	if !force && lay == p.lay && p.lines != nil {
		return p
	}
	p.lay = lay
	p.lines = make([]string, len(p.rows))
	p.paintWindow()
	return p
}

// paintWindow paints the rows in view that are not painted yet. The lines slice is
// made anew whenever rows or layout change, so filling it in is never seen by a
// copy holding other rows.
func (p Pane) paintWindow() {
	if p.lines == nil {
		return
	}
	first := p.list.Window(p.h)
	for pos := first; pos < min(first+p.h, p.list.Len()); pos++ {
		if i := p.list.At(pos); p.lines[i] == "" {
			p.lines[i] = p.renderRow(&p.rows[i], p.lay, false)
		}
	}
}

// Update moves the cursor. The parent sends keys only when the pane has focus.
func (p Pane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	key, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	p.list.Key(key.String())
	p.paintWindow()
	return p, nil
}

// Need is how many lines the pane would use to show every row.
func (p Pane) Need() int { return max(len(p.rows), 1) + 1 }

// Len is the number of services.
func (p Pane) Len() int { return len(p.rows) }

// Selected is the name of the service under the cursor.
func (p Pane) Selected() (string, bool) { return p.list.SelectedName() }

// Frozen reports whether the row order is frozen.
func (p Pane) Frozen() bool { return p.list.Frozen() }

// View draws the pane in exactly height lines, none wider than width.
func (p Pane) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lay, lines := p.lay, p.lines
	if lay.width != width {
		lay, lines = computeLayout(width, p.longest, p.maxSpark), nil
	}
	out := make([]string, 0, height)
	rowsH := height - 1
	first := p.list.Window(rowsH)
	last := min(first+rowsH, p.list.Len())
	out = append(out, p.header(lay, first, last))
	switch {
	case !p.loaded:
		out = append(out, p.st.P(ui.NoData, false).Render(ui.Trunc("    waiting for the first poll…", width, p.st.Glyphs.Ellipsis)))
	case len(p.rows) == 0 && p.filter.Active():
		out = append(out, p.st.P(ui.NoData, false).Render(ui.Trunc(ui.NoMatch(p.filter.String(), ""), width, p.st.Glyphs.Ellipsis)))
	case len(p.rows) == 0:
		out = append(out, p.st.P(ui.NoData, false).Render(ui.Trunc("    no services configured", width, p.st.Glyphs.Ellipsis)))
	}
	cur := p.list.Cursor()
	for pos := first; pos < last; pos++ {
		i := p.list.At(pos)
		if pos == cur || lines == nil || lines[i] == "" {
			out = append(out, p.renderRow(&p.rows[i], lay, pos == cur))
			continue
		}
		out = append(out, lines[i])
	}
	return ui.Lines(out, height)
}

// header is the column-header line; the name column carries the pane's title.
func (p Pane) header(lay layout, first, last int) string {
	var lb ui.LineBuilder
	titleW := 4 + lay.nameW
	title := ui.Title("1", "SERVICES", "SVCS", len(p.rows), first, last, p.loaded, titleW-1)
	mark, role := " ", ui.Border
	if p.focused {
		mark, role = p.st.Glyphs.Cursor, ui.Accent
	}
	lb.Left(ui.Paint{}, p.st.P(role, false), ui.Trunc(mark+title, titleW, p.st.Glyphs.Ellipsis), titleW)
	h := p.st.P(ui.Header, false)
	for c := range lay.cols {
		lb.Pad(ui.Paint{}, lay.gap)
		lb.Right(ui.Paint{}, h, labels[c], valW[c])
		if lay.spark > 0 {
			lb.Pad(ui.Paint{}, 1+lay.spark)
		}
	}
	line := ui.Clip(lb.String(), lay.width)
	if p.filter.Active() {
		title = ui.FilterTitle("1", "SERVICES", "SVCS", len(p.rows), len(p.src), first, last, p.loaded, p.filter.String(), lay.width-1)
		line = ui.Clip(ui.Overrun(line, p.st.P(role, false).Render(ui.Trunc(mark+title, lay.width, p.st.Glyphs.Ellipsis)), titleW), lay.width)
	}
	return line
}

// renderRow paints one service: cursor, marker, name, then each signal's value and
// sparkline. sel marks the row under the cursor, highlighted when focused.
func (p Pane) renderRow(r *row, lay layout, sel bool) string {
	st, g := p.st, p.st.Glyphs
	hl := sel && p.focused
	var lb ui.LineBuilder
	lb.Grow(lay.width + 64)

	dim := func(role ui.Role) ui.Paint {
		if r.stale {
			role = ui.NoData
		}
		return st.P(role, hl)
	}
	plain := st.P(ui.Plain, hl)
	switch {
	case hl: // the focused pane's cursor: where keys go
		lb.Add(st.P(ui.Accent, hl), g.Cursor)
	case sel: // a dim cursor in the other pane, so 2 then enter opens what was seen
		lb.Add(st.P(ui.Border, false), g.Cursor)
	default:
		lb.Pad(plain, 1)
	}
	markRole := markerRole(r.state)
	if r.stale && r.state != alerts.StateDown {
		markRole = ui.NoData
	}
	lb.Add(st.P(markRole, hl), st.Marker(r.state))
	lb.Pad(plain, 1)
	nameRole := ui.Plain
	if r.state == alerts.StateDown {
		nameRole = ui.Crit // DOWN in words and colour, however dim its old values are
	}
	lb.Left(plain, st.P(nameRole, hl), ui.NameCell(r.name, r.tag, lay.nameW, 4, g.Ellipsis), lay.nameW)
	var spark []byte
	if lay.spark > 0 {
		spark = make([]byte, 0, lay.spark*utf8.UTFMax)
	}
	for c := range lay.cols {
		lb.Pad(plain, lay.gap)
		lb.Pad(plain, valW[c]-r.valsW[c])
		lb.Add(dim(r.roles[c]), r.vals[c])
		if lay.spark > 0 {
			lb.Pad(plain, 1)
			// A sparkline is exactly lay.spark cells, or empty.
			if spark = ui.AppendSpark(spark[:0], g.Spark, r.series[c], lay.spark); len(spark) > 0 {
				lb.AddBytes(dim(r.roles[c]), spark)
			} else {
				lb.Pad(plain, lay.spark)
			}
		}
	}
	line := lb.String()
	if lay.over {
		line = ui.Clip(line, lay.width)
	}
	return line
}

func markerRole(s alerts.State) ui.Role {
	if s == alerts.StateOK {
		return ui.OK
	}
	return ui.StateRole(s)
}
