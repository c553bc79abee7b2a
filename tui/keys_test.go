package tui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// TestNoKeyBoundTwice: one keymap, and no key in it means two things, reserved keys
// of the panes still to come included.
func TestNoKeyBoundTwice(t *testing.T) {
	seen := map[string]string{}
	for _, b := range keys.all() {
		for _, k := range b.Binding.Keys() {
			if other, ok := seen[k]; ok {
				t.Errorf("key %q is bound to %q and %q", k, other, b.Help().Desc)
			}
			seen[k] = b.Help().Desc
		}
	}
	for _, k := range []string{"a", "R", "s", "n", "e", "m", "o", "A", "S", "E", "h", "x", "/", "P"} { // bound or reserved
		if _, ok := seen[k]; !ok {
			t.Errorf("the coming key %q is not reserved", k)
		}
	}
}

// TestHelpAndFooterComeFromTheKeymap: what the help and the footer say is what the
// keymap holds, so a rebinding shows everywhere.
func TestHelpAndFooterComeFromTheKeymap(t *testing.T) {
	m := newModel(t, 100, 40)
	board(m, troubledBoard())
	saved := keys.Refresh
	defer func() { keys.Refresh = saved }()
	keys.Refresh = bind([]string{"F5"}, "F5", "reload", "F5", "reload everything")
	lines := strings.Split(screen(m), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "F5 reload") {
		t.Errorf("footer %q does not follow the keymap", footer)
	}
	press(t, m, "?")
	if s := screen(m); !strings.Contains(s, "reload everything") || strings.Contains(s, "refresh now") {
		t.Errorf("help does not follow the keymap:\n%s", s)
	}
	if !key.Matches(keyMsg("r"), saved.Binding) || key.Matches(keyMsg("r"), keys.Refresh.Binding) {
		t.Error("dispatch does not follow the keymap")
	}
}
