package prometheus

import "net/http"

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
