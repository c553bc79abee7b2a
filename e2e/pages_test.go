package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources/sim"
)

// TestAckAPageInTmux runs the real binary against the PagerDuty simulator: select the
// checkout page, press a, confirm; the row reads ACK, and the simulator recorded an
// acknowledgement sent with the configured From.
func TestAckAPageInTmux(t *testing.T) {
	bin := vigilBinary(t)
	sc := sim.DemoScenario(time.Now())
	pd := sim.DemoPagerDuty(sc, time.Now)
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pd.Close() })

	dir := t.TempDir()
	cfg := fmt.Sprintf(`refresh: 2s
timeout: 2s
pagerduty:
  token_env: PD_TEST_TOKEN
  from: %s
  url: %s
  user_id: %s
  escalation_policies: [%s]
  scope: account
`, sim.DemoPagerDutyFrom, pd.URL(), sim.DemoPagerDutyUserID, sim.DemoPagerDutyPolicyID)
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, 140, 30, dir, "TERM=xterm-256color", "PD_TEST_TOKEN=e2e-token")
	tm.line(bin + " --config vigil.yaml")
	tm.waitFor(20*time.Second, "PAGES", "CheckoutHighErrorBudgetBurn", "TRIGGERED")

	// Focus the pages pane (3); checkout's high-urgency page is the first row.
	tm.keys("3")
	tm.waitFor(5*time.Second, "PAGES")
	s := tm.screen()
	if !strings.Contains(s, "▸ #") {
		t.Fatalf("the pages pane has no cursor:\n%s", s)
	}
	tm.keys("a")
	tm.waitFor(5*time.Second, "Acknowledge #", "CheckoutHighErrorBudgetBurn")
	tm.keys("y")
	s = tm.waitFor(15*time.Second, "HIGH ACK")
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "CheckoutHighErrorBudgetBurn") && !strings.Contains(l, "ACK") {
			t.Errorf("the acknowledged page's row: %q", l)
		}
	}
	acked := false
	for _, r := range pd.Requests() {
		if r.Method == "PUT" && strings.Contains(r.Body, "acknowledged") {
			acked = true
			if r.From != sim.DemoPagerDutyFrom {
				t.Errorf("acknowledge sent From %q, want %q", r.From, sim.DemoPagerDutyFrom)
			}
		}
	}
	if !acked {
		t.Errorf("the simulator recorded no acknowledgement: %+v", pd.Requests())
	}
	tm.keys("q")
}
