package tui

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// newModel is a dashboard at w×h with the fixed clock and the mono theme, so views
// are reproducible and carry no colour.
func newModel(t testing.TB, w, h int, edit ...func(*Options)) *Model {
	t.Helper()
	mono, err := themes.Get(themes.Mono)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Theme:    mono,
		Now:      func() time.Time { return clock },
		Location: time.UTC,
		History:  fakeHistory,
		Version:  "v0.1.0",
	}
	for _, e := range edit {
		e(&opts)
	}
	m := New(opts)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// fakeHistory is 30 days of budget burning down, falling off a cliff at the end.
func fakeHistory(_ context.Context, name string) ([]sources.Point, error) {
	if strings.HasPrefix(name, "broken") {
		return nil, errors.New("query timed out\x1b]0;pwned\x07")
	}
	var pts []sources.Point
	for i := range 120 {
		v := 1 - float64(i)/200
		if i > 100 {
			v -= float64(i-100) * 0.05
		}
		pts = append(pts, sources.Point{T: clock.Add(time.Duration(i-119) * 6 * time.Hour), V: v})
	}
	return pts, nil
}

func board(m *Model, b alerts.Board) { m.Update(BoardMsg{Board: b}) }

// keyMsg spells a key the way Bubble Tea delivers it.
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r, _ := utf8.DecodeRuneInString(k)
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys and runs the commands they return that finish at once (history
// reads, refresh), feeding their messages back, as the program would.
func press(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		msg := keyMsg(k)
		if got := msg.String(); got != k {
			t.Fatalf("key %q is delivered as %q", k, got)
		}
		_, cmd := m.Update(msg)
		run(m, cmd)
	}
}

func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg.(type) {
	case nil, tea.QuitMsg:
		return
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			run(m, c)
		}
		return
	}
	_, next := m.Update(msg)
	run(m, next)
}

// screen is the frame as plain text: what a golden file holds.
func screen(m *Model) string { return ansi.Strip(m.render()) }

func golden(t *testing.T, name, got string) {
	t.Helper()
	if strings.ContainsRune(got, '\x1b') {
		t.Fatalf("%s: golden view contains an escape sequence", name)
	}
	path := filepath.Join("testdata", name+".golden")
	got += "\n"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, path, diff(string(want), got))
	}
}

func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + w + "\n  got  " + g + "\n")
		}
	}
	return b.String()
}
