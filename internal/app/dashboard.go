package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui"
)

// UIOptions are the flags every dashboard-drawing command shares.
type UIOptions struct {
	Theme   string
	ASCII   bool
	NoColor bool
	LogFile string
	Version string

	demo bool
}

// Dashboard runs the dashboard on the configuration at path.
func Dashboard(ctx context.Context, path string, ui UIOptions) error {
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	setup, err := FromConfig(cfg)
	if err != nil {
		return usageError(err)
	}
	return runUI(ctx, setup, ui)
}

// runUI polls the setup's sources through one hub and draws Boards until the user
// quits. The hub's snapshots are turned into Boards here, off the UI goroutine, so
// Update only swaps in a finished Board.
func runUI(ctx context.Context, setup *Setup, ui UIOptions) error {
	logger, closeLog, err := openLog(ui.LogFile)
	if err != nil {
		return usageError(err)
	}
	defer closeLog()
	slog.SetDefault(logger)

	noColor := ui.NoColor || os.Getenv("NO_COLOR") != ""
	theme, err := tui.Theme(ui.Theme, noColor)
	if err != nil {
		return usageError(fmt.Errorf("--theme: %w", err))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hub := sources.NewHub(setup.Sources, sources.HubOptions{
		Interval: time.Duration(setup.Config.Refresh),
		Timeout:  time.Duration(setup.Config.Timeout),
	})
	go hub.Run(ctx)

	model := tui.New(tui.Options{
		Theme:   theme,
		ASCII:   ui.ASCII,
		Now:     time.Now,
		Refresh: hub.Refresh,
		History: setup.budgetHistory,
		Demo:    ui.demo,
		Version: ui.Version,
	})
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(model, opts...)

	snaps, unsubscribe := hub.Subscribe()
	defer unsubscribe()
	go func() {
		var tracker alerts.Tracker
		for {
			select {
			case <-ctx.Done():
				return
			case snap, ok := <-snaps:
				if !ok {
					return
				}
				b := alerts.Build(snap, setup.Rules, time.Now())
				tracker.Stamp(&b)
				p.Send(tui.BoardMsg{Board: b})
			}
		}
	}()
	slog.Info("dashboard started", "sources", len(setup.Sources), "services", len(setup.Rules.Services), "slos", len(setup.Rules.SLOs))
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		return runtimeError(err)
	}
	return nil
}

// budgetHistory is the SLO detail view's budget-over-time chart: one range query
// across the SLO window, run as a command off the UI goroutine.
func (s *Setup) budgetHistory(ctx context.Context, name string) ([]sources.Point, error) {
	src, ok := s.SLOSource(name)
	if !ok {
		return nil, fmt.Errorf("no Prometheus evaluates SLO %q", name)
	}
	return src.BudgetHistory(ctx, name, time.Now(), 120)
}

// openLog sends logs to a file, never to the terminal the dashboard draws on.
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--log-file: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}
