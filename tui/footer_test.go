package tui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/alerts"
)

// everyReasonBoard has alerts hidden for every reason triage has.
func everyReasonBoard() alerts.Board {
	b := alertedBoard()
	b.HiddenCounts = map[string]int{}
	for i, r := range alerts.HiddenReasons {
		b.HiddenCounts[r] = 100*(i+1) + i
	}
	return b
}

// The hidden-alert counts are never dropped for key hints: at 80 columns with every
// reason present they keep the total and as many reasons as fit, and say how many
// more there are.
func TestFooterKeepsHiddenCounts(t *testing.T) {
	b := everyReasonBoard()
	total := 0
	for _, n := range b.HiddenCounts {
		total += n
	}
	head := "hidden " + thousands(total)

	m := newModel(t, 80, 24, func(o *Options) { o.Alerts = true })
	board(m, b)
	press(t, m, "3") // the alerts pane: the most hints
	l := lastLine(m)
	if !strings.HasPrefix(l, head+": silenced 100 · inhibited 201") {
		t.Fatalf("footer %q: want %q and the first reasons", l, head)
	}
	shown := strings.Count(strings.SplitN(l, ": ", 2)[1], " · ")
	if want := "· +" + strconv.Itoa(len(alerts.HiddenReasons)-shown) + " more"; !strings.Contains(l, want) {
		t.Errorf("footer %q: want %q after the %d reasons shown", l, want, shown)
	}
	if !strings.HasSuffix(l, "? help  q quit") || len([]rune(l)) > 80 {
		t.Errorf("footer %q: want help and quit, within 80 columns", l)
	}

	// Wide, every reason; narrow, the total alone; narrower still, the total
	// before the hints and whatever of help and quit fits.
	m = newModel(t, 200, 24, func(o *Options) { o.Alerts = true })
	board(m, b)
	if l := lastLine(m); !strings.Contains(l, "held 807") || strings.Contains(l, "more") {
		t.Errorf("200 columns: footer %q, want every reason", l)
	}
	for _, w := range []int{40, 20} {
		m = newModel(t, w, 24, func(o *Options) { o.Alerts = true })
		board(m, b)
		if l := lastLine(m); !strings.HasPrefix(l, head) || strings.Contains(l, ":") {
			t.Errorf("%d columns: footer %q, want %q alone", w, l, head)
		}
	}

	// A notice leaves the total its room.
	m = newModel(t, 80, 24, func(o *Options) { o.Alerts = true })
	board(m, b)
	m.say(strings.Repeat("a long notice that says a lot ", 5))
	if l := lastLine(m); !strings.Contains(l, head) || !strings.Contains(l, "a long notice") {
		t.Errorf("footer with a notice %q: want the notice and %q", l, head)
	}
}
