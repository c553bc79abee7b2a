package crash

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newTestGuard is a Guard with no terminal, whose one line goes to a file and whose
// exit is recorded instead of taken.
func newTestGuard(t *testing.T) (g *Guard, stderr *os.File, code *int) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	code = new(int)
	*code = -1
	return &Guard{stderr: f, exit: func(c int) { *code = c }}, f, code
}

func readAll(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCrashWritesTheStackToAFileAndOneLine(t *testing.T) {
	g, stderr, code := newTestGuard(t)
	g.Crash("the board builder", errors.New("nil map\x1b]0;pwned\x07 write\nsecond line"), []byte("goroutine 7 [running]:\nmain.f()\n"))
	if *code != ExitCode {
		t.Errorf("exit code %d, want %d", *code, ExitCode)
	}
	out := readAll(t, stderr)
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("want exactly one line, got %q", out)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("the line carries escape sequences: %q", out)
	}
	const prefix = "vigil: crashed (panic in the board builder: nil map write second line); terminal restored; stack trace in "
	if !strings.HasPrefix(out, prefix) {
		t.Fatalf("line = %q, want prefix %q", out, prefix)
	}
	path := strings.TrimSuffix(strings.TrimPrefix(out, prefix), "\n")
	if dir := filepath.Join(os.Getenv("XDG_STATE_HOME"), "vigil"); filepath.Dir(path) != dir {
		t.Errorf("trace in %s, want in %s", path, dir)
	}
	trace, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"panic in the board builder: nil map", "goroutine 7 [running]:\nmain.f()"} {
		if !strings.Contains(string(trace), want) {
			t.Errorf("trace file lacks %q:\n%s", want, trace)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("trace file mode: %v %v, want 0600", st.Mode(), err)
	}
}

func TestCrashWhenTheTraceCannotBeWritten(t *testing.T) {
	g, stderr, code := newTestGuard(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", blocker) // a file, so the directory cannot be made
	g.Crash("main", "boom", nil)
	out := readAll(t, stderr)
	if *code != ExitCode || strings.Count(out, "\n") != 1 || !strings.Contains(out, "vigil: crashed (panic in main: boom); the stack trace could not be written: crash report directory:") {
		t.Errorf("exit %d, line %q", *code, out)
	}
}

func TestRecoverReportsThePanicOfItsGoroutine(t *testing.T) {
	g, stderr, code := newTestGuard(t)
	installed.Store(g)
	t.Cleanup(func() { installed.Store(nil) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer Recover("a source")
		panic(errors.New("bad response: no data"))
	}()
	<-done
	out := readAll(t, stderr)
	if *code != ExitCode || !strings.HasPrefix(out, "vigil: crashed (panic in a source: bad response: no data); terminal restored; stack trace in ") {
		t.Fatalf("exit %d, line %q", *code, out)
	}
	path := strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])
	trace, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(trace), "TestRecoverReportsThePanicOfItsGoroutine") {
		t.Errorf("the trace does not show the panicking function (%v):\n%s", err, trace)
	}
}

func TestForceExit(t *testing.T) {
	g, stderr, code := newTestGuard(t)
	g.ForceExit("SIGTERM: did not shut down within 2s; exiting anyway")
	if out := readAll(t, stderr); *code != ExitCode || out != "vigil: SIGTERM: did not shut down within 2s; exiting anyway\n" {
		t.Errorf("exit %d, line %q", *code, out)
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("x", 300)
	if got := Summary(long); len([]rune(got)) != 200 || !strings.HasSuffix(got, "…") {
		t.Errorf("Summary of 300 characters = %d runes", len([]rune(got)))
	}
	if got := Summary(" a\nb\u202ec "); got != "a bc" {
		t.Errorf("Summary = %q", got)
	}
}

func TestBubbleteaPanic(t *testing.T) {
	body := "Caught panic:\r\n\r\nruntime error: index out of range [3] with length 2\r\n\r\nRestoring terminal...\r\n\r\ngoroutine 1 [running]:\r\n"
	if got := bubbleteaPanic([]byte(body)); got != "runtime error: index out of range [3] with length 2" {
		t.Errorf("got %q", got)
	}
	if got := bubbleteaPanic([]byte("some other output\n")); got != "" {
		t.Errorf("got %q from output that is no panic", got)
	}
}

// TestDrawingCapturesStandardError: while the dashboard draws, whatever is written
// to descriptor 2 lands in the trace file, and standard error is itself afterwards.
func TestDrawingCapturesStandardError(t *testing.T) {
	g, _, _ := newTestGuard(t)
	d, err := g.StartDrawing()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(os.Stderr, "Caught panic:\r\n\r\nboom\r\n\r\nRestoring terminal...\r\n")
	path, summary := d.Stop()
	if summary != "boom" {
		t.Errorf("summary %q, want boom", summary)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "Restoring terminal") {
		t.Errorf("trace file %s: %v %q", path, err, b)
	}

	// Nothing written: no file is left behind.
	d, err = g.StartDrawing()
	if err != nil {
		t.Fatal(err)
	}
	if path, _ := d.Stop(); path != "" {
		t.Errorf("empty capture kept as %s", path)
	}
	entries, _ := os.ReadDir(TraceDir())
	if len(entries) != 1 {
		t.Errorf("%d files in the trace directory, want the one with the panic", len(entries))
	}
}

// TestRestoreOnlyWhatTheDashboardChanged: before the dashboard has run nothing is
// restored (a background `vigil snapshot &` setting tty modes would be stopped by
// SIGTTOU); while it draws, the tty and the screen; after it, the tty only.
func TestRestoreOnlyWhatTheDashboardChanged(t *testing.T) {
	g, _, _ := newTestGuard(t)
	var calls []string
	g.restore = func(screen bool) { calls = append(calls, fmt.Sprintf("tty, screen %v", screen)) }
	g.RestoreTerminal()
	if len(calls) != 0 {
		t.Errorf("restored before the dashboard ran: %v", calls)
	}
	d, err := g.StartDrawing()
	if err != nil {
		t.Fatal(err)
	}
	g.RestoreTerminal()
	d.Stop()
	g.RestoreTerminal()
	if want := []string{"tty, screen true", "tty, screen false"}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("restores = %v, want %v", calls, want)
	}
}

func TestMonitorWatch(t *testing.T) {
	report := "panic: bad response: no data\n\ngoroutine 12 [running]:\nmain.f()\n"
	for _, tc := range []struct {
		name, pipe, want string
		restored         bool
	}{
		{"clean exit", farewell, "", false},
		{"crash report", report, "vigil: crashed (panic: bad response: no data); terminal restored; stack trace in /state/vigil/crash-1.txt\n", true},
		{"fatal error", "fatal error: concurrent map writes\n\ngoroutine 7", "vigil: crashed (fatal error: concurrent map writes); terminal restored; stack trace in /state/vigil/crash-1.txt\n", true},
		{"killed", "", "vigil: killed without a crash report (SIGKILL or out of memory?); terminal restored\n", true},
	} {
		var out strings.Builder
		restored := false
		watch(strings.NewReader(tc.pipe), func() { restored = true }, &out, "/state/vigil/crash-1.txt")
		if out.String() != tc.want || restored != tc.restored {
			t.Errorf("%s: restored %v, printed %q; want %v, %q", tc.name, restored, out.String(), tc.restored, tc.want)
		}
	}
}
