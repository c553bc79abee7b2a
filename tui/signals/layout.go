package signals

// Column widths of the four values (latency, traffic, errors, saturation): wide
// enough for "9999ms", "999k/s", "100.00%" and "999%".
var (
	valW   = [4]int{7, 7, 7, 5}
	labels = [4]string{"LATENCY", "TRAFFIC", "ERRORS", "SAT"}
)

const (
	minName   = 12 // below this a name is mostly ellipsis
	prefName  = 28 // names get this much before sparklines get anything
	maxName   = 48
	minSpark  = 4  // a narrower sparkline shows no shape
	softSpark = 24 // sparklines grow past this only once names are whole
	maxSparkW = 60
	lead      = 4 // cursor, two-cell marker, space
)

// layout is the pane's columns at one width. Space is shared in this order: names
// up to prefName, sparklines up to softSpark, names up to their longest, then
// sparklines up to the longest series. When the width shrinks, sparklines drop out
// first, then the gaps narrow, then the rightmost columns go; no row is ever wider
// than the pane.
type layout struct {
	width int
	nameW int
	gap   int
	cols  int
	spark int
	over  bool // even the narrowest layout is too wide: rows are clipped
}

func (l layout) fixed() int {
	n := lead
	for c := range l.cols {
		n += l.gap + valW[c]
		if l.spark > 0 {
			n += 1 + l.spark
		}
	}
	return n
}

// computeLayout lays out a pane w cells wide whose widest name cell is longest and
// whose longest series has maxSpark points.
func computeLayout(w, longest, maxSpark int) layout {
	l := layout{width: w, gap: 2, cols: 4}
	want := min(max(longest, minName), maxName)
	if maxSpark >= 2 {
		s := (w-l.fixed()-min(want, prefName))/l.cols - 1
		if s >= minSpark {
			l.spark = min(s, softSpark, maxSpark)
			if rest := w - l.fixed() - want; rest >= l.cols {
				l.spark = min(l.spark+rest/l.cols, maxSpark, maxSparkW)
			}
		}
	}
	l.nameW = min(w-l.fixed(), want)
	if l.nameW < minName {
		l.gap = 1
		l.nameW = min(w-l.fixed(), want)
	}
	for l.nameW < minName && l.cols > 1 {
		l.cols--
		l.nameW = min(w-l.fixed(), want)
	}
	if l.nameW < 1 {
		l.nameW, l.over = 1, true
	}
	return l
}
