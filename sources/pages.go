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
	// AckLapsesAt is when its acknowledgement (or snooze) lapses and it triggers
	// again: PagerDuty's pending "unacknowledge" action. Zero when none is pending.
	AckLapsesAt time.Time
	// AlertLabels are the label sets of its triggered alerts, as Alertmanager's
	// PagerDuty integration writes them in each alert's `firing` detail: what joins
	// Alertmanager's alerts to the page. AlertsKnown says its alerts were read; they
	// may still carry no label set (another integration, a custom template). Until
	// they are read (the request budget decides when) the page is joined by its title.
	AlertLabels []map[string]string
	AlertsKnown bool
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

// IncidentDetail is what the page-in-context view shows beyond the incident's row:
// its alerts, its latest log entries and its notes, fetched when the view opens.
type IncidentDetail struct {
	Alerts     []IncidentAlert
	LogEntries []LogEntry // newest first
	Notes      []Note     // newest first
}

// IncidentAlert is one alert grouped into an incident. Details carry what the
// sender put there: Alertmanager sends the firing alerts' labels.
type IncidentAlert struct {
	ID       string
	Summary  string
	Severity string
	Status   string
	AlertKey string
	Created  time.Time
	Details  map[string]string
}

// LogEntry is one line of an incident's history ("Acknowledged by Ada").
type LogEntry struct {
	At      time.Time
	Summary string
}

// Note is a note on an incident.
type Note struct {
	At      time.Time
	Author  string
	Content string
}
