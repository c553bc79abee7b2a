package themes

import (
	"os"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestChooseProfile(t *testing.T) {
	// A fixed terminfo database, so the test does not depend on the machine's.
	colors := func(term string) (int, bool) {
		n, ok := map[string]int{
			"xterm": 8, "xterm-256color": 256, "screen-256color": 256, "tmux-256color": 256,
			"vt100": -1, "vt220": -1, "linux": 8,
		}[term]
		return n, ok
	}
	tests := []struct {
		env      []string
		detected colorprofile.Profile // what colorprofile.Detect would say
		want     colorprofile.Profile
	}{
		{[]string{"TERM=xterm-256color"}, colorprofile.ANSI256, colorprofile.ANSI256},
		{[]string{"TERM=xterm-256color", "COLORTERM=truecolor"}, colorprofile.TrueColor, colorprofile.TrueColor},
		{[]string{"TERM=xterm"}, colorprofile.ANSI, colorprofile.ANSI},
		{[]string{"TERM=linux"}, colorprofile.ANSI, colorprofile.ANSI},
		{[]string{"TERM=xterm-256color", "NO_COLOR=1"}, colorprofile.ASCII, colorprofile.ASCII},
		// no-color.org: any value but empty. colorprofile wants a boolean.
		{[]string{"TERM=xterm-256color", "NO_COLOR=yes"}, colorprofile.ANSI256, colorprofile.ASCII},
		{[]string{"TERM=xterm-256color", "NO_COLOR="}, colorprofile.ANSI256, colorprofile.ANSI256},
		{[]string{"TERM=xterm-256color", "COLORTERM=truecolor", "NO_COLOR=1"}, colorprofile.ASCII, colorprofile.ASCII},
		{[]string{"TERM=dumb"}, colorprofile.NoTTY, colorprofile.ASCII},
		{[]string{"TERM=dumb", "COLORTERM=truecolor"}, colorprofile.NoTTY, colorprofile.ASCII},
		{[]string{"TERM="}, colorprofile.NoTTY, colorprofile.ASCII},
		{nil, colorprofile.NoTTY, colorprofile.ASCII},
		// colorprofile calls any named terminal 16-colour, and 256 inside tmux.
		{[]string{"TERM=vt100"}, colorprofile.ANSI, colorprofile.ASCII},
		{[]string{"TERM=vt100", "TMUX=/tmp/tmux-0/default,1,0"}, colorprofile.ANSI256, colorprofile.ASCII},
		{[]string{"TERM=vt220", "COLORTERM=truecolor"}, colorprofile.TrueColor, colorprofile.ASCII},
		// A terminal terminfo does not know keeps colorprofile's guess.
		{[]string{"TERM=xterm-ghostty"}, colorprofile.TrueColor, colorprofile.TrueColor},
		{[]string{"TERM=vt100", "TERM=xterm-256color"}, colorprofile.ANSI256, colorprofile.ANSI256},
	}
	for _, tt := range tests {
		got := chooseProfile(tt.env, true, colors, func() colorprofile.Profile { return tt.detected })
		if got != tt.want {
			t.Errorf("env %q (detected %v): got %v, want %v", tt.env, tt.detected, got, tt.want)
		}
	}
	if got := chooseProfile([]string{"TERM=xterm-256color"}, false, colors, func() colorprofile.Profile { return colorprofile.ANSI256 }); got != colorprofile.NoTTY {
		t.Errorf("output not a terminal: got %v, want NoTTY", got)
	}
}

// TestTerminfoColors reads the machine's terminfo: vt100 has no colours, xterm has 8.
func TestTerminfoColors(t *testing.T) {
	if _, err := os.Stat("/usr/share/terminfo"); err != nil {
		if _, err := os.Stat("/lib/terminfo"); err != nil {
			t.Skip("SKIPPING: no terminfo database on this machine (apt-get install ncurses-base)")
		}
	}
	if n, ok := terminfoColors("vt100"); !ok || n >= 8 {
		t.Errorf("vt100: %d colours (known %v), want fewer than 8", n, ok)
	}
	if n, ok := terminfoColors("xterm-256color"); !ok || n != 256 {
		t.Errorf("xterm-256color: %d colours (known %v), want 256", n, ok)
	}
	if _, ok := terminfoColors("no-such-terminal-type"); ok {
		t.Error("an unknown terminal type is reported as known")
	}
}
