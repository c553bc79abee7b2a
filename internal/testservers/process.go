package testservers

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitReady polls url until it answers 200, the process exits (done closes), or
// readyTimeout passes. Every server here has such an endpoint (/-/ready, /health).
func waitReady(url string, done <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return errors.New("server exited before it was ready")
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", readyTimeout)
}

// stopProcess ends a server: SIGTERM (so it flushes what it holds), then SIGKILL
// after stopGrace. It returns once the process has exited (done closed).
func stopProcess(cmd *exec.Cmd, done <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopGrace):
		_ = cmd.Process.Kill()
		<-done
	}
}

// restart starts a stopped server again on its port. The old socket may linger for
// a moment after the process exits; the port must stay the same, so a bind failure
// is retried for a few seconds rather than another port picked.
func restart(t testing.TB, what string, port int, logPath string, start func() error) {
	t.Helper()
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for {
		err = start()
		if !errors.Is(err, errBind) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testservers: restart %s on port %d: %v\n%s", what, port, err, tail(logPath, 30))
	}
}

// launch starts cmd with its output appended to logPath and waits until readyURL
// answers; done closes when the process exits. A server that exits because its
// port was taken meanwhile is errBind, so the caller can try another port.
func launch(cmd *exec.Cmd, logPath, readyURL string) (done chan struct{}, err error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	if err := waitReady(readyURL, done); err != nil {
		_ = cmd.Process.Kill()
		<-done
		if strings.Contains(tail(logPath, 5), "address already in use") {
			return nil, errBind
		}
		return nil, err
	}
	return done, nil
}

// firstStart starts a server on a fresh port. The port is picked by binding :0 and
// closing it, so another process may take it before the server binds; a few fresh
// tries make that race harmless.
func firstStart(t testing.TB, what, logPath string, port *int, start func() error) {
	t.Helper()
	var err error
	for range bindAttempts {
		if *port, err = freePort(); err != nil {
			t.Fatalf("testservers: pick a port: %v", err)
		}
		if err = start(); !errors.Is(err, errBind) {
			break
		}
	}
	if err != nil {
		t.Fatalf("testservers: start %s: %v\n%s", what, err, tail(logPath, 30))
	}
}
