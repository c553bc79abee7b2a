package tui

import (
	"strings"
	"testing"
)

// S without an Alertmanager says so; read-only is only for --read-only.
func TestSilenceSaysWhyItCannot(t *testing.T) {
	cases := []struct {
		name string
		opts func(*Options)
		want string
	}{
		{"prometheus only", func(o *Options) { o.Alerts, o.NoSilences = true, true }, "no Alertmanager configured: silences need one"},
		{"--read-only", func(o *Options) { o.Alerts, o.ReadOnlyReason = true, "--read-only" }, "read-only: --read-only"},
	}
	for _, c := range cases {
		for _, seq := range [][]string{{"3", "S"}, {"3", "enter", "S"}} {
			m := newModel(t, 120, 40, c.opts)
			board(m, alertedBoard())
			press(t, m, seq...)
			l := lastLine(m)
			if !strings.Contains(l, c.want) {
				t.Errorf("%s, %v: footer %q, want %q", c.name, seq, l, c.want)
			}
			if c.name == "prometheus only" && strings.Contains(l, "read-only") {
				t.Errorf("%s, %v: footer %q says read-only", c.name, seq, l)
			}
		}
	}
}
