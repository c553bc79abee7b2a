package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// TestPagerDutyPaginationOver250 pages through 250 open incidents 100 at a time, as
// vigil's poll does: three pages, more on all but the last, total only when asked.
func TestPagerDutyPaginationOver250(t *testing.T) {
	f, chk := contractFixture(t)
	for i := range 250 {
		f.add(t, PDIncident{Title: fmt.Sprintf("incident %d", i), ServiceID: "PSVC001",
			CreatedAt: f.clock.Now().Add(time.Duration(i-250) * time.Minute)})
	}
	c := f.client()
	var seen []uint
	for page := 0; page < 5; page++ { // bounded: three pages expected
		res, err := c.ListIncidentsWithContext(context.Background(), pagerduty.ListIncidentsOptions{
			Limit: 100, Offset: uint(100 * page), Total: page == 0, Statuses: []string{"triggered", "acknowledged"},
		})
		mustPD(t, err)
		wantMore, wantLen := page < 2, min(100, 250-100*page)
		if len(res.Incidents) != wantLen || res.More != wantMore || res.Offset != uint(100*page) || res.Limit != 100 {
			t.Errorf("page %d: %d incidents, more %v, offset %d, limit %d; want %d, %v", page, len(res.Incidents), res.More, res.Offset, res.Limit, wantLen, wantMore)
		}
		if wantTotal := map[bool]uint{true: 250, false: 0}[page == 0]; res.Total != wantTotal {
			t.Errorf("page %d: total %d, want %d", page, res.Total, wantTotal)
		}
		for _, inc := range res.Incidents {
			seen = append(seen, inc.IncidentNumber)
		}
		if !res.More {
			break
		}
	}
	if len(seen) != 250 || !slices.IsSorted(seen) || slices.Compact(slices.Clone(seen))[249] != 250 {
		t.Errorf("saw %d incidents, sorted %v", len(seen), slices.IsSorted(seen))
	}
	chk.AssertClean(t)
}

func TestPagerDutyListFilters(t *testing.T) {
	f, chk := contractFixture(t)
	t0 := f.clock.Now()
	a := f.add(t, PDIncident{Title: "a", ServiceID: "PSVC001", CreatedAt: t0.Add(-3 * time.Minute)})
	b := f.add(t, PDIncident{Title: "b", ServiceID: "PSVC002", Urgency: "low", CreatedAt: t0.Add(-2 * time.Minute)})
	cID := f.add(t, PDIncident{Title: "c", ServiceID: "PSVC001", Status: "acknowledged", Assignees: []string{"PSAM003"}, CreatedAt: t0.Add(-time.Minute)})
	d := f.add(t, PDIncident{Title: "d", ServiceID: "PSVC002", Status: "resolved", CreatedAt: t0})
	for _, tc := range []struct {
		name  string
		query string
		want  []string
	}{
		{"all", "", []string{a, b, cID, d}},
		{"open", "statuses[]=triggered&statuses[]=acknowledged", []string{a, b, cID}},
		{"service", "service_ids[]=PSVC002", []string{b, d}},
		{"team", "team_ids[]=PTEAM01", []string{a, cID}},
		{"mine", "user_ids[]=PADA001", []string{a, b}}, // assigned by the policy's level 1; resolved ones have no assignee
		{"assigned to Sam", "user_ids[]=PSAM003", []string{cID}},
		{"low", "urgencies[]=low", []string{b}},
		{"newest first", "sort_by=created_at:desc&statuses[]=triggered", []string{b, a}},
		{"by urgency, then number", "sort_by=urgency:desc,incident_number:desc", []string{b, d, cID, a}},
	} {
		res, body := pdCall(t, f, "GET", "/incidents?"+tc.query, "", "")
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tc.name, res.StatusCode, body)
		}
		if got := decodeIncidents(t, body); !slices.Equal(got, tc.want) {
			t.Errorf("%s (%s): %v, want %v", tc.name, tc.query, got, tc.want)
		}
	}
	chk.AssertClean(t)
}

func decodeIncidents(t *testing.T, body []byte) []string {
	t.Helper()
	var res pagerduty.ListIncidentsResponse
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, inc := range res.Incidents {
		ids = append(ids, inc.ID)
	}
	return ids
}

// TestPagerDutyActionsAndTheirLog acknowledges, notes, snoozes until the snooze ends,
// escalates and resolves one incident, checking the state and the log after each.
func TestPagerDutyActionsAndTheirLog(t *testing.T) {
	f, chk := contractFixture(t)
	id := f.add(t, PDIncident{Title: "checkout 5xx", ServiceID: "PSVC001"})
	ctx := context.Background()
	c := f.client()
	manage := func(from string, o pagerduty.ManageIncidentsOptions) {
		t.Helper()
		o.ID = id
		_, err := c.ManageIncidentsWithContext(ctx, from, []pagerduty.ManageIncidentsOptions{o})
		mustPD(t, err)
	}
	manage("sam@example.com", pagerduty.ManageIncidentsOptions{Status: "acknowledged"})
	if inc, _ := f.pd.Incident(id); inc.Status != "acknowledged" || !slices.Equal(inc.Acknowledgers, []string{"PSAM003"}) {
		t.Errorf("after ack: %s by %v", inc.Status, inc.Acknowledgers)
	}
	_, err := c.CreateIncidentNoteWithContext(ctx, id, pagerduty.IncidentNote{Content: "looking", User: pagerduty.APIObject{Summary: "lin@example.com"}})
	mustPD(t, err)
	res, body := pdCall(t, f, "POST", "/incidents/"+id+"/snooze", "sam@example.com", `{"duration":900}`)
	if res.StatusCode != 201 {
		t.Fatalf("snooze: %d %s", res.StatusCode, body)
	}
	f.clock.Advance(14 * time.Minute)
	if inc, _ := f.pd.Incident(id); inc.Status != "acknowledged" {
		t.Errorf("14 minutes into a 15-minute snooze: %s", inc.Status)
	}
	f.clock.Advance(time.Minute)
	inc, _ := f.pd.Incident(id)
	if inc.Status != "triggered" || len(inc.Acknowledgers) != 0 || !inc.SnoozedUntil.IsZero() {
		t.Errorf("snooze over: %s, acknowledgers %v", inc.Status, inc.Acknowledgers)
	}
	manage("ada@example.com", pagerduty.ManageIncidentsOptions{EscalationLevel: 2})
	if inc, _ := f.pd.Incident(id); inc.EscalationLevel != 2 || !slices.Equal(inc.Assignees, []string{"PLIN002"}) {
		t.Errorf("escalated: level %d, assignees %v", inc.EscalationLevel, inc.Assignees)
	}
	manage("lin@example.com", pagerduty.ManageIncidentsOptions{Status: "resolved", Resolution: "rolled back"})

	notes, err := c.ListIncidentNotesWithContext(ctx, id)
	mustPD(t, err)
	if len(notes) != 1 || notes[0].User.ID != "PLIN002" || notes[0].Content != "looking" {
		t.Errorf("notes: %+v", notes)
	}
	logs, err := c.ListIncidentLogEntriesWithContext(ctx, id, pagerduty.ListIncidentLogEntriesOptions{})
	mustPD(t, err)
	var got []string
	for _, e := range logs.LogEntries {
		got = append(got, e.Type+" by "+e.Agent.ID)
	}
	want := []string{ // newest first
		"resolve_log_entry by PLIN002", "escalate_log_entry by PADA001", "unacknowledge_log_entry by PSVC001",
		"snooze_log_entry by PSAM003", "annotate_log_entry by PLIN002", "acknowledge_log_entry by PSAM003",
		"trigger_log_entry by PSVC001",
	}
	if !slices.Equal(got, want) {
		t.Errorf("log:\n got %v\nwant %v", got, want)
	}
	var writes []string
	for _, r := range f.pd.Requests() {
		if r.Method != "GET" {
			writes = append(writes, r.Method+" "+r.Path+" "+r.From)
		}
	}
	if len(writes) != 5 || writes[0] != "PUT /incidents sam@example.com" || writes[1] != "POST /incidents/"+id+"/notes lin@example.com" {
		t.Errorf("request log: %v", writes)
	}
	chk.AssertClean(t)
}

func TestPagerDutyBulkUpdateRefusesUnknownBeforeChanging(t *testing.T) {
	f, chk := contractFixture(t)
	id := f.add(t, PDIncident{Title: "a", ServiceID: "PSVC001"})
	_, err := f.client().ManageIncidentsWithContext(context.Background(), "ada@example.com", []pagerduty.ManageIncidentsOptions{
		{ID: id, Status: "acknowledged"}, {ID: "PNOSUCH", Status: "acknowledged"},
	})
	if err == nil {
		t.Fatal("a bulk update naming an unknown incident succeeded")
	}
	if inc, _ := f.pd.Incident(id); inc.Status != "triggered" {
		t.Errorf("the known incident changed to %s", inc.Status)
	}
	chk.AssertClean(t)
}

func TestPagerDutyQueryParsing(t *testing.T) {
	v, _ := url.ParseQuery("statuses[]=triggered&statuses[]=acknowledged&service_ids=P1,P2")
	if got := multi(v, "statuses"); !slices.Equal(got, []string{"triggered", "acknowledged"}) {
		t.Errorf("statuses: %v", got)
	}
	if got := multi(v, "service_ids"); !slices.Equal(got, []string{"P1", "P2"}) {
		t.Errorf("service_ids: %v", got)
	}
	for _, q := range []string{"limit=x", "offset=-1"} {
		v, _ := url.ParseQuery(q)
		if _, err := parsePage(v); err == nil {
			t.Errorf("%s accepted", q)
		}
	}
	v, _ = url.ParseQuery("limit=1000")
	if pg, _ := parsePage(v); pg.limit != pdMaxLimit {
		t.Errorf("limit=1000 gives %d, want PagerDuty's cap %d", pg.limit, pdMaxLimit)
	}
}
