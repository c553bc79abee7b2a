// Package slodetail is the detail view of one SLO: its burn-rate conditions
// against their thresholds, its error budget over the window, and the queries
// behind them, printed plain so a mouse selection copies clean PromQL.
package slodetail

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/slos"
)

// HistoryFunc returns an SLO's budget remaining over its window, oldest first.
type HistoryFunc func(ctx context.Context, slo string) ([]sources.Point, error)

// historyTimeout is the last bound on the history read, whatever the History function
// does (the dashboard's applies the configured timeout): a slow Prometheus must not
// leave the view
// saying "loading" for ever.
const historyTimeout = 10 * time.Minute

// HistoryMsg brings an SLO's budget history back from the command that read it.
type HistoryMsg struct {
	seq    int
	points []sources.Point
	err    error
}

// Detail is the detail view of one SLO. It is a value: methods return the copy.
type Detail struct {
	st  *ui.Styles
	slo alerts.SLOStatus
	seq int

	loading bool
	loaded  bool
	points  []sources.Point
	err     string
	noSrc   bool

	offset int // first line shown
	width  int // size as last laid out
	height int
}

// Open opens the detail of s and returns the command that reads its history; seq
// tells this opening's answer from a late answer to an earlier one.
func Open(st *ui.Styles, s alerts.SLOStatus, history HistoryFunc, seq int) (Detail, tea.Cmd) {
	return Detail{st: st, slo: s}.Reload(history, seq)
}

// Reload reads the history again (the operator pressed r), keeping the scroll
// position; the chart shows the old figures until the new ones arrive.
func (d Detail) Reload(history HistoryFunc, seq int) (Detail, tea.Cmd) {
	d.seq = seq
	if history == nil {
		d.noSrc = true
		return d, nil
	}
	d.loading = true
	name := d.slo.Name
	return d, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		pts, err := history(ctx, name)
		return HistoryMsg{seq: seq, points: pts, err: err}
	}
}

// Name is the SLO shown, as it came in the Board.
func (d Detail) Name() string { return d.slo.Name }

// SetSLO shows fresher figures for the same SLO from a new Board.
func (d Detail) SetSLO(s alerts.SLOStatus) Detail {
	d.slo = s
	return d
}

// SetStyles changes the theme or glyphs.
func (d Detail) SetStyles(st *ui.Styles) Detail {
	d.st = st
	return d
}

// SetSize records the size the detail is drawn at, for scrolling.
func (d Detail) SetSize(w, h int) Detail {
	d.width, d.height = w, h
	d.offset = d.clampOffset(d.offset)
	return d
}

// clampOffset keeps the scroll between the top and the last full screen.
func (d Detail) clampOffset(off int) int {
	if d.st == nil || d.width <= 0 || d.height <= 0 {
		return max(off, 0)
	}
	return min(max(off, 0), max(len(d.lines(d.width, d.height))-d.height, 0))
}

// Update takes the history answer and the scroll and copy keys.
func (d Detail) Update(msg tea.Msg) (Detail, tea.Cmd) {
	switch msg := msg.(type) {
	case HistoryMsg:
		if msg.seq != d.seq {
			return d, nil
		}
		d.loading, d.loaded = false, true
		d.points = msg.points
		if msg.err != nil {
			d.err = textsafe.Clean(msg.err.Error())
		}
	case tea.KeyPressMsg:
		var scrolled bool
		if d.offset, scrolled = ui.Scroll(d.offset, msg.String(), max(d.height-1, 1)); scrolled {
			d.offset = d.clampOffset(d.offset)
			return d, nil
		}
		switch msg.String() {
		case "c":
			q := d.queryText()
			if q == "" {
				return d, nil
			}
			// The confirmation goes to the footer: here it would be below the fold
			// at 80x24.
			notice := fmt.Sprintf("copied %d queries (OSC 52; not every terminal allows it)", len(d.slo.Queries))
			return d, tea.Batch(tea.SetClipboard(q), func() tea.Msg { return ui.NoticeMsg(notice) })
		}
		d.offset = d.clampOffset(d.offset)
	}
	return d, nil
}

// queryKeys are the query labels ("errors 1h", "total 30d") shortest window first,
// then by name, so the list reads like the burn-rate table above it rather than in
// string order (where 1d sorts before 1h).
func (d Detail) queryKeys() []string {
	keys := make([]string, 0, len(d.slo.Queries))
	for k := range d.slo.Queries {
		keys = append(keys, k)
	}
	window := func(label string) model.Duration {
		w, _ := model.ParseDuration(label[strings.LastIndexByte(label, ' ')+1:])
		return w
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(window(a), window(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// queryText is every query, each under a PromQL comment naming it, as copied by c.
func (d Detail) queryText() string {
	var b strings.Builder
	for _, k := range d.queryKeys() {
		fmt.Fprintf(&b, "# %s\n%s\n", textsafe.Clean(k), textsafe.Clean(d.slo.Queries[k]))
	}
	return b.String()
}

// View draws the detail in exactly height lines, none wider than width, scrolled
// to the offset the keys chose.
func (d Detail) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lines := d.lines(width, height)
	off := min(d.offset, max(len(lines)-height, 0))
	lines = lines[off:]
	for i, l := range lines[:min(len(lines), height)] {
		lines[i] = ui.Clip(l, width)
	}
	return ui.Lines(lines, height)
}

func (d Detail) lines(w, h int) []string {
	st, g, s := d.st, d.st.Glyphs, &d.slo
	var out []string
	add := func(l string) { out = append(out, l) }
	muted, head := st.P(ui.NoData, false), st.P(ui.Header, false)

	badge, role := slos.Badge(s.State)
	var lb ui.LineBuilder
	lb.Add(st.P(ui.Accent, false), g.Cursor+" SLO "+textsafe.Clean(s.Name))
	lb.Add(st.P(ui.Plain, false), "  ")
	lb.Add(st.P(role, false), badge)
	add(lb.String())

	info := "objective " + ui.Num(&s.Objective, g.Dash, format.Objective) + " over " + textsafe.Clean(s.Window)
	if s.Service != "" {
		info = "service " + textsafe.Clean(s.Service) + "   " + info
	}
	if s.Origin != "" {
		info += "   from " + textsafe.Clean(s.Origin)
	}
	add(muted.Render(ui.Trunc(info, w, g.Ellipsis)))

	add(d.budgetLine(w, role))
	switch {
	case s.Stale:
		add(st.P(ui.Warn, false).Render(ui.Trunc(g.Warning+" stale: these numbers are from an earlier poll: "+
			textsafe.Clean(s.Error), w, g.Ellipsis)))
	case s.Error != "":
		add(st.P(ui.Warn, false).Render(ui.Trunc(g.Warning+" no numbers: this SLO's queries failed: "+
			textsafe.Clean(s.Error), w, g.Ellipsis)))
	}
	if c, ok := s.CoverageSeconds.Get(); ok && s.Partial {
		span := format.Span(time.Duration(c * float64(time.Second)))
		add(st.P(ui.Warn, false).Render(ui.Trunc(g.Warning+" partial "+span+"/"+textsafe.Clean(s.Window)+
			": the server has data for "+span+" of the window; budget and exhaustion cover only that", w, g.Ellipsis)))
	}
	if s.RetentionExceeded {
		add(st.P(ui.Warn, false).Render(ui.Trunc(g.Warning+" the "+textsafe.Clean(s.Window)+
			" window reaches past the Prometheus retention: the budget covers only the data kept", w, g.Ellipsis)))
	}
	add("")

	add(head.Render("BURN-RATE CONDITIONS"))
	out = append(out, d.conditionLines()...)
	add("")

	add(head.Render("BUDGET LEFT OVER THE " + strings.ToUpper(textsafe.Clean(s.Window)) + " WINDOW"))
	out = append(out, d.chartLines(w, min(max(h-18, 3), 12))...)
	add("")

	hint := ""
	if len(s.Queries) > 0 {
		hint = "  (c copies them all)"
	}
	add(head.Render("QUERIES") + muted.Render(hint))
	if len(s.Queries) == 0 {
		add(muted.Render("no queries recorded for this SLO"))
	}
	// Query lines carry no colour, margin or marker, so a mouse selection of them
	// pastes as PromQL; the label is a PromQL comment for the same reason.
	for _, k := range d.queryKeys() {
		add(muted.Render(ui.Trunc("# "+textsafe.Clean(k), w, g.Ellipsis)))
		out = append(out, Wrap(textsafe.Clean(s.Queries[k]), w)...)
	}
	return out
}

func (d Detail) budgetLine(w int, role ui.Role) string {
	st, g, s := d.st, d.st.Glyphs, &d.slo
	var lb ui.LineBuilder
	plain := st.P(ui.Plain, false)
	lb.Add(plain, "budget left ")
	pct := g.Dash
	if b, ok := s.BudgetRemaining.Get(); ok {
		if b < 0 {
			role = ui.Crit
		}
		barW := min(max(w-60, 10), 40)
		lb.Add(st.P(role, false), ui.Bar(b, barW, g.BarFull, g.BarEmpty)+" ")
		pct = format.Budget(b)
	}
	lb.Add(st.P(role, false), pct)
	lb.Add(plain, "   error ratio "+ui.Num(s.ErrorRatio, g.Dash, format.Percent2)+"   empty in ")
	lb.Add(plain, ui.Num(s.ExhaustionSeconds, g.Dash, format.Exhaustion))
	return lb.String()
}

func (d Detail) conditionLines() []string {
	st, g, s := d.st, d.st.Glyphs, &d.slo
	if len(s.Conditions) == 0 {
		return []string{st.P(ui.NoData, false).Render("no burn-rate conditions for this SLO")}
	}
	out := []string{st.P(ui.Header, false).Render(fmt.Sprintf("%-7s %5s %5s  %9s  %9s  %10s  %s",
		"ALERT", "LONG", "SHORT", "THRESHOLD", "LONG BURN", "SHORT BURN", "FIRING"))}
	burn := func(n *alerts.Number, factor float64, level alerts.Level) (string, ui.Role) {
		b, ok := n.Get()
		if !ok {
			return g.Dash, ui.NoData
		}
		return BurnBeside(b, factor), slos.LevelRole(level)
	}
	for _, c := range s.Conditions {
		badge, role := slos.LevelBadge(c.Alert)
		var lb ui.LineBuilder
		plain := st.P(ui.Plain, false)
		factor := float64(c.Factor)
		lb.Add(st.P(role, false), fmt.Sprintf("%-7s", badge))
		lb.Add(plain, fmt.Sprintf(" %5s %5s  %9s  ", textsafe.Clean(c.Long), textsafe.Clean(c.Short), "> "+format.Burn(factor)))
		if c.Skipped {
			// A long window as long as the SLO window says nothing the budget does not.
			lb.Add(st.P(ui.NoData, false), "not evaluated (SLO window "+textsafe.Clean(s.Window)+")")
			out = append(out, lb.String())
			continue
		}
		lv, lr := burn(c.LongBurn, factor, c.LongLevel)
		sv, sr := burn(c.ShortBurn, factor, c.ShortLevel)
		lb.Add(st.P(lr, false), ui.Right(lv, 9))
		lb.Add(plain, "  ")
		lb.Add(st.P(sr, false), ui.Right(sv, 10))
		lb.Add(plain, "  ")
		switch {
		case c.Firing:
			lb.Add(st.P(role, false), g.Yes+" firing")
		case c.LongBurn == nil || c.ShortBurn == nil:
			// Without both burns nothing is known: "not firing" would be a claim.
			lb.Add(st.P(ui.NoData, false), g.Dash+" unknown")
		default:
			lb.Add(st.P(ui.NoData, false), g.No+" not firing")
		}
		out = append(out, lb.String())
	}
	return out
}

// BurnBeside formats burn b for a line that compares it with threshold factor: with
// as many digits as it takes for the two to read differently when they are, so a
// burn of 1.4449x is never shown as "1.4x" against "> 1.4x" and "not firing".
func BurnBeside(b, factor float64) string {
	text := format.Burn(b)
	if b == factor || text != format.Burn(factor) {
		return text
	}
	for digits := 2; digits <= 6; digits++ {
		t := strconv.FormatFloat(b, 'f', digits, 64) + "x"
		if t != strconv.FormatFloat(factor, 'f', digits, 64)+"x" {
			return t
		}
	}
	return text
}
