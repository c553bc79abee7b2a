package slodetail

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/slos"
)

// chartLines is the budget-over-time chart, h rows of plot and a time axis, or
// what stands in for it while there is none.
func (d Detail) chartLines(w, h int) []string {
	st, g := d.st, d.st.Glyphs
	muted := st.P(ui.NoData, false)
	switch {
	case d.noSrc:
		return []string{muted.Render("no budget history: no Prometheus keeps it")}
	case d.loading && len(d.points) < 2:
		return []string{muted.Render("loading" + g.Ellipsis)}
	case d.err != "":
		return []string{st.P(ui.Crit, false).Render(ui.Trunc("history unavailable: "+d.err, w, g.Ellipsis))}
	case len(d.points) < 2:
		return []string{muted.Render("not enough history to draw yet")}
	}
	const gutter = 7 // "-100% │"
	plotW := max(w-gutter, 1)
	vals := make([]float64, len(d.points))
	lo, hi := 0.0, 1.0
	for i, p := range d.points {
		vals[i] = p.V
		lo, hi = min(lo, p.V), max(hi, p.V)
	}
	_, role := slos.Badge(d.slo.State)
	if d.slo.State == alerts.SLOOK {
		role = ui.Accent
	}
	plot := ui.Chart(g.Spark, vals, lo, hi, plotW, h)
	zero := -1
	if lo < 0 {
		zero = h - 1 - int(math.Floor(-lo/(hi-lo)*float64(h)))
	}
	out := make([]string, 0, h+1)
	paint := st.P(role, false)
	for r, line := range plot {
		label := ""
		switch r {
		case 0:
			label = format.Percent0(hi)
		case h - 1:
			label = format.Percent0(lo)
		case zero:
			label = "0%"
		}
		out = append(out, muted.Render(ui.Right(label, gutter-2)+" "+g.Axis)+paint.Render(strings.TrimRight(line, " ")))
	}
	span := d.points[len(d.points)-1].T.Sub(d.points[0].T)
	left, right := "-"+format.Span(span), "now"
	axis := ui.Spaces(gutter) + left + ui.Spaces(plotW-len(left)-len(right)) + right
	out = append(out, muted.Render(axis))
	return out
}

// Wrap breaks a query into lines of at most w cells, preferring to break after a
// space, comma or parenthesis outside a string literal, so that the pasted lines
// are still the same PromQL (PromQL ignores the line breaks there).
func Wrap(q string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for ui.Width(q) > w {
		cut, fits := breakPoint(q, w)
		if cut <= 0 {
			cut = fits // no break point: cut where the line is full
		}
		if cut <= 0 { // a rune wider than the line: it goes on a line of its own
			_, cut = utf8.DecodeRuneInString(q)
		}
		out = append(out, strings.TrimRight(q[:cut], " "))
		q = q[cut:]
	}
	if q != "" || len(out) == 0 {
		out = append(out, q)
	}
	return out
}

// breakPoint returns the byte index after the last space, comma or parenthesis
// outside a string literal within the first w cells of q (0 if none), and the
// byte index where those w cells end.
func breakPoint(q string, w int) (cut, fits int) {
	cells, quote, escaped := 0, byte(0), false
	for i := 0; i < len(q); {
		c, size, cw := q[i], 1, 1
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(q[i:])
			size, cw = n, ui.Width(string(r))
		}
		if cells+cw > w {
			return cut, i
		}
		cells += cw
		i += size
		switch {
		case escaped:
			escaped = false
		case quote != 0 && c == '\\':
			escaped = true
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\'' || c == '`'):
			quote = c
		case quote == 0 && (c == ' ' || c == ',' || c == '(' || c == ')'):
			cut = i
		}
	}
	return cut, len(q)
}
