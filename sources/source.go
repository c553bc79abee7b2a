// Package sources holds what the world says: the value types every source produces,
// the Source interface, and the hub that polls sources and fans their updates out.
package sources

import (
	"context"
	"time"
)

// Kind names the sort of system a source talks to.
type Kind string

const (
	KindPrometheus   Kind = "prometheus"
	KindAlertmanager Kind = "alertmanager"
	// KindPromAlerts is a Prometheus read for its own alerts (GET /api/v1/alerts):
	// an alert source, as an Alertmanager is.
	KindPromAlerts Kind = "prometheus-alerts"
	KindPagerDuty  Kind = "pagerduty"
)

// Source is one thing the hub polls. Poll must honour ctx (the hub sets the per-poll
// timeout on it) and must not keep references to the Data it returns.
type Source interface {
	Name() string
	Kind() Kind
	// Poll asks the source what it says at the instant at. For live dashboards at is
	// the wall clock; `vigil snapshot --at` passes a past instant.
	Poll(ctx context.Context, at time.Time) (Data, error)
}

// Data is what one successful poll returned. Exactly the fields of the source's kind
// are set. Data is immutable once returned: the hub hands the same value to every
// subscriber.
type Data struct {
	Signals *SignalsData
	SLOs    *SLOData
	Pages   *PagesData
	Alerts  *AlertsData
	// Warnings are what the server said alongside its answers (Thanos's and Mimir's
	// partial responses: a store was unreachable). The data is then partial, and the
	// source's badge says so with the warning text. De-duplicated, one line each.
	Warnings []string
}

// Update is one finished poll of one source.
type Update struct {
	Source  string
	Kind    Kind
	Started time.Time // when the poll began (hub clock)
	At      time.Time // when it finished (hub clock)
	Eval    time.Time // the instant the source was asked about
	Data    Data      // zero when Err != nil
	Err     error
}

// RetryAfter is implemented by an error of a server that asked to be left alone for a
// while (HTTP 429 or 503 with Retry-After): the hub waits at least that long before the
// next poll, whatever its backoff says.
type RetryAfter interface {
	error
	RetryAfter() time.Duration
}

// Health is a source's standing as the hub last saw it.
type Health struct {
	Name        string
	Kind        Kind
	OK          bool      // the latest finished poll succeeded
	Polled      bool      // at least one poll has finished
	LastSuccess time.Time // zero when none yet
	LastAttempt time.Time // when the latest finished poll finished
	LastError   string    // empty when OK
	Failures    int       // consecutive failures
	// NextPoll is when the hub will poll next after a failure (backoff or a server's
	// Retry-After); zero when healthy or unknown.
	NextPoll time.Time
	// RateLimited is set when the latest failure was the server asking to slow down.
	RateLimited bool
	// Members name the parts of a merged source (each Alertmanager of a group), so
	// each has a row even before the source's first answer; nil for other sources.
	Members []string
}

// Merged is implemented by a source that merges several servers (Alertmanagers):
// Members names them, in order.
type Merged interface {
	Members() []string
}

// Age is how old the newest good data is at now; zero when there is none.
func (h Health) Age(now time.Time) time.Duration {
	if h.LastSuccess.IsZero() {
		return 0
	}
	return now.Sub(h.LastSuccess)
}

// SourceState is one source in a snapshot: its health and the data of its latest
// successful poll (which may be older than its latest attempt: see Health.OK).
type SourceState struct {
	Health Health
	Last   *Update // nil until a poll succeeds
}

// Snapshot is the hub's view of every source at one moment. Sources are in the
// order they were configured. A Snapshot and everything it points to is immutable.
type Snapshot struct {
	At      time.Time
	Sources []SourceState
}
