package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/crash"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui"
)

// UIOptions are the flags every dashboard-drawing command shares.
type UIOptions struct {
	Theme   string
	ASCII   bool
	NoColor bool
	LogFile string
	Version string
	// ReadOnly turns every PagerDuty write off (--read-only).
	ReadOnly bool

	demo bool
}

// Dashboard runs the dashboard on the configuration at path.
func Dashboard(ctx context.Context, path string, ui UIOptions) error {
	if err := requireTerminal(); err != nil {
		return err
	}
	testPanic("config")
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	setup, err := fromConfig(cfg, ui.ReadOnly)
	if err != nil {
		return usageError(err)
	}
	return runUI(ctx, setup, ui)
}

// runUI polls the setup's sources through one hub and draws Boards until the user
// quits. The hub's snapshots are turned into Boards here, off the UI goroutine, so
// Update only swaps in a finished Board.
func runUI(ctx context.Context, setup *Setup, ui UIOptions) error {
	if err := requireTerminal(); err != nil {
		return err
	}
	logger, closeLog, err := openLog(ui.LogFile)
	if err != nil {
		return usageError(err)
	}
	defer closeLog()
	slog.SetDefault(logger)

	// The colour profile comes from the terminal and the environment (NO_COLOR,
	// TERM=dumb, a vt100 without colours); --no-color only ever takes colour away.
	profile := themes.DetectProfile(os.Stdout, os.Environ())
	if ui.NoColor {
		profile = min(profile, colorprofile.ASCII)
	}
	noColor := profile <= colorprofile.ASCII
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
	go func() {
		defer crash.Recover("the poller hub")
		hub.Run(ctx)
	}()

	opts := tui.Options{
		Theme:   theme,
		ASCII:   ui.ASCII,
		Now:     time.Now,
		Refresh: hub.Refresh,
		History: setup.budgetHistory,
		Demo:    ui.demo,
		Version: ui.Version,
	}
	setup.pageOptions(&opts)
	opts.NoSignals = setup.Config.Signals == nil && len(setup.Config.Services) == 0
	opts.NoSLOs = len(setup.Config.SLODefs) == 0
	n := setup.Config.Notify // pages and SLO items notify too, not only alerts
	opts.Notify = tui.Notify{Off: n.Off, MinSeverity: alerts.Severity(n.MinSeverity), Cooldown: time.Duration(n.Cooldown)}
	if setup.ReadOnly {
		opts.ReadOnlyReason = "--read-only" // silences too, not only PagerDuty
	}
	setup.alertOptions(&opts)
	model := tui.New(opts)
	p := tea.NewProgram(withTestFault(model), tea.WithContext(ctx), tea.WithColorProfile(profile))

	// Standard error goes to a trace file from here on, before any goroutine that
	// could crash starts drawing-time work.
	guard := crash.Current()
	drawing, err := guard.StartDrawing()
	if err != nil {
		slog.Warn("crash protection is incomplete for this run", "err", err)
	}

	snaps, unsubscribe := hub.Subscribe()
	defer unsubscribe()
	go func() {
		defer crash.Recover("the board builder")
		var tracker alerts.Tracker
		rules := setup.Rules
		episodes := alerts.EpisodeTracker{Window: rules.Triage.FlapWindow}
		for {
			select {
			case <-ctx.Done():
				return
			case snap, ok := <-snaps:
				if !ok {
					return
				}
				testPanic("build")
				if os.Getenv(testFaultEnv) == "goroutine" {
					go panic("test fault requested by " + testFaultEnv + "=goroutine")
				}
				now := time.Now()
				rules.Triage.SeenEpisodes = episodes.Observe(snap, now)
				b := alerts.Build(snap, rules, now)
				tracker.Stamp(&b)
				p.Send(tui.BoardMsg{Board: b})
			}
		}
	}()
	slog.Info("dashboard started", "sources", len(setup.Sources), "services", len(setup.Rules.Services), "slos", len(setup.Rules.SLOs))
	for _, w := range setup.Config.Warnings {
		slog.Warn("config", "warning", w)
	}
	_, err = p.Run()
	return afterRun(ctx, err, drawing, guard)
}

// afterRun ends the drawing span and turns how Bubble Tea ended into the command's
// result. A panic Bubble Tea caught (in Update, View or a command) has had its
// stack printed to standard error, which was the trace file: the result names it.
func afterRun(ctx context.Context, err error, drawing *crash.Drawing, guard *crash.Guard) error {
	trace, summary := drawing.Stop()
	if errors.Is(err, tea.ErrProgramPanic) {
		guard.RestoreTerminal() // Bubble Tea did, as far as it knew how; make sure
		if summary == "" {
			summary = "no message"
		}
		return runtimeError(fmt.Errorf("crashed (panic in the dashboard: %s); terminal restored; stack trace in %s", summary, trace))
	}
	if trace != "" {
		slog.Warn("the dashboard wrote to standard error", "file", trace)
	}
	if err != nil && ctx.Err() == nil {
		return runtimeError(err)
	}
	return nil
}

// requireTerminal refuses to start the dashboard when standard input or output is
// not a terminal: in a script, a cron job or a pipe it could only fail later with
// a cryptic TTY error, or draw escape sequences into a file.
func requireTerminal() error {
	if crash.IsTerminal(os.Stdin) && crash.IsTerminal(os.Stdout) {
		return nil
	}
	return usageError(errors.New("the dashboard needs a terminal; use `vigil snapshot` in scripts"))
}

// budgetHistory is the SLO detail view's budget-over-time chart: one range query
// across the SLO window, run as a command off the UI goroutine.
func (s *Setup) budgetHistory(ctx context.Context, name string) ([]sources.Point, error) {
	// The chart's request has the same time limit as a poll.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(s.Config.Timeout))
	defer cancel()
	src, ok := s.SLOSource(name)
	if !ok {
		return nil, fmt.Errorf("no Prometheus evaluates SLO %q", name)
	}
	return src.BudgetHistory(ctx, name, time.Now(), 120)
}

// UseLogFile sends the logs of a command other than the dashboard to the file at
// path, for the rest of the process.
func UseLogFile(path string) error {
	logger, _, err := openLog(path)
	if err != nil {
		return usageError(err)
	}
	slog.SetDefault(logger)
	return nil
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

// testFaultEnv names a fault vigil commits on purpose, so the end-to-end tests can
// check that every way of dying restores the terminal: a panic in "config" (the
// main goroutine, before the dashboard), "build" (the goroutine that builds
// Boards), "update" (Bubble Tea's Update), "command" (a command Bubble Tea runs in
// its own goroutine) or "goroutine" (one nobody recovers: the crash monitor's
// case); or "hang", an Update that never returns once a key is
// pressed, which only the forced exit after a signal can end. Only those tests set
// it.
const testFaultEnv = "VIGIL_TEST_FAULT"

// testPanic panics when the test hook names where.
func testPanic(where string) {
	if os.Getenv(testFaultEnv) == where {
		panic("test fault requested by " + testFaultEnv + "=" + where)
	}
}

// withTestFault wraps the root model so that its Update, or a command it returns,
// panics or hangs when the test hook asks for it; otherwise it returns m itself.
func withTestFault(m tea.Model) tea.Model {
	switch os.Getenv(testFaultEnv) {
	case "update", "command", "hang":
		return faultyModel{m}
	}
	return m
}

type faultyModel struct{ tea.Model }

func (f faultyModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, key := msg.(tea.KeyPressMsg); key && os.Getenv(testFaultEnv) == "hang" {
		select {} // on a key, so the test sees the dashboard drawn first
	}
	m, cmd := f.Model.Update(msg)
	if _, board := msg.(tui.BoardMsg); board {
		switch os.Getenv(testFaultEnv) {
		case "update":
			testPanic("update")
		case "command":
			return faultyModel{m}, func() tea.Msg { testPanic("command"); return nil }
		}
	}
	return faultyModel{m}, cmd
}
