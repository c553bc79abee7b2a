package sim

import (
	"fmt"
	"slices"
	"time"
)

// pdIncident is an incident as the simulator keeps it: the public description plus
// when each acknowledger acknowledged and when the assignees were assigned.
type pdIncident struct {
	PDIncident
	ackAt      []time.Time // parallel to Acknowledgers
	assignedAt time.Time
	lastBy     agent // who last changed the status
}

// agent is who did something: a user, or a service for what the system did.
type agent struct {
	id  string
	typ string // user_reference | service_reference
}

func userAgent(id string) agent    { return agent{id, "user_reference"} }
func serviceAgent(id string) agent { return agent{id, "service_reference"} }

// addIncident validates in and stores it. The caller holds p.mu.
func (p *PagerDuty) addIncident(in PDIncident) (*pdIncident, error) {
	now := p.clock()
	if _, ok := p.services[in.ServiceID]; !ok {
		return nil, fmt.Errorf("pagerduty sim: incident %q: no service %q", in.Title, in.ServiceID)
	}
	if in.ID == "" {
		in.ID = p.newID("Q")
	}
	if _, dup := p.incidents[in.ID]; dup {
		return nil, fmt.Errorf("pagerduty sim: incident %q already exists", in.ID)
	}
	switch in.Urgency {
	case "":
		in.Urgency = "high"
	case "high", "low":
	default:
		return nil, fmt.Errorf("pagerduty sim: incident %q: urgency %q is not high or low", in.ID, in.Urgency)
	}
	switch in.Status {
	case "":
		in.Status = "triggered"
	case "triggered", "acknowledged", "resolved":
	default:
		return nil, fmt.Errorf("pagerduty sim: incident %q: status %q", in.ID, in.Status)
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = now
	}
	if in.EscalationLevel == 0 {
		in.EscalationLevel = 1
	}
	for _, u := range in.Assignees {
		if _, ok := p.users[u]; !ok {
			return nil, fmt.Errorf("pagerduty sim: incident %q: no user %q", in.ID, u)
		}
	}
	p.nextNum++
	in.Number = p.nextNum
	if in.IncidentKey == "" {
		in.IncidentKey = fmt.Sprintf("%032x", p.nextNum)
	}
	in.Alerts = slices.Clone(in.Alerts)
	for i := range in.Alerts {
		p.fillAlert(&in.Alerts[i], in.CreatedAt)
	}
	in.Acknowledgers, in.Notes, in.LogEntries = nil, nil, nil
	in.SnoozedUntil, in.ResolvedAt = time.Time{}, time.Time{}
	in.UpdatedAt, in.LastStatusChangeAt = in.CreatedAt, in.CreatedAt
	inc := &pdIncident{PDIncident: in, assignedAt: in.CreatedAt, lastBy: serviceAgent(in.ServiceID)}
	if len(inc.Assignees) == 0 {
		inc.Assignees = p.onCallUsers(p.services[in.ServiceID].EscalationPolicyID, in.EscalationLevel)
	}
	inc.log(p, in.CreatedAt, "trigger_log_entry", inc.lastBy, "Triggered through the API.", "")
	switch in.Status {
	case "acknowledged":
		for _, u := range inc.Assignees {
			inc.Acknowledgers = append(inc.Acknowledgers, u)
			inc.ackAt = append(inc.ackAt, in.CreatedAt)
		}
	case "resolved":
		inc.resolve(p, in.CreatedAt, serviceAgent(in.ServiceID), "")
	}
	p.incidents[in.ID] = inc
	p.order = append(p.order, in.ID)
	return inc, nil
}

// fillAlert gives an alert the ID, status and creation it was added without.
func (p *PagerDuty) fillAlert(a *PDAlert, created time.Time) {
	if a.ID == "" {
		a.ID = p.newID("A")
	}
	if a.Status == "" {
		a.Status = "triggered"
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = created
	}
}

// newID makes a PagerDuty-looking ID: a letter and six upper-case characters.
func (p *PagerDuty) newID(prefix string) string {
	p.nextID++
	return fmt.Sprintf("P%s%05d", prefix, p.nextID)
}

// onCallUsers are the user IDs on call at a level of a policy.
func (p *PagerDuty) onCallUsers(policyID string, level int) []string {
	var out []string
	for _, oc := range p.onCall[onCallKey{policyID, level}] {
		out = append(out, oc.UserID)
	}
	return out
}

// tick applies what time does by now: the script's incidents open and resolve, and
// snoozes that ended put their incident back to triggered. The caller holds p.mu.
func (p *PagerDuty) tick(now time.Time) {
	if p.script != nil {
		p.script(p, now)
	}
	for _, id := range p.order {
		inc := p.incidents[id]
		at := inc.ackLapsesAt(p)
		if at.IsZero() || now.Before(at) {
			continue
		}
		why := "Unacknowledged: the acknowledgement timed out."
		if !inc.SnoozedUntil.IsZero() {
			why = "Unacknowledged: the snooze ended."
		}
		inc.SnoozedUntil = time.Time{}
		inc.Status = "triggered"
		inc.Acknowledgers, inc.ackAt = nil, nil
		inc.LastStatusChangeAt, inc.UpdatedAt = at, at
		inc.lastBy = serviceAgent(inc.ServiceID)
		inc.log(p, at, "unacknowledge_log_entry", inc.lastBy, why, "")
	}
}

// ackLapsesAt is when an acknowledged incident triggers again by itself: the end of
// its snooze, else its service's acknowledgement timeout after the latest
// acknowledgement. Zero when never (or when it is not acknowledged): PagerDuty's
// pending "unacknowledge" action.
func (inc *pdIncident) ackLapsesAt(p *PagerDuty) time.Time {
	if inc.Status != "acknowledged" {
		return time.Time{}
	}
	if !inc.SnoozedUntil.IsZero() {
		return inc.SnoozedUntil
	}
	svc := p.services[inc.ServiceID]
	if svc == nil || svc.AckTimeout <= 0 || len(inc.ackAt) == 0 {
		return time.Time{}
	}
	return slices.MaxFunc(inc.ackAt, time.Time.Compare).Add(svc.AckTimeout)
}

// transitionError is a refused write: PagerDuty's 400 with its error detail.
type transitionError struct{ detail string }

func (e *transitionError) Error() string { return e.detail }

func refuse(format string, args ...any) error {
	return &transitionError{fmt.Sprintf(format, args...)}
}

// acknowledge records by as an acknowledger. Acknowledging a resolved incident reopens
// it, assigned to by, as the API's documentation says.
func (inc *pdIncident) acknowledge(p *PagerDuty, now time.Time, by string) {
	if inc.Status == "resolved" {
		inc.ResolvedAt = time.Time{}
		inc.Assignees, inc.assignedAt = []string{by}, now
	}
	if !slices.Contains(inc.Acknowledgers, by) {
		inc.Acknowledgers = append(inc.Acknowledgers, by)
		inc.ackAt = append(inc.ackAt, now)
	}
	if inc.Status != "acknowledged" {
		inc.Status, inc.LastStatusChangeAt = "acknowledged", now
	}
	inc.UpdatedAt, inc.lastBy = now, userAgent(by)
	inc.log(p, now, "acknowledge_log_entry", inc.lastBy, "Acknowledged through the API.", "")
}

// unacknowledge puts an open incident back to triggered.
func (inc *pdIncident) unacknowledge(p *PagerDuty, now time.Time, by string) {
	if inc.Status == "resolved" {
		inc.ResolvedAt = time.Time{}
		inc.Assignees = p.onCallUsers(p.services[inc.ServiceID].EscalationPolicyID, inc.EscalationLevel)
		inc.assignedAt = now
	}
	inc.Status, inc.LastStatusChangeAt, inc.UpdatedAt = "triggered", now, now
	inc.Acknowledgers, inc.ackAt, inc.SnoozedUntil = nil, nil, time.Time{}
	inc.lastBy = userAgent(by)
	inc.log(p, now, "unacknowledge_log_entry", inc.lastBy, "Unacknowledged through the API.", "")
}

// resolve closes the incident; PagerDuty empties assignments and acknowledgements.
func (inc *pdIncident) resolve(p *PagerDuty, now time.Time, by agent, resolution string) {
	inc.Status, inc.ResolvedAt, inc.LastStatusChangeAt, inc.UpdatedAt = "resolved", now, now, now
	inc.Assignees, inc.Acknowledgers, inc.ackAt = nil, nil, nil
	inc.SnoozedUntil = time.Time{}
	inc.lastBy = by
	for i := range inc.Alerts {
		inc.Alerts[i].Status = "resolved"
	}
	inc.log(p, now, "resolve_log_entry", by, "Resolved.", resolution)
}

// escalate moves the incident to level, re-triggered and assigned to that level's
// on-call users.
func (inc *pdIncident) escalate(p *PagerDuty, now time.Time, by string, level int) error {
	ep := p.policies[p.services[inc.ServiceID].EscalationPolicyID]
	if ep == nil || level < 1 || level > ep.Levels {
		n := 0
		if ep != nil {
			n = ep.Levels
		}
		return refuse("Escalation level %d is not between 1 and %d", level, n)
	}
	inc.EscalationLevel = level
	inc.Assignees, inc.assignedAt = p.onCallUsers(ep.ID, level), now
	inc.Acknowledgers, inc.ackAt, inc.SnoozedUntil = nil, nil, time.Time{}
	if inc.Status != "triggered" {
		inc.Status, inc.LastStatusChangeAt = "triggered", now
	}
	inc.UpdatedAt, inc.lastBy = now, userAgent(by)
	inc.log(p, now, "escalate_log_entry", inc.lastBy, fmt.Sprintf("Escalated to level %d.", level), "")
	return nil
}

// snooze keeps an acknowledged incident acknowledged until now+d.
func (inc *pdIncident) snooze(p *PagerDuty, now time.Time, by string, d time.Duration) error {
	if inc.Status != "acknowledged" {
		return refuse("Incident must be acknowledged to be snoozed")
	}
	inc.SnoozedUntil, inc.UpdatedAt = now.Add(d), now
	inc.log(p, now, "snooze_log_entry", userAgent(by), fmt.Sprintf("Snoozed for %s.", d), "")
	return nil
}

// addNote appends a note by user and its annotate log entry.
func (inc *pdIncident) addNote(p *PagerDuty, now time.Time, user, content string) PDNote {
	n := PDNote{ID: p.newID("N"), UserID: user, Content: content, CreatedAt: now}
	inc.Notes = append(inc.Notes, n)
	inc.UpdatedAt = now
	inc.log(p, now, "annotate_log_entry", userAgent(user), "Note added.", content)
	return n
}

func (inc *pdIncident) log(p *PagerDuty, at time.Time, typ string, by agent, summary, note string) {
	inc.LogEntries = append(inc.LogEntries, PDLogEntry{
		ID: p.newID("L"), Type: typ, AgentID: by.id, AgentType: by.typ,
		Summary: summary, Note: note, CreatedAt: at,
	})
}

// snapshot copies the state so that the caller cannot change it.
func (inc *pdIncident) snapshot() PDIncident {
	s := inc.PDIncident
	s.Assignees = slices.Clone(s.Assignees)
	s.Acknowledgers = slices.Clone(s.Acknowledgers)
	s.Notes = slices.Clone(s.Notes)
	s.LogEntries = slices.Clone(s.LogEntries)
	s.Alerts = slices.Clone(s.Alerts)
	return s
}
