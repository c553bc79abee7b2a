// Package format writes numbers the way an operator reads them. The screen and the
// text and Markdown reports both use it, so they never disagree ("<0.01%" on one and
// "0.00%" on the other). JSON keeps raw numbers.
package format

import (
	"math"
	"strconv"
	"time"
)

// Missing is a value that cannot be computed or is not finite: never drawn as 0.
const Missing = "–"

// Finite tells a number that can be shown: NaN and ±Inf never are.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// The formats below are fixed-width friendly: a column of them lines up. A value
// with data is always written with its unit ("0.00%", "0/s"), never as a bare dash,
// which means "no data"; a tiny non-zero value reads "<0.01%", never as zero.

// Latency formats seconds: milliseconds below 10 s ("4.5ms", "452ms"), seconds
// from there ("12.3s", "450s").
func Latency(sec float64) string {
	ms := sec * 1000
	switch {
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
	case ms < 9999.5:
		return strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	case sec < 999.95:
		return strconv.FormatFloat(sec, 'f', 1, 64) + "s"
	}
	return strconv.FormatFloat(sec, 'f', 0, 64) + "s"
}

// Rate formats requests per second: "0.52/s", "4.5/s", "452/s", "1.2k/s", "12k/s",
// "3.4M/s".
func Rate(rps float64) string {
	switch {
	case rps < 9.995:
		if rps < 0.995 {
			return strconv.FormatFloat(rps, 'f', 2, 64) + "/s"
		}
		return strconv.FormatFloat(rps, 'f', 1, 64) + "/s"
	case rps < 999.5:
		return strconv.FormatFloat(rps, 'f', 0, 64) + "/s"
	}
	return si(rps) + "/s"
}

// si writes n ≥ 1000 with a k, M or G suffix and two or three significant digits.
func si(n float64) string {
	suffix := "k"
	n /= 1000
	for _, s := range []string{"M", "G", "T"} {
		if n < 999.5 {
			break
		}
		n /= 1000
		suffix = s
	}
	if n < 9.95 {
		return strconv.FormatFloat(n, 'f', 1, 64) + suffix
	}
	return strconv.FormatFloat(n, 'f', 0, 64) + suffix
}

// Percent2 formats a ratio as a percentage with two decimals: 0.0502 is "5.02%".
func Percent2(ratio float64) string {
	// A real but tiny error ratio must not read as none: 3 errors in 100,000 is
	// "<0.01%", and only a true zero is "0.00%".
	if ratio > 0 && ratio < 0.00005 {
		return "<0.01%"
	}
	return strconv.FormatFloat(ratio*100, 'f', 2, 64) + "%"
}

// Percent0 formats a ratio as a whole percentage: 0.634 is "63%".
func Percent0(ratio float64) string {
	return strconv.FormatFloat(ratio*100, 'f', 0, 64) + "%"
}

// Budget formats the share of an error budget left: "87%", "4.2%", "-12%". Near
// zero a decimal is kept, because that is where the operator reads closely.
func Budget(ratio float64) string {
	p := ratio * 100
	if math.Abs(p) < 9.95 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// Objective formats an SLO objective given as a fraction: 0.999 is "99.9%".
func Objective(frac float64) string {
	p := math.Round(frac*100*1000) / 1000
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// Burn formats a burn rate: "0.42x", "16.0x", "120x", ">999x".
func Burn(x float64) string {
	switch {
	case x > 0 && x < 0.005:
		return "<0.01x"
	case x < 0.995:
		return strconv.FormatFloat(x, 'f', 2, 64) + "x"
	case x < 99.95:
		return strconv.FormatFloat(x, 'f', 1, 64) + "x"
	case x < 999.5:
		return strconv.FormatFloat(x, 'f', 0, 64) + "x"
	}
	return ">999x"
}

// Exhaustion formats the time until an error budget is spent: "spent" when it is,
// "45m", "27h", "3d4h", "12d", ">99d".
func Exhaustion(sec float64) string {
	if sec <= 0 {
		return "spent"
	}
	return Span(time.Duration(sec * float64(time.Second)))
}

// Span formats a duration coarsely for a glance: "45m", "27h", "3d4h", "12d".
func Span(d time.Duration) string {
	h := d.Hours()
	switch {
	case d < time.Hour:
		return strconv.Itoa(max(1, int(math.Ceil(d.Minutes())))) + "m"
	case h < 48:
		return strconv.Itoa(int(h)) + "h"
	case h < 10*24:
		days, hours := int(h)/24, int(h)%24
		if hours == 0 {
			return strconv.Itoa(days) + "d"
		}
		return strconv.Itoa(days) + "d" + strconv.Itoa(hours) + "h"
	case h < 100*24:
		return strconv.Itoa(int(h)/24) + "d"
	}
	return ">99d"
}

// Age formats how long ago something was, in its largest unit: "4s", "2m", "1h", "3d".
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(max(0, int(d.Seconds()))) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
	return strconv.Itoa(int(d.Hours())/24) + "d"
}

// Countdown formats a wait to the second, for "retry in 1m58s": "12s", "1m58s",
// "2h5m". Unlike Age it keeps the second unit, because the operator is waiting.
func Countdown(d time.Duration) string {
	d = max(d.Round(time.Second), 0)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		return strconv.Itoa(h) + "h" + strconv.Itoa(m) + "m"
	case m > 0:
		return strconv.Itoa(m) + "m" + strconv.Itoa(s) + "s"
	}
	return strconv.Itoa(s) + "s"
}
