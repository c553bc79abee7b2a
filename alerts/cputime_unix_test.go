//go:build unix

package alerts

import "syscall"

// processCPU is the CPU time the process has used so far, in nanoseconds: a figure
// for benchmarks that other work on a shared machine does not inflate as it does
// wall time.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
