package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	amlabels "github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/alertmanager"
)

// newAlertmanagers builds one source over every configured Alertmanager (an HA pair
// or one per cluster, merged by fingerprint), with the firing episodes read from the
// first Prometheus so flapping is known on the first poll. Nil when none is configured.
func newAlertmanagers(cfg *config.Config) (*alertmanager.Group, error) {
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
		p := cfg.Prometheus[0]
		h, err := alertmanager.NewHistory(alertmanager.HistoryOptions{Name: p.Name, URL: p.URL, HTTP: p.HTTP})
		if err != nil {
			return nil, fmt.Errorf("prometheus %q (alert history): %w", p.Name, err)
		}
		group = group.WithHistory(h)
	}
	return group, nil
}

// triageRules are the config's triage settings as Build takes them. The hide rules'
// matchers were checked at load; a rule that still fails to parse here is a bug worth
// an error rather than a silently visible alert.
func triageRules(t config.Triage) (alerts.Triage, error) {
	out := alerts.Triage{MinSeverity: alerts.Severity(t.MinSeverity)}
	for i, h := range t.Hide {
		r, err := alerts.ParseHideRule(h.Match, h.Reason)
		if err != nil {
			return out, fmt.Errorf("triage.hide[%d]: %w", i, err)
		}
		out.Hide = append(out.Hide, r)
	}
	return out, nil
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
	if data.Alerts != nil {
		n, sil = len(data.Alerts.Alerts), len(data.Alerts.Silences)
	}
	if len(data.Warnings) > 0 {
		fmt.Fprintf(w, "alertmanager %s: FAIL %s\n", names, strings.Join(data.Warnings, "; "))
		return 1
	}
	fmt.Fprintf(w, "alertmanager %s: ok (%d alerts, %d silences)\n", names, n, sil)
	return 0
}

// silenceActions posts silences to every Alertmanager of the group, and expires them
// wherever they are held.
type silenceActions struct{ group *alertmanager.Group }

// CreateSilence parses matchers with Alertmanager's own parser and silences them for
// d from now on every Alertmanager.
func (s silenceActions) CreateSilence(ctx context.Context, matchers string, d time.Duration, createdBy, comment string) error {
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
	now := time.Now()
	_, err = s.group.CreateSilence(ctx, ms, now, now.Add(d), createdBy, comment)
	return err
}

// ExpireSilence ends the silence on every Alertmanager that holds it.
func (s silenceActions) ExpireSilence(ctx context.Context, id string) error {
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
	return "vigil"
}
