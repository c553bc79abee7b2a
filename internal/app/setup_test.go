package app

import (
	"context"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui"
)

// TestThresholdsLayer checks that a service with no thresholds anywhere is judged by
// the built-in defaults (no threshold must never read as green), that the profile and
// the service override them signal by signal, and that `none` leaves a signal
// unjudged.
func TestThresholdsLayer(t *testing.T) {
	const yaml = `
prometheus:
  - name: prod
    url: http://127.0.0.1:9
signals:
  prometheus: prod
  by: job
  latency: histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))
  traffic: sum by (job) (rate(http_requests_total[5m]))
  errors: sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))
  saturation: max by (job) (process_resident_memory_bytes / 1e9)
  thresholds: {latency: 300ms}
services:
  - name: plain
  - name: own
    thresholds: {errors: 5%, saturation: none}
`
	cfg, err := config.Parse("vigil.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	setup, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]int{}
	for i, r := range setup.Rules.Services {
		rules[r.Name] = i
	}
	plain := setup.Rules.Services[rules["plain"]]
	want := map[sources.Signal]float64{sources.Latency: 0.3, sources.Errors: 0.01, sources.Saturation: 0.9}
	for sig, v := range want {
		if got, ok := plain.Thresholds[sig]; !ok || got != v {
			t.Errorf("plain %s threshold = %v (%v), want %v", sig, got, ok, v)
		}
	}
	if _, ok := plain.Thresholds[sources.Traffic]; ok || len(plain.Unjudged) != 0 {
		t.Errorf("plain: traffic has no threshold and nothing is unjudged: %+v", plain)
	}
	own := setup.Rules.Services[rules["own"]]
	if own.Thresholds[sources.Errors] != 0.05 || own.Thresholds[sources.Latency] != 0.3 {
		t.Errorf("own thresholds = %v", own.Thresholds)
	}
	if _, ok := own.Thresholds[sources.Saturation]; ok || !own.Unjudged[sources.Saturation] {
		t.Errorf("saturation: none must be unjudged, not defaulted: %+v", own)
	}
}

func TestMissingConfigMessages(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	_, err := loadConfig(filepath.Join(dir, "missing.yaml"))
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 2 || strings.Contains(err.Error(), "pass --config") ||
		!strings.Contains(err.Error(), "--config "+filepath.Join(dir, "missing.yaml")+": no such file") {
		t.Errorf("explicit --config: %v", err)
	}
	_, err = loadConfig("")
	if err == nil || !strings.Contains(err.Error(), "pass --config") || !strings.Contains(err.Error(), "vigil demo") {
		t.Errorf("default path: %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "vigil")); statErr == nil {
		t.Error("loading must not create the config directory")
	}
}

// TestCheckPrintsConfigWarnings: a setting that works but is probably not meant (a
// refresh under 5 s) is said by `vigil check`, without failing it.
func TestCheckPrintsConfigWarnings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	cfg := "refresh: 2s\ntimeout: 1s\nprometheus:\n  - name: prod\n    url: http://" + testservers.DeadAddr(t) + "\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err := Check(context.Background(), &out, path)
	if !strings.Contains(out.String(), "config  WARN ") || !strings.Contains(out.String(), "refresh") {
		t.Errorf("no warning for a 2s refresh:\n%s", out.String())
	}
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 { // the dead prometheus fails; the warning does not
		t.Errorf("exit = %v", err)
	}
}

// TestTriageRulesFromConfig: the config's words for "off" (0) become Build's (a
// negative value), an explicit empty heartbeats list stays none rather than the
// defaults, and the rest is passed on as written.
func TestTriageRulesFromConfig(t *testing.T) {
	c, err := config.Parse("vigil.yaml", []byte("prometheus:\n  - {name: p, url: 'http://127.0.0.1:9'}\ntriage:\n"+
		"  heartbeats: []\n  hold: 0s\n  flapping: {episodes: 0, window: 30m}\n  severity_label: priority\n"+
		"  severity_map: {P0: critical}\n  group_by: [cluster]\n  min_severity: critical\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := triageRules(c.Triage)
	if err != nil {
		t.Fatal(err)
	}
	want := alerts.Triage{MinSeverity: alerts.SeverityCritical, SeverityLabel: "priority",
		SeverityMap: map[string]alerts.Severity{"P0": alerts.SeverityCritical}, Heartbeats: []string{},
		FlapEpisodes: -1, FlapWindow: 30 * time.Minute, Hold: -1, GroupBy: []string{"cluster"}}
	if !reflect.DeepEqual(got, want) || got.Heartbeats == nil {
		t.Errorf("triage = %+v\nwant    %+v", got, want)
	}
	// Left out, everything is Build's default: its zero values, and heartbeats nil.
	c, err = config.Parse("vigil.yaml", []byte("prometheus:\n  - {name: p, url: 'http://127.0.0.1:9'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ = triageRules(c.Triage)
	want = alerts.Triage{FlapEpisodes: 4, FlapWindow: time.Hour, Hold: 2 * time.Minute}
	if !reflect.DeepEqual(got, want) || got.Heartbeats != nil {
		t.Errorf("default triage = %+v\nwant            %+v", got, want)
	}
}

// TestAlertsPaneOptions: the alerts pane is shown whenever alerts are read, and
// silences are written only to an Alertmanager, never with --read-only.
func TestAlertsPaneOptions(t *testing.T) {
	const prom = "prometheus:\n  - {name: p, url: 'http://127.0.0.1:9'}\n"
	const am = "alertmanager:\n  - {name: am, url: 'http://127.0.0.1:9093'}\n"
	tests := []struct {
		name            string
		cfg             string
		readOnly        bool
		alerts, silence bool
		sources         []string
	}{
		{"prometheus alone: its alerts, no silences", prom, false, true, false, []string{"p", "p alerts"}},
		{"prometheus alone, alerts: false", "prometheus:\n  - {name: p, url: 'http://127.0.0.1:9', alerts: false}\n", false, false, false, []string{"p"}},
		{"alertmanager", prom + am, false, true, true, []string{"p", "alertmanager"}},
		{"alertmanager, read-only", prom + am, true, true, false, []string{"p", "alertmanager"}},
	}
	for _, tt := range tests {
		c, err := config.Parse("vigil.yaml", []byte(tt.cfg))
		if err != nil {
			t.Fatal(err)
		}
		setup, err := fromConfig(c, tt.readOnly)
		if err != nil {
			t.Fatal(err)
		}
		var opts tui.Options
		setup.alertOptions(&opts)
		if opts.Alerts != tt.alerts || (opts.Silences != nil) != tt.silence {
			t.Errorf("%s: alerts pane %v, silences %v; want %v, %v", tt.name, opts.Alerts, opts.Silences != nil, tt.alerts, tt.silence)
		}
		var names []string
		for _, s := range setup.Sources {
			names = append(names, s.Name())
		}
		if !slices.Equal(names, tt.sources) {
			t.Errorf("%s: sources %v, want %v", tt.name, names, tt.sources)
		}
	}
}

// A silence is made by the PagerDuty `from` address, else the login name, which is
// asked of the system when $USER is unset (as under some multiplexers and cron).
func TestSilenceUser(t *testing.T) {
	t.Setenv("USER", "")
	me, err := user.Current()
	if err != nil || me.Username == "" {
		t.Skipf("the system does not say who runs this: %v", err)
	}
	if got := silenceUser(&config.Config{}); got != me.Username {
		t.Errorf("with $USER unset: %q, want %q", got, me.Username)
	}
	t.Setenv("USER", "ada")
	if got := silenceUser(&config.Config{}); got != "ada" {
		t.Errorf("with $USER=ada: %q", got)
	}
	if got := silenceUser(&config.Config{PagerDuty: &config.PagerDuty{From: "ada@example.com"}}); got != "ada@example.com" {
		t.Errorf("with a PagerDuty from: %q", got)
	}
}
