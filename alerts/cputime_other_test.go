//go:build !unix

package alerts

// processCPU is not measured here: the benchmark reports wall time only.
func processCPU() int64 { return 0 }
