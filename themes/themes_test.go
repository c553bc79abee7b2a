package themes

import (
	"image/color"
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

func TestGet(t *testing.T) {
	for _, name := range append(Names(), "") {
		th, err := Get(name)
		if err != nil {
			t.Fatalf("Get(%q): %v", name, err)
		}
		if name != "" && th.Name != name {
			t.Errorf("Get(%q).Name = %q", name, th.Name)
		}
	}
	if th, _ := Get(""); th.Name != Default {
		t.Errorf(`Get("") = %q, want the default theme`, th.Name)
	}
	if _, err := Get("solarized"); err == nil {
		t.Error("Get of an unknown theme: no error")
	}
}

// roles lists every role of a theme, so a new role cannot be forgotten by a test.
func roles(th Theme) map[string]lipgloss.Style {
	return map[string]lipgloss.Style{
		"ok": th.OK, "warn": th.Warn, "crit": th.Crit, "nodata": th.NoData,
		"accent": th.Accent, "header": th.Header, "badge-ok": th.BadgeOK,
		"badge-stale": th.BadgeStale, "selection": th.Selection, "demo": th.Demo,
		"border": th.Border,
	}
}

func TestMonoHasNoColour(t *testing.T) {
	th, _ := Get(Mono)
	for role, st := range roles(th) {
		if !isNoColor(st.GetForeground()) || !isNoColor(st.GetBackground()) {
			t.Errorf("mono %s has a colour", role)
		}
	}
	if !th.Selection.GetReverse() {
		t.Error("mono selection is not reverse video: it would be invisible")
	}
}

func isNoColor(c color.Color) bool {
	_, ok := c.(lipgloss.NoColor)
	return c == nil || ok
}

// TestDefaultUses16Colours keeps the default theme usable over SSH with TERM=xterm:
// every colour is one of the 16 basic ones, which no profile has to approximate.
func TestDefaultUses16Colours(t *testing.T) {
	th, _ := Get(Default)
	for role, st := range roles(th) {
		for _, c := range []color.Color{st.GetForeground(), st.GetBackground()} {
			if isNoColor(c) {
				continue
			}
			if _, ok := c.(ansi.BasicColor); !ok {
				t.Errorf("default %s uses %T, not one of the 16 basic colours", role, c)
			}
		}
	}
}

func TestForProfile(t *testing.T) {
	th, _ := Get(HighContrast)
	for _, p := range []colorprofile.Profile{colorprofile.NoTTY, colorprofile.ASCII} {
		if got := ForProfile(th, p).Name; got != Mono {
			t.Errorf("ForProfile(%v) = %s, want mono", p, got)
		}
	}
	for _, p := range []colorprofile.Profile{colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor} {
		if got := ForProfile(th, p).Name; got != HighContrast {
			t.Errorf("ForProfile(%v) = %s, want high-contrast", p, got)
		}
	}
}

func TestGlyphs(t *testing.T) {
	for _, g := range []Glyphs{Unicode, ASCII} {
		if len(g.Spark) != 8 {
			t.Errorf("%s: %d sparkline levels, want 8", g.Name, len(g.Spark))
		}
		for _, m := range []string{g.Crit, g.Warn, g.OK, g.NoData} {
			if w := ansi.StringWidth(m); w != 2 {
				t.Errorf("%s: marker %q is %d cells, want 2", g.Name, m, w)
			}
		}
		for _, s := range []string{g.Dash, g.Ellipsis, g.Cursor, g.Warning, g.Axis} {
			if w := ansi.StringWidth(s); w != 1 {
				t.Errorf("%s: %q is %d cells, want 1", g.Name, s, w)
			}
		}
	}
	all := string(ASCII.Spark) + string(ASCII.BarFull) + string(ASCII.BarEmpty) + ASCII.Crit +
		ASCII.Warn + ASCII.OK + ASCII.NoData + ASCII.Dash + ASCII.Ellipsis + ASCII.Cursor +
		ASCII.Warning + ASCII.Axis + ASCII.Yes + ASCII.No
	for _, r := range all {
		if r >= utf8.RuneSelf {
			t.Errorf("ASCII glyph set contains %q", r)
		}
	}
	for _, g := range []Glyphs{Unicode, ASCII} {
		marks := map[string]string{"crit": g.Crit, "warn": g.Warn, "ok": g.OK, "nodata": g.NoData}
		seen := map[string]string{}
		for level, m := range marks {
			// Severity is shown by text and shape: a blank marker would say nothing
			// on a terminal without colour.
			if strings.TrimSpace(m) == "" {
				t.Errorf("%s: the %s marker %q is blank", g.Name, level, m)
			}
			if other, dup := seen[m]; dup {
				t.Errorf("%s: the %s and %s markers are both %q", g.Name, level, other, m)
			}
			seen[m] = level
		}
	}
	if GlyphsFor(true).Name != "ascii" || GlyphsFor(false).Name != "unicode" {
		t.Error("GlyphsFor picks the wrong set")
	}
}
