package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Width is the number of cells s takes on screen. Printable ASCII, most of what a
// pane draws, is counted without grapheme segmentation.
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Trunc cuts s to at most w cells, ending it with ell when something was cut.
func Trunc(s string, w int, ell string) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, ell)
}

// Fit cuts or pads s to exactly w cells, left-aligned.
func Fit(s string, w int, ell string) string {
	s = Trunc(s, w, ell)
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// Right pads s on the left to w cells; s must already fit.
func Right(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// NameCell fits a name and an optional tag (" stale", " ⚠ retention") into at most
// w cells. The name is cut before the tag, because the tag is what changes how the
// row is read, but never below keep cells (a name cut to "alert…" identifies
// nothing): past that the tag is cut instead, and with no room for any tag only the
// name is shown.
func NameCell(name, tag string, w, keep int, ell string) string {
	if tag == "" {
		return Trunc(name, w, ell)
	}
	keep = max(min(keep, Width(name)), 4)
	if w-Width(tag) >= keep {
		return Trunc(Trunc(name, w-Width(tag), ell)+tag, w, ell)
	}
	if w-keep < 5 { // no room for a tag that says anything
		return Trunc(name, w, ell)
	}
	// The name keeps keep cells; the tag is cut.
	return Trunc(name, keep, ell) + Trunc(tag, w-keep, ell)
}

// Spaces returns n spaces.
func Spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}

// Lines pads or cuts text to exactly h lines, so a parent can stack panes without
// measuring them.
func Lines(lines []string, h int) string {
	if h <= 0 {
		return ""
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	n := h
	for _, l := range lines {
		n += len(l)
	}
	var b strings.Builder
	b.Grow(n)
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	pad := h - len(lines)
	if len(lines) == 0 {
		pad = h - 1
	}
	for range pad {
		b.WriteByte('\n')
	}
	return b.String()
}

// ClipWidth is Clip, and the width of what it returns.
func ClipWidth(line string, w int) (string, int) {
	n := ansi.StringWidth(line)
	if n <= w {
		return line, n
	}
	line = ansi.Truncate(line, w, "")
	return line, ansi.StringWidth(line)
}

// Clip cuts an already painted line to w cells, keeping its escape sequences whole.
// It is the last guard against a row wrapping; layouts are computed not to need it.
func Clip(line string, w int) string {
	if ansi.StringWidth(line) <= w {
		return line
	}
	return ansi.Truncate(line, w, "")
}

// Title is a pane's title in at most w cells: "1 SERVICES 30", or while its rows
// scroll "1 SERVICES 4-21/30". The name is shortened before the position is
// dropped: where the operator is in a long list matters more than the word.
func Title(num, name, short string, n, first, last int, loaded bool, w int) string {
	var cands []string
	switch {
	case !loaded:
		cands = []string{num + " " + name}
	case last-first >= n:
		cands = []string{num + " " + name + " " + strconv.Itoa(n), num + " " + name}
	default:
		pos := strconv.Itoa(first+1) + "-" + strconv.Itoa(last) + "/" + strconv.Itoa(n)
		cands = []string{num + " " + name + " " + pos, num + " " + short + " " + pos, num + " " + pos, num + " " + name}
	}
	for _, c := range cands {
		if Width(c) <= w {
			return c
		}
	}
	return cands[len(cands)-1]
}
