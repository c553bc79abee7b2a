package app

import (
	"context"
	"fmt"
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
	Setup  *Setup
	server *sim.PrometheusServer
}

func (d *demo) Close() { d.server.Close() }

// Demo runs the dashboard on the built-in simulated sources: no servers to install,
// no credentials. The real Prometheus client talks to the simulator over HTTP, so
// the demo exercises the same code paths as production.
func Demo(ctx context.Context, ui UIOptions) error {
	d, err := startDemo(time.Now())
	if err != nil {
		return runtimeError(err)
	}
	defer d.Close()
	ui.demo = true
	return runUI(ctx, d.Setup, ui)
}

// startDemo starts the simulator with its scenario anchored at start, and builds the
// setup from a config made in code, validated like any config file.
func startDemo(start time.Time) (*demo, error) {
	server, err := sim.StartPrometheus(sim.DemoScenario(start), time.Now)
	if err != nil {
		return nil, fmt.Errorf("demo: starting the simulated Prometheus: %w", err)
	}
	cfg := demoConfig(server.URL())
	if err := cfg.Validate(); err != nil {
		server.Close()
		return nil, fmt.Errorf("demo config: %w", err)
	}
	setup, err := FromConfig(cfg)
	if err != nil {
		server.Close()
		return nil, err
	}
	return &demo{Setup: setup, server: server}, nil
}

func demoConfig(url string) *config.Config {
	q := sim.Demo()
	lat := config.Threshold{Value: q.Thresholds.Latency.Seconds()}
	errs, sat := config.Threshold{Value: q.Thresholds.Errors}, config.Threshold{Value: q.Thresholds.Saturation}
	cfg := &config.Config{
		File:       "(demo)",
		Refresh:    model.Duration(demoRefresh),
		Prometheus: []config.Prometheus{{Name: "demo", URL: url, HTTP: promconfig.DefaultHTTPClientConfig}},
		Signals: &config.Signals{
			Prometheus: "demo", By: q.By,
			Latency: q.Latency, Traffic: q.Traffic, Errors: q.Errors, Saturation: q.Saturation,
			Thresholds: config.Thresholds{Latency: &lat, Errors: &errs, Saturation: &sat},
		},
	}
	for _, name := range q.Services {
		cfg.Services = append(cfg.Services, config.Service{Name: name})
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
