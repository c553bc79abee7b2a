package sources

import "time"

// AlertsData is what an alert source says in one poll: the alerts it holds (every
// state: active, silenced, inhibited, unprocessed; for Prometheus, firing and
// pending) and, for Alertmanager, its silences.
type AlertsData struct {
	Alerts   []Alert
	Silences []Silence
	Requests int
	// Members are the Alertmanagers merged into this answer, in config order, each
	// with why it did not answer ("" when it did): each has a badge of its own.
	Members []Member
}

// Member is one Alertmanager of a merged alert source, as its latest poll found it.
type Member struct {
	Name string
	Err  string // "" when it answered
}

// Alert is one alert as a source reports it. Several Alertmanagers holding the same
// alert are merged into one Alert by fingerprint (see sources/alertmanager). Strings
// are as the source sent them: whoever shows them cleans them first.
type Alert struct {
	Fingerprint  string
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time
	GeneratorURL string

	// State is active, suppressed, unprocessed (Alertmanager), firing or pending
	// (Prometheus's own alerts).
	State       string
	SilencedBy  []string // silence IDs
	InhibitedBy []string // fingerprints of the inhibiting alerts
	// Alertmanagers names the Alertmanagers that reported it, in config order.
	Alertmanagers []string

	// Episodes is how many times it started firing in the flapping window, from
	// history (changes(ALERTS_FOR_STATE[1h])); -1 when unknown.
	Episodes int
}

// Silence is one Alertmanager silence.
type Silence struct {
	ID        string
	Matchers  []Matcher
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy string
	Comment   string
	State     string   // active | pending | expired
	Sources   []string // the Alertmanagers that hold it
	// IDs are every ID the silence has: Alertmanagers that do not share silences
	// each hold their own copy under an ID of their own. ID is the first.
	IDs []string
}

// Matcher is one matcher of a silence, in Alertmanager's terms.
type Matcher struct {
	Name    string
	Value   string
	IsRegex bool
	IsEqual bool
}
