// Package alertlist is the alerts pane: one row per group of actionable alerts, in
// the Board's order, with its severity (word, colour and shape), alertname, service,
// how many alerts it folds, whether it flaps, its summary annotation, which
// Alertmanagers said so, and its age; or, toggled with h, the alerts triage hid, each with its reason. The cursor
// follows the group key or fingerprint, never the alertname.
package alertlist

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/filter"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

const (
	sevW     = 4 // "CRIT", "WARN", "INFO"
	countW   = 5 // "×1204"
	serviceW = 16
	reasonW  = 10 // "inhibited", "heartbeat"
	amW      = 12
	ageW     = 4
	minName  = 16
	maxName  = 32 // past this a name leaves the rest to the summary
	minSum   = 20 // a narrower summary says too little to be worth its column
	lead     = 2
)

// Pane is the alerts pane. It is a value: setters return the changed copy.
type Pane struct {
	st      *ui.Styles
	shown   []alerts.Item // the rows: alert groups, or the hidden alerts
	sums    []string      // the groups' summaries, by row; nil in the hidden view
	list    ui.List
	loaded  bool
	focused bool
	hidden  bool // showing the hidden alerts
	now     time.Time
	number  string // the pane's number on screen, given by the root
	doubt   string // why the alerts may not be all there are ("" when every Alertmanager answered)
	// filter is the / filter, one for both views: h then shows what is hidden of
	// what the operator is looking at. total is the view's rows before it.
	filter filter.Query
	total  int
	board  *alerts.Board // the latest, for SetFilter
}

// New returns an empty pane drawn with st, numbered n on screen.
func New(st *ui.Styles, n int) Pane { return Pane{st: st, number: strconv.Itoa(n)} }

// SetBoard shows the Board's alert groups, or its hidden alerts. The cursor stays on
// the row it was on.
func (p Pane) SetBoard(b *alerts.Board) Pane {
	p.loaded, p.now, p.board = true, b.GeneratedAt, b
	p.doubt = ui.SourceDoubt(b, ui.AlertSources...)
	p.shown = p.shown[:0:0]
	if p.hidden {
		p.shown = append(p.shown, b.Hidden...)
	} else {
		for _, it := range b.Actionable {
			if it.Kind == "alert" {
				p.shown = append(p.shown, it)
			}
		}
	}
	p.total = len(p.shown)
	p.shown = filter.Apply(p.filter, p.shown, filter.Alert)
	ids := make([]string, len(p.shown))
	for i, it := range p.shown {
		ids[i] = it.ID
	}
	p.sums = nil
	if !p.hidden {
		// A group's summary compares every member's, so it is worked out once per
		// Board; a hidden row has one alert and is read as it is drawn.
		p.sums = make([]string, len(p.shown))
		for i := range p.shown {
			p.sums[i] = rowSummary(&p.shown[i])
		}
	}
	p.list.Set(ids)
	return p
}

// SetFilter shows only the rows q keeps, in both views; the cursor stays on its row
// when that is still shown, else goes to the first.
func (p Pane) SetFilter(q filter.Query) Pane {
	p.filter = q
	if p.board == nil {
		return p
	}
	sel, had := p.list.SelectedName()
	p = p.SetBoard(p.board)
	p.list.Refiltered(sel, had)
	return p
}

// Filter is the pane's / filter.
func (p Pane) Filter() filter.Query { return p.filter }

// ToggleHidden switches between the actionable groups and the hidden alerts; the
// caller sets the Board again.
func (p Pane) ToggleHidden() Pane {
	p.hidden = !p.hidden
	p.list = ui.List{}
	return p
}

// SetNow moves the clock the ages are counted from.
func (p Pane) SetNow(now time.Time) Pane { p.now = now; return p }

// SetSize records the size the pane is drawn at.
func (p Pane) SetSize(_, h int) Pane {
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

// Len is the number of rows.
func (p Pane) Len() int { return len(p.shown) }

// Selected is the row under the cursor, as the Board gave it.
func (p Pane) Selected() (alerts.Item, bool) {
	if p.list.Len() == 0 {
		return alerts.Item{}, false
	}
	return p.shown[p.list.At(p.list.Cursor())], true
}

// Explain is one line saying why the row under the cursor is shown or hidden,
// naming the rule: the Board's own words (alerts.Explain), never re-judged here.
func (p Pane) Explain() string {
	it, ok := p.Selected()
	if !ok {
		return ""
	}
	return strings.TrimSpace(textsafe.Clean(it.Title)) + ": " + textsafe.Clean(alerts.Explain(it))
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
	out = append(out, p.header(width, first, last))
	muted := p.st.P(ui.NoData, false)
	switch {
	case !p.loaded:
		out = append(out, muted.Render(ui.Trunc("    waiting for the first poll…", width, p.st.Glyphs.Ellipsis)))
	case len(p.shown) == 0 && p.filter.Active():
		out = append(out, muted.Render(ui.Trunc(ui.NoMatch(p.filter.String(), p.doubt), width, p.st.Glyphs.Ellipsis)))
	case len(p.shown) == 0 && p.hidden:
		out = append(out, muted.Render(ui.Trunc("    nothing hidden", width, p.st.Glyphs.Ellipsis)))
	case len(p.shown) == 0:
		msg := "    no alert needs a human (h shows the hidden ones)"
		if p.doubt != "" {
			msg = "    alerts unknown: " + textsafe.Clean(p.doubt)
		}
		out = append(out, muted.Render(ui.Trunc(msg, width, p.st.Glyphs.Ellipsis)))
	}
	cur := p.list.Cursor()
	for pos := first; pos < last; pos++ {
		i := p.list.At(pos)
		out = append(out, p.row(&p.shown[i], p.summary(i), width, pos == cur))
	}
	return ui.Lines(out, height)
}

func (p Pane) header(w, first, last int) string {
	title := ui.Title(p.number, "ALERTS", "ALERTS", len(p.shown), first, last, p.loaded, w-2)
	if p.hidden {
		title = ui.Title(p.number, "HIDDEN", "HIDDEN", len(p.shown), first, last, p.loaded, w-2)
	}
	if p.filter.Active() {
		name := "ALERTS"
		if p.hidden {
			name = "HIDDEN"
		}
		title = ui.FilterTitle(p.number, name, name, len(p.shown), p.total, first, last, p.loaded, p.filter.String(), w-2)
	}
	mark, role := " ", ui.Border
	if p.focused {
		mark, role = p.st.Glyphs.Cursor, ui.Accent
	}
	return p.st.P(role, false).Render(ui.Trunc(mark+title, w, p.st.Glyphs.Ellipsis))
}

// severity is a severity's word, colour and shape: never colour alone.
func (p Pane) severity(s alerts.Severity) (string, string, ui.Role) {
	g := p.st.Glyphs
	switch s {
	case alerts.SeverityCritical, alerts.SeverityPage:
		return "CRIT", g.Crit, ui.Crit
	case alerts.SeverityWarning, alerts.SeverityError:
		return "WARN", g.Warn, ui.Warn
	}
	return "INFO", g.NoData, ui.NoData
}

// summary is row i's summary.
func (p Pane) summary(i int) string {
	if p.sums != nil {
		return p.sums[i]
	}
	return rowSummary(&p.shown[i])
}

func (p Pane) row(it *alerts.Item, summary string, w int, sel bool) string {
	st, g := p.st, p.st.Glyphs
	hl := sel && p.focused
	plain := st.P(ui.Plain, hl)
	var lb ui.LineBuilder
	lb.Grow(w + 64)
	switch {
	case hl:
		lb.Add(st.P(ui.Accent, hl), g.Cursor)
	case sel:
		lb.Add(st.P(ui.Border, false), g.Cursor)
	default:
		lb.Pad(plain, 1)
	}
	word, mark, role := p.severity(it.Severity)
	if p.hidden {
		role = ui.NoData // hidden: drawn quiet, whatever its severity
	}
	lb.Add(st.P(role, hl), mark)
	lb.Add(st.P(role, hl), word)
	lb.Pad(plain, 1)
	// Fixed columns after the name; the name takes what is left, at least minName.
	// The summary yields first as the pane narrows, then the Alertmanagers.
	fixed := lead + 2 + sevW + 1 + countW + 1 + serviceW + 1 + ageW
	if p.hidden {
		fixed += reasonW + 1
	}
	showAM := w-fixed-amW-1 >= minName+1+minSum
	if showAM {
		fixed += amW + 1
	}
	nameW, sumW := max(w-fixed, 1), 0
	if rest := w - fixed; rest >= minName+1+minSum {
		nameW = max(minName, min(maxName, rest/3))
		sumW = rest - nameW - 1
	}
	name := strings.TrimSpace(textsafe.Clean(it.Title))
	if it.Flapping {
		name += " ~flapping"
	}
	lb.Left(plain, plain, ui.Trunc(name, nameW, g.Ellipsis), nameW)
	lb.Pad(plain, 1)
	if sumW > 0 {
		lb.Left(plain, st.P(ui.NoData, hl), ui.Trunc(summary, sumW, g.Ellipsis), sumW)
		lb.Pad(plain, 1)
	}
	if p.hidden {
		lb.Left(plain, st.P(ui.NoData, hl), ui.Trunc(it.Reason, reasonW, g.Ellipsis), reasonW)
		lb.Pad(plain, 1)
	}
	count := ""
	if it.Count > 1 {
		times := "×"
		if g.Name == "ascii" {
			times = "x"
		}
		count = times + strconv.Itoa(it.Count)
	}
	lb.Right(plain, plain, ui.Trunc(count, countW, g.Ellipsis), countW)
	lb.Pad(plain, 1)
	service := it.Labels["service"]
	if service == "" {
		service = it.Labels["job"]
	}
	lb.Left(plain, st.P(ui.NoData, hl), ui.Trunc(textsafe.Clean(service), serviceW, g.Ellipsis), serviceW)
	lb.Pad(plain, 1)
	if showAM {
		lb.Left(plain, st.P(ui.NoData, hl), ui.Trunc(textsafe.Clean(strings.Join(it.Alertmanagers, ",")), amW, g.Ellipsis), amW)
		lb.Pad(plain, 1)
	}
	age := g.Dash
	if !it.Since.IsZero() {
		age = format.Age(max(p.now.Sub(it.Since), 0))
	}
	lb.Right(plain, st.P(ui.NoData, hl), age, ageW)
	return ui.Clip(lb.String(), w)
}
