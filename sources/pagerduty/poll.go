package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/sources"
)

// Poll asks for the open incidents in scope, one request per 100, and for who is on
// call when the last answer is OnCallEvery old, and for the alerts of each incident
// it has not seen before or whose alert_counts changed (see pagealerts.go), as far as
// the budget allows. PagerDuty answers only about now: at is not used.
//
// A poll the request budget cannot pay for in full asks nothing and returns the last
// poll's incidents with Skipped saying why: half a list would show pages as resolved
// that are not. While PagerDuty asks to be left alone (a 429), Poll returns that, as a
// sources.RetryAfter, without a request.
func (s *Source) Poll(ctx context.Context, _ time.Time) (sources.Data, error) {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()

	now := s.clock.Now()
	onCallDue := s.onCallDue(now)
	need := min(max(1, s.pages), maxPages) // a list cut at maxPages asks maxPages
	if onCallDue {
		need++
	}
	spare, held := s.gate.spare()
	if held != nil {
		return sources.Data{}, held
	}
	if spare < need {
		return s.skipped(&budgetError{limit: s.opts.RequestsPerMinute}), nil
	}

	var requests int
	counts := map[string]pd.AlertCounts{}
	incidents, pages, err := s.listIncidents(ctx, counts, &requests)
	if err != nil {
		var be *budgetError
		if errors.As(err, &be) {
			// More pages than the last poll needed, and no budget left for them.
			return s.skipped(be), nil
		}
		return sources.Data{}, err
	}
	s.pages = pages

	var warnings []string
	if onCallDue {
		if err := s.refreshOnCall(ctx, now, &requests); err != nil {
			// The incidents matter more than who is on call: show them, and say the
			// on-call list is old. It is asked again next poll.
			warnings = append(warnings, "on-call not refreshed: "+err.Error())
		}
	}
	if w := s.readAlerts(ctx, incidents, counts, &requests); w != "" {
		warnings = append(warnings, w)
	}
	if pages > maxPages {
		warnings = append(warnings, fmt.Sprintf("more than %d open incidents: showing the first %d", maxPages*pageSize, maxPages*pageSize))
	}
	data := &sources.PagesData{
		Incidents: incidents,
		OnCall:    s.onCall,
		OnCallAt:  s.onCallAt,
		Requests:  requests,
	}
	s.last, s.lastAt = data, now
	s.details.observe(incidents)
	return sources.Data{Pages: data, Warnings: warnings}, nil
}

// Check is `vigil check` for this token: PagerDuty answers, accepts the token and the
// scope. It makes one request, ahead of polls, and returns one short error.
func (s *Source) Check(ctx context.Context) error {
	q := s.incidentQuery()
	q.Limit, q.Includes = 1, nil
	return s.do(ctx, true, func(ctx context.Context) error {
		_, err := s.client.ListIncidentsWithContext(ctx, q)
		return err
	})
}

// skipped is the answer of a poll the budget could not pay for: the last incidents,
// marked.
func (s *Source) skipped(why error) sources.Data {
	p := &sources.PagesData{Skipped: why.Error()}
	if s.last != nil {
		p.Incidents, p.OnCall, p.OnCallAt = s.last.Incidents, s.last.OnCall, s.last.OnCallAt
		p.Skipped += "; showing the poll of " + s.lastAt.UTC().Format("15:04:05") + " UTC"
	}
	return sources.Data{Pages: p}
}

// incidentQuery is the list request's scope; Offset is set per page.
func (s *Source) incidentQuery() pd.ListIncidentsOptions {
	o := pd.ListIncidentsOptions{
		Limit:    pageSize,
		Statuses: []string{"triggered", "acknowledged"},
		Includes: []string{"assignees", "services", "priorities"},
		SortBy:   "created_at:asc",
	}
	if !s.opts.Account {
		o.ServiceIDs = s.opts.Services
		o.TeamIDs = s.opts.Teams
		// The user narrows the scope only when nothing else does: with services or teams
		// it names the operator for "only mine", which needs every page of the scope.
		if len(o.ServiceIDs) == 0 && len(o.TeamIDs) == 0 && s.opts.UserID != "" {
			o.UserIDs = []string{s.opts.UserID}
		}
	}
	return o
}

// listIncidents follows the offset pagination while PagerDuty says there is more, up
// to maxPages. pages is how many pages there were (maxPages+1 when cut short). counts
// gets each incident's alert_counts, which say when its alerts are to be read again.
func (s *Source) listIncidents(ctx context.Context, counts map[string]pd.AlertCounts, requests *int) (out []sources.Incident, pages int, err error) {
	q := s.incidentQuery()
	seen := map[string]bool{}
	for pages < maxPages {
		q.Offset = uint(pages * pageSize)
		var resp *pd.ListIncidentsResponse
		err := s.do(ctx, false, func(ctx context.Context) (err error) {
			*requests++
			resp, err = s.client.ListIncidentsWithContext(ctx, q)
			return err
		})
		if err != nil {
			return nil, pages, err
		}
		pages++
		for _, in := range resp.Incidents {
			// An incident that moves between pages while they are read would show twice.
			if in.ID == "" || seen[in.ID] {
				continue
			}
			seen[in.ID] = true
			counts[in.ID] = in.AlertCounts
			out = append(out, s.incident(in))
		}
		if !resp.More || len(resp.Incidents) == 0 {
			return out, pages, nil
		}
	}
	return out, pages + 1, nil
}

// incident maps one PagerDuty incident.
func (s *Source) incident(in pd.Incident) sources.Incident {
	out := sources.Incident{
		ID:                 in.ID,
		Number:             int(in.IncidentNumber),
		Title:              in.Title,
		Status:             in.Status,
		Urgency:            in.Urgency,
		ServiceID:          in.Service.ID,
		ServiceName:        in.Service.Summary,
		EscalationPolicyID: in.EscalationPolicy.ID,
		CreatedAt:          parseTime(in.CreatedAt),
		LastStatusChangeAt: parseTime(in.LastStatusChangeAt),
		UpdatedAt:          parseTime(in.UpdatedAt),
		URL:                in.HTMLURL,
	}
	if out.Title == "" {
		out.Title = in.Summary
	}
	if p := in.Priority; p != nil {
		out.Priority = p.Summary
		if out.Priority == "" {
			out.Priority = p.Name
		}
	}
	out.Service = s.vigilService(out.ServiceID, out.ServiceName)
	if out.Status == "acknowledged" {
		// PagerDuty's pending unacknowledge is when the acknowledgement times out or
		// the snooze ends; the earliest wins should it list two.
		for _, a := range in.PendingActions {
			if t := parseTime(a.At); a.Type == "unacknowledge" && !t.IsZero() && (out.AckLapsesAt.IsZero() || t.Before(out.AckLapsesAt)) {
				out.AckLapsesAt = t
			}
		}
	}
	for _, a := range in.Assignments {
		out.Assignees = append(out.Assignees, sources.Person{ID: a.Assignee.ID, Name: a.Assignee.Summary})
	}
	return out
}

// vigilService is the vigil service a PagerDuty service's pages sit beside: the
// service map by ID, then by name, then the vigil service of the same name.
func (s *Source) vigilService(id, name string) string {
	if v, ok := s.opts.ServiceMap[id]; ok && id != "" {
		return v
	}
	if v, ok := s.opts.ServiceMap[name]; ok && name != "" {
		return v
	}
	if s.vigil[name] {
		return name
	}
	return ""
}

// parseTime reads PagerDuty's RFC 3339 times; zero when absent or unreadable.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
