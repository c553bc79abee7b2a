package pagerduty

import (
	"context"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

func TestFromConfig(t *testing.T) {
	h := newHarness(t, nil)
	h.addIncidents(t, 1, "PPAY", "PLIN")
	t.Setenv("VIGIL_TEST_PD_TOKEN", canary)
	yaml := "pagerduty:\n  token_env: VIGIL_TEST_PD_TOKEN\n  url: " + h.srv.URL + "\n  from: ada@example.com\n" +
		"  services: [PPAY]\n  user_id: PADA\n  service_map: {PPAY: payments}\n  requests_per_minute: 30\n"
	c, err := config.Parse("config.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	src, err := FromConfig(c.PagerDuty, []string{"payments"}, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := src.Poll(context.Background(), h.clock.Now())
	if err != nil || len(d.Pages.Incidents) != 1 || d.Pages.Incidents[0].Service != "payments" {
		t.Fatalf("Poll = %+v, %v", d.Pages, err)
	}
	if src.ReadOnly() || src.UserID() != "PADA" || src.gate.limit != 30 {
		t.Errorf("read-only %v, user %q, budget %d", src.ReadOnly(), src.UserID(), src.gate.limit)
	}
	ro, err := FromConfig(c.PagerDuty, nil, true)
	if err != nil || !ro.ReadOnly() {
		t.Errorf("--read-only: %v, %v", ro.ReadOnly(), err)
	}
	c.PagerDuty.TokenEnv = "VIGIL_TEST_PD_UNSET"
	if _, err := FromConfig(c.PagerDuty, nil, false); err == nil || err.Error() != "config: pagerduty.token_env: $VIGIL_TEST_PD_UNSET is not set or empty" {
		t.Errorf("without a token: %v", err)
	}
}
