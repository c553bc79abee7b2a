package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	pd "github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/sources"
)

// A page is joined to the Alertmanager alerts that caused it by the label sets its
// PagerDuty alerts carry (see ParseFiring). Those are read with GET
// /incidents/{id}/alerts once per open incident, and again only when the incident's
// alert_counts change; an incident that closes is forgotten.
//
// The reads are poll requests: they never touch the writes' reserve, and they take
// at most half of what the budget has left after the poll's own requests, so that
// the polls after a burst of new incidents can still afford the incident list. What
// the budget cannot afford now is read by a later poll; until then the page is
// joined by its title.

// maxAlertPages bounds the alert pages read for one incident: 500 PagerDuty alerts
// (each one an Alertmanager group) are more than any page holds.
const maxAlertPages = 5

// alertEntry is what the last read of one incident's alerts found.
type alertEntry struct {
	counts pd.AlertCounts // the incident's alert_counts when they were read
	labels []map[string]string
}

// alertsDue is an incident whose alerts are to be read, and its alert_counts now.
type alertsDue struct {
	index  int // in the poll's incidents
	counts pd.AlertCounts
}

// readAlerts reads the alerts of the incidents that need it, as far as the budget
// allows, and publishes every known incident's label sets on it. It returns a
// warning when a read failed (the rest wait for a later poll). The caller holds
// pollMu.
func (s *Source) readAlerts(ctx context.Context, incidents []sources.Incident, counts map[string]pd.AlertCounts, requests *int) string {
	for id := range s.alerts {
		if _, open := counts[id]; !open {
			delete(s.alerts, id)
		}
	}
	if s.alerts == nil {
		s.alerts = map[string]alertEntry{}
	}
	var due []alertsDue
	for i, in := range incidents {
		c := counts[in.ID]
		if e, ok := s.alerts[in.ID]; ok && e.counts == c {
			continue
		}
		if c.Triggered == 0 || !plainID(in.ID) {
			// No triggered alert carries a firing label set (and an ID that is not
			// PagerDuty's shape is never put in a path): nothing to ask.
			s.alerts[in.ID] = alertEntry{counts: c}
			continue
		}
		due = append(due, alertsDue{i, c})
	}
	// The pages a responder works first are joined first.
	slices.SortStableFunc(due, func(x, y alertsDue) int {
		return pageRank(&incidents[x.index]) - pageRank(&incidents[y.index])
	})
	spare, _ := s.gate.spare()
	allowance := spare / 2
	var failed error
	unread := 0
	for n, d := range due {
		if allowance <= 0 {
			break // a later poll reads the rest
		}
		id := incidents[d.index].ID
		labels, err := s.incidentAlerts(ctx, id, &allowance, requests)
		var be *budgetError
		var pe *Error
		switch {
		case errors.As(err, &pe) && pe.Status == http.StatusNotFound:
			// Resolved and gone between the list and this read: nothing to join.
		case errors.As(err, &be):
			allowance = 0
			continue
		case err != nil:
			// PagerDuty is struggling: ask no more of it this poll.
			failed, unread = err, len(due)-n
			allowance = 0
			continue
		}
		s.alerts[id] = alertEntry{counts: d.counts, labels: labels}
	}
	for i := range incidents {
		if e, ok := s.alerts[incidents[i].ID]; ok {
			incidents[i].AlertLabels, incidents[i].AlertsKnown = e.labels, true
		}
	}
	if failed != nil {
		what := "1 incident"
		if unread != 1 {
			what = fmt.Sprintf("%d incidents", unread)
		}
		return fmt.Sprintf("alerts of %s not read (asked again next poll): %v", what, failed)
	}
	return ""
}

// incidentAlerts reads the label sets of one incident's triggered alerts, a page of
// 100 a request, while allowance lasts.
func (s *Source) incidentAlerts(ctx context.Context, id string, allowance, requests *int) ([]map[string]string, error) {
	var out []map[string]string
	q := pd.ListIncidentAlertsOptions{Limit: pageSize, Statuses: []string{"triggered"}}
	for page := range maxAlertPages {
		if *allowance <= 0 {
			return nil, &budgetError{limit: s.opts.RequestsPerMinute}
		}
		q.Offset = uint(page * pageSize)
		var resp *pd.ListAlertsResponse
		err := s.do(ctx, false, func(ctx context.Context) (err error) {
			*requests++
			*allowance--
			resp, err = s.client.ListIncidentAlertsWithContext(ctx, id, q)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, a := range resp.Alerts {
			if a.Status != "" && a.Status != "triggered" {
				continue
			}
			out = append(out, ParseFiring(alertDetails(a.Body)["firing"])...)
		}
		if !resp.More || len(resp.Alerts) == 0 {
			break
		}
	}
	return out, nil
}

// pageRank orders incidents as a responder works them: triggered before
// acknowledged, high urgency first.
func pageRank(in *sources.Incident) int {
	r := 0
	if in.Status != "triggered" {
		r += 2
	}
	if in.Urgency != "high" {
		r++
	}
	return r
}

// plainID reports whether id has the shape of a PagerDuty ID (letters and digits),
// the only kind put into a request path.
func plainID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
