package alerts

import (
	"math"
	"strconv"
)

// Number is every number of the Board. It cannot print as NaN or ±Inf: a non-finite
// Number marshals to JSON null, and Get reports it missing, so the screen and the
// reports draw a dash. A *Number that is nil is missing too. Using one type for every
// output number makes "no fake values" hold by construction: a counter overflowing to
// +Inf cannot take the whole JSON snapshot down with it.
type Number float64

// Num is v as an output number: nil when v is NaN or ±Inf.
func Num(v float64) *Number {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	n := Number(v)
	return &n
}

// Get is the value and whether there is one to show.
func (n *Number) Get() (float64, bool) {
	if n == nil {
		return 0, false
	}
	v := float64(*n)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// MarshalJSON writes the number as encoding/json writes a float64, or null.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	// As encoding/json: plain notation, exponent form for very small or large values,
	// with the exponent's leading zero dropped (1e-07 -> 1e-7).
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}
