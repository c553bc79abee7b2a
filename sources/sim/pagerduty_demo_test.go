package sim

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/internal/pdcontract"
)

func TestDemoPageWindowFollowsTheBurn(t *testing.T) {
	sc := DemoScenario(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	from, to := sc.DemoPageWindow(0)
	t.Logf("first cycle %s; page %s .. %s (offsets %s .. %s)", sc.FirstCycle.Format(time.TimeOnly), from.Format(time.TimeOnly), to.Format(time.TimeOnly), from.Sub(sc.FirstCycle), to.Sub(sc.FirstCycle))
	errFrom, _ := sc.PhaseWindow(0, PhaseErrors)
	_, recTo := sc.PhaseWindow(0, PhaseRecovered)
	if from.Before(errFrom) || !to.After(recTo) {
		t.Errorf("page %s..%s; want it to start in the errors phase (%s) and end after the recovery (%s)", from, to, errFrom, recTo)
	}
	if sc.shortBurn(from) <= demoPageBurn || sc.shortBurn(from.Add(-ScrapeInterval)) > demoPageBurn || sc.shortBurn(to) > demoPageBurn {
		t.Errorf("burn at the edges: before %.1f, from %.1f, to %.1f", sc.shortBurn(from.Add(-ScrapeInterval)), sc.shortBurn(from), sc.shortBurn(to))
	}
	if n1, _ := sc.DemoPageWindow(1); n1.Sub(from) != CycleLength {
		t.Errorf("cycle 1's page starts %s after cycle 0's, want %s", n1.Sub(from), CycleLength)
	}
}

// TestDemoPagerDuty walks the demo account through a page's life with go-pagerduty:
// open at start beside the two background incidents, acknowledged by the demo's From,
// resolved when the burn stops paging, and the next cycle's page after it.
func TestDemoPagerDuty(t *testing.T) {
	spec := pdcontract.Load(t)
	chk := spec.NewChecker()
	sc := DemoScenario(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	clock := &testClock{now: sc.Start}
	pd := DemoPagerDuty(sc, clock.Now)
	srv := httptest.NewServer(chk.Handler(pd.Handler()))
	defer srv.Close()
	c := pagerduty.NewClient("demo-token", pagerduty.WithAPIEndpoint(srv.URL))
	ctx := context.Background()
	open := func() map[string]pagerduty.Incident {
		t.Helper()
		res, err := c.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
			Statuses: []string{"triggered", "acknowledged"}, Limit: 100,
			ServiceIDs: []string{DemoPagerDutyServices["checkout"], DemoPagerDutyServices["search"], DemoPagerDutyServices["frontend"]},
		})
		mustPD(t, err)
		out := map[string]pagerduty.Incident{}
		for _, inc := range res.Incidents {
			out[inc.Service.Summary] = inc
		}
		return out
	}

	now := open()
	checkout, ok := now["checkout"]
	if len(now) != 3 || !ok || checkout.Urgency != "high" || now["search"].Urgency != "low" ||
		now["frontend"].Status != "acknowledged" || checkout.Title != "[FIRING:1] CheckoutHighErrorBudgetBurn (checkout page)" {
		t.Fatalf("open at start: %+v", now)
	}
	// Lin's snooze lapses 25 minutes in: the demo's expiring strip has something to say.
	if p := now["frontend"].PendingActions; len(p) != 1 || p[0].Type != "unacknowledge" || p[0].At != sc.Start.Add(25*time.Minute).UTC().Format(time.RFC3339) {
		t.Errorf("frontend's pending actions %+v, want unacknowledge at start+25m", p)
	}
	alerts, err := c.ListIncidentAlertsWithContext(ctx, checkout.ID, pagerduty.ListIncidentAlertsOptions{})
	mustPD(t, err)
	if len(alerts.Alerts) != 1 || !strings.Contains(alerts.Alerts[0].Body["details"].(map[string]any)["firing"].(string), "alertname = CheckoutHighErrorBudgetBurn") {
		t.Errorf("checkout's alert details: %+v", alerts.Alerts)
	}
	oncalls, err := c.ListOnCallsWithContext(ctx, pagerduty.ListOnCallOptions{EscalationPolicyIDs: []string{DemoPagerDutyPolicyID}})
	mustPD(t, err)
	if len(oncalls.OnCalls) != 2 || oncalls.OnCalls[0].User.Summary != "Ada Lovelace" || oncalls.OnCalls[1].User.Summary != "Lin Chen" {
		t.Errorf("on call: %+v", oncalls.OnCalls)
	}

	_, err = c.ManageIncidentsWithContext(ctx, DemoPagerDutyFrom, []pagerduty.ManageIncidentsOptions{{ID: checkout.ID, Status: "acknowledged"}})
	mustPD(t, err)
	if got := open()["checkout"]; got.Status != "acknowledged" || len(got.Acknowledgements) != 1 || got.Acknowledgements[0].Acknowledger.ID != DemoPagerDutyUserID {
		t.Errorf("after ack: %+v", got)
	}

	_, to := sc.DemoPageWindow(-1)
	clock.Advance(to.Sub(clock.Now()))
	if _, still := open()["checkout"]; still {
		t.Errorf("checkout's page still open at %s, when the burn stopped paging", to)
	}
	if inc, _ := pd.Incident(checkout.ID); inc.Status != "resolved" || !inc.ResolvedAt.Equal(to) {
		t.Errorf("resolved %s at %s, want resolved at %s", inc.Status, inc.ResolvedAt, to)
	}
	from, _ := sc.DemoPageWindow(0)
	clock.Advance(from.Sub(clock.Now()))
	next, ok := open()["checkout"]
	if !ok || next.ID == checkout.ID || next.Status != "triggered" {
		t.Errorf("next cycle's page: %+v", next)
	}
	clock.Advance(49 * time.Hour)
	if got := len(open()); got != 3 {
		t.Errorf("two days later: %d open, want checkout's current page and the two background ones", got)
	}
	chk.AssertClean(t)
}
