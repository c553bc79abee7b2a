// Package app wires a configuration to running parts: Prometheus sources, the hub,
// the triage rules and the screen. cmd/vigil only parses flags and calls in here.
package app

import (
	"fmt"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/alertmanager"
	"github.com/vigil-sre/vigil/sources/pagerduty"
	"github.com/vigil-sre/vigil/sources/prometheus"
)

// Setup is a configuration turned into sources and the rules Build needs.
type Setup struct {
	Config  *config.Config
	Sources []sources.Source
	Prom    map[string]*prometheus.Source // by configured name
	// PagerDuty is the PagerDuty source, nil when none is configured.
	PagerDuty *pagerduty.Source
	// Alertmanagers is every configured Alertmanager behind one source, nil when none.
	Alertmanagers *alertmanager.Group
	// PromAlerts are the Prometheus servers whose own alerts are read (alerts: true,
	// or every one when no Alertmanager is configured), one source each.
	PromAlerts []*alertmanager.PromAlerts
	// ReadOnly: writes are off by the --read-only flag (the config's read_only is
	// the source's own).
	ReadOnly bool
	Rules    alerts.Rules
	sloProm  map[string]string // SLO name -> Prometheus name
}

// FromConfig builds one source per configured Prometheus. Each is told which services'
// signals and which SLOs it answers for, so a refresh asks each server one query per
// kind of question rather than one per service.
func FromConfig(cfg *config.Config) (*Setup, error) { return fromConfig(cfg, false) }

// fromConfig is FromConfig with the --read-only flag.
func fromConfig(cfg *config.Config, readOnly bool) (*Setup, error) {
	specs := map[string]*prometheus.SignalSpec{}
	spec := func(prom string) *prometheus.SignalSpec {
		s := specs[prom]
		if s == nil {
			s = &prometheus.SignalSpec{By: "job", Profile: map[sources.Signal]string{}}
			specs[prom] = s
		}
		return s
	}
	var profile map[sources.Signal]string
	var profileThresholds *config.Thresholds
	if sig := cfg.Signals; sig != nil {
		profile = signalQueries(sig.Latency, sig.Traffic, sig.Errors, sig.Saturation)
		s := spec(sig.Prometheus)
		s.By = sig.By
		s.Profile = profile
		s.Health = sig.Health
		s.AllServices = sig.Services == "all"
		profileThresholds = &sig.Thresholds
	}

	setup := &Setup{Config: cfg, Prom: map[string]*prometheus.Source{}, sloProm: map[string]string{}, ReadOnly: readOnly}
	for _, svc := range cfg.Services {
		rule := alerts.ServiceRule{Name: svc.Name, From: map[sources.Signal]string{}}
		rule.Thresholds, rule.Unjudged = thresholds(&config.DefaultThresholds, profileThresholds, svc.Thresholds)
		overrides := signalQueries(svc.Latency, svc.Traffic, svc.Errors, svc.Saturation)
		if cfg.Signals != nil {
			ps := spec(cfg.Signals.Prometheus)
			ss := prometheus.ServiceSpec{Name: svc.Name}
			if svc.Prometheus == cfg.Signals.Prometheus {
				ss.Overrides = overrides
			}
			ps.Services = append(ps.Services, ss)
			for s := range profile {
				rule.From[s] = cfg.Signals.Prometheus
			}
		}
		if len(overrides) > 0 {
			if cfg.Signals == nil || svc.Prometheus != cfg.Signals.Prometheus {
				ps := spec(svc.Prometheus)
				ps.Services = append(ps.Services, prometheus.ServiceSpec{Name: svc.Name, Overrides: overrides})
			}
			for s := range overrides {
				rule.From[s] = svc.Prometheus
			}
		}
		setup.Rules.Services = append(setup.Rules.Services, rule)
	}
	if sig := cfg.Signals; sig != nil && sig.Services == "all" {
		// Every service the profile's Prometheus reports gets a row, judged by the
		// profile's thresholds.
		rule := alerts.ServiceRule{From: map[sources.Signal]string{}}
		rule.Thresholds, rule.Unjudged = thresholds(&config.DefaultThresholds, profileThresholds)
		for s := range profile {
			rule.From[s] = sig.Prometheus
		}
		setup.Rules.Discover = map[string]alerts.ServiceRule{sig.Prometheus: rule}
	}

	slosByProm := map[string][]int{}
	for i, d := range cfg.SLODefs {
		prom := cfg.SLOPrometheus[d.Name]
		setup.sloProm[d.Name] = prom
		slosByProm[prom] = append(slosByProm[prom], i)
		setup.Rules.SLOs = append(setup.Rules.SLOs, alerts.SLORule{Def: d, Source: prom})
	}

	for _, p := range cfg.Prometheus {
		opts := prometheus.Options{Name: p.Name, URL: p.URL, HTTP: p.HTTP, Signals: specs[p.Name]}
		for _, i := range slosByProm[p.Name] {
			opts.SLOs = append(opts.SLOs, cfg.SLODefs[i])
		}
		src, err := prometheus.New(opts)
		if err != nil {
			return nil, fmt.Errorf("prometheus %q: %w", p.Name, err)
		}
		setup.Prom[p.Name] = src
		setup.Sources = append(setup.Sources, src)
	}
	am, proms, err := alertSources(cfg)
	if err != nil {
		return nil, err
	}
	if am != nil {
		setup.Alertmanagers = am
		setup.Sources = append(setup.Sources, am)
	}
	setup.PromAlerts = proms
	for _, p := range proms {
		setup.Sources = append(setup.Sources, p)
	}
	if setup.Rules.Triage, err = triageRules(cfg.Triage); err != nil {
		return nil, err
	}
	if cfg.PagerDuty != nil {
		pd, err := newPagerDuty(cfg, readOnly)
		if err != nil {
			return nil, err
		}
		setup.PagerDuty = pd
		setup.Sources = append(setup.Sources, pd)
	}
	for i := range setup.Rules.SLOs {
		r := &setup.Rules.SLOs[i]
		if src, ok := setup.Prom[r.Source]; ok {
			r.Queries = src.SLOQueries(r.Def.Name)
		}
	}
	return setup, nil
}

// SLOSource is the Prometheus source that evaluates the named SLO.
func (s *Setup) SLOSource(name string) (*prometheus.Source, bool) {
	p, ok := s.Prom[s.sloProm[name]]
	return p, ok
}

func signalQueries(latency, traffic, errors, saturation string) map[sources.Signal]string {
	m := map[sources.Signal]string{}
	for sig, q := range map[sources.Signal]string{
		sources.Latency: latency, sources.Traffic: traffic, sources.Errors: errors, sources.Saturation: saturation,
	} {
		if q != "" {
			m[sig] = q
		}
	}
	return m
}

// thresholds layers the built-in defaults, the profile's and the service's own
// thresholds, the later winning signal by signal. A signal set to none is unjudged.
func thresholds(layers ...*config.Thresholds) (values map[sources.Signal]float64, unjudged map[sources.Signal]bool) {
	values, unjudged = map[sources.Signal]float64{}, map[sources.Signal]bool{}
	for _, t := range layers {
		if t == nil {
			continue
		}
		for sig, th := range map[sources.Signal]*config.Threshold{
			sources.Latency: t.Latency, sources.Errors: t.Errors, sources.Saturation: t.Saturation,
		} {
			switch {
			case th == nil:
			case th.None:
				delete(values, sig)
				unjudged[sig] = true
			default:
				values[sig] = th.Value
				delete(unjudged, sig)
			}
		}
	}
	return values, unjudged
}
