package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/sources"
)

// Detail is one incident in context: what it is, the alerts it grouped, and what
// happened to it. Strings are as PagerDuty sent them: whoever shows them cleans them.
type Detail struct {
	Incident sources.Incident
	Alerts   []Alert    // as PagerDuty lists them, at most detailAlerts
	Log      []LogEntry // newest first, at most detailLog
	Notes    []Note     // newest first
	// FetchedAt is when it was asked (the source's clock): the detail is asked again
	// only when the incident's UpdatedAt or LastStatusChangeAt moves.
	FetchedAt time.Time
}

// Alert is one alert of an incident. Details are the alert's custom details, flat:
// Alertmanager sends the firing alerts' labels and annotations there.
type Alert struct {
	ID        string
	Summary   string
	Severity  string // critical | error | warning | info
	Status    string // triggered | resolved
	AlertKey  string
	CreatedAt time.Time
	Details   map[string]string
}

// LogEntry is one thing that happened to an incident.
type LogEntry struct {
	At      time.Time
	Type    string // trigger_log_entry, acknowledge_log_entry, ...
	Summary string
	Agent   string // who or what did it
}

// Note is a note on an incident.
type Note struct {
	At      time.Time
	User    string
	Content string
}

const (
	detailAlerts = 100
	detailLog    = 25
	maxDetails   = 64 // cached incidents
)

// detailCache keeps the details asked for, keyed by incident, and the incidents of the
// latest poll, whose UpdatedAt and LastStatusChangeAt say when a detail is stale.
type detailCache struct {
	mu    sync.Mutex
	known map[string]sources.Incident
	byID  map[string]*Detail
}

// observe records the incidents of a poll, and forgets the details of incidents that
// are no longer open.
func (c *detailCache) observe(incidents []sources.Incident) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.known = make(map[string]sources.Incident, len(incidents))
	for _, in := range incidents {
		c.known[in.ID] = in
	}
	for id := range c.byID {
		if _, ok := c.known[id]; !ok {
			delete(c.byID, id)
		}
	}
}

func (c *detailCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID = nil
}

// fresh is the cached detail of id when the latest poll saw the incident unchanged
// since it was fetched.
func (c *detailCache) fresh(id string) (Detail, sources.Incident, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	in, polled := c.known[id]
	d, ok := c.byID[id]
	if !ok || !polled || !sameVersion(d.Incident, in) {
		return Detail{}, in, false
	}
	return *d, in, true
}

func (c *detailCache) store(d Detail) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = map[string]*Detail{}
	}
	if len(c.byID) >= maxDetails {
		clear(c.byID) // rare: more details opened than incidents on a screen
	}
	c.byID[d.Incident.ID] = &d
}

func sameVersion(a, b sources.Incident) bool {
	return a.UpdatedAt.Equal(b.UpdatedAt) && a.LastStatusChangeAt.Equal(b.LastStatusChangeAt)
}

// IncidentDetail is incident id with its alerts, latest log entries and notes. It is
// cached: asked again only when a poll has seen the incident change. Its requests wait
// for the budget, behind writes and ahead of polls: someone is looking at the screen.
func (s *Source) IncidentDetail(ctx context.Context, id string) (Detail, error) {
	if id == "" {
		return Detail{}, fmt.Errorf("detail: no incident")
	}
	d, polled, ok := s.details.fresh(id)
	if ok {
		return d, nil
	}
	d = Detail{Incident: polled, FetchedAt: s.clock.Now()}
	if polled.ID == "" {
		// Not in the latest poll (resolved since, or out of scope): ask for it.
		var inc *pd.Incident
		if err := s.do(ctx, true, func(ctx context.Context) (err error) {
			inc, err = s.client.GetIncidentWithContext(ctx, id)
			return err
		}); err != nil {
			return Detail{}, fmt.Errorf("detail: %w", err)
		}
		d.Incident = s.incident(*inc)
	}
	var alerts *pd.ListAlertsResponse
	var log *pd.ListIncidentLogEntriesResponse
	var notes []pd.IncidentNote
	for _, call := range []func(ctx context.Context) error{
		func(ctx context.Context) (err error) {
			alerts, err = s.client.ListIncidentAlertsWithContext(ctx, id, pd.ListIncidentAlertsOptions{Limit: detailAlerts})
			return err
		},
		func(ctx context.Context) (err error) {
			log, err = s.client.ListIncidentLogEntriesWithContext(ctx, id, pd.ListIncidentLogEntriesOptions{Limit: detailLog})
			return err
		},
		func(ctx context.Context) (err error) {
			notes, err = s.client.ListIncidentNotesWithContext(ctx, id)
			return err
		},
	} {
		if err := s.do(ctx, true, call); err != nil {
			return Detail{}, fmt.Errorf("detail: %w", err)
		}
	}
	for _, a := range alerts.Alerts {
		d.Alerts = append(d.Alerts, alert(a))
	}
	for _, e := range log.LogEntries {
		d.Log = append(d.Log, LogEntry{At: parseTime(e.CreatedAt), Type: e.Type, Summary: e.Summary, Agent: e.Agent.Summary})
	}
	slices.SortStableFunc(d.Log, func(a, b LogEntry) int { return b.At.Compare(a.At) })
	for _, n := range notes {
		d.Notes = append(d.Notes, Note{At: parseTime(n.CreatedAt), User: n.User.Summary, Content: n.Content})
	}
	slices.SortStableFunc(d.Notes, func(a, b Note) int { return b.At.Compare(a.At) })
	if polled.ID != "" {
		s.details.store(d)
	}
	return d, nil
}

func alert(a pd.IncidentAlert) Alert {
	return Alert{
		ID:        a.ID,
		Summary:   a.Summary,
		Severity:  a.Severity,
		Status:    a.Status,
		AlertKey:  a.AlertKey,
		CreatedAt: parseTime(a.CreatedAt),
		Details:   alertDetails(a.Body),
	}
}

// alertDetails flattens an alert body's custom details: body.details, or the Events
// API v2's body.cef_details.details. A value that is not a string is shown as JSON.
func alertDetails(body map[string]any) map[string]string {
	details, _ := body["details"].(map[string]any)
	if details == nil {
		if cef, ok := body["cef_details"].(map[string]any); ok {
			details, _ = cef["details"].(map[string]any)
		}
	}
	if len(details) == 0 {
		return nil
	}
	out := make(map[string]string, len(details))
	for k, v := range details {
		switch v := v.(type) {
		case string:
			out[k] = v
		default:
			b, err := json.Marshal(v)
			if err == nil {
				out[k] = string(b)
			}
		}
	}
	return out
}
