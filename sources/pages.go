package sources

import "time"

// PagesData is what a PagerDuty poll says: the incidents open now (triggered or
// acknowledged) in the configured scope, and who is on call.
type PagesData struct {
	Incidents []Incident
	// OnCall is who is on call now, per escalation policy and level, lowest level
	// first. It is refreshed every few minutes, not every poll; OnCallAt says when.
	OnCall   []OnCall
	OnCallAt time.Time
	Requests int // HTTP requests this poll made
	// Skipped says why this poll asked nothing new (the request budget was spent):
	// the incidents are the previous poll's.
	Skipped string
}

// Incident is one open PagerDuty incident. Strings are as PagerDuty sent them:
// whoever shows them cleans them first.
type Incident struct {
	ID                 string
	Number             int
	Title              string
	Status             string // triggered | acknowledged
	Urgency            string // high | low
	Priority           string // the priority's summary ("P1"); "" when none
	ServiceID          string
	ServiceName        string
	Service            string // the vigil service it maps to (service_map, else equal names); "" when none
	Assignees          []Person
	EscalationPolicyID string
	EscalationLevel    int
	CreatedAt          time.Time
	LastStatusChangeAt time.Time
	UpdatedAt          time.Time // changes whenever anything about it does: the detail's cache key
	URL                string    // html_url
}

// Person is a PagerDuty user as an incident or the on-call list names them.
type Person struct {
	ID   string
	Name string
}

// OnCall is one person on call for one level of one escalation policy.
type OnCall struct {
	PolicyID   string
	PolicyName string
	Level      int
	User       Person
	Until      time.Time // zero: no end (an always-on-call rule)
}
