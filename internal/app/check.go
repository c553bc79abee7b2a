package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources/prometheus"
)

// Check validates the config and probes every source, printing one line each: a
// Prometheus line names the engine that answered (Prometheus, VictoriaMetrics, Mimir,
// or "engine unknown", which is not a failure). It fails (exit 1) when a source does
// not answer, and exit 2 when the config is bad.
func Check(ctx context.Context, out io.Writer, path string) error {
	// Names, URLs and errors come from the config, imported files and servers: every
	// line is cleaned of escape sequences before it reaches the terminal.
	w := cleanWriter{out}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "config  %s: ok (%d prometheus, %d services, %d SLOs)\n",
		cfg.File, len(cfg.Prometheus), len(cfg.Services), len(cfg.SLODefs))
	for _, s := range cfg.SLOSkipped {
		fmt.Fprintf(w, "slo     %s\n", s)
	}
	for _, warning := range cfg.Warnings {
		fmt.Fprintf(w, "config  WARN %s\n", warning)
	}
	setup, err := FromConfig(cfg)
	if err != nil {
		return usageError(err)
	}
	failed := 0
	down := map[string]bool{}
	for _, p := range cfg.Prometheus {
		src := setup.Prom[p.Name]
		start := time.Now()
		err := bounded(ctx, time.Duration(cfg.Timeout), src.Check)
		url := config.RedactURL(p.URL)
		if err != nil {
			failed++
			down[p.Name] = true
			fmt.Fprintf(w, "prometheus %s %s: FAIL %v\n", p.Name, url, err)
			continue
		}
		took := time.Since(start).Round(time.Millisecond)
		fmt.Fprintf(w, "prometheus %s %s: ok (%s, answered in %s)\n", p.Name, url, engine(ctx, src, time.Duration(cfg.Timeout)), took)
	}
	failed += checkSignalQueries(ctx, w, cfg, setup, down)
	for _, r := range setup.Rules.SLOs {
		src, ok := setup.Prom[r.Source]
		if !ok {
			continue
		}
		if down[r.Source] {
			fmt.Fprintf(w, "slo %s: not checked: prometheus %s failed\n", r.Def.Name, r.Source)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, time.Duration(cfg.Timeout))
		warning, err := src.CheckSLO(cctx, r.Def.Name)
		cancel()
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(w, "slo %s: FAIL %v\n", r.Def.Name, err)
		case warning != "":
			fmt.Fprintf(w, "slo %s: WARN %s\n", r.Def.Name, warning)
		default:
			fmt.Fprintf(w, "slo %s: ok\n", r.Def.Name)
		}
	}
	if setup.Alertmanagers != nil {
		failed += checkAlertmanagers(ctx, w, setup, time.Duration(cfg.Timeout))
	}
	failed += checkPromAlerts(ctx, w, setup, time.Duration(cfg.Timeout))
	if cfg.PagerDuty != nil {
		failed += checkPagerDuty(ctx, w, setup, time.Duration(cfg.Timeout))
	}
	if failed > 0 {
		return runtimeError(fmt.Errorf("%d checks failed", failed))
	}
	return nil
}

// bounded runs probe with a timeout it cannot ignore. Some requests do not honour
// their context (Prometheus's HTTP client fetches an oauth2 token with a background
// context), and `vigil check` must end anyway: after the timeout it stops waiting,
// and the probe's goroutine is left to the process's exit.
func bounded(ctx context.Context, timeout time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- probe(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("timeout after %s", timeout)
		}
		return ctx.Err()
	}
}

// engine names the engine behind a source that answered its probe, or says it is
// unknown: a server without build information is not a failed check.
func engine(ctx context.Context, src *prometheus.Source, timeout time.Duration) string {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name, err := src.Engine(ctx)
	if err != nil || name == "" {
		return "engine unknown"
	}
	return name
}

// checkSignalQueries asks every signal and health query once, now, and prints one
// line per query: the services it matched, why it matched fewer, or its error. It
// returns how many failed; a warning (a partial match, no series) is not a failure.
func checkSignalQueries(ctx context.Context, w io.Writer, cfg *config.Config, setup *Setup, down map[string]bool) (failed int) {
	timeout := time.Duration(cfg.Timeout)
	for _, p := range cfg.Prometheus {
		src := setup.Prom[p.Name]
		if src == nil {
			continue
		}
		if down[p.Name] {
			if src.HasSignals() {
				fmt.Fprintf(w, "signals on prometheus %s: not checked: prometheus %s failed\n", p.Name, p.Name)
			}
			continue
		}
		for _, c := range src.CheckQueries(ctx, time.Now(), timeout) {
			if c.Err != "" || c.Fail {
				failed++
			}
			fmt.Fprintf(w, "prometheus %s %s: %s\n", p.Name, c.What, c.Line())
		}
	}
	return failed
}

// cleanWriter cleans each write of escape sequences, keeping line breaks.
type cleanWriter struct{ w io.Writer }

func (c cleanWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, textsafe.CleanLines(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
