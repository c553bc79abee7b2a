package sim

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/internal/pdcontract"
)

// contractFixture is the fixture with every request and response checked against
// PagerDuty's OpenAPI document.
func contractFixture(t *testing.T) (*pdFixture, *pdcontract.Checker) {
	t.Helper()
	spec := pdcontract.Load(t)
	t.Logf("OpenAPI document loaded in %s (once per test binary)", spec.LoadTook.Round(time.Millisecond))
	chk := spec.NewChecker()
	return newPDFixture(t, chk.Handler), chk
}

// TestPagerDutyContractWithGoPagerDuty drives the simulator with go-pagerduty's own
// client through every endpoint vigil uses and finds no violation of the document.
func TestPagerDutyContractWithGoPagerDuty(t *testing.T) {
	f, chk := contractFixture(t)
	ctx := context.Background()
	c := f.client()
	firing := f.add(t, PDIncident{
		Title: "[FIRING:1] CheckoutHighErrorBudgetBurn (checkout page)", ServiceID: "PSVC001", Priority: "P1",
		Alerts: []PDAlert{{Summary: "CheckoutHighErrorBudgetBurn", Severity: "critical", AlertKey: "k1",
			Details: map[string]any{"firing": "Labels:\n - alertname = CheckoutHighErrorBudgetBurn\n"}}},
	})
	low := f.add(t, PDIncident{Title: "search index lag", ServiceID: "PSVC002", Urgency: "low"})

	list, err := c.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
		Limit: 100, Total: true, Statuses: []string{"triggered", "acknowledged"},
		ServiceIDs: []string{"PSVC001", "PSVC002"}, TeamIDs: []string{"PTEAM01", "PTEAM02"},
		UserIDs: []string{"PADA001"}, Urgencies: []string{"high", "low"},
		Includes: []string{"services", "assignees", "priorities"}, SortBy: "created_at:desc",
	})
	mustPD(t, err)
	if len(list.Incidents) != 2 || list.Total != 2 || list.More {
		t.Errorf("list: %d incidents, total %d, more %v; want 2, 2, false", len(list.Incidents), list.Total, list.More)
	}
	inc, err := c.GetIncidentWithContext(ctx, firing)
	mustPD(t, err)
	if inc.Service.Summary != "checkout" || inc.Urgency != "high" || inc.Priority == nil || inc.Priority.Summary != "P1" {
		t.Errorf("get: service %q urgency %q priority %+v", inc.Service.Summary, inc.Urgency, inc.Priority)
	}
	_, err = c.ManageIncidentsWithContext(ctx, "ada@example.com", []pagerduty.ManageIncidentsOptions{{ID: firing, Status: "acknowledged"}})
	mustPD(t, err)
	_, err = c.ManageIncidentsWithContext(ctx, "lin@example.com", []pagerduty.ManageIncidentsOptions{{ID: low, EscalationLevel: 2}})
	mustPD(t, err)
	note, err := c.CreateIncidentNoteWithContext(ctx, firing, pagerduty.IncidentNote{
		Content: "rolling back 4.2.1", User: pagerduty.APIObject{Summary: "ada@example.com"},
	})
	mustPD(t, err)
	if note.User.ID != "PADA001" {
		t.Errorf("note user %q, want PADA001 (the From address's user)", note.User.ID)
	}
	notes, err := c.ListIncidentNotesWithContext(ctx, firing)
	mustPD(t, err)
	alerts, err := c.ListIncidentAlertsWithContext(ctx, firing, pagerduty.ListIncidentAlertsOptions{Limit: 25})
	mustPD(t, err)
	if len(notes) != 1 || len(alerts.Alerts) != 1 || !strings.Contains(alerts.Alerts[0].Body["details"].(map[string]any)["firing"].(string), "alertname") {
		t.Errorf("notes %d, alerts %+v", len(notes), alerts.Alerts)
	}
	logs, err := c.ListIncidentLogEntriesWithContext(ctx, firing, pagerduty.ListIncidentLogEntriesOptions{Limit: 25})
	mustPD(t, err)
	if len(logs.LogEntries) != 3 {
		t.Errorf("log entries %d, want trigger, acknowledge, annotate", len(logs.LogEntries))
	}
	oncalls, err := c.ListOnCallsWithContext(ctx, pagerduty.ListOnCallOptions{EscalationPolicyIDs: []string{"PEP0001"}, Earliest: true})
	mustPD(t, err)
	if len(oncalls.OnCalls) != 2 || oncalls.OnCalls[0].User.Summary != "Ada Lovelace" || oncalls.OnCalls[1].EscalationLevel != 2 {
		t.Errorf("on-calls %+v", oncalls.OnCalls)
	}
	// What the page join and the expiring strip read: an incident's triggered alerts
	// in Alertmanager's shape, and the pending unacknowledge of a snoozed incident and
	// of one whose service times acknowledgements out.
	f.pd.AddService(PDService{ID: "PSVC003", Name: "payments", EscalationPolicyID: "PEP0001", AckTimeout: 30 * time.Minute})
	timed := f.add(t, PDIncident{Title: "payments slow", ServiceID: "PSVC003", Status: "acknowledged",
		Alerts: []PDAlert{AlertmanagerAlert("[FIRING:2] PaymentsSlow payments", "warning",
			FiringAlert{Labels: map[string]string{"alertname": "PaymentsSlow", "pod": "a"}},
			FiringAlert{Labels: map[string]string{"alertname": "PaymentsSlow", "pod": "b"}})}})
	// go-pagerduty's snooze sends no From header, which PagerDuty requires: sent as
	// vigil sends it.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/incidents/"+firing+"/snooze", strings.NewReader(`{"duration":600}`))
	mustPD(t, err)
	req.Header.Set("Authorization", "Token token="+pdTestToken)
	req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("From", "ada@example.com")
	resp, err := http.DefaultClient.Do(req)
	mustPD(t, err)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("snooze: HTTP %d", resp.StatusCode)
	}
	triggered, err := c.ListIncidentAlertsWithContext(ctx, timed, pagerduty.ListIncidentAlertsOptions{Limit: 100, Statuses: []string{"triggered"}})
	mustPD(t, err)
	if len(triggered.Alerts) != 1 || strings.Count(triggered.Alerts[0].Body["details"].(map[string]any)["firing"].(string), "Labels:") != 2 {
		t.Errorf("triggered alerts %+v", triggered.Alerts)
	}
	list, err = c.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{Limit: 100, Statuses: []string{"acknowledged"}, Includes: []string{"services"}})
	mustPD(t, err)
	pending := map[string][]pagerduty.PendingAction{}
	for _, in := range list.Incidents {
		pending[in.ID] = in.PendingActions
		if in.AlertCounts.Triggered == 0 && in.ID == timed {
			t.Errorf("alert_counts %+v", in.AlertCounts)
		}
	}
	if p := pending[firing]; len(p) != 1 || p[0].Type != "unacknowledge" {
		t.Errorf("snoozed: pending actions %+v", p)
	}
	if p := pending[timed]; len(p) != 1 || p[0].Type != "unacknowledge" {
		t.Errorf("acknowledgement timeout: pending actions %+v", p)
	}
	_, err = c.ManageIncidentsWithContext(ctx, "ada@example.com", []pagerduty.ManageIncidentsOptions{{ID: firing, Status: "resolved"}})
	mustPD(t, err)
	chk.AssertClean(t)
	t.Logf("%d requests and responses checked", chk.Checked())
}
