package crash

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
)

// A panic in a goroutine vigil does not own, or a fatal runtime error (concurrent
// map writes, out of memory), cannot be recovered in-process: the runtime prints
// the stack and exits at once, leaving the terminal in raw mode on the alternate
// screen. So while the dashboard draws, a small monitor process (vigil itself,
// started with monitorEnv set) waits on a pipe that the runtime writes its crash
// report to (debug.SetCrashOutput). If vigil dies without saying goodbye on that
// pipe, the monitor restores the terminal and prints the one line.

// monitorEnv, set in the environment, makes vigil the crash monitor of its parent.
// Its value is the file the parent's standard error goes to.
const monitorEnv = "VIGIL_CRASH_MONITOR"

// farewell is what the parent writes on the pipe when it ends on purpose.
const farewell = "\x00vigil: done\x00"

// maxReport bounds what the monitor keeps of a crash report: the first line is all
// it prints; the whole report is in the trace file.
const maxReport = 64 << 10

type monitor struct {
	pipe *os.File // the write end: the runtime's crash output, then farewell
	cmd  *exec.Cmd
	done chan struct{}
}

// EnableMonitor makes StartDrawing start a crash monitor. Only a real vigil binary
// may enable it: the monitor is the running executable started again.
func (g *Guard) EnableMonitor() {
	g.mu.Lock()
	g.useMonitor = true
	g.mu.Unlock()
}

// startMonitor starts the monitor for a drawing span whose standard error goes to
// trace. It must run while descriptor 2 is still the real standard error, which
// the monitor inherits for its one line.
func startMonitor(trace string) (*monitor, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("crash monitor: %w", err)
	}
	reportR, reportW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("crash monitor: %w", err)
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		reportR.Close()
		reportW.Close()
		return nil, fmt.Errorf("crash monitor: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), monitorEnv+"="+trace)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = reportR, readyW, os.Stderr
	cmd.ExtraFiles = []*os.File{os.Stdin, os.Stdout} // 3: the tty's modes, 4: the screen
	err = cmd.Start()
	reportR.Close()
	readyW.Close()
	if err != nil {
		reportW.Close()
		readyR.Close()
		return nil, fmt.Errorf("crash monitor: %w", err)
	}
	m := &monitor{pipe: reportW, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(m.done) }()

	// The monitor must have read the terminal's modes before the dashboard changes them.
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(readyR).ReadString('\n')
		ready <- line == "ready\n"
		readyR.Close()
	}()
	select {
	case ok := <-ready:
		if !ok {
			m.stop()
			return nil, fmt.Errorf("crash monitor did not start")
		}
	case <-time.After(2 * time.Second):
		m.stop()
		return nil, fmt.Errorf("crash monitor did not start within 2s")
	}
	if err := debug.SetCrashOutput(reportW, debug.CrashOptions{}); err != nil {
		m.stop()
		return nil, fmt.Errorf("crash monitor: %w", err)
	}
	return m, nil
}

// stop tells the monitor vigil is ending on purpose, and waits a little for it.
func (m *monitor) stop() {
	_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
	_, _ = m.pipe.WriteString(farewell)
	m.pipe.Close()
	select {
	case <-m.done:
	case <-time.After(time.Second):
		_ = m.cmd.Process.Kill()
	}
}

// RunMonitorIfAsked is the first call in main. In a process started as a crash
// monitor it does that job and exits; in any other it returns at once.
func RunMonitorIfAsked() {
	trace, ok := os.LookupEnv(monitorEnv)
	if !ok {
		return
	}
	// The parent decides when to end; the monitor lives until the pipe closes. Once
	// the parent is dead the shell takes the terminal back, and the monitor is a
	// background process: SIGTTOU is ignored so that restoring the modes is done
	// rather than stopping the monitor.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGTSTP, syscall.SIGTTOU, syscall.SIGTTIN)
	t := saveTerminal(os.NewFile(3, "tty"), os.NewFile(4, "screen"))
	fmt.Fprintln(os.Stdout, "ready")
	os.Stdout.Close()
	watch(os.Stdin, func() { t.restore(true) }, os.Stderr, trace)
	os.Exit(0)
}

// watch reads the parent's crash pipe to its end and acts on what it held: the
// farewell (nothing to do), a crash report, or nothing at all (the parent was
// killed, by SIGKILL or the kernel's OOM killer).
func watch(pipe io.Reader, restore func(), stderr io.Writer, trace string) {
	report, _ := io.ReadAll(io.LimitReader(pipe, maxReport))
	_, _ = io.Copy(io.Discard, pipe)
	switch {
	case bytes.Equal(report, []byte(farewell)):
		return
	case len(bytes.TrimSpace(report)) == 0:
		restore()
		fmt.Fprintln(stderr, "vigil: killed without a crash report (SIGKILL or out of memory?); terminal restored")
	default:
		restore()
		first, _, _ := bytes.Cut(bytes.TrimSpace(report), []byte("\n"))
		fmt.Fprintf(stderr, "vigil: crashed (%s); terminal restored; stack trace in %s\n", Summary(string(first)), trace)
	}
}
