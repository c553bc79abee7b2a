package pagerduty

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources/sim"
)

func TestIncidentDetailCachedUntilTheIncidentChanges(t *testing.T) {
	h := newHarness(t, nil)
	id, err := h.sim.AddIncident(sim.PDIncident{
		Title: "checkout 5xx burn", ServiceID: "PCHK", Assignees: []string{"PADA"}, CreatedAt: t0.Add(-5 * time.Minute),
		Alerts: []sim.PDAlert{{
			Summary: "CheckoutHighErrorBudgetBurn", Severity: "critical", AlertKey: "fp-1",
			Details: map[string]any{"firing": "alertname = CheckoutHighErrorBudgetBurn", "count": 2},
		}},
	})
	must(t, err)
	h.poll(t)
	ctx := context.Background()

	before := len(h.sim.Requests())
	d, err := h.src.IncidentDetail(ctx, id)
	must(t, err)
	if got := h.requests(before); !reflect.DeepEqual(got, []string{
		"GET /incidents/" + id + "/alerts", "GET /incidents/" + id + "/log_entries", "GET /incidents/" + id + "/notes",
	}) {
		t.Errorf("requests = %q", got)
	}
	if d.Incident.ID != id || d.Incident.Title != "checkout 5xx burn" || !d.FetchedAt.Equal(t0) {
		t.Errorf("incident = %+v at %v", d.Incident, d.FetchedAt)
	}
	wantAlert := Alert{
		Summary: "CheckoutHighErrorBudgetBurn", Severity: "critical", Status: "triggered", AlertKey: "fp-1",
		Details: map[string]string{"firing": "alertname = CheckoutHighErrorBudgetBurn", "count": "2"},
	}
	if len(d.Alerts) != 1 {
		t.Fatalf("alerts = %+v", d.Alerts)
	}
	got := d.Alerts[0]
	got.ID, got.CreatedAt = "", time.Time{}
	if !reflect.DeepEqual(got, wantAlert) {
		t.Errorf("alert = %+v\nwant %+v", got, wantAlert)
	}
	if len(d.Log) == 0 || d.Log[0].Type != "trigger_log_entry" || len(d.Notes) != 0 {
		t.Errorf("log %+v, notes %+v", d.Log, d.Notes)
	}

	// Unchanged: from the cache, no request.
	before = len(h.sim.Requests())
	h.clock.Advance(15 * time.Second)
	h.poll(t)
	if _, err := h.src.IncidentDetail(ctx, id); err != nil || len(h.sim.Requests()) != before+1 {
		t.Errorf("an unchanged detail made %d requests besides the poll (err %v)", len(h.sim.Requests())-before-1, err)
	}

	// Changed: a note and an acknowledge move updated_at; the next poll sees it.
	h.clock.Advance(15 * time.Second)
	must(t, h.src.Note(ctx, id, "rolling back"))
	must(t, h.src.Acknowledge(ctx, id))
	h.poll(t)
	before = len(h.sim.Requests())
	d, err = h.src.IncidentDetail(ctx, id)
	must(t, err)
	if n := len(h.sim.Requests()) - before; n != 3 {
		t.Errorf("a changed incident's detail made %d requests, want 3", n)
	}
	if d.Incident.Status != "acknowledged" || len(d.Notes) != 1 || d.Notes[0].Content != "rolling back" || d.Notes[0].User != "Ada Lovelace" {
		t.Errorf("after the changes: %s, notes %+v", d.Incident.Status, d.Notes)
	}
	if d.Log[0].Type != "acknowledge_log_entry" || d.Log[0].Agent != "Ada Lovelace" {
		t.Errorf("newest log entry = %+v, want the acknowledge by Ada", d.Log[0])
	}

	// An incident the poll did not see (resolved since): asked for, not cached.
	must(t, h.sim.Resolve(id))
	h.poll(t)
	before = len(h.sim.Requests())
	d, err = h.src.IncidentDetail(ctx, id)
	must(t, err)
	if d.Incident.Status != "resolved" || len(h.requests(before)) != 4 || h.requests(before)[0] != "GET /incidents/"+id {
		t.Errorf("resolved incident: %s, requests %q", d.Incident.Status, h.requests(before))
	}
}
