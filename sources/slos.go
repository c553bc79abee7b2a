package sources

import (
	"time"

	"github.com/vigil-sre/vigil/slo"
)

// SLOData is the error-budget part of a Prometheus poll: for each SLO (by name) the
// bad and total event counts over each window length that was queried.
// A window missing from an SLO's map was not answered (no series): no data.
type SLOData struct {
	Counts    map[string]map[time.Duration]slo.Counts
	Retention time.Duration // the server's TSDB retention; 0 when unknown
	// Queries is, per SLO, the PromQL asked (label such as "errors 1h" -> query):
	// raw queries, or Sloth/Pyrra recording rules where those exist. Shared, read-only.
	Queries  map[string]map[string]string
	Requests int
	// Err is why the SLO questions failed this poll while the signals did not; Counts
	// is then empty. One line, for the SLO rows and the detail view.
	Err string
	// Failed are the SLOs whose own queries failed this poll while the other SLOs
	// answered (found by asking again per SLO), by name. Their Counts are from an
	// earlier poll when Failed[name].Stale, else absent.
	Failed map[string]SLOFailure
	// Failures are the combined queries that failed, for the source badge.
	Failures []QueryFailure
	// Coverage is how much of each SLO's window the server holds data for, by name;
	// missing when not known yet. Less than the window means the budget is computed
	// on partial data.
	Coverage map[string]time.Duration
}

// SLOFailure is why one SLO has no fresh counts this poll.
type SLOFailure struct {
	Err   string
	Stale bool // Counts holds numbers from an earlier poll
}
