package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/internal/textsafe"
)

// FilterTitle is Title for a pane under a / filter: "3 ALERTS 12 of 340 {service="x"}",
// or while its rows scroll "3 ALERTS 4-21/12 of 340 {service="x"}": n rows shown
// of total, and the filter (already safe to draw). The filter is dropped first,
// then the name shortened; the count stays while anything does.
func FilterTitle(num, name, short string, n, total, first, last int, loaded bool, query string, w int) string {
	count := ""
	switch {
	case !loaded:
	case last-first >= n:
		count = " " + strconv.Itoa(n) + " of " + strconv.Itoa(total)
	default:
		count = " " + strconv.Itoa(first+1) + "-" + strconv.Itoa(last) + "/" + strconv.Itoa(n) + " of " + strconv.Itoa(total)
	}
	cands := []string{
		num + " " + name + count + " " + query, num + " " + short + count + " " + query,
		num + " " + name + count, num + " " + short + count, num + count, num + " " + name,
	}
	for _, c := range cands {
		if Width(c) <= w {
			return c
		}
	}
	return cands[len(cands)-1]
}

// Overrun writes a pane's painted title over the start of its header line, whose
// first col cells are the title's column: a filtered title may be wider than the
// column, and then runs over the column labels it reaches, which are left out whole.
// The filter must show; the labels are known from before it was set.
func Overrun(line, title string, col int) string {
	tw := ansi.StringWidth(title)
	if tw < col {
		return title + Spaces(col-tw) + ansi.TruncateLeft(line, col, "")
	}
	rest := ansi.TruncateLeft(line, tw+1, "")
	if ansi.Strip(ansi.Cut(line, tw, tw+1)) != " " {
		// The title ends inside a label: the rest of it goes too.
		k := strings.IndexByte(ansi.Strip(rest), ' ')
		if k < 0 {
			return title
		}
		rest = ansi.TruncateLeft(rest, k, "")
	}
	return title + " " + rest
}

// NoMatch is what a pane whose filter keeps none of its rows says: never the
// all-clear wording of an empty list, since rows may be there. doubt is why the
// rows may not be all there are ("" when the source answered), drawn safe.
func NoMatch(query, doubt string) string {
	if doubt != "" {
		return "    no rows match " + query + "; rows unknown: " + textsafe.Clean(doubt)
	}
	return "    no rows match " + query + " (esc clears)"
}

// Refiltered settles the cursor after the rows were filtered anew: it stays on the
// row it was on (sel, when had) if that row is still shown, else goes to the first.
func (l *List) Refiltered(sel string, had bool) {
	if cur, ok := l.SelectedName(); had && ok && cur == sel {
		return
	}
	l.cursor, l.offset = 0, 0
	l.clamp()
}
