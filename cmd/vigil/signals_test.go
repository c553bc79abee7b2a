package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalEndsABlockedRun: `check` and `snapshot` given a FIFO as --config block
// opening it until a writer comes, which never happens. SIGTERM and SIGHUP must end
// them anyway, within the forced-exit bound. (If config loading refuses FIFOs, the
// run ends before the signal, which is as good.)
func TestSignalEndsABlockedRun(t *testing.T) {
	bin := buildVigil(t)
	fifo := filepath.Join(t.TempDir(), "config.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		args []string
	}{
		{syscall.SIGTERM, []string{"--config", fifo, "check"}},
		{syscall.SIGHUP, []string{"--config", fifo, "snapshot", "--format", "json"}},
	} {
		name := tc.sig.String() + " " + strings.Join(tc.args, " ")
		cmd := exec.Command(bin, tc.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
			t.Logf("%s: ended before the signal: %v: %s", name, err, stderr.String())
		case <-time.After(500 * time.Millisecond):
			sent := time.Now()
			_ = cmd.Process.Signal(tc.sig)
			select {
			case err = <-done:
				if d := time.Since(sent); d > forceExitAfter+time.Second {
					t.Errorf("%s: ended %s after the signal", name, d)
				}
			case <-time.After(forceExitAfter + 3*time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("%s: still running %s after the signal", name, forceExitAfter+3*time.Second)
			}
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() == 0 {
			t.Errorf("%s: %v, want a failing exit code", name, err)
		}
		if ee != nil && ee.ExitCode() < 0 {
			t.Errorf("%s: killed by the signal (%v) instead of exiting", name, err)
		}
		if n := strings.Count(stderr.String(), "\n"); n > 1 {
			t.Errorf("%s: %d lines on stderr, want at most one: %q", name, n, stderr.String())
		}
	}
}

// TestOnSignalsForcesASlowShutdown: the first signal cancels the context at once;
// a shutdown still running forceExitAfter later is forced, and so is one that
// gets a second signal.
func TestOnSignalsForcesASlowShutdown(t *testing.T) {
	for _, tc := range []struct {
		signals  []syscall.Signal
		want     string
		earliest time.Duration
	}{
		{[]syscall.Signal{syscall.SIGTERM}, "SIGTERM: did not shut down within 2s; exiting anyway", forceExitAfter},
		{[]syscall.Signal{syscall.SIGHUP}, "SIGHUP: did not shut down within 2s; exiting anyway", forceExitAfter},
		{[]syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}, "SIGTERM again: exiting at once", 0},
	} {
		forced := make(chan string, 1)
		ctx, stop := onSignals(func(why string) { forced <- why })
		start := time.Now()
		for i, sig := range tc.signals {
			if err := syscall.Kill(os.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
					t.Fatalf("%v: the context was not cancelled", sig)
				}
			}
		}
		select {
		case why := <-forced:
			if why != tc.want {
				t.Errorf("forced with %q, want %q", why, tc.want)
			}
			if d := time.Since(start); d < tc.earliest || d > forceExitAfter+time.Second {
				t.Errorf("%q after %s", why, d)
			}
		case <-time.After(forceExitAfter + 2*time.Second):
			t.Errorf("%v: never forced", tc.signals)
		}
		stop()
	}

	// A command that returns in time is not forced.
	forced := make(chan string, 1)
	ctx, stop := onSignals(func(why string) { forced <- why })
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	stop()
	select {
	case why := <-forced:
		t.Errorf("forced after stop: %q", why)
	case <-time.After(forceExitAfter + 500*time.Millisecond):
	}
}
