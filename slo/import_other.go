//go:build !unix

package slo

// openNonBlocking is 0 where there is no such flag; the look before the open refuses
// what is not a regular file.
const openNonBlocking = 0
