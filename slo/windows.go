package slo

import (
	"strconv"
	"time"
)

// The short and long windows of the multi-window, multi-burn-rate alerts, shortest
// first. Evaluate reads them through these indices rather than a map so that
// evaluating an SLO allocates nothing.
const (
	w5m = iota
	w30m
	w1h
	w2h
	w6h
	w1d
	w3d
	// NumWindows is len(Windows).
	NumWindows
)

var windows = [NumWindows]time.Duration{
	5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour,
}

// Windows are the lengths, besides the SLO window, over which a source must count
// events for Evaluate: the short and long windows of the Workbook's alerts.
var Windows = windows[:]

// WindowName is d as a PromQL range and as the key of burn_rates: "5m", "1h",
// "1d", "30d", "36h". The largest unit that divides d exactly is used, so 7d stays
// "7d" (not "1w") and 36h stays "36h" (not "1d12h").
func WindowName(d time.Duration) string {
	units := [...]struct {
		d      time.Duration
		suffix string
	}{
		{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"},
	}
	if d > 0 {
		for _, u := range units {
			if d%u.d == 0 {
				return strconv.FormatInt(int64(d/u.d), 10) + u.suffix
			}
		}
	}
	// Not expressible as a PromQL range; still readable in a message.
	return d.String()
}
