package sources

import "time"

// Signal is one of the four golden signals.
type Signal string

const (
	Latency    Signal = "latency"    // seconds
	Traffic    Signal = "traffic"    // requests per second
	Errors     Signal = "errors"     // fraction of requests failing
	Saturation Signal = "saturation" // fraction of capacity used
)

// AllSignals lists the golden signals in display order.
var AllSignals = [NumSignals]Signal{Latency, Traffic, Errors, Saturation}

// NumSignals is how many golden signals there are, for arrays indexed like AllSignals.
const NumSignals = 4

// Index is the signal's place in AllSignals, for arrays indexed by signal; -1 for a
// string that is no signal.
func (s Signal) Index() int {
	switch s {
	case Latency:
		return 0
	case Traffic:
		return 1
	case Errors:
		return 2
	case Saturation:
		return 3
	}
	return -1
}

// Point is one sample of a series. NaN and infinite samples are never stored.
type Point struct {
	T time.Time
	V float64
}

// Reading is one signal's value for one service. Valid is false when the query
// returned nothing, NaN or ±Inf for the service: that is "no data", never 0.
type Reading struct {
	Value float64
	Valid bool
	// Err is why the query feeding this reading failed this poll ("" when it did not).
	// Valid is then false: a failed query is "err" on screen, never no data or 0.
	Err string
}

// ServiceSignals is what one poll says about one service.
type ServiceSignals struct {
	Service string
	Values  map[Signal]Reading
	Series  map[Signal][]Point // the sparkline window, oldest first
	Targets TargetHealth       // from the health query (up); zero when none was asked
}

// TargetHealth is how many of a service's scrape targets answer, from `up` (or the
// profile's own health query). A service whose targets are all down is DOWN whatever
// its other signals say: they are computed from samples scraped before it died.
type TargetHealth struct {
	Known bool // the health query answered for this service
	// Up and Total count targets when the default health query was used; Total is 0
	// when only a share is known (a custom health query gives 0..1 per service).
	Up, Total int
	Share     float64 // share of targets up, 0..1
	Err       string  // the health query failed this poll
}

// QueryFailure is one query of a poll that failed while the others answered: the
// source is then degraded, not down, and only what the query feeds is marked.
type QueryFailure struct {
	What  string // "saturation query", "checkout latency query", "SLO 1h query"
	Query string // the PromQL asked
	Err   string // one line: why
}

// SignalsData is the golden-signal part of a Prometheus poll, keyed by service name.
// A configured service that no query mentions is present with no valid readings.
type SignalsData struct {
	Services map[string]ServiceSignals
	Requests int // HTTP requests this poll made, for query-economy checks
	// Failures are the signal and health queries that failed this poll while others
	// answered; the readings they feed carry Err.
	Failures []QueryFailure
}
