package ui

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/sources"
)

// Spark draws pts as a sparkline right-aligned in w cells. When there are more
// points than cells, the whole window is kept and each cell shows the highest point
// of its share (a spike must not vanish between cells). The scale is the series'
// own range, but never narrower than half its magnitude (see below), so noise is
// not drawn as full-height spikes. Fewer than two points draw
// nothing: one point has no shape. A series flat at zero is drawn on the second
// level, so it reads as "flat", not "missing".
func Spark(levels []rune, pts []sources.Point, w int) string {
	return string(AppendSpark(nil, levels, pts, w))
}

// AppendSpark is Spark appending to dst, so a pane painting hundreds of sparklines
// can reuse one buffer. It allocates nothing beyond dst's growth.
func AppendSpark(dst []byte, levels []rune, pts []sources.Point, w int) []byte {
	if w <= 0 || len(pts) < 2 || len(levels) == 0 {
		return dst
	}
	cells := min(len(pts), w)
	// cell returns the value drawn in cell c: the peak of its share of the points.
	cell := func(c int) float64 {
		from, to := c*len(pts)/cells, (c+1)*len(pts)/cells
		v := pts[from].V
		for _, p := range pts[from+1 : to] {
			v = max(v, p.V)
		}
		return v
	}
	lo, hi := cell(0), cell(0)
	for c := 1; c < cells; c++ {
		v := cell(c)
		lo, hi = min(lo, v), max(hi, v)
	}
	// Never scale on a range narrower than half the series' magnitude, centred on
	// the data: a few percent of noise then reads as a ripple around the middle,
	// while a real change still spans the full height.
	// A series that never goes below zero is not drawn against negative room.
	if minSpan := 0.5 * max(math.Abs(lo), math.Abs(hi)); hi-lo < minSpan {
		nonNegative := lo >= 0
		mid := (lo + hi) / 2
		lo, hi = mid-minSpan/2, mid+minSpan/2
		if nonNegative && lo < 0 {
			lo, hi = 0, minSpan
		}
	}
	for range w - cells {
		dst = append(dst, ' ')
	}
	top := len(levels) - 1
	scale := 0.0
	if hi > lo {
		scale = float64(top) / (hi - lo)
	}
	for c := range cells {
		i := min(1, top)
		if scale > 0 {
			i = int((cell(c)-lo)*scale + 0.5)
		}
		dst = utf8.AppendRune(dst, levels[i])
	}
	return dst
}

// Bar draws a share between 0 and 1 as a bar of w cells. A negative share (an
// overspent budget) is an empty bar: the number beside it says by how much.
func Bar(share float64, w int, full, empty rune) string {
	if w <= 0 {
		return ""
	}
	share = min(max(share, 0), 1)
	n := int(math.Round(share * float64(w)))
	if share > 0 && n == 0 {
		n = 1 // anything left is visibly not nothing
	}
	if share < 1 && n == w {
		n = w - 1
	}
	return strings.Repeat(string(full), n) + strings.Repeat(string(empty), w-n)
}

// Chart draws values (oldest first) as an area chart w cells wide and h tall,
// from lo at the bottom to hi at the top, each column the last value of its share
// of the points. levels are eighths of a cell, lowest first. It returns h lines of
// exactly w cells.
func Chart(levels []rune, values []float64, lo, hi float64, w, h int) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	cols := make([]float64, w)
	for i := range cols {
		cols[i] = math.NaN()
	}
	if n := len(values); n > 0 {
		for i := range w {
			if n >= w {
				cols[i] = values[(i+1)*n/w-1] // the last value of the column's share
			} else {
				cols[i] = values[i*n/w] // fewer points than columns: stretch them
			}
		}
	}
	top := len(levels) - 1
	eighths := make([]int, w)
	for i, v := range cols {
		if math.IsNaN(v) || hi <= lo {
			eighths[i] = -1
			continue
		}
		eighths[i] = int(math.Round((min(max(v, lo), hi) - lo) / (hi - lo) * float64(h*8)))
	}
	lines := make([]string, h)
	for r := range h {
		floor := (h - 1 - r) * 8 // eighths below this row
		var b strings.Builder
		for _, e := range eighths {
			switch k := e - floor; {
			case e < 0 || k <= 0:
				b.WriteByte(' ')
			case k >= 8:
				b.WriteRune(levels[top])
			default:
				b.WriteRune(levels[min(top, k-1)])
			}
		}
		lines[r] = b.String()
	}
	return lines
}
