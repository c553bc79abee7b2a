package config

import (
	"time"

	"github.com/prometheus/common/model"
)

// Limits on what a config may ask for. Each error that enforces one names it.
const (
	// MaxQueryBytes caps every PromQL query and matcher in the config, checked before
	// the query is parsed: a query of 100,000 terms takes the parser over 20 seconds.
	MaxQueryBytes = 16 << 10
	// MaxServices caps services[]. The batched profile makes a poll's cost grow with the
	// kinds of question, not with services, and 10,000 services work; five times that
	// is a config gone wrong.
	MaxServices = 50_000
)

const (
	// maxEntries caps any list or mapping in the config, checked before anything is
	// made for its entries; services[] is the longest a real config has.
	maxEntries = MaxServices
	// maxErrors is how many errors one config reports; the rest are counted as one.
	maxErrors = 100

	// minRefresh is the shortest refresh: below it vigil would flood its sources.
	minRefresh = model.Duration(time.Second)
	// quickRefresh is the shortest refresh that draws no warning.
	quickRefresh = model.Duration(5 * time.Second)
)
