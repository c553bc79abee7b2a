package ui

import (
	"strings"
	"testing"
)

func order(l *List) string {
	var out []string
	for p := range l.Len() {
		out = append(out, l.names[l.At(p)])
	}
	return strings.Join(out, " ")
}

func TestListFollowsTheName(t *testing.T) {
	var l List
	l.SetHeight(3)
	l.Set([]string{"a", "b", "c", "d", "e"})
	l.Move(3) // d, scrolled: offset 1, d on screen line 2
	if n, _ := l.SelectedName(); n != "d" || l.Window(3) != 1 {
		t.Fatalf("selected %s at offset %d", n, l.Window(3))
	}
	l.Set([]string{"d", "a", "b", "c", "e"})
	if n, _ := l.SelectedName(); n != "d" {
		t.Errorf("after reorder %s selected, want d", n)
	}
	if l.Cursor() != 0 || l.Window(3) != 0 {
		t.Errorf("cursor %d offset %d, want 0 0", l.Cursor(), l.Window(3))
	}
	l.Set([]string{"e", "a", "b", "c", "x", "d"})
	if n, _ := l.SelectedName(); n != "d" {
		t.Errorf("%s selected, want d", n)
	}
}

func TestListKeepsTheScreenLine(t *testing.T) {
	var l List
	l.SetHeight(4)
	l.Set([]string{"a", "b", "c", "d", "e", "f", "g", "h"})
	l.Move(5)  // f, offset 2: screen line 3
	l.Move(-1) // e, screen line 2
	if l.Cursor()-l.Window(4) != 2 {
		t.Fatalf("setup: cursor %d offset %d", l.Cursor(), l.Window(4))
	}
	l.Set([]string{"a", "b", "c", "d", "f", "g", "e", "h"})
	if n, _ := l.SelectedName(); n != "e" || l.Cursor()-l.Window(4) != 2 {
		t.Errorf("%s selected on screen line %d, want e on line 2", n, l.Cursor()-l.Window(4))
	}
}

func TestListFrozen(t *testing.T) {
	var l List
	l.Set([]string{"a", "b", "c"})
	l.Move(1)
	l.SetFrozen(true)
	l.Set([]string{"c", "x", "a"})
	if got := order(&l); got != "a c x" {
		t.Errorf("frozen order %q, want a c x (b gone, x appended)", got)
	}
	if n, _ := l.SelectedName(); n != "c" {
		t.Errorf("frozen: %s selected, want c (b went away, the cursor stays in place)", n)
	}
	l.SetFrozen(false)
	if got := order(&l); got != "c x a" {
		t.Errorf("unfrozen order %q, want c x a", got)
	}
	if n, _ := l.SelectedName(); n != "c" {
		t.Errorf("unfrozen: %s selected, want c", n)
	}
}

func TestListScrolling(t *testing.T) {
	var l List
	names := make([]string, 30)
	for i := range names {
		names[i] = string(rune('A' + i))
	}
	l.SetHeight(10)
	l.Set(names)
	l.Bottom()
	if l.Cursor() != 29 || l.Window(10) != 20 {
		t.Errorf("G: cursor %d offset %d", l.Cursor(), l.Window(10))
	}
	l.Move(-l.Page())
	if l.Cursor() != 20 || l.Window(10) != 20 {
		t.Errorf("page up: cursor %d offset %d", l.Cursor(), l.Window(10))
	}
	l.Top()
	if l.Cursor() != 0 || l.Window(10) != 0 {
		t.Errorf("g: cursor %d offset %d", l.Cursor(), l.Window(10))
	}
	// A smaller window still shows the cursor.
	l.Move(15)
	if off := l.Window(4); l.Cursor() < off || l.Cursor() >= off+4 {
		t.Errorf("cursor %d not in window %d+4", l.Cursor(), off)
	}
	var empty List
	empty.Move(1)
	empty.Bottom()
	if _, ok := empty.SelectedName(); ok {
		t.Error("empty list has a selection")
	}
}

// TestListStartsAtTheTop: until the operator moves, the cursor is on the first row
// of the sorted list, not on whichever row it happened to start on.
func TestListStartsAtTheTop(t *testing.T) {
	var l List
	l.SetHeight(3)
	names := make([]string, 200)
	for i := range names {
		names[i] = string(rune('a'+i/26)) + string(rune('a'+i%26))
	}
	l.Set(names) // before the first poll: name order
	worstFirst := append(append([]string{}, names[1:]...), names[0])
	l.Set(worstFirst) // "aa" is healthy and sorts last
	if n, _ := l.SelectedName(); n != worstFirst[0] || l.Window(3) != 0 {
		t.Errorf("cursor on %s at offset %d, want the top row %s", n, l.Window(3), worstFirst[0])
	}
	l.Move(1)
	sel, _ := l.SelectedName()
	l.Set(names)
	if n, _ := l.SelectedName(); n != sel {
		t.Errorf("once moved, the cursor follows its row: %s, want %s", n, sel)
	}
}
