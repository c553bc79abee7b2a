// Package crash is vigil's last line of defence. However vigil ends — a panic in a
// goroutine it owns, a panic Bubble Tea caught, a fatal runtime error while the
// dashboard draws, a signal whose shutdown hangs — the terminal is put back first
// (cooked mode, main screen, visible cursor), then one line on standard error says
// what happened and names the file holding the stack trace. A stack trace never
// lands on the operator's screen.
package crash

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-sre/vigil/internal/textsafe"
)

// ExitCode is the exit status after a crash or a forced shutdown: a runtime
// failure in the CLI contract (0 success, 1 runtime failure, 2 usage or config).
const ExitCode = 1

// Guard holds what is needed to restore the terminal and report a crash.
type Guard struct {
	mu      sync.Mutex
	restore func(screen bool) // puts the tty back; with screen, the screen's modes too
	drawing bool              // the dashboard is drawing: the screen's modes may be changed
	touched bool              // the dashboard has run: the tty's modes may have been changed
	stderr  *os.File          // where the one line goes: the real standard error
	capture *os.File          // standard error's file while the dashboard draws, or nil
	exit    func(code int)

	useMonitor bool     // StartDrawing starts a crash monitor (see monitor.go)
	monitor    *monitor // the running one, or nil
}

var installed atomic.Pointer[Guard]

// Install records the terminal's state as found and makes the returned Guard the
// one Recover uses. Call it first thing in main, before anything changes the
// terminal.
func Install(in, out, errOut *os.File) *Guard {
	g := &Guard{restore: saveTerminal(in, out).restore, stderr: errOut, exit: os.Exit}
	installed.Store(g)
	return g
}

// Current is the installed Guard, or one that only reports, for code run without
// Install (tests of other packages).
func Current() *Guard {
	if g := installed.Load(); g != nil {
		return g
	}
	return &Guard{stderr: os.Stderr, exit: os.Exit}
}

// Recover, deferred at the top of a goroutine, turns a panic in it into a crash
// report: `defer crash.Recover("board builder")`. where names the goroutine in the
// one line printed.
func Recover(where string) {
	if r := recover(); r != nil {
		Current().Crash(where, r, debug.Stack())
	}
}

// Crash writes the stack trace to a file, restores the terminal, prints one line
// and exits with ExitCode.
func (g *Guard) Crash(where string, value any, stack []byte) {
	path, err := writeTrace(where, value, stack)
	g.dismissMonitor()
	g.RestoreTerminal()
	what := fmt.Sprintf("panic in %s: %s", where, Summary(fmt.Sprint(value)))
	g.mu.Lock()
	out, capture := g.stderr, g.capture
	g.mu.Unlock()
	removeIfEmpty(capture)
	if err != nil {
		fmt.Fprintf(out, "vigil: crashed (%s); the stack trace could not be written: %s\n", what, textsafe.Clean(err.Error()))
	} else {
		fmt.Fprintf(out, "vigil: crashed (%s); terminal restored; stack trace in %s\n", what, path)
	}
	g.exit(ExitCode)
}

// ForceExit ends the process now, for a shutdown that did not finish in time:
// the terminal is restored, why is printed on one line.
func (g *Guard) ForceExit(why string) {
	g.dismissMonitor()
	g.RestoreTerminal()
	g.mu.Lock()
	out, capture := g.stderr, g.capture
	g.mu.Unlock()
	removeIfEmpty(capture)
	fmt.Fprintf(out, "vigil: %s\n", textsafe.Clean(why))
	g.exit(ExitCode)
}

// dismissMonitor tells the crash monitor, if one runs, that vigil ends on purpose.
func (g *Guard) dismissMonitor() {
	g.mu.Lock()
	m := g.monitor
	g.monitor = nil
	g.mu.Unlock()
	if m != nil {
		m.stop()
	}
}

// RestoreTerminal puts the terminal back as Install found it. It may be called
// more than once and from any goroutine. Commands other than the dashboard never
// change the terminal, and are left alone: setting a terminal's modes from a
// background job (`vigil snapshot &`) would stop the job with SIGTTOU.
func (g *Guard) RestoreTerminal() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.touched && g.restore != nil {
		g.restore(g.drawing)
	}
}

// Summary makes a panic value fit on one line of the report: cleaned of escape
// sequences (it may quote outside text) and cut to 200 characters.
func Summary(s string) string {
	s = strings.TrimSpace(textsafe.Clean(s))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

// removeIfEmpty removes the file standard error was sent to while the dashboard
// drew, when nothing was written to it, so an exit that never reaches
// Drawing.Stop leaves no empty files behind.
func removeIfEmpty(f *os.File) {
	if f == nil {
		return
	}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		os.Remove(f.Name())
	}
}

// writeTrace writes a crash's stack trace to a new file in TraceDir.
func writeTrace(where string, value any, stack []byte) (string, error) {
	f, err := createTraceFile()
	if err != nil {
		return "", err
	}
	defer f.Close()
	fmt.Fprintf(f, "vigil crashed at %s\npanic in %s: %v\n\n%s", time.Now().UTC().Format(time.RFC3339), where, value, stack)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(f, "\n%s", bi)
	}
	return f.Name(), f.Close()
}

// createTraceFile creates an empty, private file for a stack trace.
func createTraceFile() (*os.File, error) {
	dir := TraceDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("crash report directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "crash-"+time.Now().UTC().Format("20060102T150405Z")+"-*.txt")
	if err != nil {
		return nil, fmt.Errorf("crash report: %w", err)
	}
	return f, nil
}

// TraceDir is where stack traces are written: $XDG_STATE_HOME/vigil, else
// ~/.local/state/vigil, else the system's temporary directory.
func TraceDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "vigil")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "vigil")
	}
	return filepath.Join(os.TempDir(), "vigil")
}
