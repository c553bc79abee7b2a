package testservers

import (
	"errors"
	"fmt"
	"net/http"
	"os/exec"
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
