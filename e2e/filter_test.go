package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestFilterInTmux runs vigil demo in a real terminal: / opens the filter line,
// typed text narrows the services pane as it is typed and its title counts what is
// left, enter keeps the filter, esc clears it; then a matcher, read by
// Alertmanager's parser, does the same.
func TestFilterInTmux(t *testing.T) {
	bin := vigilBinary(t)
	tm := newTerm(t, 120, 40, t.TempDir(), "TERM=xterm-256color")
	tm.line(bin + " demo")
	tm.waitFor(20*time.Second, append([]string{"DEMO", "1 SERVICES 6"}, demoServices...)...)
	tm.keys("1")

	tm.keys("/")
	tm.waitFor(5*time.Second, "golden signals: text, or matchers")
	tm.tmux("send-keys", "-t", tm.name, "-l", "pay")
	s := tm.waitFor(5*time.Second, `1 SERVICES 1 of 6 "pay"`, "/pay_")
	if rows := serviceRows(t, s); len(rows) != 1 || !strings.Contains(rows[0], "payments") {
		t.Errorf("the filter kept %q, want the payments row alone:\n%s", rows, s)
	}
	tm.keys("Enter")
	tm.waitGone(5*time.Second, "/pay_")
	s = tm.waitFor(5*time.Second, `1 SERVICES 1 of 6 "pay"`, "esc clear filter")
	if rows := serviceRows(t, s); len(rows) != 1 {
		t.Errorf("enter did not keep the filter: %q", rows)
	}
	tm.keys("Escape")
	tm.waitGone(5*time.Second, `"pay"`)
	s = tm.waitFor(5*time.Second, "1 SERVICES 6")
	if rows := serviceRows(t, s); len(rows) != 6 {
		t.Errorf("esc did not clear the filter: %q\n%s", rows, s)
	}

	// A matcher; q is a letter while it is typed, and a bad one says why.
	tm.keys("/")
	tm.waitFor(5*time.Second, "golden signals: text, or matchers")
	tm.tmux("send-keys", "-t", tm.name, "-l", `{service=~"(q"}`)
	tm.waitFor(5*time.Second, "error parsing regexp")
	for range len(`(q"}`) {
		tm.keys("BSpace")
	}
	tm.tmux("send-keys", "-t", tm.name, "-l", `check.*"}`)
	s = tm.waitFor(5*time.Second, `1 SERVICES 1 of 6 {service=~"check.*"}`)
	if rows := serviceRows(t, s); len(rows) != 1 || !strings.Contains(rows[0], "checkout") {
		t.Errorf("the matcher kept %q, want the checkout row alone:\n%s", rows, s)
	}
	if strings.Contains(s, "error parsing") {
		t.Errorf("the parser's message outlived the mistake:\n%s", s)
	}
	// esc while typing gives the edit up: no filter was there before.
	tm.keys("Escape")
	tm.waitFor(5*time.Second, "1 SERVICES 6")
	tm.waitGone(5*time.Second, "/{service")

	tm.keys("q")
	tm.waitGone(10*time.Second, "DEMO")
}

// serviceRows is the row lines of the services pane on screen: those under its
// title, up to the blank line that ends the pane.
func serviceRows(t *testing.T, screen string) []string {
	t.Helper()
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "1 SERVICES") {
			continue
		}
		var rows []string
		for _, r := range lines[i+1:] {
			if strings.TrimSpace(r) == "" {
				break
			}
			rows = append(rows, r)
		}
		return rows
	}
	t.Fatalf("no services pane on screen:\n%s", screen)
	return nil
}
