package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// TestSilenceAndExpireInTmux runs the real binary against two real Alertmanagers (not
// clustered, as an HA pair with broken gossip looks): S on the alert's row, the form
// prefilled with its labels minus the instance, a comment, and the silence exists on
// both Alertmanagers as amtool sees it, the alert moves to the hidden list; then E on
// the silences pane, confirmed, and amtool lists no silence on either.
func TestSilenceAndExpireInTmux(t *testing.T) {
	bin := vigilBinary(t)
	amA := testservers.Alertmanager(t, testservers.AMOptions{})
	amB := testservers.Alertmanager(t, testservers.AMOptions{})
	if amA == nil || amB == nil {
		return // skipped: no Alertmanager binary here
	}
	alert := testservers.PushAlert{
		Labels: map[string]string{"alertname": "DiskFull", "severity": "critical", "service": "checkout",
			"instance": "db-1:9100"},
		Annotations: map[string]string{"summary": "disk 97% full"},
		StartsAt:    time.Now().Add(-10 * time.Minute),
	}
	amA.Push(t, alert)
	amB.Push(t, alert)

	dir := t.TempDir()
	cfg := fmt.Sprintf(`refresh: 2s
timeout: 2s
alertmanager:
  - name: am-a
    url: %s
  - name: am-b
    url: %s
`, amA.URL(), amB.URL())
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, 140, 30, dir, "TERM=xterm-256color", "USER=e2e-operator")
	tm.line(bin + " --config vigil.yaml")
	tm.waitFor(20*time.Second, "ALERTS", "DiskFull")

	// The alerts pane is the first with rows; S opens the form on its only row.
	tm.keys("S")
	s := tm.waitFor(5*time.Second, "Silence alerts matching")
	if !strings.Contains(s, `alertname="DiskFull"`) || !strings.Contains(s, `service="checkout"`) {
		t.Fatalf("the form is not prefilled with the alert's labels:\n%s", s)
	}
	if strings.Contains(s, "db-1") {
		t.Fatalf("the form kept the instance label, which would silence one machine only:\n%s", s)
	}
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "for how long")
	tm.keys("Enter") // 1h, the default
	tm.waitFor(5*time.Second, "why?")
	tm.keys("Enter") // no comment: refused
	tm.waitFor(5*time.Second, "a silence needs a comment")
	tm.tmux("send-keys", "-t", tm.name, "-l", "disk swap in progress")
	tm.keys("Enter")

	// Both Alertmanagers hold it, as their own tool lists it.
	var idsA, idsB []string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		idsA, idsB = amA.AmtoolSilenceIDs(t), amB.AmtoolSilenceIDs(t)
		if len(idsA) == 1 && len(idsB) == 1 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(idsA) != 1 || len(idsB) != 1 {
		t.Fatalf("amtool lists silences %v on am-a and %v on am-b, want one on each", idsA, idsB)
	}
	for _, am := range []*testservers.AMServer{amA, amB} {
		out := am.Amtool(t, "silence", "query", "-o", "extended")
		for _, want := range []string{"DiskFull", "checkout", "e2e-operator", "disk swap in progress"} {
			if !strings.Contains(out, want) {
				t.Errorf("amtool on %s does not show %q in the silence:\n%s", am.URL(), want, out)
			}
		}
		if strings.Contains(out, "db-1") {
			t.Errorf("the silence on %s matches the instance:\n%s", am.URL(), out)
		}
	}
	// The alert leaves the actionable list for the hidden one, with its reason, and
	// the two copies are one silence.
	tm.waitFor(20*time.Second, "silenced 1", "SILENCES 1\n")

	// E on the silences pane, confirmed, expires it everywhere.
	focusPane(t, tm, "SILENCES")
	tm.keys("E")
	tm.waitFor(5*time.Second, "Expire silence")
	tm.keys("y")
	deadline = time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		idsA, idsB = amA.AmtoolSilenceIDs(t), amB.AmtoolSilenceIDs(t)
		if len(idsA) == 0 && len(idsB) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(idsA) != 0 || len(idsB) != 0 {
		t.Fatalf("after E, amtool still lists %v on am-a and %v on am-b", idsA, idsB)
	}
	// The alert is actionable again.
	tm.waitGone(20*time.Second, "silenced 1")
	tm.keys("q")
}

// focusPane presses the digit shown before the pane's title (" 4 SILENCES 2").
func focusPane(t *testing.T, tm *term, title string) {
	t.Helper()
	s := tm.screen()
	m := regexp.MustCompile(`(?m)^[ ▸>](\d) ` + regexp.QuoteMeta(title) + ` `).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s pane on screen:\n%s", title, s)
	}
	tm.keys(m[1])
	tm.waitFor(5*time.Second, "▸"+m[1]+" "+title)
}
