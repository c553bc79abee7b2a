// Package alerts is triage: one pure function, Build, turns the raw snapshot of every
// source into the Board of what is shown. The screen and `vigil snapshot` both render
// the Board, so they can never disagree. No terminal or network package is imported.
package alerts

import (
	"time"

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
	Actionable  []Item         `json:"actionable"`
	Hidden      []Item         `json:"hidden"`
}

// SourceStatus is a source's health as shown in the header badge.
type SourceStatus struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	OK          bool       `json:"ok"`
	Error       string     `json:"error"`        // "" when ok
	LastSuccess *time.Time `json:"last_success"` // null until the first success
	AgeSeconds  *float64   `json:"age_seconds"`  // null until the first success
	Stale       bool       `json:"stale"`        // the data shown is older than the latest attempt
}

// State is a threshold state, ordered from best to worst so states compare with <.
type State int

const (
	StateNoData State = iota // nothing to judge: no data, or no threshold and no value
	StateOK
	StateWarn // above 80 % of the threshold
	StateCrit // above the threshold
)

// String is the state's name in JSON and text output.
func (s State) String() string {
	switch s {
	case StateOK:
		return "ok"
	case StateWarn:
		return "warn"
	case StateCrit:
		return "crit"
	}
	return "nodata"
}

// MarshalText makes a State its name in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// SignalValue is one golden signal of one service.
type SignalValue struct {
	Value     *float64        // nil: no data
	Threshold *float64        // nil: none configured
	State     State           // against Threshold
	Series    []sources.Point // sparkline, oldest first
}

// ServiceRow is one row of the golden-signals pane.
type ServiceRow struct {
	Name            string   `json:"name"`
	LatencySeconds  *float64 `json:"latency_seconds"`
	TrafficRPS      *float64 `json:"traffic_rps"`
	ErrorRatio      *float64 `json:"error_ratio"`
	SaturationRatio *float64 `json:"saturation_ratio"`
	State           State    `json:"state"`  // the worst of its signals
	Source          string   `json:"source"` // the Prometheus it was read from
	Stale           bool     `json:"stale"`  // its source's latest poll failed: values are old

	Signals map[sources.Signal]SignalValue `json:"-"`
}

// SLOStatus is one SLO's error budget, evaluated from its source's latest counts.
type SLOStatus struct {
	Name              string              `json:"name"`
	Service           string              `json:"service"`
	Objective         float64             `json:"objective"` // fraction: 0.999
	Window            string              `json:"window"`    // "30d"
	WindowSeconds     float64             `json:"window_seconds"`
	ErrorRatio        *float64            `json:"error_ratio"`
	BudgetRemaining   *float64            `json:"budget_remaining"`
	BurnRates         map[string]*float64 `json:"burn_rates"` // keyed 5m 30m 1h 2h 6h 1d 3d
	Alert             string              `json:"alert"`      // page|ticket|none
	ExhaustionSeconds *float64            `json:"exhaustion_seconds"`
	State             string              `json:"state"` // page|ticket|ok|nodata (no traffic)
	RetentionExceeded bool                `json:"retention_exceeded"`
	Stale             bool                `json:"stale"`           // counts are from an earlier poll
	Error             string              `json:"error,omitempty"` // why the latest SLO queries failed

	Conditions []Condition       `json:"-"` // the four multi-window multi-burn-rate checks
	Queries    map[string]string `json:"-"` // label -> PromQL used, for the detail view
	Origin     string            `json:"-"`
}

// Condition is one multi-window multi-burn-rate check: both windows must burn faster
// than Factor for it to fire.
type Condition struct {
	Alert     string   // page | ticket
	Long      string   // "1h"
	Short     string   // "5m"
	Factor    float64  // burn-rate threshold, scaled to the SLO window
	LongBurn  *float64 // nil: no data
	ShortBurn *float64
	Firing    bool
}

// Page is an open PagerDuty incident.
type Page struct {
	ID        string    `json:"id"`
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	Urgency   string    `json:"urgency"`
	Service   string    `json:"service"`
	Assignees []string  `json:"assignees"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
}

// Item is one entry of the actionable or hidden list.
type Item struct {
	Kind     string            `json:"kind"` // alert | page | slo
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Severity string            `json:"severity"`
	Labels   map[string]string `json:"labels"`
	Since    time.Time         `json:"since"`
	Reason   string            `json:"reason,omitempty"` // hidden items only
}
