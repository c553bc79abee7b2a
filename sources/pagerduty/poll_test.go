package pagerduty

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

func TestPollPaginates250Incidents(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.UserID, o.EscalationPolicies = "", nil }) // no on-call to ask
	want := h.addIncidents(t, 250, "PCHK", "PADA")

	p := h.poll(t)
	if p.Requests != 3 {
		t.Errorf("Requests = %d, want 3 (pages of 100)", p.Requests)
	}
	got := make([]string, len(p.Incidents))
	for i, in := range p.Incidents {
		got[i] = in.ID
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("incidents: got %d, want the 250 in creation order", len(got))
	}
	var offsets []string
	for _, r := range h.sim.Requests() {
		q := r.Query
		offsets = append(offsets, q.Get("offset"))
		if q.Get("limit") != "100" || !reflect.DeepEqual(q["statuses[]"], []string{"triggered", "acknowledged"}) ||
			!reflect.DeepEqual(q["include[]"], []string{"assignees", "services", "priorities"}) {
			t.Errorf("request %s %v: want limit 100, open statuses, includes", r.Path, q)
		}
	}
	if !reflect.DeepEqual(offsets, []string{"", "100", "200"}) {
		t.Errorf("offsets = %q, want none, 100, 200", offsets)
	}
}

func TestCheck(t *testing.T) {
	h := newHarness(t, nil)
	must(t, h.src.Check(context.Background()))
	if got := h.requests(0); len(got) != 1 || got[0] != "GET /incidents" || h.sim.Requests()[0].Query.Get("limit") != "1" {
		t.Errorf("Check asked %q", got)
	}
}

func TestPollMapsIncidents(t *testing.T) {
	h := newHarness(t, nil)
	created := t0.Add(-10 * time.Minute)
	id, err := h.sim.AddIncident(sim.PDIncident{
		Title: "checkout 5xx burn", ServiceID: "PCHK", Urgency: "high", Priority: "P1",
		Assignees: []string{"PADA"}, CreatedAt: created,
	})
	must(t, err)
	pay, err := h.sim.AddIncident(sim.PDIncident{Title: "slow payments", ServiceID: "PPAY", Urgency: "low", Status: "acknowledged", Assignees: []string{"PLIN"}})
	must(t, err)

	p := h.poll(t)
	if len(p.Incidents) != 2 {
		t.Fatalf("incidents = %+v", p.Incidents)
	}
	in := p.Incidents[0]
	if in.ID != id || in.Number != 1 || in.Title != "checkout 5xx burn" || in.Status != "triggered" || in.Urgency != "high" ||
		in.Priority != "P1" || in.ServiceID != "PCHK" || in.ServiceName != "checkout" || in.Service != "checkout" ||
		!reflect.DeepEqual(in.Assignees, []sources.Person{{ID: "PADA", Name: "Ada Lovelace"}}) ||
		in.EscalationPolicyID != "PEP1" || !in.CreatedAt.Equal(created) || in.UpdatedAt.IsZero() || in.URL == "" {
		t.Errorf("incident = %+v", in)
	}
	// service_map by name: "Payments API" is vigil's "payments".
	if got := p.Incidents[1]; got.ID != pay || got.Service != "payments" || got.Status != "acknowledged" || got.Urgency != "low" {
		t.Errorf("payments incident = %+v", got)
	}
}

func TestPollScope(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*Options)
		query     map[string][]string // the list request's scope parameters
		want      []string            // titles
	}{
		{"services", func(o *Options) { o.Services = []string{"PPAY"} },
			map[string][]string{"service_ids[]": {"PPAY"}}, []string{"PPAY incident 0"}},
		{"teams", func(o *Options) { o.Services, o.Teams = nil, []string{"PTEAM1"} },
			map[string][]string{"team_ids[]": {"PTEAM1"}}, []string{"PCHK incident 0", "PCHK incident 1"}},
		{"user alone narrows to mine", func(o *Options) { o.Services, o.UserID = nil, "PLIN" },
			map[string][]string{"user_ids[]": {"PLIN"}}, []string{"PPAY incident 0"}},
		{"user with services names me only", func(o *Options) { o.Services, o.UserID = []string{"PCHK", "PPAY"}, "PLIN" },
			map[string][]string{"service_ids[]": {"PCHK", "PPAY"}}, []string{"PCHK incident 0", "PPAY incident 0", "PCHK incident 1"}},
		{"account", func(o *Options) { o.Services, o.UserID, o.Account = nil, "", true },
			map[string][]string{}, []string{"PCHK incident 0", "PPAY incident 0", "PCHK incident 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(o *Options) {
				o.EscalationPolicies = nil
				tt.configure(o)
			})
			h.addIncidents(t, 2, "PCHK", "PADA")
			h.addIncidents(t, 1, "PPAY", "PLIN")
			p := h.poll(t)
			var titles []string
			for _, in := range p.Incidents {
				titles = append(titles, in.Title)
			}
			if !reflect.DeepEqual(titles, tt.want) {
				t.Errorf("incidents = %q, want %q", titles, tt.want)
			}
			var list *sim.PDRequest
			for _, r := range h.sim.Requests() {
				if r.Path == "/incidents" {
					list = &r
					break
				}
			}
			if list == nil {
				t.Fatal("no GET /incidents")
			}
			for _, key := range []string{"service_ids[]", "team_ids[]", "user_ids[]"} {
				if got, want := list.Query[key], tt.query[key]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
		})
	}
}

// TestAssigneesArePolled: each incident names its assignees by ID, which the pages
// pane's "only mine" filters on.
func TestAssigneesArePolled(t *testing.T) {
	h := newHarness(t, nil)
	h.addIncidents(t, 3, "PCHK", "PADA")
	h.addIncidents(t, 2, "PPAY", "PLIN")
	p := h.poll(t)
	mine := 0
	for _, in := range p.Incidents {
		if slices.ContainsFunc(in.Assignees, func(p sources.Person) bool { return p.ID == h.src.UserID() }) {
			mine++
		}
	}
	if len(p.Incidents) != 5 || mine != 3 {
		t.Fatalf("incidents %d, assigned to %s %d; want 5 and 3", len(p.Incidents), h.src.UserID(), mine)
	}
}

func TestOnCallRefreshedEveryFiveMinutes(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.EscalationPolicies = []string{"PEP1"} })
	onCalls := func(from int) int {
		n := 0
		for _, r := range h.requests(from) {
			if r == "GET /oncalls" {
				n++
			}
		}
		return n
	}
	p := h.poll(t)
	want := []sources.OnCall{
		{PolicyID: "PEP1", PolicyName: "Checkout", Level: 1, User: sources.Person{ID: "PADA", Name: "Ada Lovelace"}, Until: shiftEnd},
		{PolicyID: "PEP1", PolicyName: "Checkout", Level: 2, User: sources.Person{ID: "PLIN", Name: "Lin Chen"}, Until: shiftEnd},
	}
	if !reflect.DeepEqual(p.OnCall, want) || !p.OnCallAt.Equal(t0) || p.Requests != 2 {
		t.Errorf("first poll: on-call %+v at %v, %d requests", p.OnCall, p.OnCallAt, p.Requests)
	}
	if q := h.sim.Requests()[1].Query; !reflect.DeepEqual(q["escalation_policy_ids[]"], []string{"PEP1"}) {
		t.Errorf("on-call query = %v", q)
	}

	// Every 15 s for 4m45s: incidents only, the on-call list carried.
	before := len(h.sim.Requests())
	for range 19 {
		h.clock.Advance(15 * time.Second)
		p = h.poll(t)
		if p.Requests != 1 || !reflect.DeepEqual(p.OnCall, want) || !p.OnCallAt.Equal(t0) {
			t.Fatalf("at %v: %d requests, on-call %+v at %v", h.clock.Now(), p.Requests, p.OnCall, p.OnCallAt)
		}
	}
	if n := onCalls(before); n != 0 {
		t.Errorf("on-call asked %d times within 5 minutes", n)
	}
	h.clock.Advance(15 * time.Second) // 5 minutes after the first
	must(t, h.sim.SetOnCall("PEP1", 1, sim.PDOnCall{UserID: "PLIN", Start: t0, End: shiftEnd}))
	p = h.poll(t)
	if p.Requests != 2 || !p.OnCallAt.Equal(t0.Add(5*time.Minute)) || p.OnCall[0].User.ID != "PLIN" {
		t.Errorf("after 5 minutes: %d requests, on-call %+v at %v", p.Requests, p.OnCall, p.OnCallAt)
	}
}

// Without escalation policies the on-call list is the operator's own.
func TestOnCallOfTheUser(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.EscalationPolicies = nil })
	p := h.poll(t)
	if len(p.OnCall) != 1 || p.OnCall[0].User.ID != "PADA" || p.OnCall[0].Level != 1 {
		t.Errorf("on-call = %+v", p.OnCall)
	}
	if q := h.sim.Requests()[1].Query; !reflect.DeepEqual(q["user_ids[]"], []string{"PADA"}) {
		t.Errorf("on-call query = %v", q)
	}
}
