//go:build !linux

package testservers

import "os/exec"

// detach is a no-op where the kernel has no parent-death signal; t.Cleanup still stops
// the server on every ordinary exit.
func detach(cmd *exec.Cmd) {}
