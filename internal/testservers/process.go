package testservers

import (
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"syscall"
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
