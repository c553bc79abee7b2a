// Package config reads vigil's YAML configuration strictly: unknown keys, bad values
// and dangling references are errors that name the file, the line and the key path.
package config

import (
	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
)

// Config is the whole configuration file. Its YAML shape is a contract users script
// against: extend it, never rename a key.
type Config struct {
	Refresh      model.Duration `yaml:"refresh"` // default 15s
	Timeout      model.Duration `yaml:"timeout"` // per poll, default 10s
	Prometheus   []Prometheus   `yaml:"prometheus"`
	Alertmanager []Alertmanager `yaml:"alertmanager"`
	PagerDuty    *PagerDuty     `yaml:"pagerduty"`
	Signals      *Signals       `yaml:"signals"`
	Services     []Service      `yaml:"services"`
	SLOs         []SLO          `yaml:"slos"`
	Triage       Triage         `yaml:"triage"`
	Notify       Notify         `yaml:"notify"`

	// File is the path the config was read from ("" when built in code).
	File string `yaml:"-"`
	// Warnings are settings that work but are probably not what was meant
	// ("file:line: key: message"); `vigil check` prints them, the dashboard logs them.
	Warnings []string `yaml:"-"`

	// SLODefs are every SLO, inline and imported, in the order of slos[]; filled by
	// Validate.
	SLODefs []slo.Definition `yaml:"-"`
	// SLOSkipped are the imported definitions that could not be used, with why.
	SLOSkipped []slo.Skipped `yaml:"-"`
	// SLOPrometheus maps an SLO name to the name of the prometheus that evaluates it.
	SLOPrometheus map[string]string `yaml:"-"`

	lines map[string]int  // key path -> line, from decoding
	nulls map[string]bool // key paths written without a value
	dir   string          // relative paths in the config are relative to this
}

// Prometheus is one Prometheus-compatible query endpoint (Prometheus, Thanos, Mimir,
// Cortex, VictoriaMetrics). Every prometheus/common HTTP client field is accepted
// inline: basic_auth, authorization, oauth2, tls_config, proxy_url, http_headers, ...
type Prometheus struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// Alerts reads the server's own alerts (GET /api/v1/alerts, firing and pending):
	// true reads them, false never; nil (left out) reads them when no Alertmanager
	// is configured. See Config.ReadsAlerts.
	Alerts *bool `yaml:"alerts"`

	HTTP promconfig.HTTPClientConfig `yaml:",inline"`
}

// Alertmanager is one Alertmanager; several are de-duplicated.
type Alertmanager struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`

	HTTP promconfig.HTTPClientConfig `yaml:",inline"`
}

// PagerDuty is the PagerDuty account to read pages from and write actions to.
// The token comes from an environment variable or a file, never from the config itself.
type PagerDuty struct {
	TokenEnv  string `yaml:"token_env"`
	TokenFile string `yaml:"token_file"`
	// From is the email address of the PagerDuty user every write is made as; PagerDuty
	// refuses a write without it. Required unless ReadOnly.
	From     string `yaml:"from"`
	ReadOnly bool   `yaml:"read_only"` // no acknowledge, resolve, snooze, note or escalate
	Region   string `yaml:"region"`    // us (default) or eu
	URL      string `yaml:"url"`       // overrides region
	// What to watch: incidents of these services and/or teams; with neither, the
	// incidents assigned to UserID; or Scope "account", every incident the token sees.
	Services []string `yaml:"services"`
	Teams    []string `yaml:"teams"`
	UserID   string   `yaml:"user_id"` // the operator, for "only mine"
	Scope    string   `yaml:"scope"`   // "account", or empty
	// EscalationPolicies whose on-call people the header shows; empty: UserID's.
	EscalationPolicies []string `yaml:"escalation_policies"`
	// ServiceMap maps a PagerDuty service (ID or name) to the vigil service whose
	// signals and SLOs its pages sit beside; unmapped services match by equal name.
	ServiceMap map[string]string `yaml:"service_map"`
	// RequestsPerMinute is vigil's request budget for this token (default 60): the
	// account's limit, 960 a minute, is shared with every other integration.
	RequestsPerMinute int `yaml:"requests_per_minute"`
}

// Signals is the batched profile: one query per signal returns every service, the
// service name being the value of the label By.
type Signals struct {
	Prometheus string `yaml:"prometheus"` // defaults to the first prometheus
	By         string `yaml:"by"`         // default "job"
	Latency    string `yaml:"latency"`
	Traffic    string `yaml:"traffic"`
	Errors     string `yaml:"errors"`
	Saturation string `yaml:"saturation"`
	// Services is "all" to ask every query whole and show every service the server
	// has; empty (the default) asks only for the configured services.
	Services string `yaml:"services"`
	// Health returns, per service (by the By label), the share of its targets up,
	// 0..1. Empty: the source asks `up` itself and counts targets.
	Health     string     `yaml:"health"`
	Thresholds Thresholds `yaml:"thresholds"` // defaults for every service
}

// Service is one service on the golden-signals pane. It takes its signals from the
// batched profile; any signal may be overridden by a query of its own, which must
// return a single series.
type Service struct {
	Name       string      `yaml:"name"`
	Prometheus string      `yaml:"prometheus"` // for the overrides; defaults to the profile's
	Latency    string      `yaml:"latency"`
	Traffic    string      `yaml:"traffic"`
	Errors     string      `yaml:"errors"`
	Saturation string      `yaml:"saturation"`
	Thresholds *Thresholds `yaml:"thresholds"` // overrides the profile's, key by key
}

// Thresholds mark a signal crit above the value and warn above 80 % of it. A nil
// field is not set here: the profile's, then DefaultThresholds, apply.
type Thresholds struct {
	Latency    *Threshold `yaml:"latency"`    // a duration (300ms, 1s), or none
	Errors     *Threshold `yaml:"errors"`     // a percentage (1%) or a ratio up to 1 (0.01), or none
	Saturation *Threshold `yaml:"saturation"` // a percentage (90%) or a ratio up to 1 (0.9), or none
}

// Threshold is one signal's threshold as written: a value (seconds for latency, a
// fraction for errors and saturation), or None when the user wrote `none` to judge
// that signal not at all (it is then drawn neutral, never as ok).
type Threshold struct {
	Value float64
	None  bool
}

// DefaultThresholds apply to a signal whose threshold neither the service nor the
// profile sets: no threshold must never read as healthy.
var DefaultThresholds = Thresholds{
	Latency:    &Threshold{Value: 1},
	Errors:     &Threshold{Value: 0.01},
	Saturation: &Threshold{Value: 0.9},
}

// SLO is one entry of slos[]: either an inline definition or an import of a file of
// OpenSLO, Sloth or Pyrra definitions.
type SLO struct {
	Import string `yaml:"import"`

	Name       string         `yaml:"name"`
	Service    string         `yaml:"service"`
	Objective  float64        `yaml:"objective"` // percent, strictly between 0 and 100
	Window     model.Duration `yaml:"window"`
	Prometheus string         `yaml:"prometheus"` // defaults to the first prometheus
	Errors     string         `yaml:"errors"`
	Good       string         `yaml:"good"`
	Total      string         `yaml:"total"`
	Latency    *LatencySLI    `yaml:"latency"`
}

// LatencySLI: requests slower than Threshold are bad.
type LatencySLI struct {
	Histogram string         `yaml:"histogram"`
	Selector  string         `yaml:"selector"`
	Threshold model.Duration `yaml:"threshold"`
}
