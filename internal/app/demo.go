package app

import (
	"context"
	"fmt"
	"os"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/sources/sim"
)

// demoRefresh is shorter than a production refresh so the scripted incident moves on
// screen without waiting.
const demoRefresh = 5 * time.Second

// demo is a running simulated world and the setup that watches it.
type demo struct {
	Setup        *Setup
	server       *sim.PrometheusServer
	pagerDuty    *sim.PagerDuty
	alertmanager *sim.Alertmanager
}

func (d *demo) Close() {
	d.server.Close()
	d.pagerDuty.Close()
	if d.alertmanager != nil {
		_ = d.alertmanager.Close()
	}
}

// demoTokenEnv holds the demo's PagerDuty token: the simulator takes any token, and
// the config (validated like a user's) must name where one comes from.
const demoTokenEnv = "VIGIL_DEMO_PAGERDUTY_TOKEN"

// Demo runs the dashboard on the built-in simulated sources: no servers to install,
// no credentials. The real Prometheus client talks to the simulator over HTTP, so
// the demo exercises the same code paths as production.
func Demo(ctx context.Context, ui UIOptions) error {
	d, err := startDemo(time.Now(), ui.ReadOnly)
	if err != nil {
		return runtimeError(err)
	}
	defer d.Close()
	ui.demo = true
	return runUI(ctx, d.Setup, ui)
}

// startDemo starts the simulator with its scenario anchored at start, and builds the
// setup from a config made in code, validated like any config file.
func startDemo(start time.Time, readOnly bool) (*demo, error) {
	sc := sim.DemoScenario(start)
	server, err := sim.StartPrometheus(sc, time.Now)
	if err != nil {
		return nil, fmt.Errorf("demo: starting the simulated Prometheus: %w", err)
	}
	pd := sim.DemoPagerDuty(sc, time.Now)
	if err := pd.Start(); err != nil {
		server.Close()
		return nil, fmt.Errorf("demo: starting the simulated PagerDuty: %w", err)
	}
	d := &demo{server: server, pagerDuty: pd}
	am := sim.DemoAlertmanager(sc, time.Now)
	if err := am.Start(); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo: starting the simulated Alertmanager: %w", err)
	}
	d.alertmanager = am
	if err := os.Setenv(demoTokenEnv, "demo"); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	cfg := demoConfig(server.URL(), pd.URL(), am.URL())
	if err := cfg.Validate(); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo config: %w", err)
	}
	setup, err := fromConfig(cfg, readOnly)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Setup = setup
	return d, nil
}

func demoConfig(url, pagerDutyURL, alertmanagerURL string) *config.Config {
	q := sim.Demo()
	lat := config.Threshold{Value: q.Thresholds.Latency.Seconds()}
	errs, sat := config.Threshold{Value: q.Thresholds.Errors}, config.Threshold{Value: q.Thresholds.Saturation}
	cfg := &config.Config{
		File:    "(demo)",
		Refresh: model.Duration(demoRefresh),
		// The simulated Prometheus evaluates no alerting rules: its alerts are not read.
		Prometheus: []config.Prometheus{{Name: "demo", URL: url, HTTP: promconfig.DefaultHTTPClientConfig, Alerts: new(bool)}},
		Alertmanager: []config.Alertmanager{
			{Name: "demo-am", URL: alertmanagerURL, HTTP: promconfig.DefaultHTTPClientConfig},
		},
		Signals: &config.Signals{
			Prometheus: "demo", By: q.By,
			Latency: q.Latency, Traffic: q.Traffic, Errors: q.Errors, Saturation: q.Saturation,
			Thresholds: config.Thresholds{Latency: &lat, Errors: &errs, Saturation: &sat},
		},
	}
	for _, name := range q.Services {
		cfg.Services = append(cfg.Services, config.Service{Name: name})
	}
	cfg.PagerDuty = &config.PagerDuty{
		TokenEnv: demoTokenEnv, From: sim.DemoPagerDutyFrom, URL: pagerDutyURL,
		UserID: sim.DemoPagerDutyUserID, EscalationPolicies: []string{sim.DemoPagerDutyPolicyID},
		Scope: "account",
	}
	for _, s := range q.SLOs {
		entry := config.SLO{
			Name: s.Name, Service: s.Service, Objective: s.Objective, Window: model.Duration(s.Window),
			Errors: s.Errors, Total: s.Total,
		}
		if s.Latency != nil {
			entry.Latency = &config.LatencySLI{
				Histogram: s.Latency.Histogram, Selector: s.Latency.Selector,
				Threshold: model.Duration(s.Latency.Threshold),
			}
		}
		cfg.SLOs = append(cfg.SLOs, entry)
	}
	return cfg
}
