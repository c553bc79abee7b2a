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
var AllSignals = []Signal{Latency, Traffic, Errors, Saturation}

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
}

// ServiceSignals is what one poll says about one service.
type ServiceSignals struct {
	Service string
	Values  map[Signal]Reading
	Series  map[Signal][]Point // the sparkline window, oldest first
}

// SignalsData is the golden-signal part of a Prometheus poll, keyed by service name.
// A configured service that no query mentions is present with no valid readings.
type SignalsData struct {
	Services map[string]ServiceSignals
	Requests int // HTTP requests this poll made, for query-economy checks
}
