package sim

import (
	"fmt"
	"slices"
	"time"
)

// pdWebURL is where html_url links point: a name under the reserved .invalid domain,
// so nobody mistakes a simulated incident's link for a real account's.
const pdWebURL = "https://sim.pagerduty.invalid"

// obj is a JSON object as PagerDuty sends it.
type obj = map[string]any

func pdTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ref is a PagerDuty reference: {"id","type","summary","self","html_url"}.
func ref(base, typ, id, summary, path string) obj {
	return obj{"id": id, "type": typ, "summary": summary, "self": base + path, "html_url": pdWebURL + path}
}

func (p *PagerDuty) serviceName(id string) string {
	if s, ok := p.services[id]; ok {
		return s.Name
	}
	return id
}

func (p *PagerDuty) userName(id string) string {
	if u, ok := p.users[id]; ok {
		return u.Name
	}
	return id
}

func (p *PagerDuty) serviceRef(base, id string) obj {
	return ref(base, "service_reference", id, p.serviceName(id), "/services/"+id)
}

func (p *PagerDuty) userRef(base, id string) obj {
	return ref(base, "user_reference", id, p.userName(id), "/users/"+id)
}

func (p *PagerDuty) policyRef(base, id string) obj {
	name := id
	if ep, ok := p.policies[id]; ok {
		name = ep.Name
	}
	return ref(base, "escalation_policy_reference", id, name, "/escalation_policies/"+id)
}

func teamRefs(base string, ids []string) []obj {
	out := []obj{}
	for _, id := range ids {
		out = append(out, ref(base, "team_reference", id, id, "/teams/"+id))
	}
	return out
}

// serviceJSON is the full service, as include[]=services returns it.
func (p *PagerDuty) serviceJSON(base, id string) obj {
	s := p.services[id]
	o := ref(base, "service", id, s.Name, "/services/"+id)
	o["name"] = s.Name
	o["description"] = s.Name
	o["status"] = "active"
	o["alert_creation"] = "create_alerts_and_incidents"
	o["escalation_policy"] = p.policyRef(base, s.EscalationPolicyID)
	o["teams"] = teamRefs(base, s.TeamIDs)
	if s.AckTimeout > 0 {
		o["acknowledgement_timeout"] = int(s.AckTimeout / time.Second)
	}
	return o
}

// userJSON is the full user, as include[]=assignees and /users/me return it.
func (p *PagerDuty) userJSON(base, id string) obj {
	u := p.users[id]
	o := ref(base, "user", id, u.Name, "/users/"+id)
	o["name"] = u.Name
	o["email"] = u.Email
	o["time_zone"] = "Etc/UTC"
	o["role"] = "user"
	return o
}

// agentRef is a log entry's or status change's agent.
func (p *PagerDuty) agentRef(base string, a agent) obj {
	if a.typ == "service_reference" {
		return p.serviceRef(base, a.id)
	}
	return p.userRef(base, a.id)
}

// incidentJSON is an incident as GET /incidents returns it; include holds the
// include[] values asked for.
func (p *PagerDuty) incidentJSON(base string, inc *pdIncident, include []string) obj {
	path := "/incidents/" + inc.ID
	o := ref(base, "incident", inc.ID, fmt.Sprintf("[#%d] %s", inc.Number, inc.Title), path)
	svc := p.services[inc.ServiceID]
	o["incident_number"] = inc.Number
	o["title"] = inc.Title
	o["created_at"] = pdTime(inc.CreatedAt)
	o["updated_at"] = pdTime(inc.UpdatedAt)
	o["status"] = inc.Status
	o["incident_key"] = inc.IncidentKey
	o["urgency"] = inc.Urgency
	o["assigned_via"] = "escalation_policy"
	o["last_status_change_at"] = pdTime(inc.LastStatusChangeAt)
	o["last_status_change_by"] = p.agentRef(base, inc.lastBy)
	o["is_mergeable"] = true
	pending := []obj{}
	if at := inc.ackLapsesAt(p); !at.IsZero() {
		pending = append(pending, obj{"type": "unacknowledge", "at": pdTime(at)})
	}
	o["pending_actions"] = pending
	o["escalation_policy"] = p.policyRef(base, svc.EscalationPolicyID)
	o["teams"] = teamRefs(base, svc.TeamIDs)
	if slices.Contains(include, "services") {
		o["service"] = p.serviceJSON(base, inc.ServiceID)
	} else {
		o["service"] = p.serviceRef(base, inc.ServiceID)
	}
	if inc.Status == "resolved" {
		o["resolved_at"] = pdTime(inc.ResolvedAt)
	}
	if len(inc.LogEntries) > 0 {
		first := inc.LogEntries[0]
		o["first_trigger_log_entry"] = ref(base, "trigger_log_entry_reference", first.ID, first.Summary, "/log_entries/"+first.ID)
	}
	if inc.Priority != "" {
		o["priority"] = ref(base, "priority", "PRI"+inc.Priority, inc.Priority, "/priorities/PRI"+inc.Priority)
		o["priority"].(obj)["name"] = inc.Priority
	}
	assignments := []obj{}
	for _, u := range inc.Assignees {
		a := p.userRef(base, u)
		if slices.Contains(include, "assignees") {
			a = p.userJSON(base, u)
		}
		assignments = append(assignments, obj{"at": pdTime(inc.assignedAt), "assignee": a})
	}
	o["assignments"] = assignments
	acks := []obj{}
	for i, u := range inc.Acknowledgers {
		a := p.userRef(base, u)
		if slices.Contains(include, "acknowledgers") {
			a = p.userJSON(base, u)
		}
		acks = append(acks, obj{"at": pdTime(inc.ackAt[i]), "acknowledger": a})
	}
	o["acknowledgements"] = acks
	triggered := 0
	for _, a := range inc.Alerts {
		if a.Status == "triggered" {
			triggered++
		}
	}
	o["alert_counts"] = obj{"all": len(inc.Alerts), "triggered": triggered, "resolved": len(inc.Alerts) - triggered}
	return o
}

// alertJSON is one alert of an incident.
func (p *PagerDuty) alertJSON(base string, inc *pdIncident, a PDAlert) obj {
	o := ref(base, "alert", a.ID, a.Summary, "/incidents/"+inc.ID+"/alerts/"+a.ID)
	o["created_at"] = pdTime(a.CreatedAt)
	o["status"] = a.Status
	o["alert_key"] = a.AlertKey
	o["service"] = p.serviceRef(base, inc.ServiceID)
	o["incident"] = ref(base, "incident_reference", inc.ID, fmt.Sprintf("[#%d] %s", inc.Number, inc.Title), "/incidents/"+inc.ID)
	o["suppressed"] = false
	if a.Severity != "" {
		o["severity"] = a.Severity
	}
	details := a.Details
	if details == nil {
		details = obj{}
	}
	o["body"] = obj{"type": "alert_body", "contexts": []obj{}, "details": details}
	return o
}

// noteJSON is one note.
func (p *PagerDuty) noteJSON(base string, n PDNote) obj {
	return obj{
		"id":         n.ID,
		"user":       p.userRef(base, n.UserID),
		"channel":    obj{"summary": "The PagerDuty website or APIs"},
		"content":    n.Content,
		"created_at": pdTime(n.CreatedAt),
	}
}

// logEntryJSON is one log entry.
func (p *PagerDuty) logEntryJSON(base string, inc *pdIncident, e PDLogEntry) obj {
	o := ref(base, e.Type, e.ID, e.Summary, "/log_entries/"+e.ID)
	o["created_at"] = pdTime(e.CreatedAt)
	o["agent"] = p.agentRef(base, agent{e.AgentID, e.AgentType})
	channel := "api"
	if e.AgentType == "service_reference" {
		channel = "auto"
	}
	o["channel"] = obj{"type": channel}
	o["service"] = p.serviceRef(base, inc.ServiceID)
	o["incident"] = ref(base, "incident_reference", inc.ID, fmt.Sprintf("[#%d] %s", inc.Number, inc.Title), "/incidents/"+inc.ID)
	o["teams"] = teamRefs(base, p.services[inc.ServiceID].TeamIDs)
	o["contexts"] = []obj{}
	if e.Note != "" {
		o["note"] = e.Note
	}
	return o
}
