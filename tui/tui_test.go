package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
)

func names(rows []alerts.ServiceRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	return out
}

// shown is the service names in the signals pane, top to bottom.
func shown(m *Model) []string {
	var out []string
	lines := strings.Split(screen(m), "\n")
	for _, l := range lines[2:] {
		if strings.TrimSpace(l) == "" {
			break
		}
		out = append(out, strings.Fields(string([]rune(l)[4:]))[0]) // after cursor and marker
	}
	return out
}

func selected(t *testing.T, m *Model) string {
	t.Helper()
	n, ok := m.panes[paneSignals].(signalsPane).p.Selected()
	if !ok {
		t.Fatal("nothing selected")
	}
	return n
}

func reorder(b alerts.Board, order ...string) alerts.Board {
	by := map[string]alerts.ServiceRow{}
	for _, r := range b.Services {
		by[r.Name] = r
	}
	b.Services = nil
	for _, n := range order {
		b.Services = append(b.Services, by[n])
	}
	return b
}

func TestSelectionFollowsTheServiceNotTheIndex(t *testing.T) {
	m := newModel(t, 80, 24)
	b := healthyBoard() // api auth cart checkout search
	board(m, b)
	press(t, m, "j", "j")
	if got := selected(t, m); got != "cart" {
		t.Fatalf("after j j: %s selected, want cart", got)
	}
	board(m, reorder(b, "cart", "search", "api", "checkout", "auth"))
	if got := selected(t, m); got != "cart" {
		t.Errorf("after reorder: %s selected, want cart", got)
	}
	board(m, reorder(b, "search", "api", "checkout", "auth", "cart"))
	if got := selected(t, m); got != "cart" {
		t.Errorf("after reorder: %s selected, want cart", got)
	}
	// The selected service goes away: the cursor stays at the same place.
	board(m, reorder(b, "search", "api", "checkout", "auth"))
	if got := selected(t, m); got != "auth" {
		t.Errorf("after removal: %s selected, want auth (the last row)", got)
	}
}

func TestFreezeKeepsTheOrder(t *testing.T) {
	m := newModel(t, 80, 24)
	b := healthyBoard()
	board(m, b)
	press(t, m, "j", "f")
	if !strings.Contains(screen(m), "FROZEN") {
		t.Error("frozen order not shown in the footer")
	}
	nb := reorder(b, "search", "checkout", "cart", "auth", "api")
	nb.Services = append(nb.Services, svc("billing", 0.5, 10, 0.5, 0.5, th, 0))
	nb.Services[1].Signals[sources.Latency.Index()] = alerts.SignalValue{Value: f(0.777), State: alerts.StateOK}
	board(m, nb)
	want := []string{"api", "auth", "cart", "checkout", "search", "billing"}
	if got := shown(m); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("frozen: rows %v, want %v", got, want)
	}
	if !strings.Contains(screen(m), "777ms") {
		t.Error("frozen: the new value of checkout is not shown")
	}
	if got := selected(t, m); got != "auth" {
		t.Errorf("frozen: %s selected, want auth", got)
	}
	press(t, m, "f")
	if got := shown(m); strings.Join(got, " ") != strings.Join(names(nb.Services), " ") {
		t.Errorf("unfrozen: rows %v, want the Board's order %v", got, names(nb.Services))
	}
	if got := selected(t, m); got != "auth" {
		t.Errorf("unfrozen: %s selected, want auth", got)
	}
}

func TestPaneKeys(t *testing.T) {
	m := newModel(t, 80, 24)
	board(m, troubledBoard())
	steps := []struct {
		key  string
		want int
	}{
		{"tab", paneSLOs}, {"tab", paneSignals}, {"shift+tab", paneSLOs},
		{"1", paneSignals}, {"1", paneSignals}, {"2", paneSLOs}, {"3", paneSLOs}, {"4", paneSLOs},
	}
	for _, s := range steps {
		press(t, m, s.key)
		if m.focus != s.want {
			t.Fatalf("after %s: focus %d, want %d", s.key, m.focus, s.want)
		}
	}
	// The focused pane is marked in its title.
	lines := strings.Split(screen(m), "\n")
	for _, l := range lines {
		if strings.Contains(l, "1 SERVICES") && strings.HasPrefix(l, "▸") {
			t.Error("signals pane marked focused while the SLO pane has the keys")
		}
		if strings.Contains(l, "2 SLOS") && !strings.HasPrefix(l, "▸") {
			t.Error("SLO pane not marked focused")
		}
	}
	// j moves only the focused pane.
	before := selected(t, m)
	press(t, m, "j")
	if selected(t, m) != before {
		t.Error("j in the SLO pane moved the signals cursor")
	}
	if s, _ := m.panes[paneSLOs].(slosPane).p.Selected(); s.Name != "api-availability" {
		t.Errorf("SLO cursor on %s, want api-availability", s.Name)
	}
	press(t, m, "G")
	if s, _ := m.panes[paneSLOs].(slosPane).p.Selected(); s.Name != "auth-availability" {
		t.Errorf("G: SLO cursor on %s, want the last, auth-availability", s.Name)
	}
	press(t, m, "g")
	if s, _ := m.panes[paneSLOs].(slosPane).p.Selected(); s.Name != "checkout-availability" {
		t.Errorf("g: SLO cursor on %s, want the first", s.Name)
	}
}

func TestSLOOrder(t *testing.T) {
	m := newModel(t, 160, 48)
	board(m, troubledBoard())
	var got []string
	for _, l := range strings.Split(screen(m), "\n") {
		for _, badge := range []string{"PAGE ", "TICKET ", "NO DATA ", "OK "} {
			if strings.HasPrefix(strings.TrimLeft(l, " ▸"), badge) {
				got = append(got, strings.Fields(strings.TrimPrefix(strings.TrimLeft(l, " ▸"), badge))[0])
			}
		}
	}
	want := "checkout-availability api-availability ledger-freshness search-availability search-latency auth-availability"
	if strings.Join(got, " ") != want {
		t.Errorf("SLO rows %v, want %s (state, then budget left ascending)", got, want)
	}
}

func TestZoomHelpAndDetail(t *testing.T) {
	m := newModel(t, 80, 24)
	board(m, troubledBoard())
	press(t, m, "z")
	if s := screen(m); strings.Contains(s, "2 SLOS") {
		t.Error("zoomed signals pane still shows the SLO pane")
	}
	press(t, m, "z", "?")
	if !strings.Contains(screen(m), "KEYS") {
		t.Fatal("? does not open the help")
	}
	press(t, m, "j") // ignored under the help
	press(t, m, "esc")
	if strings.Contains(screen(m), "KEYS") {
		t.Fatal("esc does not close the help")
	}
	press(t, m, "?", "?")
	if strings.Contains(screen(m), "KEYS") {
		t.Fatal("? does not close the help")
	}
	press(t, m, "2", "enter")
	if s := screen(m); !strings.Contains(s, "BURN-RATE CONDITIONS") || strings.Contains(s, "loading") {
		t.Fatalf("enter: no detail with its chart:\n%s", s)
	}
	press(t, m, "esc")
	if strings.Contains(screen(m), "BURN-RATE CONDITIONS") {
		t.Fatal("esc does not close the detail")
	}
}

func TestDetailHistory(t *testing.T) {
	m := newModel(t, 80, 30)
	b := troubledBoard()
	for i := range b.SLOs {
		if b.SLOs[i].Name == "checkout-availability" { // the first row: enter opens it
			b.SLOs[i].Name = "broken-slo"
		}
	}
	board(m, b)
	press(t, m, "2")
	_, cmd := m.Update(keyMsg("enter"))
	if !strings.Contains(screen(m), "loading…") {
		t.Error("no loading line before the history arrives")
	}
	msg := cmd()
	// An answer to an earlier opening is ignored.
	press(t, m, "esc", "enter")
	m.Update(msg)
	s := screen(m)
	if !strings.Contains(s, "history unavailable: query timed out") {
		t.Errorf("history error not shown:\n%s", s)
	}
	if strings.Contains(s, "pwned") {
		t.Error("the escape sequence in the history error reached the screen")
	}
	// No History at all.
	m = newModel(t, 80, 30, func(o *Options) { o.History = nil })
	board(m, troubledBoard())
	press(t, m, "2", "enter")
	if !strings.Contains(screen(m), "no budget history") {
		t.Error("nil History: no explanation in place of the chart")
	}
}

func TestDetailCopyAndScroll(t *testing.T) {
	m := newModel(t, 80, 24)
	board(m, troubledBoard())
	press(t, m, "2", "enter")
	_, cmd := m.Update(keyMsg("c"))
	if cmd == nil {
		t.Fatal("c returns no clipboard command")
	}
	run(m, cmd)
	footer := func() string { l := strings.Split(screen(m), "\n"); return l[len(l)-1] }
	if !strings.Contains(footer(), "copied 2 queries") {
		t.Errorf("no confirmation of the copy in the footer: %q", footer())
	}
	press(t, m, "G")
	if !strings.Contains(footer(), "copied 2 queries") {
		t.Errorf("the next key must not clear the confirmation: %q", footer())
	}
	s := screen(m)
	if !strings.Contains(s, `sum(rate(http_requests_total{job="checkout"}[{{.window}}]))`) {
		t.Errorf("G: the last query is not shown:\n%s", s)
	}
	// Query lines are plain text at the left margin: a mouse selection copies PromQL.
	raw := m.render()
	if !strings.Contains(raw, "\nsum(rate(http_requests_total{job=\"checkout\"}[{{.window}}]))\n") {
		t.Error("a query line carries decoration")
	}
	press(t, m, "k")
	if screen(m) == s {
		t.Error("k after G does not scroll back up")
	}
}

func TestRefreshAndQuit(t *testing.T) {
	calls := 0
	m := newModel(t, 80, 24, func(o *Options) { o.Refresh = func() { calls++ } })
	board(m, healthyBoard())
	press(t, m, "r")
	if calls != 1 {
		t.Errorf("r: Refresh called %d times, want 1", calls)
	}
	if !strings.Contains(screen(m), "refreshing…") {
		t.Error("r: no refreshing… in the footer")
	}
	board(m, healthyBoard())
	if strings.Contains(screen(m), "refreshing…") {
		t.Error("refreshing… outlives the Board that answered it")
	}
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := m.Update(keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", k)
		}
	}
}

func TestClockAndAges(t *testing.T) {
	now := clock
	m := newModel(t, 120, 24, func(o *Options) { o.Now = func() time.Time { return now } })
	board(m, troubledBoard())
	if h := strings.Split(screen(m), "\n")[0]; !strings.Contains(h, "03:07:42 UTC") || !strings.Contains(h, "prod degraded (saturation query)") {
		t.Errorf("header %q", h)
	}
	now = clock.Add(61 * time.Second)
	m.Update(tickMsg(now))
	h := strings.Split(screen(m), "\n")[0]
	for _, want := range []string{"03:08:43 UTC", "prod degraded (saturation query)", "eu stale 3m retrying", "pd down: 401 Unau"} {
		if !strings.Contains(h, want) {
			t.Errorf("header %q lacks %q", h, want)
		}
	}
}

func TestHeaderCollapsesToCounts(t *testing.T) {
	m := newModel(t, 80, 24, func(o *Options) { o.Demo = true })
	b := troubledBoard()
	for _, n := range []string{"us-east-1", "us-west-2", "ap-south-1", "eu-central-1"} {
		b.Sources = append(b.Sources, alerts.SourceStatus{Name: n, OK: true, LastSuccess: ago(3 * time.Second)})
	}
	board(m, b)
	h := strings.Split(screen(m), "\n")[0]
	if !strings.Contains(h, "4 ok 1 degraded 1 stale 1 down") || !strings.Contains(h, "DEMO") {
		t.Errorf("header %q: want counts and the DEMO badge", h)
	}
	// Very narrow: the DEMO badge stays.
	m.Update(tea.WindowSizeMsg{Width: 12, Height: 10})
	if h := strings.Split(screen(m), "\n")[0]; !strings.Contains(h, "DEMO") {
		t.Errorf("at 12 columns the header %q lost the DEMO badge", h)
	}
}

func TestNoDataIsNeverZero(t *testing.T) {
	m := newModel(t, 80, 24)
	board(m, troubledBoard())
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "ledger ") {
			if strings.ContainsAny(strings.SplitN(l, "ledger", 2)[1], "0123456789") {
				t.Errorf("no-data row shows a number: %q", l)
			}
			if strings.Count(l, "–") != 4 {
				t.Errorf("no-data row %q: want four dashes", l)
			}
		}
	}
}

func TestHeaderCountsPagesAndTickets(t *testing.T) {
	m := newModel(t, 100, 24, func(o *Options) { o.Demo = true })
	b := troubledBoard()
	b.Actionable = []alerts.Item{
		{Kind: "slo", ID: "slo:a", Severity: "page"},
		{Kind: "slo", ID: "slo:b", Severity: "page"},
		{Kind: "slo", ID: "slo:c", Severity: "ticket"},
	}
	board(m, b)
	h := strings.Split(screen(m), "\n")[0]
	if !strings.Contains(h, " 2 SLO PAGE ") || !strings.Contains(h, " 1 TICKET ") || !strings.Contains(h, "DEMO") {
		t.Errorf("header %q: want 2 SLO PAGE, 1 TICKET and DEMO", h)
	}
	if strings.Index(h, "PAGE") > strings.Index(h, "TICKET") {
		t.Errorf("header %q: pages come before tickets", h)
	}
	b.Actionable = nil
	board(m, b)
	if h := strings.Split(screen(m), "\n")[0]; strings.Contains(h, "PAGE") {
		t.Errorf("header %q still counts a page after it cleared", h)
	}
}

// Critical alerts are not pages: without PagerDuty, five of them read 5 CRIT, and
// with it, triggered pages, SLO pages and critical alerts are each counted in their
// own words, in the order the list ranks them.
func TestHeaderTellsPagesFromCriticalAlerts(t *testing.T) {
	crit := func(id string) alerts.Item {
		return alerts.Item{Kind: "alert", ID: id, Title: id, Severity: alerts.SeverityCritical, Count: 1}
	}
	m := newModel(t, 160, 24)
	b := troubledBoard()
	b.Actionable = []alerts.Item{crit("a"), crit("b"), crit("c"), crit("d"), crit("e")}
	board(m, b)
	h := strings.Split(screen(m), "\n")[0]
	if !strings.Contains(h, " 5 CRIT ") || strings.Contains(h, "PAGE") || strings.Contains(h, "TRIGGERED") {
		t.Errorf("five critical alerts and no page: header %q, want 5 CRIT and no page", h)
	}

	b.Actionable = append(b.Actionable,
		alerts.Item{Kind: "page", ID: "P1", Severity: alerts.SeverityCritical, Status: "triggered"},
		alerts.Item{Kind: "page", ID: "P2", Severity: alerts.SeverityWarning, Status: "triggered"},
		alerts.Item{Kind: "page", ID: "P3", Severity: alerts.SeverityCritical, Status: "acknowledged"},
		alerts.Item{Kind: "slo", ID: "slo:a", Severity: alerts.SeverityPage})
	board(m, b)
	h = strings.Split(screen(m), "\n")[0]
	if !strings.Contains(h, "  2 TRIGGERED    1 SLO PAGE    5 CRIT  ") {
		t.Errorf("header %q: want 2 TRIGGERED, 1 SLO PAGE, 5 CRIT in that order", h)
	}
}

func TestRefreshInDetailReloadsHistory(t *testing.T) {
	calls := 0
	m := newModel(t, 100, 40, func(o *Options) {
		o.History = func(ctx context.Context, name string) ([]sources.Point, error) {
			calls++
			return fakeHistory(ctx, name)
		}
	})
	board(m, troubledBoard())
	m.Update(keyMsg("2"))
	_, cmd := m.Update(keyMsg("enter"))
	runAll(m, cmd)
	if calls != 1 {
		t.Fatalf("history read %d times on enter, want 1", calls)
	}
	_, cmd = m.Update(keyMsg("r"))
	runAll(m, cmd)
	if calls != 2 {
		t.Errorf("history read %d times after r in the detail, want 2", calls)
	}
}

// runAll runs cmd and, unlike run, every command of a batch.
func runAll(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			runAll(m, c)
		}
		return
	}
	if msg != nil {
		m.Update(msg)
	}
}
