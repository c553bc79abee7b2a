package crash

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Drawing is the span in which the dashboard owns the screen. Standard error
// (descriptor 2, not only os.Stderr) goes to a trace file meanwhile: Bubble Tea
// prints the stack of a panic it caught there, and so does the Go runtime on a
// fatal error, which would otherwise scroll a stack trace across the dashboard.
type Drawing struct {
	g     *Guard
	trace *os.File
	saved int // a duplicate of the real standard error
}

// StartDrawing begins the span. When standard error cannot be redirected, the
// dashboard still runs and only the redirection is lost.
func (g *Guard) StartDrawing() (*Drawing, error) {
	g.mu.Lock()
	g.drawing, g.touched = true, true
	g.mu.Unlock()
	f, err := createTraceFile()
	if err != nil {
		return &Drawing{g: g, saved: -1}, err
	}
	var monitorErr error
	if g.useMonitor {
		m, err := startMonitor(f.Name())
		g.mu.Lock()
		g.monitor = m
		g.mu.Unlock()
		monitorErr = err
	}
	saved, err := unix.Dup(2)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return &Drawing{g: g, saved: -1}, fmt.Errorf("redirecting standard error: %w", err)
	}
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		unix.Close(saved)
		f.Close()
		os.Remove(f.Name())
		return &Drawing{g: g, saved: -1}, fmt.Errorf("redirecting standard error: %w", err)
	}
	g.mu.Lock()
	g.stderr = os.NewFile(uintptr(saved), "stderr")
	g.capture = f
	g.mu.Unlock()
	return &Drawing{g: g, trace: f, saved: saved}, monitorErr
}

// Stop ends the span: standard error is itself again. It returns the path of the
// trace file when something was written to it, and removes the file otherwise.
// The returned summary is the panic message Bubble Tea printed, if any.
func (d *Drawing) Stop() (path, summary string) {
	g := d.g
	g.dismissMonitor()
	g.mu.Lock()
	g.drawing = false
	g.mu.Unlock()
	if d.trace == nil {
		return "", ""
	}
	_ = unix.Dup2(d.saved, 2)
	g.mu.Lock()
	real := g.stderr
	g.stderr, g.capture = os.Stderr, nil
	g.mu.Unlock()
	real.Close()
	d.trace.Close()
	body, err := os.ReadFile(d.trace.Name())
	if err == nil && len(body) == 0 {
		os.Remove(d.trace.Name())
		return "", ""
	}
	return d.trace.Name(), bubbleteaPanic(body)
}

// bubbleteaPanic is the panic message in Bubble Tea's report of a panic it caught
// ("Caught panic:\r\n\r\n<message>\r\n\r\nRestoring terminal..."), or "".
func bubbleteaPanic(body []byte) string {
	const intro = "Caught panic:"
	i := bytes.Index(body, []byte(intro))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(body[i+len(intro):], "\r\n")
	if j := bytes.Index(rest, []byte("\r\n\r\nRestoring terminal")); j >= 0 {
		rest = rest[:j]
	} else if j := bytes.IndexAny(rest, "\r\n"); j >= 0 {
		rest = rest[:j]
	}
	return Summary(string(rest))
}
