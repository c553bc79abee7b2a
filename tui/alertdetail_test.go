package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
)

// hostile is what an alert's labels and annotations may carry: an OSC 8 link to
// somewhere else, a clipboard write (OSC 52), a title change, colour, a C1 CSI and
// a right-to-left override.
const hostile = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x1b[8m\u009b2J\u202eevil"

// detailedBoard is alertedBoard with the alerts behind its rows, as alerts.Build
// leaves them: a group of three (one with another summary, one a pending silence
// selects), a hostile alert, a silenced and an inhibited hidden alert.
func detailedBoard() alerts.Board {
	b := alertedBoard()
	lat := func(fp, instance, summary string, started time.Duration) *sources.Alert {
		return &sources.Alert{Fingerprint: fp, State: "active", StartsAt: clock.Add(-started),
			Labels: map[string]string{"alertname": "HighLatency", "service": "checkout", "instance": instance, "severity": "critical"},
			Annotations: map[string]string{"summary": summary, "runbook_url": "https://runbooks.example/HighLatency",
				"description": "The 99th percentile of checkout request latency has been above its threshold for five minutes; " +
					"customers see slow pages and some time out.\nCheck the database connection pool first."},
			GeneratorURL:  "http://prometheus:9090/graph?g0.expr=histogram_quantile(0.99, rate(x[5m])) > 2",
			Alertmanagers: []string{"am-1", "am-2"}, Episodes: -1}
	}
	a := lat("a", "10.0.0.7:80", "p99 latency above 2s", 9*time.Minute)
	evil := &sources.Alert{Fingerprint: "d", State: "active", StartsAt: clock.Add(-90 * time.Minute),
		Labels:        map[string]string{"alertname": "DiskFilling \x1b[31m", "job": "db", "device" + hostile: "sda" + hostile},
		Annotations:   map[string]string{"summary": "disk filling " + hostile, "runbook_url": "javascript:alert(1)", "note" + hostile: hostile},
		GeneratorURL:  "http://prom\x1b]0;x\x07:9090/graph?g0.expr=up" + hostile,
		Alertmanagers: []string{"am-1" + hostile}, Episodes: 5}
	groups := [][]*sources.Alert{
		{a, lat("b", "10.0.0.8:80", "p99 latency above 2s", 7*time.Minute), lat("c", "10.0.0.9:80", "p99 latency above 5s", 3*time.Minute)},
		{evil},
	}
	n := 0
	for i := range b.Actionable {
		if b.Actionable[i].Kind == "alert" {
			b.Actionable[i].Alerts = groups[n]
			n++
		}
	}
	b.Hidden[0].Alerts = []*sources.Alert{{Fingerprint: "f1", State: "active", Labels: map[string]string{"alertname": "Watchdog"}}}
	b.Hidden[1].Alerts = []*sources.Alert{{Fingerprint: "f2", State: "suppressed", SilencedBy: []string{"4f2a"},
		StartsAt: clock.Add(-2 * time.Hour), Labels: map[string]string{"alertname": "NodeDown", "node": "n7"},
		Annotations: map[string]string{"summary": "node n7 is down"}, Alertmanagers: []string{"am-1"}}}
	b.Hidden[2].Alerts = []*sources.Alert{{Fingerprint: "f3", State: "suppressed", InhibitedBy: []string{"a", "0badf00d"},
		StartsAt: clock.Add(-5 * time.Minute), Labels: map[string]string{"alertname": "CPUHigh", "service": "checkout"},
		Alertmanagers: []string{"am-2"}}}
	b.Silences = []alerts.Silence{
		{ID: "4f2a", Matchers: `{alertname="NodeDown"}`, State: "active", CreatedBy: "lin", Comment: "kernel upgrade",
			EndsAt: clock.Add(12 * time.Minute), EndsSoon: true, Alertmanagers: []string{"am-1", "am-2"}},
		{ID: "9c1e", Matchers: `{alertname="HighLatency",instance="10.0.0.9:80"}`, State: "pending", CreatedBy: "ada",
			Comment: "node drain at 04:00", StartsAt: clock.Add(53 * time.Minute), EndsAt: clock.Add(2 * time.Hour)},
	}
	return b
}

// hasAll reports each of wants that screen s lacks, as what lacks it.
func hasAll(t *testing.T, s, what string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(s, want) {
			t.Errorf("%s %q:\n%s", what, want, s)
		}
	}
}

func TestAlertSummaryColumn(t *testing.T) {
	for _, c := range []struct {
		w    int
		want []string
		not  []string
	}{
		{80, []string{"CRIT HighLatency      p99 latency above 2s (+1 d…    ×3 checkout", "disk filling clickevil"}, []string{"am-1,am-2"}},
		{200, []string{"p99 latency above 2s (+1 differ)", "am-1,am-2"}, nil},
		{60, []string{"CRIT HighLatency"}, []string{"p99", "am-1,am-2"}}, // too narrow: the summary yields
	} {
		m := newModel(t, c.w, 40, func(o *Options) { o.Alerts = true })
		board(m, detailedBoard())
		press(t, m, "3", "z")
		s := screen(m)
		for _, w := range c.want {
			if !strings.Contains(s, w) {
				t.Errorf("%d columns: lacks %q:\n%s", c.w, w, s)
			}
		}
		for _, w := range c.not {
			if strings.Contains(s, w) {
				t.Errorf("%d columns: has %q:\n%s", c.w, w, s)
			}
		}
	}
	m := newModel(t, 120, 40, func(o *Options) { o.Alerts = true })
	board(m, detailedBoard())
	press(t, m, "3", "h")
	if s := screen(m); !strings.Contains(s, "node n7 is down") {
		t.Errorf("the hidden view shows each alert's summary:\n%s", s)
	}
}

func TestAlertDetail(t *testing.T) {
	m := newModel(t, 130, 70, func(o *Options) { o.Alerts = true })
	board(m, detailedBoard())
	press(t, m, "3", "enter")
	s := screen(m)
	hasAll(t, s, "detail lacks",
		"▸ ALERT GROUP !!CRIT  HighLatency  3 alerts",
		"key HighLatency/checkout",
		"shown: critical",
		"ALERT 1/3 HighLatency",
		"  state active   started 9m ago (2025-03-14T02:58:42Z)",
		"  fingerprint a   reported by am-1, am-2",
		"  runbook: https://runbooks.example/HighLatency",
		"  source: http://prometheus:9090/graph?g0.expr=histogram_quantile(0.99,%20rate(x[5m]))%20>%202",
		"  labels",
		"    alertname: HighLatency",
		"    instance: 10.0.0.7:80",
		"  annotations",
		"    description: The 99th percentile of checkout request latency has been above its threshold for five minutes; customers see slow",
		"      pages and some time out.",
		"      Check the database connection pool first.",
		"    summary: p99 latency above 2s",
		"ALERT 2/3 HighLatency",
	)
	if n := strings.Count(s, "  silences"); n != 1 {
		t.Errorf("one silence touches one alert of the three, %d silence lists drawn:\n%s", n, s)
	}
	press(t, m, "G")
	s = screen(m)
	hasAll(t, s, "detail, scrolled to the end, lacks",
		"ALERT 3/3 HighLatency",
		"    summary: p99 latency above 5s",
		"  silences",
		"    9c1e by ada, pending from 2025-03-14T04:00:42Z, ends 2025-03-14T05:07:42Z (in 2h); its matchers select it",
		`      {alertname="HighLatency",instance="10.0.0.9:80"}`,
		"      comment: node drain at 04:00",
	)
	// The footer names the detail's keys; esc comes back to the pane.
	if l := lastLine(m); !strings.Contains(l, "esc back") || !strings.Contains(l, "S silence") {
		t.Errorf("footer: %q", l)
	}
	press(t, m, "esc")
	if !strings.Contains(screen(m), "3 ALERTS 2") {
		t.Errorf("esc does not close the detail:\n%s", screen(m))
	}
}

func TestAlertDetailScrolls(t *testing.T) {
	m := newModel(t, 100, 20, func(o *Options) { o.Alerts = true })
	board(m, detailedBoard())
	press(t, m, "3", "enter")
	first := screen(m)
	press(t, m, "j")
	if screen(m) == first {
		t.Fatal("j does not scroll the detail")
	}
	press(t, m, "k")
	if screen(m) != first {
		t.Error("k does not scroll back")
	}
	press(t, m, "pgdown")
	if !strings.Contains(screen(m), "ALERT 1/3") && screen(m) == first {
		t.Error("pgdown does not scroll")
	}
}

func TestHiddenAlertDetailNamesSilencesAndInhibitors(t *testing.T) {
	m := newModel(t, 130, 60, func(o *Options) { o.Alerts = true })
	board(m, detailedBoard())
	press(t, m, "3", "h", "j", "enter")
	s := screen(m)
	hasAll(t, s, "silenced alert's detail lacks",
		"▸ HIDDEN ALERT !!CRIT  NodeDown",
		"hidden: silenced — silence 4f2a by ada: kernel upgrade, ends 04:00",
		"  state suppressed (silenced)   started 2h ago (2025-03-14T01:07:42Z)",
		"  fingerprint f2   reported by am-1",
		"    4f2a by lin, active, ends 2025-03-14T03:19:42Z (in 12m); mutes it",
		`      {alertname="NodeDown"}`,
		"      comment: kernel upgrade",
	)
	press(t, m, "esc", "j", "enter")
	s = screen(m)
	hasAll(t, s, "inhibited alert's detail lacks",
		"  state suppressed (inhibited)",
		"  inhibited by",
		"    HighLatency (a)",
		"    an alert not in this view (0badf00d)",
	)
}

// osc8 is an OSC 8 hyperlink sequence whose target is plain printable ASCII.
var osc8 = regexp.MustCompile(`\x1b\]8;;[\x21-\x7e]*\x1b\\`)

func TestAlertDetailLinks(t *testing.T) {
	m := newModel(t, 130, 70, func(o *Options) { o.Alerts = true })
	board(m, detailedBoard())
	press(t, m, "3", "enter")
	raw := sgr.ReplaceAllString(m.render(), "") // the link's text is painted too
	for _, want := range []string{
		"\x1b]8;;https://runbooks.example/HighLatency\x1b\\https://runbooks.example/HighLatency\x1b]8;;\x1b\\",
		"\x1b]8;;http://prometheus:9090/graph?g0.expr=histogram_quantile(0.99,%20rate(x[5m]))%20>%202\x1b\\",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("no OSC 8 link %q in\n%q", want, raw)
		}
	}
	for name, edit := range map[string]func(*Options){
		"ascii":    func(o *Options) { o.Alerts, o.ASCII = true, true },
		"no links": func(o *Options) { o.Alerts, o.NoHyperlinks = true, true },
	} {
		m := newModel(t, 130, 70, edit)
		board(m, detailedBoard())
		press(t, m, "3", "enter")
		raw := m.render()
		if strings.Contains(raw, "\x1b]8;") {
			t.Errorf("%s: hyperlinks drawn", name)
		}
		if !strings.Contains(screen(m), "runbook: https://runbooks.example/HighLatency") {
			t.Errorf("%s: the runbook address is not shown as text", name)
		}
	}
	m = newModel(t, 130, 70, func(o *Options) { o.Alerts = true })
	m.term.Dumb = true
	board(m, detailedBoard())
	press(t, m, "3", "enter")
	if strings.Contains(m.render(), "\x1b]8;") {
		t.Error("TERM=dumb: hyperlinks drawn")
	}
}

// TestHostileAlertNeverReachesTheTerminal opens the hostile alert in the pane,
// the detail and the hidden view, with the colour theme, and checks that once the
// dashboard's own colours and links are taken out no control, escape or bidi
// character is left, and that its javascript: runbook is not a link.
func TestHostileAlertNeverReachesTheTerminal(t *testing.T) {
	def, _ := themes.Get(themes.Default)
	b := detailedBoard()
	b.Hidden[1].Alerts[0].Annotations["summary"] = hostile
	m := newModel(t, 160, 90, func(o *Options) { o.Theme, o.Alerts = def, true })
	board(m, b)
	check := func(what string) {
		t.Helper()
		raw := m.render()
		if strings.Contains(raw, "\x1b[8m") || strings.Contains(raw, "evil.example") {
			t.Fatalf("%s: a sequence from an alert reached the screen", what)
		}
		for _, l := range osc8.FindAllString(raw, -1) {
			if strings.Contains(l, "javascript") || strings.Contains(l, "evil.example") {
				t.Fatalf("%s: hostile link %q", what, l)
			}
		}
		out := sgr.ReplaceAllString(osc8.ReplaceAllString(raw, ""), "")
		for _, r := range out {
			if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("%s: %U reached the screen:\n%q", what, r, out)
			}
		}
	}
	press(t, m, "3", "z")
	check("alerts pane")
	press(t, m, "j", "enter")
	check("detail")
	if s := screen(m); !strings.Contains(s, "runbook: javascript:alert(1) (not an http(s) address: not linked)") {
		t.Errorf("the javascript: runbook is not shown as unlinked text:\n%s", s)
	}
	press(t, m, "G")
	check("detail, end")
	press(t, m, "esc", "h")
	check("hidden view")
	press(t, m, "j", "enter")
	check("hidden detail")
}

func TestSilenceFromAlertDetail(t *testing.T) {
	sil := &fakeSilences{}
	m := newModel(t, 140, 50, func(o *Options) { o.Alerts, o.Silences, o.User = true, sil, "ada@example.com" })
	b := detailedBoard()
	b.Actionable[len(b.Actionable)-2].Labels = map[string]string{"alertname": "HighLatency", "service": "checkout"}
	board(m, b)
	press(t, m, "3", "enter", "S")
	if s := screen(m); !strings.Contains(s, `{alertname="HighLatency",service="checkout"}`) {
		t.Fatalf("S in the detail does not open the group's silence form:\n%s", s)
	}
	press(t, m, "esc")
	if s := screen(m); !strings.Contains(s, "ALERT GROUP") {
		t.Errorf("esc from the form does not come back to the detail:\n%s", s)
	}
	press(t, m, "S", "enter", "enter", "o", "k", "enter")
	if want := `create {alertname="HighLatency",service="checkout"} 1h0m0s ada@example.com ok`; len(sil.calls) != 1 || sil.calls[0] != want {
		t.Errorf("calls %v, want %q", sil.calls, want)
	}
}

func TestAlertDetailFollowsTheBoard(t *testing.T) {
	m := newModel(t, 130, 40, func(o *Options) { o.Alerts = true })
	board(m, detailedBoard())
	press(t, m, "3", "enter")
	b := detailedBoard()
	b.Actionable[len(b.Actionable)-2].Count = 4
	board(m, b)
	if s := screen(m); !strings.Contains(s, "HighLatency  4 alerts") {
		t.Errorf("the detail does not follow its row:\n%s", s)
	}
	b.Actionable = b.Actionable[:len(b.Actionable)-2]
	board(m, b)
	if s := screen(m); !strings.Contains(s, "no longer in the latest poll as this row") || !strings.Contains(s, "HighLatency  4 alerts") {
		t.Errorf("a row that went is not kept and marked:\n%s", s)
	}
}

func TestAlertGoldenViews(t *testing.T) {
	cases := []struct {
		name  string
		sizes [][2]int
		keys  []string
		opts  func(*Options)
	}{
		{name: "alerts", sizes: [][2]int{{80, 24}, {200, 60}}, keys: []string{"3"}},
		{name: "alerts-hidden", sizes: [][2]int{{80, 24}}, keys: []string{"3", "h"}},
		{name: "alert-detail", sizes: [][2]int{{80, 24}, {200, 60}}, keys: []string{"3", "enter"}},
		{name: "alert-detail-hidden", sizes: [][2]int{{80, 24}}, keys: []string{"3", "h", "j", "enter"}},
		{name: "alert-detail-ascii", sizes: [][2]int{{80, 24}}, keys: []string{"3", "enter", "G"},
			opts: func(o *Options) { o.Glyphs = themes.ASCII }},
	}
	for _, tc := range cases {
		for _, sz := range tc.sizes {
			name := tc.name + "-" + sizeName(sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				m := newModel(t, sz[0], sz[1], func(o *Options) {
					o.Alerts = true
					if tc.opts != nil {
						tc.opts(o)
					}
				})
				board(m, detailedBoard())
				press(t, m, tc.keys...)
				golden(t, name, screen(m))
			})
		}
	}
}

// TestAlertViewsFit draws the alerts pane, its hidden view and the detail at many
// sizes: no line wider than the window, the frame exactly as tall.
func TestAlertViewsFit(t *testing.T) {
	modes := map[string][]string{
		"pane": {"3"}, "zoomed": {"3", "z"}, "hidden": {"3", "h"}, "detail": {"3", "enter"},
		"detail-end": {"3", "enter", "G"}, "hostile": {"3", "j", "enter", "G"}, "hidden-detail": {"3", "h", "j", "enter"},
	}
	for _, ascii := range []bool{false, true} {
		for mn, keys := range modes {
			for _, w := range []int{20, 40, 60, 80, 100, 120, 160, 200, 240} {
				for _, h := range []int{3, 10, 24, 60} {
					m := newModel(t, w, h, func(o *Options) { o.ASCII, o.Alerts = ascii, true })
					board(m, detailedBoard())
					press(t, m, keys...)
					lines := strings.Split(m.render(), "\n")
					if len(lines) != h {
						t.Errorf("%s ascii=%v %dx%d: %d lines", mn, ascii, w, h, len(lines))
					}
					for i, l := range lines {
						if lw := ansi.StringWidth(l); lw > w {
							t.Errorf("%s ascii=%v %dx%d: line %d is %d wide: %q", mn, ascii, w, h, i, lw, l)
						}
					}
				}
			}
		}
	}
}
