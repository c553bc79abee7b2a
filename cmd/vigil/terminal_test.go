package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDashboardWithoutATerminal: run from a script, cron or a pipe, the dashboard
// says what to use instead, with exit 2, rather than Bubble Tea's "error opening TTY".
func TestDashboardWithoutATerminal(t *testing.T) {
	bin := buildVigil(t)
	cfg := writeConfig(t, "prometheus:\n  - name: prod\n    url: http://127.0.0.1:9\nservices:\n  - name: api\n    traffic: vector(1)\n")
	for _, args := range [][]string{{"demo"}, {"--config", cfg}, {"demo", "--ascii"}} {
		cmd := exec.Command(bin, args...)
		cmd.Stdin = nil // /dev/null
		var out, errs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errs
		cmd.Env = append(cmd.Environ(), "TERM=xterm-256color")
		cmd.WaitDelay = 5 * time.Second
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("vigil %s without a terminal still running after 20s", strings.Join(args, " "))
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("vigil %s: %v, want exit 2", strings.Join(args, " "), err)
		}
		want := "vigil: the dashboard needs a terminal; use `vigil snapshot` in scripts\n"
		if errs.String() != want {
			t.Errorf("vigil %s: stderr %q, want %q", strings.Join(args, " "), errs.String(), want)
		}
		if out.Len() != 0 {
			t.Errorf("vigil %s: wrote %q to a stdout that is not a terminal", strings.Join(args, " "), out.String())
		}
	}
}
