package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/vigil-sre/vigil/sources"
)

// Triage is the configuration's `triage` section as Build needs it. The zero value
// is the documented defaults: min severity warning from the `severity` label, the
// four heartbeats, flapping at 4 episodes in 1h, a 2m hold, grouped by alertname
// and service.
type Triage struct {
	// MinSeverity hides alerts below it: critical, warning or info ("" is warning).
	MinSeverity Severity
	// SeverityLabel is the label an alert's severity is read from ("" is severity).
	SeverityLabel string
	// SeverityMap extends the default normalisation (lower-case value -> severity);
	// its entries win over the defaults.
	SeverityMap map[string]Severity
	// Heartbeats are alertnames that are never actionable; nil is the defaults
	// (Watchdog, DeadMansSwitch, DeadMansSnitch, InfoInhibitor), empty is none.
	Heartbeats []string
	// Hide are the user's rules, made by ParseHideRule when the config is loaded.
	Hide []HideRule
	// FlapEpisodes is how many firing episodes in FlapWindow make an alert flap
	// (0 is 4; negative turns flapping off). The window is the history query's: it
	// is named here for the explanation only (0 is 1h).
	FlapEpisodes int
	FlapWindow   time.Duration
	// SeenEpisodes are the episodes a dashboard saw (EpisodeTracker), by
	// fingerprint, for alerts whose source could not say (Episodes < 0).
	SeenEpisodes map[string]int
	// Hold keeps a non-critical alert hidden until it is this old (0 is 2m;
	// negative turns holding off).
	Hold time.Duration
	// GroupBy are the labels actionable alerts are grouped by; nil is alertname
	// and ServiceLabel.
	GroupBy []string
	// ServiceLabel names the service label ("" is service).
	ServiceLabel string
}

// HideRule is one `triage.hide` entry: alerts its matchers select are hidden with
// reason `rule`, and Reason is the user's words for why.
type HideRule struct {
	Match    string
	Reason   string
	matchers labels.Matchers
	parsed   bool
}

// ParseHideRule parses match with Alertmanager's own matcher parser, once, when the
// configuration is loaded; the error is the config's to report with its key path.
func ParseHideRule(match, reason string) (HideRule, error) {
	ms, err := labels.ParseMatchers(match)
	if err != nil {
		return HideRule{}, fmt.Errorf("match %q: %w", match, err)
	}
	if len(ms) == 0 {
		return HideRule{}, fmt.Errorf("match %q: no matchers: it would hide every alert", match)
	}
	return HideRule{Match: match, Reason: reason, matchers: ms, parsed: true}, nil
}

// matches reports whether every matcher of the rule selects the alert. A missing
// label reads as "", as Alertmanager reads it; looking labels up one by one spares
// converting every alert's labels to Alertmanager's LabelSet.
func (r *HideRule) matches(lbls map[string]string) bool {
	if !r.parsed {
		return false // a rule not made by ParseHideRule hides nothing: when in doubt, show
	}
	for _, m := range r.matchers {
		if !m.Matches(lbls[m.Name]) {
			return false
		}
	}
	return true
}

// The reasons an alert is hidden, in the order they are tried: the first that
// applies is the alert's reason.
const (
	ReasonSilenced  = "silenced"
	ReasonInhibited = "inhibited"
	ReasonHeartbeat = "heartbeat"
	ReasonRule      = "rule"
	ReasonSeverity  = "severity"
	ReasonPending   = "pending"
	ReasonFlapping  = "flapping"
	ReasonHeld      = "held"
)

// HiddenReasons are the eight reasons in the order they are tried (and the footer
// lists their counts in).
var HiddenReasons = [...]string{ReasonSilenced, ReasonInhibited, ReasonHeartbeat, ReasonRule,
	ReasonSeverity, ReasonPending, ReasonFlapping, ReasonHeld}

// The reasons' indices in HiddenReasons, as triage records them per alert.
const (
	idxSilenced int8 = iota
	idxInhibited
	idxHeartbeat
	idxRule
	idxSeverity
	idxPending
	idxFlapping
	idxHeld
)

var defaultHeartbeats = []string{"Watchdog", "DeadMansSwitch", "DeadMansSnitch", "InfoInhibitor"}

// defaultSeverities is the normalisation of the issue: when in doubt, show, so an
// unknown value is a warning, never info.
var defaultSeverities = func() map[string]Severity {
	m := map[string]Severity{}
	for sev, words := range map[Severity]string{
		SeverityCritical: "critical page high sev1 p1 emergency",
		SeverityWarning:  "warning warn error major minor medium sev2 sev3 p2 p3",
		SeverityInfo:     "info informational notice low none debug sev4 sev5 p4 p5",
	} {
		for _, w := range strings.Fields(words) {
			m[w] = sev
		}
	}
	return m
}()

// triageRules is a Triage with its defaults filled in, made once per Build.
type triageRules struct {
	minRank       int // severityRank of MinSeverity
	severityLabel string
	serviceLabel  string
	severities    map[string]Severity
	heartbeats    map[string]bool
	hide          []HideRule
	flapEpisodes  int
	flapWindow    time.Duration
	seenEpisodes  map[string]int
	hold          time.Duration
	groupBy       []string
}

func (t Triage) withDefaults() triageRules {
	r := triageRules{
		minRank: severityRank(SeverityWarning), severityLabel: t.SeverityLabel, serviceLabel: t.ServiceLabel,
		severities: defaultSeverities, hide: t.Hide, flapEpisodes: t.FlapEpisodes, flapWindow: t.FlapWindow,
		hold: t.Hold, groupBy: t.GroupBy, seenEpisodes: t.SeenEpisodes,
	}
	switch t.MinSeverity {
	case SeverityCritical, SeverityInfo:
		r.minRank = severityRank(t.MinSeverity)
	}
	if r.severityLabel == "" {
		r.severityLabel = "severity"
	}
	if r.serviceLabel == "" {
		r.serviceLabel = "service"
	}
	if len(t.SeverityMap) > 0 {
		r.severities = make(map[string]Severity, len(defaultSeverities)+len(t.SeverityMap))
		for k, v := range defaultSeverities {
			r.severities[k] = v
		}
		for k, v := range t.SeverityMap {
			r.severities[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	hb := t.Heartbeats
	if hb == nil {
		hb = defaultHeartbeats
	}
	r.heartbeats = make(map[string]bool, len(hb))
	for _, name := range hb {
		r.heartbeats[name] = true
	}
	if r.flapEpisodes == 0 {
		r.flapEpisodes = 4
	}
	if r.flapWindow <= 0 {
		r.flapWindow = time.Hour
	}
	if r.hold == 0 {
		r.hold = 2 * time.Minute
	}
	if r.groupBy == nil {
		r.groupBy = []string{"alertname", r.serviceLabel}
	}
	copied := false
	for i := range r.hide {
		if r.hide[i].parsed || r.hide[i].Match == "" {
			continue
		}
		// A rule built as a literal is parsed here, once per Build, not per alert,
		// into a copy: the caller's Rules are not written.
		if p, err := ParseHideRule(r.hide[i].Match, r.hide[i].Reason); err == nil {
			if !copied {
				r.hide, copied = append([]HideRule(nil), r.hide...), true
			}
			r.hide[i] = p
		}
	}
	return r
}

// severityRank orders alert severities, most urgent first.
func severityRank(s Severity) int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityInfo:
		return 2
	}
	return 1
}

// severityOf normalises an alert's severity label. No label or an unknown value is a
// warning: when in doubt, show.
func (r *triageRules) severityOf(lbls map[string]string) Severity {
	v, ok := lbls[r.severityLabel]
	if !ok {
		return SeverityWarning
	}
	if s, ok := r.severities[v]; ok {
		return s
	}
	// ToLower and TrimSpace return v itself when there is nothing to change.
	if s, ok := r.severities[strings.ToLower(strings.TrimSpace(v))]; ok {
		return s
	}
	return SeverityWarning
}

// episodes is how many times a fired in the flapping window: what its source said,
// else what the dashboard saw, else 0.
func (r *triageRules) episodes(a *sources.Alert) int {
	if a.Episodes >= 0 {
		return a.Episodes
	}
	return r.seenEpisodes[a.Fingerprint]
}
