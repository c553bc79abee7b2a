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
}
