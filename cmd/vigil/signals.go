package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vigil-sre/vigil/internal/crash"
)

// forceExitAfter bounds a shutdown: after SIGTERM or SIGHUP, vigil exits within
// this long even if something is stuck (a read from a FIFO, a hung request), with
// the terminal restored.
const forceExitAfter = 2 * time.Second

// onSignals returns a context that SIGTERM and SIGHUP (a dropped SSH session)
// cancel, so every command winds down and the dashboard restores the terminal. If
// the command has not returned forceExitAfter later, or a second signal arrives,
// forceExit is called with the reason: in main, the crash guard's ForceExit, which
// restores the terminal and exits. stop ends the watch.
func onSignals(forceExit func(why string)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer crash.Recover("the signal handler")
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		cancel()
		timer := time.NewTimer(forceExitAfter)
		defer timer.Stop()
		select {
		case <-timer.C:
			forceExit(fmt.Sprintf("%s: did not shut down within %s; exiting anyway", signalName(sig), forceExitAfter))
		case again := <-sigs:
			forceExit(fmt.Sprintf("%s again: exiting at once", signalName(again)))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}
