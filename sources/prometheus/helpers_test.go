package prometheus

import (
	"net/http"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// httpResponse builds a bare response for header parsing tests.
type httpResponse struct {
	status     int
	retryAfter string
}

func (r httpResponse) build() *http.Response {
	h := http.Header{}
	if r.retryAfter != "" {
		h.Set("Retry-After", r.retryAfter)
	}
	return &http.Response{StatusCode: r.status, Header: h}
}

// rangeOf is a sparkline-like range ending at end.
func rangeOf(end time.Time) v1.Range {
	return v1.Range{Start: end.Add(-30 * time.Minute), End: end, Step: time.Minute}
}
