package notify

import (
	"strconv"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
)

var t0 = time.Date(2025, 3, 14, 3, 7, 42, 0, time.UTC)

func alertItem(id string, sev alerts.Severity) alerts.Item {
	return alerts.Item{Kind: "alert", ID: id, Title: id, Severity: sev, Count: 1, Labels: map[string]string{}}
}

func boardOf(items ...alerts.Item) *alerts.Board {
	return &alerts.Board{Sources: []alerts.SourceStatus{{Name: "am", State: alerts.SourceOK}}, Actionable: items}
}

// step feeds a Board at t0+at and returns the note's body, "" when none is due.
func step(n *Notifier, b *alerts.Board, at time.Duration) string {
	note, ok := n.Observe(b, t0.Add(at))
	if !ok {
		return ""
	}
	return note.Body
}

func TestFirstBoardIsNotNews(t *testing.T) {
	n := New(Config{})
	if got := step(n, boardOf(alertItem("A", alerts.SeverityCritical)), 0); got != "" {
		t.Errorf("the first board notified: %q", got)
	}
	if got := step(n, boardOf(alertItem("A", alerts.SeverityCritical)), time.Minute); got != "" {
		t.Errorf("an item already open at start notified: %q", got)
	}
	if got := step(n, boardOf(alertItem("A", alerts.SeverityCritical), alertItem("B", alerts.SeverityCritical)), 2*time.Minute); got != "critical alert B" {
		t.Errorf("a new critical alert: %q", got)
	}
}

func TestNothingIsNewUntilEverySourceAnswered(t *testing.T) {
	n := New(Config{})
	waiting := boardOf()
	waiting.Sources = append(waiting.Sources, alerts.SourceStatus{Name: "pd", State: alerts.SourceWaiting})
	step(n, waiting, 0)
	// PagerDuty answers: its open pages were open at start, not news.
	answered := boardOf(alerts.Item{Kind: "page", ID: "P1", Title: "#1 down", Severity: alerts.SeverityCritical, Status: "triggered"})
	if got := step(n, answered, 10*time.Second); got != "" {
		t.Errorf("a source's first answer notified: %q", got)
	}
	answered.Actionable = append(answered.Actionable, alertItem("A", alerts.SeverityCritical))
	if got := step(n, answered, 20*time.Second); got != "critical alert A" {
		t.Errorf("after every source answered: %q", got)
	}
}

func TestSeverityFloor(t *testing.T) {
	page := func(id, status string, sev alerts.Severity) alerts.Item {
		return alerts.Item{Kind: "page", ID: id, Title: "#" + id, Severity: sev, Status: status}
	}
	cases := []struct {
		floor alerts.Severity
		item  alerts.Item
		want  bool
	}{
		{"", alertItem("crit", alerts.SeverityCritical), true},
		{"", alertItem("warn", alerts.SeverityWarning), false},
		{"", page("high", "triggered", alerts.SeverityCritical), true},
		{"", page("low", "triggered", alerts.SeverityWarning), false},
		{"", page("acked", "acknowledged", alerts.SeverityCritical), false},
		{"", alerts.Item{Kind: "slo", ID: "slo:x", Title: "x", Severity: alerts.SeverityPage}, true},
		{"", alerts.Item{Kind: "slo", ID: "slo:y", Title: "y", Severity: alerts.SeverityTicket}, false},
		{alerts.SeverityWarning, alertItem("warn", alerts.SeverityWarning), true},
		{alerts.SeverityWarning, page("low", "triggered", alerts.SeverityWarning), true},
		{alerts.SeverityWarning, page("acked", "acknowledged", alerts.SeverityCritical), false},
		{alerts.SeverityWarning, alertItem("info", alerts.SeverityInfo), false},
		{alerts.SeverityInfo, alertItem("info", alerts.SeverityInfo), true},
	}
	for _, c := range cases {
		n := New(Config{MinSeverity: c.floor})
		step(n, boardOf(), 0)
		if got := step(n, boardOf(c.item), time.Second) != ""; got != c.want {
			t.Errorf("floor %q, %s %s (%s %s): notified %v, want %v", c.floor, c.item.Kind, c.item.ID, c.item.Severity, c.item.Status, got, c.want)
		}
	}
}

func TestCooldownSummarisesWhatArrivedDuringIt(t *testing.T) {
	n := New(Config{Cooldown: time.Minute})
	step(n, boardOf(), 0)
	b := boardOf(alertItem("A", alerts.SeverityCritical))
	if got := step(n, b, time.Second); got != "critical alert A" {
		t.Fatalf("first arrival: %q", got)
	}
	b = boardOf(alertItem("A", alerts.SeverityCritical), alertItem("B", alerts.SeverityCritical))
	if got := step(n, b, 20*time.Second); got != "" {
		t.Fatalf("inside the cooldown: %q", got)
	}
	// C comes and goes within the cooldown: it arrived, so it is told.
	b.Actionable = append(b.Actionable, alerts.Item{Kind: "page", ID: "P9", Title: "#9 checkout down", Severity: alerts.SeverityCritical, Status: "triggered"})
	step(n, b, 30*time.Second)
	b.Actionable = b.Actionable[:2]
	step(n, b, 40*time.Second)
	if _, ok := n.Due(t0.Add(60 * time.Second)); ok {
		t.Fatal("due before the cooldown ended")
	}
	note, ok := n.Due(t0.Add(61 * time.Second))
	if want := "2 new: alert B; page #9 checkout down"; !ok || note.Body != want || note.Count != 2 {
		t.Fatalf("after the cooldown: %q (%v), want %q", note.Body, ok, want)
	}
	if _, ok := n.Due(t0.Add(200 * time.Second)); ok {
		t.Error("told twice")
	}
	// Gone and back within the hour is not news (see TestToldWithinTheHour).
	b = boardOf(alertItem("A", alerts.SeverityCritical))
	step(n, b, 210*time.Second)
	b = boardOf(alertItem("A", alerts.SeverityCritical), alertItem("B", alerts.SeverityCritical))
	if got := step(n, b, 220*time.Second); got != "" {
		t.Errorf("B came back within the hour: %q", got)
	}
}

// A group that resolves between firing episodes leaves the board and comes back:
// told once, then not again until an hour after it was told.
func TestToldWithinTheHour(t *testing.T) {
	n := New(Config{})
	step(n, boardOf(), 0)
	a := boardOf(alertItem("A", alerts.SeverityCritical))
	if got := step(n, a, time.Minute); got != "critical alert A" {
		t.Fatalf("first episode: %q", got)
	}
	for i, at := range []time.Duration{10 * time.Minute, 30 * time.Minute, 60*time.Minute + 59*time.Second} {
		step(n, boardOf(), at-5*time.Minute) // resolved between episodes
		if got := step(n, a, at); got != "" {
			t.Errorf("episode %d at %v, within the hour of the note: %q", i+2, at, got)
		}
	}
	step(n, boardOf(), 62*time.Minute)
	if got := step(n, a, 62*time.Minute+time.Second); got != "critical alert A" {
		t.Errorf("back an hour after the note: %q", got)
	}
	// The same ID of another kind is another item.
	p := boardOf(alerts.Item{Kind: "page", ID: "A", Title: "#7 A", Severity: alerts.SeverityCritical, Status: "triggered"})
	if got := step(n, p, 70*time.Minute); got != "critical page #7 A" {
		t.Errorf("a page with an alert's ID: %q", got)
	}
}

// A flapping item is never news, however often it comes back; once it stops
// flapping and comes back, it is.
func TestFlappingIsNotNews(t *testing.T) {
	n := New(Config{})
	step(n, boardOf(), 0)
	flap := alertItem("F", alerts.SeverityCritical)
	flap.Flapping = true
	for i := range 5 {
		at := time.Duration(i+1) * 10 * time.Minute
		step(n, boardOf(), at-5*time.Minute)
		if got := step(n, boardOf(flap), at); got != "" {
			t.Fatalf("flapping, episode %d: %q", i+1, got)
		}
	}
	step(n, boardOf(), 55*time.Minute)
	flap.Flapping = false
	if got := step(n, boardOf(flap), 56*time.Minute); got != "critical alert F" {
		t.Errorf("no longer flapping: %q", got)
	}
}

// What is remembered as told is bounded; the newest are kept.
func TestToldIsBounded(t *testing.T) {
	n := New(Config{})
	step(n, boardOf(), 0)
	for i := range 3 * maxTold {
		it := alertItem("A"+strconv.Itoa(i), alerts.SeverityCritical)
		n.Observe(boardOf(it), t0.Add(time.Duration(i+1)*time.Millisecond))
		if len(n.told) > maxTold {
			t.Fatalf("after %d items, %d remembered: over %d", i+1, len(n.told), maxTold)
		}
	}
	last := "A" + strconv.Itoa(3*maxTold-1)
	if _, ok := n.told["alert\x00"+last]; !ok {
		t.Errorf("the newest item, %s, was forgotten", last)
	}
}

func TestStormIsOneNote(t *testing.T) {
	n := New(Config{})
	step(n, boardOf(), 0)
	var items []alerts.Item
	for i := range 100 {
		sev := alerts.SeverityCritical
		items = append(items, alertItem("A"+string(rune('0'+i%10))+string(rune('0'+i/10)), sev))
	}
	items = append(items, alerts.Item{Kind: "page", ID: "P1", Title: "#1 api down", Severity: alerts.SeverityCritical, Status: "triggered"})
	note, ok := n.Observe(boardOf(items...), t0.Add(time.Second))
	if want := "101 new: alert A00; alert A10; alert A20; +98 more"; !ok || note.Body != want || note.Count != 101 {
		t.Errorf("storm: %q %d, want %q", note.Body, note.Count, want)
	}
}

func TestOff(t *testing.T) {
	n := New(Config{Off: true})
	step(n, boardOf(), 0)
	if got := step(n, boardOf(alertItem("A", alerts.SeverityCritical)), time.Second); got != "" {
		t.Errorf("off, yet notified: %q", got)
	}
}

func TestHostileTitleIsCleaned(t *testing.T) {
	n := New(Config{})
	step(n, boardOf(), 0)
	it := alertItem("x", alerts.SeverityCritical)
	it.Title = "Disk\x1b]0;pwned\x07Full\u202e\x07;\n"
	it.Labels = map[string]string{"service": "db\x1b[31m"}
	note, _ := n.Observe(boardOf(it), t0.Add(time.Second))
	if want := "critical alert DiskFull; (db)"; note.Body != want {
		t.Errorf("body %q, want %q", note.Body, want)
	}
}

func TestSequences(t *testing.T) {
	note := Note{Title: "vigil", Body: "critical alert HighLatency (checkout)"}
	cases := []struct {
		name string
		term Terminal
		want string
	}{
		{"bell", Terminal{Protocol: Bell}, "\a"},
		{"osc9", Terminal{Protocol: OSC9}, "\x1b]9;vigil: critical alert HighLatency (checkout)\a"},
		{"osc777", Terminal{Protocol: OSC777}, "\x1b]777;notify;vigil;critical alert HighLatency (checkout)\a"},
		{"bell in tmux", Terminal{Protocol: Bell, Tmux: true}, "\a"},
		{"osc9 in tmux", Terminal{Protocol: OSC9, Tmux: true},
			"\x1bPtmux;\x1b\x1b]9;vigil: critical alert HighLatency (checkout)\a\x1b\\\a"},
		{"osc777 in tmux", Terminal{Protocol: OSC777, Tmux: true},
			"\x1bPtmux;\x1b\x1b]777;notify;vigil;critical alert HighLatency (checkout)\a\x1b\\\a"},
	}
	for _, c := range cases {
		if got := Sequence(c.term, note); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Text from outside cannot end the sequence early or start another.
	evil := Note{Title: "vi;gil\a", Body: "x\a\x1b]52;c;AAAA\x1b\\y\u009c"}
	if got, want := Sequence(Terminal{Protocol: OSC777}, evil), "\x1b]777;notify;vi,gil;xy\a"; got != want {
		t.Errorf("hostile text: %q, want %q", got, want)
	}
	if got, want := Sequence(Terminal{Protocol: OSC9}, evil), "\x1b]9;vi;gil: xy\a"; got != want {
		t.Errorf("hostile text: %q, want %q", got, want)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want Terminal
	}{
		{map[string]string{"TERM": "xterm-256color"}, Terminal{Protocol: Bell}},
		{map[string]string{"TERM": "dumb"}, Terminal{Protocol: Bell, Dumb: true}},
		{map[string]string{"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}, Terminal{Protocol: OSC9}},
		{map[string]string{"TERM_PROGRAM": "WezTerm"}, Terminal{Protocol: OSC9}},
		{map[string]string{"WT_SESSION": "5f3c…", "TERM": "xterm-256color"}, Terminal{Protocol: OSC9}},
		{map[string]string{"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, Terminal{Protocol: OSC777}},
		{map[string]string{"TERM": "foot"}, Terminal{Protocol: OSC777}},
		{map[string]string{"TERM": "rxvt-unicode-256color"}, Terminal{Protocol: OSC777}},
		// Inside tmux TERM_PROGRAM and TERM name tmux; the outer terminal's own
		// variables still say what it is.
		{map[string]string{"TMUX": "/tmp/tmux-0/default,1,0", "TERM_PROGRAM": "tmux", "TERM": "tmux-256color",
			"ITERM_SESSION_ID": "w0t0p0"}, Terminal{Protocol: OSC9, Tmux: true}},
		{map[string]string{"TMUX": "/tmp/tmux-0/default,1,0", "TERM_PROGRAM": "tmux", "TERM": "tmux-256color",
			"GHOSTTY_RESOURCES_DIR": "/usr/share/ghostty"}, Terminal{Protocol: OSC777, Tmux: true}},
		{map[string]string{"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen-256color"}, Terminal{Protocol: Bell, Tmux: true}},
	}
	for _, c := range cases {
		if got := Detect(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %+v, want %+v", c.env, got, c.want)
		}
	}
}
