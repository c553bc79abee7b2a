package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
)

// filterBoard has rows in every pane: services and SLOs, four pages, two alert
// groups and three hidden alerts, and two silences.
func filterBoard() alerts.Board {
	b := alertedBoard()
	b.Pages = pagedBoard().Pages
	b.Silences = []alerts.Silence{
		{ID: "4f2a", Matchers: `{alertname="NodeDown"}`, State: "active", CreatedBy: "lin", Comment: "kernel upgrade",
			EndsAt: clock.Add(12 * time.Minute), EndsSoon: true},
		{ID: "77b1", Matchers: `{service=~"checkout|cart"}`, State: "pending", CreatedBy: "ada", Comment: "deploy 4.2",
			StartsAt: clock.Add(time.Hour), EndsAt: clock.Add(3 * time.Hour)},
	}
	return b
}

func filterModel(t *testing.T) *Model {
	m := newModel(t, 120, 60, func(o *Options) { o.Pages, o.Alerts, o.Me = true, true, "UAda" })
	board(m, filterBoard())
	return m
}

// typeText presses each character of s.
func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

// paneRows is the title of the pane whose title starts with prefix ("1 SERVICES")
// and its row lines, trimmed, up to the blank line that ends it.
func paneRows(t *testing.T, m *Model, prefix string) (string, []string) {
	t.Helper()
	lines := strings.Split(screen(m), "\n")
	for i, l := range lines {
		// The title follows the focus mark (▸ or a space) and ends where the column
		// headers begin.
		title := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(l, "▸"), " "))
		if !strings.HasPrefix(title, prefix) {
			continue
		}
		if cut := strings.Index(title, "   "); cut > 0 {
			title = title[:cut]
		}
		var rows []string
		for _, r := range lines[i+1:] {
			if strings.TrimSpace(r) == "" || strings.HasPrefix(r, "/") {
				break
			}
			rows = append(rows, strings.TrimSpace(strings.TrimPrefix(r, "▸")))
		}
		return title, rows
	}
	t.Fatalf("no pane titled %q:\n%s", prefix, screen(m))
	return "", nil
}

// wantRows checks a pane's title starts with title and that its rows begin with
// want's words, in order, and are no more.
func wantRows(t *testing.T, m *Model, prefix, title string, want ...string) {
	t.Helper()
	got, rows := paneRows(t, m, prefix)
	if !strings.HasPrefix(got, title) {
		t.Errorf("title %q, want %q", got, title)
	}
	if len(rows) != len(want) {
		t.Fatalf("%s rows:\n%s\nwant %q", prefix, strings.Join(rows, "\n"), want)
	}
	for i, w := range want {
		if !strings.Contains(rows[i], w) {
			t.Errorf("%s row %d is %q, want %q", prefix, i, rows[i], w)
		}
	}
}

func TestFilterSignalsLive(t *testing.T) {
	m := filterModel(t)
	press(t, m, "1", "/")
	typeText(t, m, "se")
	// Live: every key narrows the pane.
	wantRows(t, m, "1 SERVICES", `1 SERVICES 2 of 10 "se"`, "search", "search-indexer")
	typeText(t, m, "arch-")
	wantRows(t, m, "1 SERVICES", `1 SERVICES 1 of 10 "search-"`, "search-indexer")
	press(t, m, "backspace")
	press(t, m, "enter")
	if m.top() != nil {
		t.Fatal("enter did not close the filter line")
	}
	wantRows(t, m, "1 SERVICES", `1 SERVICES 2 of 10 "search"`, "search", "search-indexer")
	if l := lastLine(m); !strings.Contains(l, "esc clear filter") {
		t.Errorf("footer %q does not say esc clears the filter", l)
	}
	// A new Board is filtered too.
	b := filterBoard()
	b.Services = append(b.Services, svc("search-api", 0.01, 10, 0, 0.1, th, 1))
	board(m, b)
	wantRows(t, m, "1 SERVICES", `1 SERVICES 3 of 11 "search"`, "search", "search-indexer", "search-api")
	press(t, m, "esc")
	if title, rows := paneRows(t, m, "1 SERVICES"); title != "1 SERVICES 11" || len(rows) != 11 {
		t.Errorf("esc did not clear the filter: %q, %d rows", title, len(rows))
	}
	if l := lastLine(m); !strings.Contains(l, "/ filter") {
		t.Errorf("footer %q does not offer / filter", l)
	}
}

func TestFilterEscWhileTypingPutsBackTheFilterThereWas(t *testing.T) {
	m := filterModel(t)
	press(t, m, "1", "/")
	typeText(t, m, "search")
	press(t, m, "enter", "/")
	if s := screen(m); !strings.Contains(s, "/search_") {
		t.Fatalf("the line does not start from the filter in force:\n%s", s)
	}
	press(t, m, "ctrl+u")
	typeText(t, m, "api")
	wantRows(t, m, "1 SERVICES", `1 SERVICES 2 of 10 "api"`, "api-gateway", "api")
	press(t, m, "esc")
	wantRows(t, m, "1 SERVICES", `1 SERVICES 2 of 10 "search"`, "search", "search-indexer")
	// esc while typing a first filter leaves none.
	press(t, m, "esc", "/")
	typeText(t, m, "ledger")
	press(t, m, "esc")
	if title, _ := paneRows(t, m, "1 SERVICES"); title != "1 SERVICES 10" {
		t.Errorf("title %q after esc", title)
	}
}

func TestFilterCursorStaysOnAShownRowElseFirst(t *testing.T) {
	m := filterModel(t)
	press(t, m, "1", "j", "j", "j", "j") // search-indexer
	if got := selected(t, m); got != "search-indexer" {
		t.Fatalf("cursor on %q", got)
	}
	press(t, m, "/")
	typeText(t, m, "search")
	if got := selected(t, m); got != "search-indexer" {
		t.Errorf("the cursor left a row still shown: on %q", got)
	}
	press(t, m, "ctrl+u")
	typeText(t, m, "ledger")
	if got := selected(t, m); got != "ledger-writer" {
		t.Errorf("the cursor is on %q, want the first row shown, ledger-writer", got)
	}
	press(t, m, "enter", "j")
	if got := selected(t, m); got != "ledger" {
		t.Errorf("j under a filter: on %q", got)
	}
}

func TestFilterMatchersOnEveryPane(t *testing.T) {
	m := filterModel(t)
	filterWith := func(pane, text string) {
		t.Helper()
		press(t, m, pane, "/", "ctrl+u")
		typeText(t, m, text)
		press(t, m, "enter")
		if m.top() != nil {
			t.Fatalf("%s did not parse:\n%s", text, screen(m))
		}
	}
	filterWith("1", `{state=~"crit|down"}`)
	wantRows(t, m, "1 SERVICES", `1 SERVICES 3 of 10 {state=~"crit|down"}`, "ledger-writer", "checkout", "payments-gateway")
	filterWith("2", `state="ok"`)
	wantRows(t, m, "2 SLOS", `2 SLOS 3 of 6 {state="ok"}`, "search-availability", "search-latency", "auth-availability")
	filterWith("3", `{urgency="high"}`)
	wantRows(t, m, "3 PAGES", `3 PAGES 2 of 4 {urgency="high"}`, "#1042", "#1031")
	press(t, m, "m") // only mine, then the filter: of the pages that are mine
	wantRows(t, m, "3 PAGES", `3 PAGES mine 2 of 2 {urgency="high"}`, "#1042", "#1031")
	press(t, m, "m")
	filterWith("3", "ada")
	wantRows(t, m, "3 PAGES", `3 PAGES 2 of 4 "ada"`, "#1042", "#1031")
	filterWith("4", `{service="checkout",severity=~"crit.*"}`)
	wantRows(t, m, "4 ALERTS", `4 ALERTS 1 of 2 {service="checkout",severity=~"crit.*"}`, "CRIT HighLatency")
	filterWith("5", `{createdBy="ada"}`)
	wantRows(t, m, "5 SILENCES", `5 SILENCES 1 of 2 {createdBy="ada"}`, "pending")
	filterWith("5", "kernel")
	wantRows(t, m, "5 SILENCES", `5 SILENCES 1 of 2 "kernel"`, "active")
	filterWith("5", `{service="checkout|cart"}`)
	wantRows(t, m, "5 SILENCES", `5 SILENCES 1 of 2 {service="checkout|cart"}`, "pending")

	// Each pane kept its own.
	wantRows(t, m, "1 SERVICES", `1 SERVICES 3 of 10 {state=~"crit|down"}`, "ledger-writer", "checkout", "payments-gateway")
	wantRows(t, m, "2 SLOS", `2 SLOS 3 of 6 {state="ok"}`, "search-availability", "search-latency", "auth-availability")
	wantRows(t, m, "3 PAGES", `3 PAGES 2 of 4 "ada"`, "#1042", "#1031")
}

// TestFilterHiddenViewSharesTheFilter: h shows what is hidden of what the filter
// keeps, and back.
func TestFilterHiddenViewSharesTheFilter(t *testing.T) {
	m := filterModel(t)
	press(t, m, "4", "/")
	typeText(t, m, `severity=~"crit.*"`)
	press(t, m, "enter")
	wantRows(t, m, "4 ALERTS", `4 ALERTS 1 of 2 {severity=~"crit.*"}`, "CRIT HighLatency")
	press(t, m, "h")
	wantRows(t, m, "4 HIDDEN", `4 HIDDEN 1 of 3 {severity=~"crit.*"}`, "NodeDown")
	press(t, m, "esc")
	wantRows(t, m, "4 HIDDEN", "4 HIDDEN 3", "Watchdog", "NodeDown", "CPUHigh")
	press(t, m, "/")
	typeText(t, m, "silenced")
	wantRows(t, m, "4 HIDDEN", `4 HIDDEN 1 of 3 "silenced"`, "NodeDown")
	press(t, m, "enter", "h")
	wantRows(t, m, "4 ALERTS", `4 ALERTS 0 of 2 "silenced"`, `no rows match "silenced" (esc clears)`)
}

// TestFilterEmptyIsNeverAllClear: a filter that keeps nothing says so, in every pane,
// and never with the wording of an empty list.
func TestFilterEmptyIsNeverAllClear(t *testing.T) {
	m := filterModel(t)
	for _, pane := range []string{"1", "2", "3", "4", "5"} {
		press(t, m, pane, "/")
		typeText(t, m, `{service="nowhere"}`)
		press(t, m, "enter")
	}
	s := screen(m)
	if n := strings.Count(s, `no rows match {service="nowhere"}`); n != 5 {
		t.Errorf("%d panes say no rows match, want 5:\n%s", n, s)
	}
	for _, allClear := range []string{"no services configured", "no SLOs configured", "no open pages", "no alert needs a human", "no active silence"} {
		if strings.Contains(s, allClear) {
			t.Errorf("a filtered pane says %q:\n%s", allClear, s)
		}
	}
	for _, title := range []string{`1 SERVICES 0 of 10`, `2 SLOS 0 of 6`, `3 PAGES 0 of 4`, `4 ALERTS 0 of 2`, `5 SILENCES 0 of 2`} {
		if !strings.Contains(s, title) {
			t.Errorf("no %q:\n%s", title, s)
		}
	}
	// With the source down, the rows are unknown, and it says so.
	b := filterBoard()
	b.Sources = append(b.Sources, alerts.SourceStatus{Name: "am", Kind: "alertmanager", State: alerts.SourceDown, Error: "connection refused"})
	b.Actionable, b.Silences = nil, nil
	board(m, b)
	if s := screen(m); !strings.Contains(s, `no rows match {service="nowhere"}; rows unknown: am down: connection refused`) {
		t.Errorf("a filtered pane of a source that is down:\n%s", s)
	}
}

// TestFilterBadMatcherKeepsThePreviousFilter: while the input does not parse, the
// parser's message is under the line and the pane keeps the last filter that did
// (the title says which); enter does not take it.
func TestFilterBadMatcherKeepsThePreviousFilter(t *testing.T) {
	m := filterModel(t)
	press(t, m, "1", "/")
	typeText(t, m, `{state="down"}`)
	press(t, m, "enter")
	wantRows(t, m, "1 SERVICES", `1 SERVICES 1 of 10 {state="down"}`, "ledger-writer")
	press(t, m, "/", "backspace")
	typeText(t, m, `,x=~"("`)
	s := screen(m)
	if !strings.Contains(s, "⚠ error parsing regexp: missing closing ): `^(?:()$`") {
		t.Errorf("no parser message under the line:\n%s", s)
	}
	wantRows(t, m, "1 SERVICES", `1 SERVICES 1 of 10 {state="down",x=~""}`, "ledger-writer")
	press(t, m, "enter")
	if m.top() == nil {
		t.Fatal("enter closed the line on a matcher that does not parse")
	}
	press(t, m, "backspace")
	typeText(t, m, `)"}`)
	press(t, m, "enter")
	if m.top() != nil {
		t.Fatalf("enter did not take a matcher that parses:\n%s", screen(m))
	}
	wantRows(t, m, "1 SERVICES", `1 SERVICES 1 of 10 {state="down",x=~"()"}`, "ledger-writer")
	if strings.Contains(screen(m), "⚠ error parsing") {
		t.Error("the message outlived the mistake")
	}
	// A bad matcher from the start keeps no filter, and esc leaves none.
	press(t, m, "esc", "/")
	typeText(t, m, `{state=~"[`)
	if title, _ := paneRows(t, m, "1 SERVICES"); title != "1 SERVICES 0 of 10 {state=~\"\"}" && title != "1 SERVICES 10" {
		t.Errorf("title %q", title)
	}
	press(t, m, "esc")
	if title, _ := paneRows(t, m, "1 SERVICES"); title != "1 SERVICES 10" {
		t.Errorf("title %q after esc", title)
	}
}

func TestFilterTypingTakesEveryKey(t *testing.T) {
	m := filterModel(t)
	press(t, m, "1", "/")
	typeText(t, m, "q?r2hz")
	if m.top() == nil || !strings.Contains(screen(m), "/q?r2hz_") {
		t.Fatalf("the keys were not typed:\n%s", screen(m))
	}
	if m.focus != paneSignals || m.zoom || m.refreshing {
		t.Error("a typed letter acted as a key")
	}
	if l := lastLine(m); !strings.Contains(l, "ctrl+c quit") || strings.Contains(l, "q quit") {
		t.Errorf("footer while typing: %q", l)
	}
	m.Update(tea.PasteMsg{Content: "\x1b]0;x\x07 more\nlines"})
	if s := screen(m); !strings.Contains(s, "/q?r2hz more lines_") {
		t.Errorf("paste:\n%s", s)
	}
	if strings.Contains(m.render(), "\x1b]0;") {
		t.Error("pasted text drove the terminal")
	}
	if _, cmd := m.Update(keyMsg("ctrl+c")); cmd == nil {
		t.Error("ctrl+c does not quit while typing")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("ctrl+c does not quit while typing")
	}
}

// TestFilterLineSurvivesABoard: a Board that arrives while the filter is typed does
// not move the focus (which would close the line), even when the filter empties the
// pane the dashboard started on.
func TestFilterLineSurvivesABoard(t *testing.T) {
	m := filterModel(t)
	press(t, m, "/")
	typeText(t, m, "zzz")
	board(m, filterBoard())
	if _, ok := m.top().(*filterOverlay); !ok || m.focus != paneSignals {
		t.Fatalf("the Board closed the filter line or moved the focus:\n%s", screen(m))
	}
}

func TestFilterEscClearsBeforeUnzoom(t *testing.T) {
	m := filterModel(t)
	press(t, m, "2", "z", "/")
	typeText(t, m, "search")
	press(t, m, "enter", "esc")
	if !m.zoom || m.paneFilter(paneSLOs).Active() {
		t.Fatalf("esc: zoom %v, filter %v", m.zoom, m.paneFilter(paneSLOs))
	}
	press(t, m, "esc")
	if m.zoom {
		t.Error("the second esc did not unzoom")
	}
}

func TestFilterGolden(t *testing.T) {
	m := newModel(t, 80, 24)
	board(m, troubledBoard())
	press(t, m, "/")
	typeText(t, m, `{state=~"crit|down"`)
	golden(t, "filter-typing-80x24", screen(m))
	press(t, m, "enter")
	golden(t, "filter-kept-80x24", screen(m))
	press(t, m, "/", "ctrl+u")
	typeText(t, m, `{state=~"(crit"}`)
	golden(t, "filter-bad-80x24", screen(m))
}

// TestFilterLineFits: a long filter and a long message at a narrow width: every
// line fits, the screen is its height, and the end of the input, where the typing
// is, stays in view.
func TestFilterLineFits(t *testing.T) {
	for _, w := range []int{20, 40, 80} {
		m := newModel(t, w, 12)
		board(m, troubledBoard())
		press(t, m, "/")
		typeText(t, m, `{service=~"`+strings.Repeat("ab", 40)+`(end"}`)
		lines := strings.Split(screen(m), "\n")
		if len(lines) != 12 {
			t.Errorf("width %d: %d lines, want 12", w, len(lines))
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > w {
				t.Errorf("width %d: a line of %d cells: %q", w, n, l)
			}
		}
		if s := screen(m); !strings.Contains(s, `(end"}_`) {
			t.Errorf("width %d: the end of the input is not in view:\n%s", w, s)
		}
	}
}
