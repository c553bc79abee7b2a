package alerts

// The words of triage, as typed values: a pane draws them and never compares
// display text or re-derives them. Each marshals to the word of the JSON contract.

// SLOState is an SLO's state in one word.
type SLOState string

// The SLO states, from most to least urgent; NoData (no traffic over the window, or
// its counts missing) sorts above OK because no data during an incident is itself
// suspicious.
const (
	SLOPage   SLOState = "page"
	SLOTicket SLOState = "ticket"
	SLONoData SLOState = "nodata"
	SLOOK     SLOState = "ok"
)

// Rank orders SLO states for the worst-first list: 0 is the most urgent.
func (s SLOState) Rank() int {
	switch s {
	case SLOPage:
		return 0
	case SLOTicket:
		return 1
	case SLONoData:
		return 2
	}
	return 3
}

// Level is how loudly something asks for a human: a burn rate over a page
// condition's threshold is LevelPage, over a ticket's LevelTicket.
type Level int

// The levels, quietest first, so levels compare with <.
const (
	LevelNone Level = iota
	LevelTicket
	LevelPage
)

var levelWords = [...]string{LevelNone: "none", LevelTicket: "ticket", LevelPage: "page"}

// String is the level's word, as the JSON "alert" field spells it.
func (l Level) String() string {
	if l >= 0 && int(l) < len(levelWords) {
		return levelWords[l]
	}
	return "none"
}

// MarshalText makes a Level its word in JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// levelOf is the level of an slo alert word ("page", "ticket", "none").
func levelOf(alert string) Level {
	switch alert {
	case "page":
		return LevelPage
	case "ticket":
		return LevelTicket
	}
	return LevelNone
}

// Severity is how an actionable item or a hidden alert ranks.
type Severity string

// The severities. Pages and critical alerts come first, SLO tickets below ordinary
// warnings.
const (
	SeverityPage     Severity = "page"
	SeverityCritical Severity = "critical"
	SeverityError    Severity = "error"
	SeverityWarning  Severity = "warning"
	SeverityTicket   Severity = "ticket"
	SeverityInfo     Severity = "info"
)

// Rank orders severities for the actionable list: 0 is the most urgent.
func (s Severity) Rank() int {
	switch s {
	case SeverityPage, SeverityCritical:
		return 0
	case SeverityError:
		return 1
	case SeverityWarning:
		return 2
	case SeverityTicket:
		return 3
	}
	return 4
}

// Loud reports whether it is of the most urgent rank: a page, or a critical alert.
func (s Severity) Loud() bool { return s.Rank() == 0 }
