package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/pagerduty"
	"github.com/vigil-sre/vigil/tui"
)

// newPagerDuty builds the PagerDuty source the config describes; the wiring lives
// here so that sources/pagerduty knows nothing of the config file. readOnly (the
// --read-only flag) turns every write off whatever the config says.
func newPagerDuty(cfg *config.Config, readOnly bool) (*pagerduty.Source, error) {
	pc := cfg.PagerDuty
	token, err := pc.ReadToken()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var services []string
	for _, s := range cfg.Services {
		services = append(services, s.Name)
	}
	for _, d := range cfg.SLODefs {
		services = append(services, d.Service)
	}
	src, err := pagerduty.New(pagerduty.Options{
		Name: "pagerduty", Token: token, URL: pc.APIURL(),
		From: pc.From, ReadOnly: pc.ReadOnly || readOnly,
		Services: pc.Services, Teams: pc.Teams, UserID: pc.UserID, Account: pc.Scope == config.ScopeAccount,
		EscalationPolicies: pc.EscalationPolicies,
		ServiceMap:         pc.ServiceMap, VigilServices: services,
		RequestsPerMinute: pc.RequestsPerMinute,
	})
	if err != nil {
		return nil, fmt.Errorf("pagerduty: %w", err)
	}
	return src, nil
}

// pageActions is the dashboard's writes, routed to the PagerDuty source that owns
// the incident.
type pageActions map[string]*pagerduty.Source

func (a pageActions) source(name string) (*pagerduty.Source, error) {
	s, ok := a[name]
	if !ok {
		return nil, fmt.Errorf("no PagerDuty source %q", name)
	}
	return s, nil
}

func (a pageActions) Acknowledge(ctx context.Context, src string, ids ...string) error {
	s, err := a.source(src)
	if err != nil {
		return err
	}
	return s.Acknowledge(ctx, ids...)
}

func (a pageActions) Resolve(ctx context.Context, src string, ids ...string) error {
	s, err := a.source(src)
	if err != nil {
		return err
	}
	return s.Resolve(ctx, ids...)
}

func (a pageActions) Snooze(ctx context.Context, src, id string, d time.Duration) error {
	s, err := a.source(src)
	if err != nil {
		return err
	}
	return s.Snooze(ctx, id, d)
}

func (a pageActions) Note(ctx context.Context, src, id, text string) error {
	s, err := a.source(src)
	if err != nil {
		return err
	}
	return s.Note(ctx, id, text)
}

func (a pageActions) Escalate(ctx context.Context, src, id string, level int) error {
	s, err := a.source(src)
	if err != nil {
		return err
	}
	return s.Escalate(ctx, id, level)
}

// Detail reads an incident's alerts, log and notes for the page-in-context view.
func (a pageActions) Detail(ctx context.Context, src, id string) (sources.IncidentDetail, error) {
	s, err := a.source(src)
	if err != nil {
		return sources.IncidentDetail{}, err
	}
	d, err := s.IncidentDetail(ctx, id)
	if err != nil {
		return sources.IncidentDetail{}, err
	}
	out := sources.IncidentDetail{}
	for _, al := range d.Alerts {
		out.Alerts = append(out.Alerts, sources.IncidentAlert{ID: al.ID, Summary: al.Summary, Severity: al.Severity,
			Status: al.Status, AlertKey: al.AlertKey, Created: al.CreatedAt, Details: al.Details})
	}
	for _, e := range d.Log {
		summary := e.Summary
		if e.Agent != "" && summary == "" {
			summary = e.Type + " by " + e.Agent
		}
		out.LogEntries = append(out.LogEntries, sources.LogEntry{At: e.At, Summary: summary})
	}
	for _, n := range d.Notes {
		out.Notes = append(out.Notes, sources.Note{At: n.At, Author: n.User, Content: n.Content})
	}
	return out, nil
}

// pageOptions fills the dashboard's PagerDuty options: the pages pane, "mine", the
// writes (none when read-only, saying why) and the page-in-context reads.
func (s *Setup) pageOptions(o *tui.Options) {
	pd := s.PagerDuty
	if pd == nil {
		return
	}
	acts := pageActions{pd.Name(): pd}
	o.Pages, o.Me, o.PageDetail = true, pd.UserID(), acts.Detail
	switch {
	case s.ReadOnly:
		o.ReadOnlyReason = "--read-only"
	case pd.ReadOnly():
		o.ReadOnlyReason = "pagerduty.read_only is set"
	default:
		o.Actions = acts
	}
}

// checkPagerDuty polls PagerDuty once and says how many pages are open, who is on
// call, and whether writes are on; it returns 1 when the poll fails.
func checkPagerDuty(ctx context.Context, w io.Writer, setup *Setup, timeout time.Duration) int {
	pd := setup.PagerDuty
	var data sources.Data
	err := bounded(ctx, timeout, func(ctx context.Context) error {
		var err error
		data, err = pd.Poll(ctx, time.Now())
		return err
	})
	url := config.RedactURL(setup.Config.PagerDuty.URL)
	if url == "" {
		url = "region " + setup.Config.PagerDuty.Region
	}
	if err != nil {
		fmt.Fprintf(w, "pagerduty %s: FAIL %v\n", url, err)
		return 1
	}
	writes := "writes as " + setup.Config.PagerDuty.From
	if pd.ReadOnly() {
		writes = "read-only"
	}
	n, oncall := 0, 0
	if data.Pages != nil {
		n, oncall = len(data.Pages.Incidents), len(data.Pages.OnCall)
	}
	fmt.Fprintf(w, "pagerduty %s: ok (%d open pages in scope, %d on call, %s)\n", url, n, oncall, writes)
	return 0
}
