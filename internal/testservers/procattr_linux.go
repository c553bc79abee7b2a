package testservers

import (
	"os/exec"
	"syscall"
)

// detach makes the kernel kill the server if the test binary dies without running its
// cleanups (a panic, a -timeout kill), so no stray server keeps a port or a CPU busy.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
