// Package alerts is triage: one pure function, Build, turns the raw snapshot of every
// source into the Board of what is shown. The screen and `vigil snapshot` both render
// the Board, so they can never disagree. No terminal or network package is imported.
package alerts

import (
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/sources"
)

// Board is everything the dashboard shows at one instant. Its JSON form is the
// contract of `vigil snapshot --format json`.
type Board struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Sources     []SourceStatus `json:"sources"`
	Services    []ServiceRow   `json:"services"`
	SLOs        []SLOStatus    `json:"slos"`
	Pages       []Page         `json:"pages"`
	OnCall      []OnCall       `json:"on_call"`
	Silences    []Silence      `json:"silences"`
	Actionable  []Item         `json:"actionable"`
	Hidden      []Item         `json:"hidden"`
	// HiddenCounts is how many alerts each reason hid, for the footer; a reason
	// that hid none is absent.
	HiddenCounts map[string]int `json:"hidden_counts"`

	pageItems []Item // Build's work: the pages' items, in order, before the merge
	// silenceMatchers are the Silences' matchers by ID, parsed once by Build for
	// SilencesTouching.
	silenceMatchers map[string]labels.Matchers
}

// SourceStatus is a source's health as shown in the header badge.
type SourceStatus struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	OK          bool       `json:"ok"`
	State       string     `json:"state"`        // one of the SourceState* words
	Error       string     `json:"error"`        // "" when ok; the failing query when degraded
	LastSuccess *time.Time `json:"last_success"` // null until the first success
	AgeSeconds  *Number    `json:"age_seconds"`  // null until the first success
	Stale       bool       `json:"stale"`        // the data shown is older than the latest attempt
	// Degraded: the latest poll answered, but some of its queries failed; the values
	// they feed read "err". Failures names them.
	Degraded bool           `json:"degraded"`
	Failures []QueryFailure `json:"failures"`
	// Partial: the server answered with warnings (Thanos's or Mimir's partial
	// responses: a store was unreachable), so the numbers may be missing some series.
	Partial  bool     `json:"partial"`
	Warnings []string `json:"warnings"`
	// RetryAt is when the next poll is due after a failure; null when healthy.
	RetryAt     *time.Time `json:"retry_at"`
	RateLimited bool       `json:"rate_limited"` // the server asked vigil to slow down
}

// The words of SourceStatus.State.
const (
	SourceOK       = "ok"
	SourceDegraded = "degraded" // answered, but some queries failed
	SourcePartial  = "partial"  // answered with warnings: some series may be missing
	SourceStale    = "stale"    // answered before, failing now: its data is old
	SourceDown     = "down"     // never answered
	SourceWaiting  = "waiting"  // not polled yet
)

// QueryFailure is one query that failed while the rest of its poll answered.
type QueryFailure struct {
	What  string `json:"what"`
	Query string `json:"query"`
	Error string `json:"error"`
}

// State is a service's or a signal's state. The names are the JSON words; Rank
// orders them worst first.
type State int

const (
	StateNoData   State = iota // nothing to judge: no data
	StateOK                    // within its threshold
	StateWarn                  // above 80 % of the threshold
	StateCrit                  // above the threshold
	StateNone                  // no threshold, by the user's choice: drawn neutral, never as ok
	StateErr                   // the query feeding it failed this poll
	StateDegraded              // some of the service's targets are down
	StateDown                  // every target of the service is down
)

var stateNames = [...]string{
	StateNoData: "nodata", StateOK: "ok", StateWarn: "warn", StateCrit: "crit",
	StateNone: "none", StateErr: "err", StateDegraded: "degraded", StateDown: "down",
}

// String is the state's name in JSON and text output.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "nodata"
}

// MarshalText makes a State its name in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Rank orders states for the worst-first list: a dead service above everything, an
// unknown one above a healthy one, because no data during an incident is itself
// suspicious.
func (s State) Rank() int {
	switch s {
	case StateDown:
		return 7
	case StateCrit:
		return 6
	case StateWarn:
		return 5
	case StateDegraded:
		return 4
	case StateErr:
		return 3
	case StateNoData:
		return 2
	case StateNone:
		return 1
	}
	return 0
}

// SignalValue is one golden signal of one service.
type SignalValue struct {
	Value     *Number         // nil: no data (or Err)
	Threshold *Number         // nil: none (State is then StateNone)
	State     State           // against Threshold
	Err       string          // the query feeding it failed this poll
	Series    []sources.Point // sparkline, oldest first
}

// ServiceRow is one row of the golden-signals pane.
type ServiceRow struct {
	Name            string  `json:"name"`
	LatencySeconds  *Number `json:"latency_seconds"`
	TrafficRPS      *Number `json:"traffic_rps"`
	ErrorRatio      *Number `json:"error_ratio"`
	SaturationRatio *Number `json:"saturation_ratio"`
	State           State   `json:"state"`  // the worst of its signals and its targets
	Source          string  `json:"source"` // the Prometheus it was read from
	// Stale: the values are not current — the source's latest poll failed, or every
	// target is down so they come from samples scraped before it died.
	Stale bool `json:"stale"`
	// Targets up and in all, from `up`; null when not known. A custom health query
	// gives only the share (TargetsUpRatio).
	TargetsUp      *int    `json:"targets_up"`
	TargetsTotal   *int    `json:"targets_total"`
	TargetsUpRatio *Number `json:"targets_up_ratio"`
	// Errors are why a signal's query failed, by signal name ("saturation": "…").
	Errors map[string]string `json:"errors"`

	// Signals are the four signals, indexed like sources.AllSignals
	// (Signals[sources.Errors.Index()]): an array, not a map, because a Board of
	// 10,000 services is built on every poll.
	Signals [sources.NumSignals]SignalValue `json:"-"`
}

// SLOStatus is one SLO's error budget, evaluated from its source's latest counts.
type SLOStatus struct {
	Name              string             `json:"name"`
	Service           string             `json:"service"`
	Objective         Number             `json:"objective"` // fraction: 0.999
	Window            string             `json:"window"`    // "30d"
	WindowSeconds     Number             `json:"window_seconds"`
	ErrorRatio        *Number            `json:"error_ratio"`
	BudgetRemaining   *Number            `json:"budget_remaining"`
	BurnRates         map[string]*Number `json:"burn_rates"` // keyed 5m 30m 1h 2h 6h 1d 3d
	Alert             Level              `json:"alert"`      // page|ticket|none
	ExhaustionSeconds *Number            `json:"exhaustion_seconds"`
	State             SLOState           `json:"state"` // page|ticket|ok|nodata (no traffic)
	RetentionExceeded bool               `json:"retention_exceeded"`
	// CoverageSeconds is how much of the window the server holds data for; null
	// when not known yet. Partial: less than the window, so the budget and the
	// exhaustion are computed on part of it.
	CoverageSeconds *Number `json:"coverage_seconds"`
	Partial         bool    `json:"partial"`
	Stale           bool    `json:"stale"`           // counts are from an earlier poll
	Error           string  `json:"error,omitempty"` // why the latest SLO queries failed

	// BurnLevels is, per burn-rate window ("1h"), the loudest condition whose long
	// window it is and whose threshold the burn is over: how the burn is drawn.
	BurnLevels map[string]Level `json:"-"`
	// Spent: the budget is used up (exhaustion 0), drawn as loud as a page.
	Spent bool `json:"-"`

	Conditions []Condition       `json:"-"` // the four multi-window multi-burn-rate checks
	Queries    map[string]string `json:"-"` // label -> PromQL used, for the detail view
	Origin     string            `json:"-"`
}

// Condition is one multi-window multi-burn-rate check: both windows must burn faster
// than Factor for it to fire.
type Condition struct {
	Alert     Level   // page | ticket
	Long      string  // "1h"
	Short     string  // "5m"
	Factor    Number  // burn-rate threshold, scaled to the SLO window
	LongBurn  *Number // nil: no data
	ShortBurn *Number
	Firing    bool
	Skipped   bool // not evaluated: the long window is not shorter than the SLO window
	// LongLevel and ShortLevel are Alert when that window burns over Factor, else
	// LevelNone: each burn's colour, judged here (strictly over, as slo.Evaluate fires).
	LongLevel, ShortLevel Level
}

// Page is an open PagerDuty incident.
type Page struct {
	ID        string    `json:"id"`
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`  // triggered | acknowledged
	Urgency   string    `json:"urgency"` // high | low
	Priority  string    `json:"priority"`
	Service   string    `json:"service"` // the vigil service it maps to, else PagerDuty's name
	Assignees []string  `json:"assignees"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
	Source    string    `json:"source"` // the PagerDuty source it came from

	// AckLapsesAt is when its acknowledgement or snooze lapses and it triggers
	// again (PagerDuty's pending unacknowledge); null when none is pending.
	AckLapsesAt *time.Time `json:"ack_lapses_at"`

	AssigneeIDs        []string  `json:"-"` // for "only mine"
	EscalationPolicyID string    `json:"-"`
	EscalationLevel    int       `json:"-"`
	LastStatusChangeAt time.Time `json:"-"`
	UpdatedAt          time.Time `json:"-"`
	// Joined are the Alertmanager alerts folded into its row, in the order of the
	// input; their fingerprints are the row's members.
	Joined []JoinedAlert `json:"-"`

	alertLabels []map[string]string // the label sets its PagerDuty alerts carry
	alertsKnown bool                // its alerts were read: else it is joined by title
}

// JoinedAlert is one Alertmanager alert a page caused, as the page detail lists it.
type JoinedAlert struct {
	Fingerprint string
	Name        string            // alertname
	Labels      map[string]string // shared with the snapshot: never written
	State       string            // active | unprocessed (Prometheus: firing)
	Since       time.Time         // its startsAt
	Severity    Severity
	Flapping    bool
}

// OnCall is who is on call now for one level of one escalation policy.
type OnCall struct {
	Policy string     `json:"policy"`
	Level  int        `json:"level"`
	Person string     `json:"person"`
	Until  *time.Time `json:"until"` // null: no end (an always-on-call rule)
}

// Item is one entry of the actionable or hidden list.
type Item struct {
	Kind     string            `json:"kind"` // alert | page | slo
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Severity Severity          `json:"severity"`
	Labels   map[string]string `json:"labels"`
	Since    time.Time         `json:"since"`
	Status   string            `json:"status,omitempty"` // pages: triggered | acknowledged
	Reason   string            `json:"reason,omitempty"` // hidden items only
	// Count is how many alerts the row stands for: a group's, the alerts joined
	// into a page, 1 for a hidden alert; Members are their fingerprints.
	Count   int      `json:"count"`
	Members []string `json:"members"`
	// Flapping: some member fires and resolves over and over (see Triage).
	Flapping bool `json:"flapping"`
	// Alertmanagers named the alert(s), where known.
	Alertmanagers []string `json:"alertmanagers,omitempty"`
	// ReasonDetail says which silence, inhibitor or rule hid a hidden alert.
	ReasonDetail string `json:"reason_detail,omitempty"`

	// Alerts are the alerts behind Members, in the same order, as the sources
	// reported them (shared with the snapshot: read-only): what the alert detail
	// view and the summary column read. Not in the JSON: Members names them there.
	Alerts []*sources.Alert `json:"-"`
}

// Rank orders the actionable list: triggered high-urgency pages, SLO pages, critical
// alerts, triggered low-urgency pages, SLO tickets, acknowledged pages, warnings,
// the rest. 0 is the most urgent.
func (it Item) Rank() int {
	switch {
	case it.Kind == "page" && it.Status == "triggered" && it.Severity == SeverityCritical:
		return 0
	case it.Kind == "slo" && it.Severity == SeverityPage:
		return 1
	case it.Kind != "page" && it.Severity.Loud():
		return 2
	case it.Kind == "page" && it.Status == "triggered":
		return 3
	case it.Severity == SeverityTicket:
		return 4
	case it.Kind == "page":
		return 5
	case it.Severity == SeverityError:
		return 6
	case it.Severity == SeverityWarning:
		return 7
	}
	return 8
}
