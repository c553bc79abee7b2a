package slos

const (
	badgeW   = 7 // "NO DATA"
	pctW     = 6 // "-100%"
	burnW    = 5 // "16.0x", ">999x"
	exhaustW = 8 // "EMPTY IN" over "3d4h", "spent"
	lead     = 2 + badgeW
	minName  = 16 // SLO names are long and alike: "checkout-availability"
	prefName = 28
	minBar   = 5
	maxBar   = 24
)

// layout is the pane's columns at one width. Names get up to prefName first, then
// the budget bar, then the rest. When the width shrinks, the objective goes first
// (it never changes, and the detail view shows it), also whenever keeping it would
// cut a name, then the bar (the percentage
// beside it stays), then the longest burn-rate windows, then the time to
// exhaustion. At 80 columns that keeps the bar, the percentage and all four burn
// rates.
type layout struct {
	width   int
	nameW   int
	objW    int
	obj     bool
	bar     int
	burns   int
	exhaust bool
	over    bool
}

func (l layout) budgetW() int {
	if l.bar > 0 {
		return l.bar + 1 + pctW
	}
	return pctW
}

func (l layout) fixed() int {
	n := lead + 2 + l.budgetW() + l.burns*(1+burnW)
	if l.obj {
		n += 2 + l.objW
	}
	if l.exhaust {
		n += 2 + exhaustW
	}
	return n
}

// computeLayout lays out a pane w cells wide whose longest name is longestName
// cells, longest with its tag. A tag may squeeze its name, so only the names
// themselves are weighed against the bar; tags get what is left.
func computeLayout(w, longestName, longest, objW int) layout {
	l := layout{width: w, objW: objW, obj: true, burns: len(BurnWindows), exhaust: true}
	want := max(longest, minName)
	bar := func() int { return w - l.fixed() - min(max(longestName, minName), prefName) - 1 }
	if b := bar(); b >= minBar {
		l.bar = min(b, maxBar)
	} else if l.obj = false; bar() >= minBar {
		l.bar = min(bar(), maxBar)
	} else {
		l.obj = true // the bar does not fit either way
	}
	fit := func() bool {
		l.nameW = min(w-l.fixed(), want)
		return l.nameW >= min(minName, want)
	}
	if !fit() || l.nameW < want {
		// A cut name ("alert…") is worse than no objective: it never changes, and the
		// detail view shows it.
		l.obj = false
		fit()
	}
	for !fit() && l.burns > 2 {
		l.burns--
	}
	if !fit() {
		l.exhaust = false
	}
	for !fit() && l.burns > 0 {
		l.burns--
	}
	if l.nameW < 1 {
		l.nameW, l.over = 1, true
	}
	return l
}
