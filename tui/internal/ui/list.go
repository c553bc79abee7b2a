package ui

// List is the display order of a pane's rows and its cursor. The cursor follows a
// name, not an index: when a new Board reorders the rows, the row under the
// cursor stays the same service and, when it can, on the same screen line, so
// nothing moves under the operator's eyes but the row's neighbours.
//
// Frozen, the order of the rows already shown is kept; new rows are appended and
// rows that went away are dropped.
type List struct {
	names  []string // the names last given to Set, in the order given
	idx    []int    // display order: indices into names
	cursor int      // position in idx
	offset int      // first visible position
	height int      // rows visible as last laid out; 0 before any layout
	frozen bool
	// moved: the operator has moved the cursor. Until then it stays on the top row,
	// the worst one, rather than following whichever row it happened to start on
	// (before the first poll the rows are in name order, and the alphabetically first
	// service may then sort to the bottom of 200).
	moved bool
}

// Set replaces the rows by names, given in their natural (worst-first) order.
func (l *List) Set(names []string) {
	sel, hadSel := l.SelectedName()
	rel := l.cursor - l.offset

	idx := make([]int, 0, len(names))
	if l.frozen && len(l.idx) > 0 {
		pos := make(map[string]int, len(names))
		for j := len(names) - 1; j >= 0; j-- {
			pos[names[j]] = j // the first of duplicate names wins
		}
		used := make([]bool, len(names))
		for _, old := range l.idx {
			if j, ok := pos[l.names[old]]; ok && !used[j] {
				idx = append(idx, j)
				used[j] = true
			}
		}
		for j := range names {
			if !used[j] {
				idx = append(idx, j)
			}
		}
	} else {
		for j := range names {
			idx = append(idx, j)
		}
	}
	l.names, l.idx = names, idx
	if !l.moved {
		l.cursor, l.offset = 0, 0
		l.clamp()
		return
	}
	l.follow(sel, hadSel, rel)
}

// follow puts the cursor back on the row called sel, at screen line rel when it can.
func (l *List) follow(sel string, hadSel bool, rel int) {
	found := false
	if hadSel {
		for p, j := range l.idx {
			if l.names[j] == sel {
				l.cursor, found = p, true
				break
			}
		}
	}
	if !found {
		// The row went away: stay at the same place in the list.
		l.cursor = min(max(l.cursor, 0), max(len(l.idx)-1, 0))
	}
	l.offset = l.cursor - rel
	l.clamp()
}

// SetFrozen freezes or unfreezes the order. Unfreezing shows the natural order at
// once, with the cursor still on its row.
func (l *List) SetFrozen(frozen bool) {
	if l.frozen == frozen {
		return
	}
	l.frozen = frozen
	if !frozen {
		sel, ok := l.SelectedName()
		rel := l.cursor - l.offset
		// A new slice: a copy of the pane made before may still hold the old one.
		idx := make([]int, len(l.idx))
		for p := range idx {
			idx[p] = p
		}
		l.idx = idx
		l.follow(sel, ok, rel)
	}
}

// Frozen reports whether the order is frozen.
func (l *List) Frozen() bool { return l.frozen }

// SetHeight records how many rows are visible and keeps the cursor among them.
func (l *List) SetHeight(h int) {
	l.height = h
	l.clamp()
}

// Pin makes the cursor follow its row from now on, as a move would.
func (l *List) Pin() { l.moved = true }

// Move moves the cursor by d rows, stopping at the ends.
func (l *List) Move(d int) {
	l.moved = true
	l.cursor = min(max(l.cursor+d, 0), max(len(l.idx)-1, 0))
	l.clamp()
}

// Top moves the cursor to the first row.
func (l *List) Top() { l.Move(-len(l.idx)) }

// Bottom moves the cursor to the last row.
func (l *List) Bottom() { l.Move(len(l.idx)) }

// Page is the number of rows a page key moves.
func (l *List) Page() int { return max(l.height-1, 1) }

// Len is the number of rows.
func (l *List) Len() int { return len(l.idx) }

// At is the index (into the names given to Set) of the row at display position p.
func (l *List) At(p int) int { return l.idx[p] }

// Cursor is the display position of the cursor.
func (l *List) Cursor() int { return l.cursor }

// SelectedName is the name of the row under the cursor.
func (l *List) SelectedName() (string, bool) {
	if l.cursor < 0 || l.cursor >= len(l.idx) {
		return "", false
	}
	return l.names[l.idx[l.cursor]], true
}

// Window is the first display position to draw when h rows fit, keeping the
// cursor visible. It does not change the list, so a View of any size can use it.
func (l *List) Window(h int) int {
	return clampOffset(l.offset, l.cursor, len(l.idx), h)
}

func (l *List) clamp() {
	if l.height > 0 {
		l.offset = clampOffset(l.offset, l.cursor, len(l.idx), l.height)
	}
}

func clampOffset(offset, cursor, n, h int) int {
	if h <= 0 {
		return 0
	}
	offset = min(max(offset, 0), max(n-h, 0))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	return max(offset, 0)
}

// Key moves the cursor for a navigation key (j/k, arrows, g/G, home/end, page
// up/down) and reports whether the key was one: every list pane moves alike.
func (l *List) Key(k string) bool {
	switch k {
	case "j", "down":
		l.Move(1)
	case "k", "up":
		l.Move(-1)
	case "g", "home":
		l.Top()
	case "G", "end":
		l.Bottom()
	case "pgdown", "ctrl+f":
		l.Move(l.Page())
	case "pgup", "ctrl+b":
		l.Move(-l.Page())
	default:
		return false
	}
	return true
}

// Scroll moves the first line of a scrolling view for a key (j/k, arrows, page keys,
// g/G, home/end), page lines at a time for the page keys, and reports whether the key
// was one of them. The caller clamps the result to its content.
func Scroll(offset int, key string, page int) (int, bool) {
	switch key {
	case "j", "down":
		return offset + 1, true
	case "k", "up":
		return offset - 1, true
	case "pgdown", "ctrl+f", "space":
		return offset + page, true
	case "pgup", "ctrl+b":
		return offset - page, true
	case "g", "home":
		return 0, true
	case "G", "end":
		return 1 << 30, true
	}
	return offset, false
}
