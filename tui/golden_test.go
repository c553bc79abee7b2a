package tui

import (
	"strconv"
	"testing"

	"github.com/vigil-sre/vigil/themes"
)

var goldenSizes = [][2]int{{80, 24}, {160, 48}}

func sizeName(w, h int) string { return strconv.Itoa(w) + "x" + strconv.Itoa(h) }

func TestGoldenViews(t *testing.T) {
	cases := []struct {
		name  string
		sizes [][2]int
		setup func(t *testing.T, m *Model)
		opts  []func(*Options)
	}{
		{name: "healthy", setup: func(t *testing.T, m *Model) { board(m, healthyBoard()) }},
		{
			name:  "troubled",
			sizes: [][2]int{{80, 24}, {160, 48}, {200, 60}},
			setup: func(t *testing.T, m *Model) { board(m, troubledBoard()) },
			opts:  []func(*Options){func(o *Options) { o.Demo = true }},
		},
		{
			name:  "troubled-ascii",
			sizes: [][2]int{{80, 24}},
			setup: func(t *testing.T, m *Model) { board(m, troubledBoard()) },
			opts:  []func(*Options){func(o *Options) { o.Glyphs = themes.ASCII }},
		},
		{
			name: "slos-zoomed",
			setup: func(t *testing.T, m *Model) {
				board(m, troubledBoard())
				press(t, m, "2", "z", "j")
			},
		},
		{
			name: "slo-detail",
			setup: func(t *testing.T, m *Model) {
				board(m, troubledBoard())
				press(t, m, "2", "enter")
			},
		},
		{
			// A 3d SLO on 2 days of data, whose 3d/6h condition is not evaluated.
			name:  "slo-detail-partial",
			sizes: [][2]int{{80, 24}},
			setup: func(t *testing.T, m *Model) {
				board(m, troubledBoard())
				press(t, m, "2", "j", "j", "j", "enter")
			},
		},
		{
			name:  "slo-detail-loading",
			sizes: [][2]int{{80, 24}},
			setup: func(t *testing.T, m *Model) {
				board(m, troubledBoard())
				press(t, m, "2")
				m.Update(keyMsg("enter")) // the history command is not run
			},
		},
		{
			name:  "slo-detail-ascii",
			sizes: [][2]int{{80, 24}},
			setup: func(t *testing.T, m *Model) {
				board(m, troubledBoard())
				press(t, m, "2", "enter")
			},
			opts: []func(*Options){func(o *Options) { o.Glyphs = themes.ASCII }},
		},
		{
			name: "help",
			setup: func(t *testing.T, m *Model) {
				board(m, troubledBoard())
				press(t, m, "?")
			},
		},
		{
			name:  "scrolling",
			sizes: [][2]int{{80, 24}},
			setup: func(t *testing.T, m *Model) {
				board(m, bigBoard(30))
				for range 20 {
					press(t, m, "j")
				}
			},
		},
		{
			name:  "waiting",
			sizes: [][2]int{{80, 24}},
			setup: func(t *testing.T, m *Model) {},
		},
	}
	for _, tc := range cases {
		sizes := tc.sizes
		if sizes == nil {
			sizes = goldenSizes
		}
		for _, sz := range sizes {
			name := tc.name + "-" + sizeName(sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				m := newModel(t, sz[0], sz[1], tc.opts...)
				tc.setup(t, m)
				golden(t, name, screen(m))
			})
		}
	}
}
