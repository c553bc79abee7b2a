package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/themes"
)

// TestFits draws every mode at many sizes and checks no line is wider than the
// window and the frame is exactly as tall: a wrapped row would scroll the screen.
func TestFits(t *testing.T) {
	boards := map[string]alerts.Board{
		"healthy": healthyBoard(), "troubled": troubledBoard(), "big": bigBoard(200), "empty": {},
	}
	modes := map[string][]string{
		"normal": nil, "slos": {"2", "j"}, "zoom": {"z"}, "help": {"?"}, "detail": {"2", "enter"},
		"detail-end": {"2", "enter", "G"}, "scrolled": {"G"},
	}
	for _, ascii := range []bool{false, true} {
		for bn, b := range boards {
			for mn, keys := range modes {
				for _, w := range []int{20, 40, 60, 80, 100, 120, 160, 200, 240} {
					for _, h := range []int{3, 10, 24, 48, 60} {
						m := newModel(t, w, h, func(o *Options) { o.ASCII = ascii; o.Demo = true })
						board(m, b)
						press(t, m, keys...)
						lines := strings.Split(m.render(), "\n")
						if len(lines) != h {
							t.Errorf("%s/%s ascii=%v %dx%d: %d lines", bn, mn, ascii, w, h, len(lines))
						}
						for i, l := range lines {
							if lw := lipgloss.Width(l); lw > w {
								t.Errorf("%s/%s ascii=%v %dx%d: line %d is %d wide: %q", bn, mn, ascii, w, h, i, lw, l)
							}
						}
					}
				}
			}
		}
	}
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// TestHostileTextNeverReachesTheTerminal puts escape sequences, control and bidi
// characters in every string that comes from outside and checks that, once the
// dashboard's own colour sequences are removed, none is left.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	// \x1b[8m (concealed text) is the canary: the themes never draw it, so finding it
	// in the raw frame means outside text leaked, even though it is an SGR sequence
	// like the dashboard's own colours, which are stripped before the second check.
	const canary = "\x1b[8m"
	evil := "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b[31m" + canary + "\u202e\u009b1m\r\b"
	b := troubledBoard()
	for i := range b.Services {
		b.Services[i].Name = evil + b.Services[i].Name + evil
	}
	for i := range b.Sources {
		b.Sources[i].Name += evil
		b.Sources[i].Error += evil
	}
	for i := range b.SLOs {
		s := &b.SLOs[i]
		s.Name, s.Window, s.Service, s.Origin = evil+s.Name, s.Window+evil, evil, evil
		s.Queries = map[string]string{evil: evil + "up" + evil}
		for j := range s.Conditions {
			s.Conditions[j].Long += evil
		}
	}
	def, _ := themes.Get(themes.Default)
	m := newModel(t, 160, 48, func(o *Options) { o.Theme = def })
	board(m, b)
	check := func(what string) {
		t.Helper()
		raw := m.render()
		if strings.Contains(raw, canary) {
			t.Fatalf("%s: an SGR sequence from outside text reached the screen", what)
		}
		out := sgr.ReplaceAllString(raw, "")
		for _, r := range out {
			if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("%s: %U reached the screen", what, r)
			}
		}
	}
	check("dashboard")
	press(t, m, "2", "enter")
	check("SLO detail")
	press(t, m, "G")
	check("SLO detail, queries")
	press(t, m, "esc", "?")
	check("help")
}

func TestNoColourProfileSwitchesToMono(t *testing.T) {
	def, _ := themes.Get(themes.Default)
	m := newModel(t, 80, 24, func(o *Options) { o.Theme = def })
	board(m, troubledBoard())
	colour := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]`)
	if !colour.MatchString(m.render()) {
		t.Fatal("the default theme draws no colour: the test proves nothing")
	}
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.ASCII})
	if out := m.render(); colour.MatchString(out) {
		t.Error("NO_COLOR profile: colour sequences still drawn")
	}
	if !strings.Contains(m.render(), "\x1b[7m") {
		t.Error("NO_COLOR profile: the selection is not in reverse video")
	}
}
