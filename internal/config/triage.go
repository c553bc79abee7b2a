package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	amlabels "github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Triage decides which alerts are folded away as non-actionable. Left-out keys take
// the defaults below, filled in by Validate (Hold and Flapping) or by the triage itself
// (the rest), so that a key written with a zero value keeps its meaning.
type Triage struct {
	MinSeverity string `yaml:"min_severity"` // default warning
	// SeverityLabel is the label an alert's severity is read from (default severity).
	SeverityLabel string `yaml:"severity_label"`
	// SeverityMap extends the built-in normalisation of severity values: a value
	// (case-insensitive) -> critical, warning or info. Its entries win.
	SeverityMap map[string]string `yaml:"severity_map"`
	// Heartbeats are alertnames that are never actionable. Left out (nil): Watchdog,
	// DeadMansSwitch, DeadMansSnitch and InfoInhibitor; an explicit [] is none.
	Heartbeats []string   `yaml:"heartbeats"`
	Hide       []HideRule `yaml:"hide"`
	Flapping   Flapping   `yaml:"flapping"`
	// Hold keeps a non-critical alert hidden until it is this old (default 2m);
	// 0 turns holding off.
	Hold model.Duration `yaml:"hold"`
	// GroupBy are the labels actionable alerts are grouped by; left out (nil):
	// alertname and service.
	GroupBy []string `yaml:"group_by"`
}

// HideRule hides the alerts its matcher selects, giving the reason on the hidden list.
type HideRule struct {
	Match  string `yaml:"match"`
	Reason string `yaml:"reason"`
}

// Flapping: a non-critical alert with at least Episodes firing episodes in Window is
// hidden as flapping. Episodes 0 turns flapping off.
type Flapping struct {
	Episodes int            `yaml:"episodes"` // default 4
	Window   model.Duration `yaml:"window"`   // default 1h; whole seconds, at least 1m
}

// Notify is when the dashboard rings the terminal's bell (or raises a desktop
// notification) for a new actionable item. It is written `notify: false` to turn
// notifications off, or as a mapping of the fields below.
type Notify struct {
	// Off is set by `notify: false`.
	Off bool `yaml:"-"`
	// MinSeverity is the least severe item that notifies: critical (default),
	// warning or info.
	MinSeverity string `yaml:"min_severity"`
	// Cooldown is the shortest time between two notifications (default 1m).
	Cooldown model.Duration `yaml:"cooldown"`
}

const (
	defaultHold          = model.Duration(2 * time.Minute)
	defaultFlapEpisodes  = 4
	defaultFlapWindow    = model.Duration(time.Hour)
	minFlapWindow        = model.Duration(time.Minute)
	defaultNotifySev     = "critical"
	defaultNotifyCoolOff = model.Duration(time.Minute)
)

// alertSeverities are what an alert's severity normalises to.
var alertSeverities = []string{"critical", "warning", "info"}

// ReadsAlerts reports whether the alerts of the Prometheus p are read from p itself
// (GET /api/v1/alerts): when its entry says alerts: true, or says nothing and no
// Alertmanager is configured.
func (c *Config) ReadsAlerts(p *Prometheus) bool {
	if p.Alerts != nil {
		return *p.Alerts
	}
	return len(c.Alertmanager) == 0
}

func (c *Config) setTriageDefaults() {
	t := &c.Triage
	if t.Hold == 0 && !c.written("triage.hold") {
		t.Hold = defaultHold
	}
	if t.Flapping.Episodes == 0 && !c.written("triage.flapping.episodes") {
		t.Flapping.Episodes = defaultFlapEpisodes
	}
	if t.Flapping.Window == 0 && !c.written("triage.flapping.window") {
		t.Flapping.Window = defaultFlapWindow
	}
	n := &c.Notify
	if n.MinSeverity == "" {
		n.MinSeverity = defaultNotifySev
	}
	if n.Cooldown == 0 && !c.written("notify.cooldown") {
		n.Cooldown = defaultNotifyCoolOff
	}
}

func (k *checker) triage() {
	t := k.c.Triage
	if t.MinSeverity != "" && !slices.Contains(alertSeverities, t.MinSeverity) {
		k.fail("triage.min_severity", "must be one of %s, got %s", strings.Join(alertSeverities, ", "), quote(t.MinSeverity))
	}
	if t.SeverityLabel == "" && k.c.written("triage.severity_label") {
		k.fail("triage.severity_label", "must name a label; leave it out for the default, severity")
	}
	keys := make([]string, 0, len(t.SeverityMap))
	for key := range t.SeverityMap {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		path := join("triage.severity_map", key)
		if strings.TrimSpace(key) == "" {
			k.fail(path, "a severity value must not be empty")
		}
		if v := t.SeverityMap[key]; !slices.Contains(alertSeverities, v) {
			k.fail(path, "must be one of %s, got %s", strings.Join(alertSeverities, ", "), quote(v))
		}
	}
	k.labelList("triage.heartbeats", t.Heartbeats, "an alertname")
	for i, h := range t.Hide {
		path := fmt.Sprintf("triage.hide[%d].match", i)
		if h.Match == "" {
			k.fail(path, "required")
			continue
		}
		if k.tooLong(path, h.Match) {
			continue
		}
		// Alertmanager's own matcher parser, as the triage and silences use it.
		ms, err := amlabels.ParseMatchers(h.Match)
		switch {
		case err != nil:
			k.fail(path, "bad matcher: %s", oneLine(err))
		case len(ms) == 0:
			k.fail(path, "no matchers: it would hide every alert")
		}
	}
	switch f := t.Flapping; {
	case f.Episodes < 0:
		k.fail("triage.flapping.episodes", "must be 0 (flapping off) or at least 2, got %d", f.Episodes)
	case f.Episodes == 1:
		k.fail("triage.flapping.episodes", "1 would hide every alert that fired at all; write at least 2, or 0 to turn flapping off")
	}
	switch w := t.Flapping.Window; {
	case w < minFlapWindow:
		k.fail("triage.flapping.window", "must be at least %s, got %s", minFlapWindow, w)
	case time.Duration(w)%time.Second != 0:
		k.fail("triage.flapping.window", "must be whole seconds, got %s", w)
	}
	if t.GroupBy != nil && len(t.GroupBy) == 0 {
		k.fail("triage.group_by", "must name at least one label; leave it out for the default, alertname and service")
	}
	k.labelList("triage.group_by", t.GroupBy, "a label")
}

// labelList checks a list of names: none empty, none twice.
func (k *checker) labelList(path string, names []string, what string) {
	first := map[string]int{}
	for i, name := range names {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		if strings.TrimSpace(name) == "" {
			k.fail(ipath, "must be %s, got %s", what, quote(name))
			continue
		}
		if j, dup := first[name]; dup {
			k.fail(ipath, "%s listed twice (first at %s)", quote(name), k.where(fmt.Sprintf("%s[%d]", path, j)))
			continue
		}
		first[name] = i
	}
}

func (k *checker) notify() {
	n := k.c.Notify
	if !slices.Contains(alertSeverities, n.MinSeverity) {
		k.fail("notify.min_severity", "must be one of %s, got %s", strings.Join(alertSeverities, ", "), quote(n.MinSeverity))
	}
	if n.Cooldown < model.Duration(time.Second) {
		k.fail("notify.cooldown", "must be at least 1s, got %s; notify: false turns notifications off", n.Cooldown)
	}
}

var notifyType = reflect.TypeFor[Notify]()

// notify decodes `notify: false` (or true, the defaults) or a mapping of settings.
func (d *decoder) notify(n *yaml.Node, v reflect.Value, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		d.structure(n, v, path)
		return
	case yaml.ScalarNode:
		if n.ShortTag() == "!!bool" {
			var on bool
			if err := n.Decode(&on); err == nil {
				v.Set(reflect.ValueOf(Notify{Off: !on}))
				return
			}
		}
	}
	d.fail(n.Line, path, "expected false (no notifications), true, or a mapping of min_severity and cooldown, got %s", describe(n))
}
