package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// recorded runs a shell command line in the terminal with the tty settings saved
// before and after (stty -g: the kernel's own view of raw or cooked mode), its
// standard error in a file and its exit code noted, then prints a marker.
type recorded struct {
	tm  *term
	dir string
}

const doneMarker = "RUN-FINISHED"

func (tm *term) record(dir, cmd string) recorded {
	return tm.recordSettled(dir, cmd, 0)
}

// recordSettled is record for what happens after vigil has exited: the crash
// monitor restores the terminal once the runtime has killed vigil, then writes its
// line. The "after" reading waits for that line, up to settle.
func (tm *term) recordSettled(dir, cmd string, settle time.Duration) recorded {
	wait := ""
	if settle > 0 {
		wait = fmt.Sprintf("for i in $(seq %d); do grep -q restored stderr && break; sleep 0.1; done; ", int(settle/(100*time.Millisecond)))
	}
	// The quotes keep the marker itself off the typed command line.
	tm.line(fmt.Sprintf("clear; stty -g > before; %s 2> stderr; echo $? > code; %sstty -g > after; echo RUN-''FINISHED", cmd, wait))
	return recorded{tm: tm, dir: dir}
}

func (r recorded) file(name string) string {
	r.tm.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		r.tm.t.Fatal(err)
	}
	return string(b)
}

// finished waits for the command to end and checks that the terminal's modes are
// as they were before it. It returns the exit code and standard error.
func (r recorded) finished(timeout time.Duration) (int, string) {
	r.tm.t.Helper()
	r.tm.waitFor(timeout, doneMarker)
	if before, after := r.file("before"), r.file("after"); before != after {
		r.tm.t.Errorf("tty settings not restored:\nbefore %s after  %s", before, after)
	}
	code, err := strconv.Atoi(strings.TrimSpace(r.file("code")))
	if err != nil {
		r.tm.t.Fatal(err)
	}
	return code, r.file("stderr")
}

// sgrColour finds SGR sequences that set a colour: 30–38, 40–48, 90–97, 100–107.
// 39 and 49 (the default colours) and attributes such as bold or reverse are not
// colours; tmux's capture writes 39 and 49 after every attribute change.
func sgrColours(screen string) []string {
	var found []string
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(screen, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) {
				found = append(found, strconv.Quote(m[0]))
				break
			}
		}
	}
	return found
}

// TestNoColourWhereTheTerminalHasNone: TERM=dumb, a vt100 (no colours in terminfo)
// and NO_COLOR get no colour escape sequences at all, read from the raw screen; a
// colour terminal does get them, which shows the check can see colour.
func TestNoColourWhereTheTerminalHasNone(t *testing.T) {
	bin := vigilBinary(t)
	for _, tc := range []struct {
		env        string
		wantColour bool
	}{
		{"TERM=xterm-256color", true},
		{"TERM=dumb", false},
		{"TERM=vt100", false},
		{"TERM=xterm-256color NO_COLOR=1", false},
		{"TERM=xterm-256color COLORTERM=truecolor NO_COLOR=yes", false},
	} {
		t.Run(tc.env, func(t *testing.T) {
			tm := newTerm(t, 100, 30, t.TempDir())
			// tmux sets TERM in the pane itself, so it is set on the command line.
			tm.line(tc.env + " exec " + bin + " demo")
			tm.waitFor(20*time.Second, append([]string{"DEMO", "BUDGET"}, demoServices...)...)
			time.Sleep(500 * time.Millisecond) // one more frame, whatever it draws
			raw := tm.tmux("capture-pane", "-e", "-p", "-t", tm.name)
			colours := sgrColours(raw)
			if tc.wantColour && len(colours) == 0 {
				t.Errorf("no colour codes on a colour terminal: the check cannot see colour:\n%q", raw)
			}
			if !tc.wantColour && len(colours) > 0 {
				t.Errorf("%d colour codes, e.g. %s", len(colours), strings.Join(colours[:min(5, len(colours))], " "))
			}
			tm.keys("q")
		})
	}
}

// TestDashboardWithStdoutPiped: standard input is a terminal, standard output a
// pipe. The dashboard refuses, and says what to use instead.
func TestDashboardWithStdoutPiped(t *testing.T) {
	bin := vigilBinary(t)
	dir := t.TempDir()
	tm := newTerm(t, 100, 30, dir)
	r := tm.record(dir, "{ "+bin+" demo | cat; }")
	code, stderr := r.finished(20 * time.Second)
	// The shell reports the pipe's last command; vigil's own message is what matters.
	_ = code
	if stderr != "vigil: the dashboard needs a terminal; use `vigil snapshot` in scripts\n" {
		t.Errorf("stderr %q", stderr)
	}
}

// TestCrashRestoresTheTerminal makes vigil panic on purpose in each kind of place
// (the main goroutine, the goroutine building Boards, Bubble Tea's Update, a
// command) and checks the terminal is back in cooked mode on the main screen, one
// line names the file, and that file holds the stack trace.
func TestCrashRestoresTheTerminal(t *testing.T) {
	bin := vigilBinary(t)
	for _, where := range []string{"config", "build", "update", "command", "goroutine"} {
		t.Run(where, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			tm := newTerm(t, 100, 30, dir)
			args := "demo"
			if where == "config" {
				args = "--config config.yaml"
			}
			// A panic nobody recovers kills vigil at once (exit 2, the Go runtime's);
			// the crash monitor then restores the terminal and writes the line.
			wantCode, wantLine, settle := 1, `panic in [^)]*`, time.Duration(0)
			if where == "goroutine" {
				wantCode, wantLine, settle = 2, `panic: `, 5*time.Second
			}
			r := tm.recordSettled(dir, fmt.Sprintf("XDG_STATE_HOME=%s VIGIL_TEST_FAULT=%s TERM=xterm-256color %s %s", state, where, bin, args), settle)
			code, stderr := r.finished(30 * time.Second)
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if strings.Count(stderr, "\n") != 1 {
				t.Errorf("want one line on stderr, got %q", stderr)
			}
			m := regexp.MustCompile(`^vigil: crashed \(` + wantLine + `test fault requested by VIGIL_TEST_FAULT=` + where + `\); terminal restored; stack trace in (\S+)\n$`).FindStringSubmatch(stderr)
			if m == nil {
				t.Fatalf("stderr %q", stderr)
			}
			if filepath.Dir(m[1]) != filepath.Join(state, "vigil") {
				t.Errorf("trace written to %s, want it in %s", m[1], filepath.Join(state, "vigil"))
			}
			trace, err := os.ReadFile(m[1])
			if err != nil || !strings.Contains(string(trace), "goroutine ") || !strings.Contains(string(trace), "internal/app") {
				t.Errorf("trace file %s (%v) does not hold the stack:\n%s", m[1], err, trace)
			}
			entries, _ := os.ReadDir(filepath.Join(state, "vigil"))
			if len(entries) != 1 {
				t.Errorf("%d files in the trace directory, want 1", len(entries))
				for _, e := range entries {
					b, _ := os.ReadFile(filepath.Join(state, "vigil", e.Name()))
					t.Logf("%s:\n%s", e.Name(), b)
				}
			}
			s := tm.screen()
			if strings.Contains(s, "goroutine") || strings.Contains(s, "DEMO") {
				t.Errorf("a stack trace or the dashboard is left on the screen:\n%s", s)
			}
		})
	}
}

// TestSignalsEndTheDashboard: SIGTERM and SIGHUP end a running dashboard with the
// terminal restored, and SIGTERM ends vigil while it is blocked opening a FIFO given
// as --config, within the forced-exit bound.
func TestSignalsEndTheDashboard(t *testing.T) {
	bin := vigilBinary(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		args string
		env  string
	}{
		{"SIGTERM while drawing", syscall.SIGTERM, "demo", ""},
		{"SIGHUP while drawing", syscall.SIGHUP, "demo", ""},
		{"SIGTERM while reading a FIFO config", syscall.SIGTERM, "--config config.fifo", ""},
		// Update never returns: only the forced exit can end it, and it must restore
		// the tty and leave the alternate screen itself.
		{"SIGTERM while the dashboard hangs", syscall.SIGTERM, "demo", "VIGIL_TEST_FAULT=hang"},
		// Nothing in vigil runs after SIGKILL: the crash monitor restores the terminal.
		{"SIGKILL while drawing", syscall.SIGKILL, "demo", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := syscall.Mkfifo(filepath.Join(dir, "config.fifo"), 0o600); err != nil {
				t.Fatal(err)
			}
			tm := newTerm(t, 100, 30, dir)
			settle := time.Duration(0)
			if tc.sig == syscall.SIGKILL {
				settle = 5 * time.Second
			}
			r := tm.recordSettled(dir, fmt.Sprintf(`sh -c 'echo $$ > pid; %s TERM=xterm-256color exec %s %s'`, tc.env, bin, tc.args), settle)
			if tc.args == "demo" {
				tm.waitFor(20*time.Second, "DEMO")
				if tc.env != "" {
					tm.keys("j") // the hook hangs Update on a key
					time.Sleep(300 * time.Millisecond)
				}
			} else {
				waitForFile(t, filepath.Join(dir, "pid"), 10*time.Second)
				time.Sleep(500 * time.Millisecond) // let it reach the blocking open
			}
			pid, err := strconv.Atoi(strings.TrimSpace(r.file("pid")))
			if err != nil {
				t.Fatal(err)
			}
			sent := time.Now()
			if err := syscall.Kill(pid, tc.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
				t.Fatal(err)
			}
			// 2s forced-exit bound, plus the shell and the screen polling.
			code, stderr := r.finished(5 * time.Second)
			if d := time.Since(sent); d > 4*time.Second {
				t.Errorf("vigil took %s to end after %s", d, tc.sig)
			}
			if s := tm.screen(); strings.Contains(s, "DEMO") {
				t.Errorf("the dashboard is still on screen (alternate screen not left):\n%s", s)
			}
			if tc.env != "" && (code != 1 || stderr != "vigil: SIGTERM: did not shut down within 2s; exiting anyway\n") {
				t.Errorf("forced exit: code %d, stderr %q", code, stderr)
			}
			// The shell adds its own "Killed" line.
			if tc.sig == syscall.SIGKILL && strings.ReplaceAll(stderr, "Killed\n", "") != "vigil: killed without a crash report (SIGKILL or out of memory?); terminal restored\n" {
				t.Errorf("after SIGKILL: stderr %q", stderr)
			}
		})
	}
}

func waitForFile(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not written within %s", path, timeout)
}
