package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// fakePane needs n lines.
type fakePane struct{ n int }

func (f fakePane) setBoard(*alerts.Board) pane            { return f }
func (f fakePane) setSize(int, int) pane                  { return f }
func (f fakePane) setStyles(*ui.Styles) pane              { return f }
func (f fakePane) setFocused(bool) pane                   { return f }
func (f fakePane) setFrozen(bool) pane                    { return f }
func (f fakePane) update(tea.KeyPressMsg) (pane, tea.Cmd) { return f, nil }
func (f fakePane) view(w, h int) string                   { return strings.Repeat("x\n", h) }
func (f fakePane) need() int                              { return f.n }
func (f fakePane) rows() int                              { return f.n - 1 }
func (f fakePane) helpName() string                       { return "fake" }
func (f fakePane) open(*Model) (overlay, tea.Cmd)         { return nil, nil }

func heights(rs []region) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.h
	}
	return out
}

func TestAllocate(t *testing.T) {
	cases := []struct {
		name  string
		needs []int
		w, h  int
		want  []int
		cols  int
	}{
		{"all fit, a blank line after each, spare at the bottom", []int{5, 3, 4}, 100, 20, []int{6, 4, 10}, 1},
		{"too many rows: later panes keep up to a third", []int{50, 30, 3}, 100, 30, []int{17, 10, 3}, 1},
		{"the first pane needs little: the others get it", []int{4, 40}, 100, 30, []int{4, 26}, 1},
		{"tiny body", []int{10, 10}, 100, 3, []int{0, 3}, 1},
		{"wide: side by side", []int{50, 8, 6}, 200, 40, []int{40, 9, 31}, 2},
	}
	for _, c := range cases {
		var ps []pane
		for _, n := range c.needs {
			ps = append(ps, fakePane{n})
		}
		rs := allocate(ps, 0, false, c.w, c.h)
		if got := heights(rs); !equal(got, c.want) {
			t.Errorf("%s: heights %v, want %v", c.name, got, c.want)
		}
		cols := 0
		perCol := map[int]int{}
		for _, r := range rs {
			cols = max(cols, r.col+1)
			perCol[r.col] += r.h
		}
		if cols != c.cols {
			t.Errorf("%s: %d columns, want %d", c.name, cols, c.cols)
		}
		for col, sum := range perCol {
			if sum > c.h {
				t.Errorf("%s: column %d uses %d lines of %d", c.name, col, sum, c.h)
			}
		}
	}
	if rs := allocate([]pane{fakePane{5}, fakePane{5}}, 1, true, 80, 20); rs[1].h != 20 || rs[0].h != 0 {
		t.Errorf("zoom: %v", heights(rs))
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOverlayStack: the help opens over a detail and esc pops only the help; keys go
// to the top overlay first.
func TestOverlayStack(t *testing.T) {
	m := newModel(t, 100, 40)
	board(m, troubledBoard())
	press(t, m, "2", "enter", "?")
	if len(m.stack) != 2 || !strings.Contains(screen(m), "KEYS") {
		t.Fatalf("stack %d, screen:\n%s", len(m.stack), screen(m))
	}
	press(t, m, "j") // the help takes it
	press(t, m, "esc")
	if len(m.stack) != 1 || !strings.Contains(screen(m), "BURN-RATE CONDITIONS") {
		t.Fatalf("esc must pop only the help: stack %d\n%s", len(m.stack), screen(m))
	}
	press(t, m, "esc")
	if len(m.stack) != 0 {
		t.Errorf("esc must pop the detail")
	}
}
