package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/report"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
)

// SnapshotOptions are the flags of `vigil snapshot`.
type SnapshotOptions struct {
	ConfigPath string
	Format     string
	At         string // RFC 3339; empty: now
	Demo       bool
	Stderr     io.Writer // where failing sources are named; default os.Stderr
}

// Snapshot polls every source once, at --at or now, and prints the Board. A source
// that fails still appears, with its error, and the exit code is then 1.
func Snapshot(ctx context.Context, w io.Writer, opts SnapshotOptions) error {
	if !slices.Contains(report.Formats, opts.Format) && opts.Format != "md" {
		return usageError(fmt.Errorf("--format %q: want json, text or markdown", opts.Format))
	}
	at := time.Now()
	if opts.At != "" {
		t, err := time.Parse(time.RFC3339, opts.At)
		if err != nil {
			return usageError(fmt.Errorf("--at %q: want an RFC 3339 time like 2026-11-26T03:00:00Z", opts.At))
		}
		at = t
	}
	var setup *Setup
	if opts.Demo {
		d, err := startDemo(time.Now(), false)
		if err != nil {
			return runtimeError(err)
		}
		defer d.Close()
		setup = d.Setup
	} else {
		cfg, err := loadConfig(opts.ConfigPath)
		if err != nil {
			return err
		}
		if setup, err = FromConfig(cfg); err != nil {
			return usageError(err)
		}
	}
	snap := sources.PollOnce(ctx, setup.Sources, at, time.Duration(setup.Config.Timeout), sources.RealClock)
	board := alerts.Build(snap, setup.Rules, at)
	if err := report.Write(w, opts.Format, board); err != nil {
		return runtimeError(err)
	}
	stderr := opts.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	failed := 0
	for _, s := range board.Sources {
		name := textsafe.Clean(s.Name)
		if !s.OK {
			failed++
			fmt.Fprintf(stderr, "vigil: source %s failed: %s\n", name, textsafe.Clean(s.Error))
			continue
		}
		// Missing numbers, or a partial answer, must not read as all clear to a script.
		if s.Partial {
			failed++
			fmt.Fprintf(stderr, "vigil: source %s partial: %s\n", name, textsafe.Clean(strings.Join(s.Warnings, "; ")))
		}
		if s.Degraded {
			failed++
			for _, f := range s.Failures {
				fmt.Fprintf(stderr, "vigil: source %s degraded: %s failed: %s\n", name, textsafe.Clean(f.What), textsafe.Clean(f.Error))
			}
		}
	}
	if failed > 0 {
		return &ExitError{Code: 1}
	}
	return nil
}

// loadConfig reads the config at path (or the default path); a bad config is a usage
// error, exit 2.
func loadConfig(path string) (*config.Config, error) {
	given := path != ""
	if !given {
		path = config.DefaultPath()
	}
	cfg, err := config.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && given:
		return nil, usageError(fmt.Errorf("--config %s: no such file", path))
	case errors.Is(err, fs.ErrNotExist):
		return nil, usageError(fmt.Errorf("no config at %s: write one (README, \"Configuration\"), pass --config, or try `vigil demo`", path))
	}
	if err != nil {
		return nil, usageError(err)
	}
	return cfg, nil
}
