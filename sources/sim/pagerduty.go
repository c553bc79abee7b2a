package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"
)

// PagerDuty simulates PagerDuty's REST API v2 (the subset vigil uses) over state that
// tests and the demo set up: services, users, escalation policies with who is on call,
// and incidents with their alerts, notes and log entries. Writes through the API change
// that state as PagerDuty would, and refuse what PagerDuty refuses (no token, no From,
// a transition that is not allowed), with PagerDuty's error body.
//
// Time is the injected clock's: snoozes end and rate-limit windows close by it, so a
// test with a fake clock decides when. It is safe for concurrent use.
type PagerDuty struct {
	clock func() time.Time

	srvMu  sync.Mutex // guards server, apart from the state
	server *pdServer

	mu        sync.Mutex
	token     string // "" accepts any token
	me        string // the token's user, for /users/me; "" for an account-level key
	services  map[string]*PDService
	users     map[string]*PDUser
	policies  map[string]*PDEscalationPolicy
	onCall    map[onCallKey][]PDOnCall
	incidents map[string]*pdIncident
	order     []string // incident IDs in creation order
	nextNum   int
	nextID    int
	limitTill time.Time                         // 429 until then
	failTill  time.Time                         // 500 until then
	script    func(p *PagerDuty, now time.Time) // what the world does by now (the demo's pages)
	requests  []PDRequest
}

// PDService is a PagerDuty service.
type PDService struct {
	ID                 string
	Name               string
	EscalationPolicyID string
	TeamIDs            []string
	// AckTimeout is PagerDuty's acknowledgement_timeout: an acknowledged incident
	// triggers again this long after its latest acknowledgement, unless snoozed.
	// Zero turns it off.
	AckTimeout time.Duration
}

// PDUser is a PagerDuty user; Email is what the From header names.
type PDUser struct {
	ID    string
	Name  string
	Email string
}

// PDEscalationPolicy is an escalation policy. Its levels (1-based) are who is paged in
// turn; who is on call at each level is set with SetOnCall.
type PDEscalationPolicy struct {
	ID      string
	Name    string
	Levels  int // number of escalation rules
	TeamIDs []string
}

// PDOnCall is one user on call for one level of one policy. Zero Start and End mean
// always on call (PagerDuty sends them as null).
type PDOnCall struct {
	UserID     string
	ScheduleID string // "" for a user named directly in the rule
	Start, End time.Time
}

type onCallKey struct {
	policy string
	level  int
}

// PDAlert is one alert grouped into an incident, as an integration (Alertmanager's
// webhook through Events API v2) created it.
type PDAlert struct {
	ID        string // generated when empty
	Summary   string
	Severity  string // critical | error | warning | info
	AlertKey  string
	Status    string         // triggered | resolved; triggered when empty
	Details   map[string]any // body.details: Alertmanager sends the firing alerts' labels here
	CreatedAt time.Time      // the incident's creation when zero
}

// PDIncident describes an incident to add, and is what Incident reports back. The
// fields after Alerts are state the simulator keeps; they are ignored by AddIncident.
type PDIncident struct {
	ID              string // generated when empty
	Title           string
	ServiceID       string // must name a service added before
	Urgency         string // high | low; high when empty
	Status          string // triggered | acknowledged | resolved; triggered when empty
	Priority        string // a priority name ("P1"); none when empty
	IncidentKey     string // generated when empty
	CreatedAt       time.Time
	Assignees       []string // user IDs; the on-call users of EscalationLevel when empty
	EscalationLevel int      // 1 when zero
	Alerts          []PDAlert

	Number             int
	Acknowledgers      []string // user IDs, in order, while acknowledged
	SnoozedUntil       time.Time
	UpdatedAt          time.Time
	LastStatusChangeAt time.Time
	ResolvedAt         time.Time
	Notes              []PDNote
	LogEntries         []PDLogEntry
}

// PDNote is a note on an incident.
type PDNote struct {
	ID        string
	UserID    string
	Content   string
	CreatedAt time.Time
}

// PDLogEntry is one entry of an incident's log. Type is PagerDuty's, e.g.
// "acknowledge_log_entry"; AgentID is a user ID, or the service's ID for entries the
// system made (trigger, snooze expiry).
type PDLogEntry struct {
	ID        string
	Type      string
	AgentID   string
	AgentType string // user_reference | service_reference
	Summary   string
	Note      string // an annotate entry's content, a resolve's resolution
	CreatedAt time.Time
}

// PDRequest is one request the simulator answered, for assertions.
type PDRequest struct {
	At     time.Time
	Method string
	Path   string
	Query  url.Values
	From   string // the From header as sent
	Body   string
	Status int
}

// NewPagerDuty returns an empty simulator that accepts any non-empty token. clock is
// the simulated now.
func NewPagerDuty(clock func() time.Time) *PagerDuty {
	return &PagerDuty{
		clock:     clock,
		services:  map[string]*PDService{},
		users:     map[string]*PDUser{},
		policies:  map[string]*PDEscalationPolicy{},
		onCall:    map[onCallKey][]PDOnCall{},
		incidents: map[string]*pdIncident{},
	}
}

// Handler serves the API at the root (`/incidents`, `/oncalls`, ...), as
// api.pagerduty.com does; point a client's API endpoint at the server's URL.
func (p *PagerDuty) Handler() http.Handler { return http.HandlerFunc(p.serve) }

// RequireToken makes token the only one accepted; "" accepts any non-empty token.
func (p *PagerDuty) RequireToken(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.token = token
}

// SetTokenUser makes the token a user's own, as a user-level API key is: GET /users/me
// answers with that user. Without it the token is an account-level key.
func (p *PagerDuty) SetTokenUser(userID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.me = userID
}

// AddService adds or replaces a service.
func (p *PagerDuty) AddService(s PDService) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.TeamIDs = append([]string(nil), s.TeamIDs...)
	p.services[s.ID] = &s
}

// AddUser adds or replaces a user.
func (p *PagerDuty) AddUser(u PDUser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.ID] = &u
}

// AddEscalationPolicy adds or replaces an escalation policy.
func (p *PagerDuty) AddEscalationPolicy(ep PDEscalationPolicy) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ep.TeamIDs = append([]string(nil), ep.TeamIDs...)
	p.policies[ep.ID] = &ep
}

// SetOnCall replaces who is on call at one level of a policy.
func (p *PagerDuty) SetOnCall(policyID string, level int, onCall ...PDOnCall) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ep, ok := p.policies[policyID]
	if !ok {
		return fmt.Errorf("pagerduty sim: no escalation policy %q", policyID)
	}
	if level < 1 || level > ep.Levels {
		return fmt.Errorf("pagerduty sim: policy %q has levels 1-%d, not %d", policyID, ep.Levels, level)
	}
	for _, oc := range onCall {
		if _, ok := p.users[oc.UserID]; !ok {
			return fmt.Errorf("pagerduty sim: no user %q", oc.UserID)
		}
	}
	p.onCall[onCallKey{policyID, level}] = append([]PDOnCall(nil), onCall...)
	return nil
}

// AddIncident adds an incident in the state it describes, without notifying anyone,
// and returns its ID. A trigger log entry is recorded at CreatedAt (the clock's now
// when zero).
func (p *PagerDuty) AddIncident(in PDIncident) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	inc, err := p.addIncident(in)
	if err != nil {
		return "", err
	}
	return inc.ID, nil
}

// Trigger opens a new incident now, triggered, as an integration would: the same as
// AddIncident with Status "triggered" and CreatedAt now.
func (p *PagerDuty) Trigger(in PDIncident) (string, error) {
	in.Status = "triggered"
	in.CreatedAt = time.Time{}
	return p.AddIncident(in)
}

// AddAlert groups a new alert into an open incident now, as an integration's event
// with another dedup key does (an Alertmanager group that starts firing under the
// same incident): the incident's alert_counts change. It returns the alert's ID.
func (p *PagerDuty) AddAlert(incidentID string, a PDAlert) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	inc, now, err := p.openIncident(incidentID)
	if err != nil {
		return "", err
	}
	p.fillAlert(&a, now)
	inc.Alerts = append(inc.Alerts, a)
	inc.UpdatedAt = now
	return a.ID, nil
}

// Resolve resolves an open incident as its integration would when the alerts clear:
// the service is the agent and every alert resolves with it.
func (p *PagerDuty) Resolve(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	inc, now, err := p.openIncident(id)
	if err != nil {
		return err
	}
	inc.resolve(p, now, serviceAgent(inc.ServiceID), "")
	return nil
}

// openIncident is the open incident id after time has done its part by now; the
// caller holds p.mu.
func (p *PagerDuty) openIncident(id string) (*pdIncident, time.Time, error) {
	now := p.clock()
	p.tick(now)
	inc, ok := p.incidents[id]
	if !ok {
		return nil, now, fmt.Errorf("pagerduty sim: no incident %q", id)
	}
	if inc.Status == "resolved" {
		return nil, now, fmt.Errorf("pagerduty sim: incident %q is already resolved", id)
	}
	return inc, now, nil
}

// InjectRateLimit answers every request with 429 for d from now, as PagerDuty does
// when the account's rate limit is spent.
func (p *PagerDuty) InjectRateLimit(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limitTill = p.clock().Add(d)
}

// InjectServerError answers every request with 500 for d from now, as PagerDuty does
// in an outage, for testing that writes are retried rather than lost.
func (p *PagerDuty) InjectServerError(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failTill = p.clock().Add(d)
}

// Requests is every request answered so far, oldest first; at most the newest
// maxRequestLog, so that a demo left running does not grow without bound.
func (p *PagerDuty) Requests() []PDRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PDRequest(nil), p.requests...)
}

// Incident is the incident's state now; false when there is none with that ID.
func (p *PagerDuty) Incident(id string) (PDIncident, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tick(p.clock())
	inc, ok := p.incidents[id]
	if !ok {
		return PDIncident{}, false
	}
	return inc.snapshot(), true
}

// Incidents is every incident's state now, in creation order.
func (p *PagerDuty) Incidents() []PDIncident {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tick(p.clock())
	out := make([]PDIncident, 0, len(p.order))
	for _, id := range p.order {
		out = append(out, p.incidents[id].snapshot())
	}
	return out
}

// userByEmail finds the user a From header names.
func (p *PagerDuty) userByEmail(email string) (*PDUser, bool) {
	for _, u := range p.users {
		if u.Email == email {
			return u, true
		}
	}
	return nil, false
}

// sortedOnCall lists every on-call entry, by policy ID then level.
func (p *PagerDuty) sortedOnCall() []onCallKey {
	keys := make([]onCallKey, 0, len(p.onCall))
	for k := range p.onCall {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].policy != keys[j].policy {
			return keys[i].policy < keys[j].policy
		}
		return keys[i].level < keys[j].level
	})
	return keys
}
