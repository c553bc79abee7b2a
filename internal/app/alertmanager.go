package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

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
