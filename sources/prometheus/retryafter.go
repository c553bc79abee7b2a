package prometheus

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxRetryAfter bounds how long a server may ask to be left alone: a Retry-After of a
// year must not silence the dashboard for a year.
const maxRetryAfter = time.Hour

// retryAfterError is a server asking to be left alone for a while: HTTP 429 or 503
// with Retry-After. It implements sources.RetryAfter, so the hub waits at least that
// long before the next poll.
type retryAfterError struct {
	status int
	wait   time.Duration
}

func (e *retryAfterError) Error() string {
	what := "rate-limited"
	if e.status == http.StatusServiceUnavailable {
		what = "unavailable"
	}
	return fmt.Sprintf("HTTP %d %s (retry after %s)", e.status, what, e.wait)
}

// RetryAfter is how long the server asked to be left alone.
func (e *retryAfterError) RetryAfter() time.Duration { return e.wait }

// retryAfter reads a 429 or 503 response's Retry-After, in seconds or as an HTTP
// date, relative to now. ok is false for other statuses and for a missing, unreadable,
// zero or past value: such a response is an ordinary HTTP error.
func retryAfter(resp *http.Response, now time.Time) (e *retryAfterError, ok bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return nil, false
	}
	h := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if h == "" {
		return nil, false
	}
	var wait time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n <= 0 {
			return nil, false
		}
		wait = time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		// A date has a resolution of a second; round up so that waiting this long
		// never lands just before the moment the server named.
		wait = t.Sub(now).Truncate(time.Second)
		if t.Sub(now) > wait {
			wait += time.Second
		}
		if wait <= 0 {
			return nil, false
		}
		wait = min(wait, maxRetryAfter)
	} else {
		return nil, false
	}
	return &retryAfterError{status: resp.StatusCode, wait: wait}, true
}

// retryLatch is one poll's rate-limit state: the first Retry-After answer it saw.
type retryLatch struct {
	mu  sync.Mutex
	err *retryAfterError
}

type latchKey struct{}

func latchOf(req *http.Request) *retryLatch {
	l, _ := req.Context().Value(latchKey{}).(*retryLatch)
	return l
}

// latched is the error that closed the latch, or nil while it is open.
func (l *retryLatch) latched() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		return nil
	}
	return l.err
}

// close keeps the first error: the requests in flight when it arrived may bring more.
func (l *retryLatch) close(e *retryAfterError) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = e
	}
}
