package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	amlabels "github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/alertmanager"
	"github.com/vigil-sre/vigil/tui"
)

// alertSources builds the sources of alerts: one over every configured Alertmanager
// (an HA pair or one per cluster, merged by fingerprint), nil when none is configured,
// and one per Prometheus whose own alerts are read (config.ReadsAlerts). Firing
// episodes are read from history so that flapping is known on the first poll: for the
// Alertmanagers from the first Prometheus, for a Prometheus's alerts from itself, one
// History per Prometheus, over the configured flapping window. With flapping off
// (episodes: 0) nothing is asked.
//
// When an Alertmanager is read, a Prometheus's alerts and histories carry its
// external_labels, as the alerts it sends to Alertmanager do, so that an alert both
// report has one fingerprint and is one alert. Without one they carry the labels
// Prometheus evaluated, so that the replicas of an HA pair report each alert once.
func alertSources(cfg *config.Config) (*alertmanager.Group, []*alertmanager.PromAlerts, error) {
	external := len(cfg.Alertmanager) > 0
	histories := map[string]*alertmanager.History{}
	history := func(p *config.Prometheus) (*alertmanager.History, error) {
		if cfg.Triage.Flapping.Episodes == 0 {
			return nil, nil
		}
		if h, ok := histories[p.Name]; ok {
			return h, nil
		}
		h, err := alertmanager.NewHistory(alertmanager.HistoryOptions{Name: p.Name, URL: p.URL, HTTP: p.HTTP,
			Window: time.Duration(cfg.Triage.Flapping.Window), ReadExternalLabels: external})
		if err != nil {
			return nil, fmt.Errorf("prometheus %q (alert history): %w", p.Name, err)
		}
		histories[p.Name] = h
		return h, nil
	}
	group, err := newAlertmanagers(cfg, history)
	if err != nil {
		return nil, nil, err
	}
	var proms []*alertmanager.PromAlerts
	for i := range cfg.Prometheus {
		p := &cfg.Prometheus[i]
		if !cfg.ReadsAlerts(p) {
			continue
		}
		h, err := history(p)
		if err != nil {
			return nil, nil, err
		}
		src, err := alertmanager.NewPromAlerts(alertmanager.PromOptions{Name: p.Name, URL: p.URL, HTTP: p.HTTP,
			ExternalLabels: external, History: h})
		if err != nil {
			return nil, nil, fmt.Errorf("prometheus %q (alerts): %w", p.Name, err)
		}
		proms = append(proms, src)
	}
	return group, proms, nil
}

// newAlertmanagers builds one source over every configured Alertmanager, with the
// firing episodes read from the first Prometheus. Nil when none is configured.
func newAlertmanagers(cfg *config.Config, history func(*config.Prometheus) (*alertmanager.History, error)) (*alertmanager.Group, error) {
	if len(cfg.Alertmanager) == 0 {
		return nil, nil
	}
	var ams []*alertmanager.Source
	for _, a := range cfg.Alertmanager {
		src, err := alertmanager.New(alertmanager.Options{Name: a.Name, URL: a.URL, HTTP: a.HTTP})
		if err != nil {
			return nil, fmt.Errorf("alertmanager %q: %w", a.Name, err)
		}
		ams = append(ams, src)
	}
	group, err := alertmanager.NewGroup("alertmanager", ams)
	if err != nil {
		return nil, err
	}
	if len(cfg.Prometheus) > 0 {
		h, err := history(&cfg.Prometheus[0])
		if err != nil {
			return nil, err
		}
		if h != nil {
			group = group.WithHistory(h)
		}
	}
	return group, nil
}

// triageRules are the config's triage settings as Build takes them. The hide rules'
// matchers were checked at load; a rule that still fails to parse here is a bug worth
// an error rather than a silently visible alert.
func triageRules(t config.Triage) (alerts.Triage, error) {
	out := alerts.Triage{
		MinSeverity:   alerts.Severity(t.MinSeverity),
		SeverityLabel: t.SeverityLabel,
		Heartbeats:    t.Heartbeats, // nil is the defaults, empty is none
		FlapEpisodes:  t.Flapping.Episodes,
		FlapWindow:    time.Duration(t.Flapping.Window),
		Hold:          time.Duration(t.Hold),
		GroupBy:       t.GroupBy,
	}
	// The config says 0 for off; Build's zero value is its default, and off is negative.
	if out.FlapEpisodes == 0 {
		out.FlapEpisodes = -1
	}
	if out.Hold == 0 {
		out.Hold = -1
	}
	if len(t.SeverityMap) > 0 {
		out.SeverityMap = make(map[string]alerts.Severity, len(t.SeverityMap))
		for value, sev := range t.SeverityMap {
			out.SeverityMap[value] = alerts.Severity(sev)
		}
	}
	for i, h := range t.Hide {
		r, err := alerts.ParseHideRule(h.Match, h.Reason)
		if err != nil {
			return out, fmt.Errorf("triage.hide[%d]: %w", i, err)
		}
		out.Hide = append(out.Hide, r)
	}
	return out, nil
}

// checkPromAlerts reads the alerts of each Prometheus whose own alerts are read, once,
// and says how many are firing and pending; it returns how many failed.
func checkPromAlerts(ctx context.Context, w io.Writer, setup *Setup, timeout time.Duration) (failed int) {
	for _, src := range setup.PromAlerts {
		var data sources.Data
		err := bounded(ctx, timeout, func(ctx context.Context) error {
			var err error
			data, err = src.Poll(ctx, time.Now())
			return err
		})
		if err != nil {
			failed++
			fmt.Fprintf(w, "prometheus %s alerts: FAIL %v\n", src.Prometheus(), err)
			continue
		}
		firing, pending := 0, 0
		if data.Alerts != nil {
			for _, a := range data.Alerts.Alerts {
				if a.State == alertmanager.StatePending {
					pending++
				} else {
					firing++
				}
			}
		}
		// A failed flapping history is a warning: the alerts are read, their episodes
		// are not.
		warn := ""
		if len(data.Warnings) > 0 {
			warn = "; WARN " + strings.Join(data.Warnings, "; ")
		}
		fmt.Fprintf(w, "prometheus %s alerts: ok (%d firing, %d pending)%s\n", src.Prometheus(), firing, pending, warn)
	}
	return failed
}

// checkAlertmanagers polls every Alertmanager once and says how many alerts and
// silences it holds; it returns 1 when the poll fails or one of them did not answer.
func checkAlertmanagers(ctx context.Context, w io.Writer, setup *Setup, timeout time.Duration) int {
	var data sources.Data
	err := bounded(ctx, timeout, func(ctx context.Context) error {
		var err error
		data, err = setup.Alertmanagers.Poll(ctx, time.Now())
		return err
	})
	names := strings.Join(setup.Alertmanagers.Alertmanagers(), ", ")
	if err != nil {
		fmt.Fprintf(w, "alertmanager %s: FAIL %v\n", names, err)
		return 1
	}
	n, sil := 0, 0
	var bad []string
	if data.Alerts != nil {
		n, sil = len(data.Alerts.Alerts), len(data.Alerts.Silences)
		for _, m := range data.Alerts.Members {
			if m.Err != "" {
				bad = append(bad, m.Err)
			}
		}
	}
	if bad = append(bad, data.Warnings...); len(bad) > 0 {
		fmt.Fprintf(w, "alertmanager %s: FAIL %s\n", names, strings.Join(bad, "; "))
		return 1
	}
	fmt.Fprintf(w, "alertmanager %s: ok (%d alerts, %d silences)\n", names, n, sil)
	return 0
}

// silenceActions posts silences to every Alertmanager of the group, and expires them
// wherever they are held. A silence that reached only some Alertmanagers is
// remembered for retryWithin: the same silence asked again (same matchers, author and
// comment) is posted to the others only, so a retry makes no second copy where the
// first took.
type silenceActions struct {
	group *alertmanager.Group

	mu      sync.Mutex
	missing map[string]missedSilence // silence key -> the Alertmanagers it did not reach
}

type missedSilence struct {
	names []string
	at    time.Time
}

// retryWithin is how long a partly made silence waits for its retry; the same
// silence asked later is a new one, posted everywhere.
const retryWithin = 15 * time.Minute

func newSilenceActions(g *alertmanager.Group) *silenceActions {
	return &silenceActions{group: g, missing: map[string]missedSilence{}}
}

// CreateSilence parses matchers with Alertmanager's own parser and silences them for
// d from now on every Alertmanager (or on those a previous try did not reach).
func (s *silenceActions) CreateSilence(ctx context.Context, matchers string, d time.Duration, createdBy, comment string) error {
	parsed, err := amlabels.ParseMatchers(matchers)
	if err != nil {
		return fmt.Errorf("matchers %s: %w", matchers, err)
	}
	var ms []sources.Matcher
	for _, m := range parsed {
		ms = append(ms, sources.Matcher{Name: m.Name, Value: m.Value,
			IsRegex: m.Type == amlabels.MatchRegexp || m.Type == amlabels.MatchNotRegexp,
			IsEqual: m.Type == amlabels.MatchEqual || m.Type == amlabels.MatchRegexp})
	}
	key := matchers + "\x00" + createdBy + "\x00" + comment
	now := time.Now()
	s.mu.Lock()
	var only []string
	if m, ok := s.missing[key]; ok && now.Sub(m.at) < retryWithin {
		only = m.names
	}
	s.mu.Unlock()
	targets := only
	if targets == nil {
		targets = s.group.Alertmanagers()
	}
	took, err := s.group.CreateSilenceOn(ctx, only, ms, now, now.Add(d), createdBy, comment)
	var missed []string
	for _, name := range targets {
		if _, ok := took[name]; !ok {
			missed = append(missed, name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		delete(s.missing, key)
		return nil
	case len(took) == 0:
		return err // nothing changed: a retry asks the same Alertmanagers again
	}
	for k, m := range s.missing {
		if now.Sub(m.at) >= retryWithin {
			delete(s.missing, k)
		}
	}
	s.missing[key] = missedSilence{names: missed, at: now}
	var made []string
	for _, name := range targets {
		if id, ok := took[name]; ok {
			made = append(made, name+" ("+id+")")
		}
	}
	return fmt.Errorf("silence made on %s but not on %s: %w; the alert stays shown while %s lacks it: S again with the same matchers and comment asks only %s",
		strings.Join(made, ", "), strings.Join(missed, ", "), err, strings.Join(missed, ", "), strings.Join(missed, ", "))
}

// ExpireSilence ends the silence on every Alertmanager that holds it.
func (s *silenceActions) ExpireSilence(ctx context.Context, id string) error {
	return s.group.ExpireSilence(ctx, id)
}

// silenceUser is who a silence is made by: the PagerDuty From address when there is
// one (the same person writes both), else the login name.
func silenceUser(cfg *config.Config) string {
	if cfg.PagerDuty != nil && cfg.PagerDuty.From != "" {
		return cfg.PagerDuty.From
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	// $USER is unset under some multiplexers, cron and sudo -i: ask the system.
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "vigil"
}

// alertOptions shows the alerts pane whenever alerts are read, from an Alertmanager
// or from a Prometheus, and writes silences only when there is an Alertmanager to
// write them to: Prometheus's own alerts cannot be silenced.
func (s *Setup) alertOptions(opts *tui.Options) {
	if s.Alertmanagers == nil && len(s.PromAlerts) == 0 {
		return
	}
	opts.Alerts = true
	if s.Alertmanagers == nil {
		opts.NoSilences = true // Prometheus's own alerts only: nothing holds silences
		return
	}
	opts.User = silenceUser(s.Config)
	if !s.ReadOnly {
		opts.Silences = newSilenceActions(s.Alertmanagers)
	}
}
