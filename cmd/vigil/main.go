// Command vigil is a terminal dashboard for the person holding the pager.
// This file only parses flags and subcommands; internal/app does the wiring.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/app"
	"github.com/vigil-sre/vigil/internal/crash"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

func main() {
	// First, before anything changes the terminal: remember its state, so a crash
	// or a signal can put it back. A panic on this goroutine is reported by the
	// deferred Recover; the dashboard's goroutines report their own.
	crash.RunMonitorIfAsked() // when started as the dashboard's crash monitor, only that
	guard := crash.Install(os.Stdin, os.Stdout, os.Stderr)
	guard.EnableMonitor()
	defer crash.Recover("main")
	ctx, stop := onSignals(guard.ForceExit)
	err := newRoot().ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode maps an error to the CLI contract (0 success, 1 runtime failure, 2 bad
// usage or config) and says why on w. The message may quote the config file or a
// server, so it is cleaned of escape sequences line by line.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return 0
	}
	code := 2 // cobra's own errors are usage errors: unknown flag, bad argument count
	var ee *app.ExitError
	if errors.As(err, &ee) {
		code, err = ee.Code, ee.Err
	}
	if err != nil {
		fmt.Fprintln(w, "vigil:", textsafe.CleanLines(err.Error()))
	}
	return code
}

func newRoot() *cobra.Command {
	var ui app.UIOptions
	var configPath, logFile string
	root := &cobra.Command{
		Use:   "vigil",
		Short: "A terminal dashboard for on-call: golden signals, error budgets, pages and alerts",
		Long: "vigil polls Prometheus, Alertmanager and PagerDuty and shows, in one screen, the four\n" +
			"golden signals of every service, their SLO error-budget burn, the open pages and the\n" +
			"alerts that need a human.\n\n" +
			"Config: --config, or $XDG_CONFIG_HOME/vigil/config.yaml. Try `vigil demo` first.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ui.Version = currentBuild().Short()
			ui.LogFile = logFile
			return app.Dashboard(cmd.Context(), configPath, ui)
		},
		// The dashboard and the demo open --log-file themselves; every other command
		// logs there too rather than to its standard error.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if logFile == "" || cmd.Name() == "vigil" || cmd.Name() == "demo" {
				return nil
			}
			return app.UseLogFile(logFile)
		},
	}
	root.PersistentFlags().StringVar(&configPath, "config", "", "config file (default $XDG_CONFIG_HOME/vigil/config.yaml)")
	root.PersistentFlags().StringVar(&logFile, "log-file", "", "write logs here (never to the terminal)")
	addUIFlags(root, &ui)
	root.AddCommand(newDemo(&logFile), newSnapshot(&configPath), newCheck(&configPath), newVersion())
	return root
}

func addUIFlags(cmd *cobra.Command, ui *app.UIOptions) {
	cmd.Flags().StringVar(&ui.Theme, "theme", "default", "colour theme: default, high-contrast, mono")
	cmd.Flags().BoolVar(&ui.ASCII, "ascii", false, "draw with ASCII only (no Unicode blocks or symbols)")
	cmd.Flags().BoolVar(&ui.NoColor, "no-color", false, "no colour (also when NO_COLOR is set)")
	cmd.Flags().BoolVar(&ui.ReadOnly, "read-only", false, "never write to PagerDuty: no ack, resolve, snooze, note or escalate")
}

func newDemo(logFile *string) *cobra.Command {
	var ui app.UIOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The dashboard on built-in simulated sources: no servers, no credentials",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ui.Version = currentBuild().Short()
			ui.LogFile = *logFile
			return app.Demo(cmd.Context(), ui)
		},
	}
	addUIFlags(cmd, &ui)
	return cmd
}

func newSnapshot(configPath *string) *cobra.Command {
	var opts app.SnapshotOptions
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Print the board once (json, text or markdown) and exit; 1 if a source failed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ConfigPath = *configPath
			opts.Stderr = cmd.ErrOrStderr()
			return app.Snapshot(cmd.Context(), cmd.OutOrStdout(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: json, text or markdown")
	cmd.Flags().StringVar(&opts.At, "at", "", "evaluate every query at this RFC 3339 instant (for postmortems)")
	cmd.Flags().BoolVar(&opts.Demo, "demo", false, "use the built-in simulated sources instead of a config")
	return cmd
}

func newCheck(configPath *string) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the config and probe every source, one line each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.Check(cmd.Context(), cmd.OutOrStdout(), *configPath)
		},
	}
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), currentBuild())
		},
	}
}
