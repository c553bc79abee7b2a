package alertmanager

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/sources/internal/errtext"
)

// amError is one Alertmanager's failure as the operator reads it: which Alertmanager,
// which question, and a few words. The cause stays reachable through errors.Is/As.
type amError struct {
	kind string // "alertmanager" or "prometheus"
	am   string // the configured name
	op   string // "alerts", "silences", "create silence", "expire silence 1234"
	msg  string
	err  error
}

func (e *amError) Error() string { return e.kind + " " + e.am + ": " + e.op + ": " + e.msg }
func (e *amError) Unwrap() error { return e.err }

// fail wraps a failed question to this server; budget is the poll's time limit.
func (s *Source) fail(op string, err error, budget time.Duration) error {
	return &amError{kind: s.kind, am: s.name, op: op, msg: describe(err, budget), err: err}
}

// statusError is an HTTP answer other than 2xx, with what the body said.
type statusError struct {
	code   int
	reason string // Alertmanager's message, cleaned; may be empty
	wait   time.Duration
}

func (e *statusError) Error() string {
	s := "HTTP " + strconv.Itoa(e.code)
	switch e.code {
	case http.StatusUnauthorized:
		s += " unauthorized"
	case http.StatusForbidden:
		s += " forbidden"
	case http.StatusNotFound:
		s += " not found"
	}
	if e.wait > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.wait)
	}
	if e.reason != "" {
		s += ": " + e.reason
	}
	return s
}

// RetryAfter implements sources.RetryAfter for a 429 or 503 that named a wait; zero
// otherwise, which the hub ignores.
func (e *statusError) RetryAfter() time.Duration { return e.wait }

// maxRetryAfter bounds how long a server may ask to be left alone.
const maxRetryAfter = time.Hour

// retryAfterOf reads Retry-After (seconds or an HTTP date) of a 429 or 503.
func retryAfterOf(resp *http.Response, now time.Time) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	h := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if n, err := strconv.ParseInt(h, 10, 64); err == nil && n > 0 {
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now).Truncate(time.Second)+time.Second, maxRetryAfter)
	}
	return 0
}

// capError is an answer larger than MaxBodyBytes.
type capError struct{ max int64 }

func (e *capError) Error() string {
	return fmt.Sprintf("answer larger than %d MiB (max_body_bytes)", e.max>>20)
}

// badAnswer is a 2xx answer that is not what Alertmanager sends.
type badAnswer struct{ msg string }

func (e *badAnswer) Error() string { return "bad answer: " + e.msg }

func badf(format string, args ...any) error { return &badAnswer{msg: fmt.Sprintf(format, args...)} }

// describe turns a transport, HTTP or decoding error into a few words; budget is the
// poll's time limit, so a deadline reads as the limit the operator configured.
func describe(err error, budget time.Duration) string {
	var (
		st     *statusError
		capErr *capError
		bad    *badAnswer
		urlErr *url.Error
		syn    *json.SyntaxError
		typ    *json.UnmarshalTypeError
		scan   *errSyntax
		kind   *typeError
	)
	switch {
	case errors.As(err, &st):
		return st.Error()
	case errors.As(err, &capErr):
		return capErr.Error()
	case errors.As(err, &bad):
		return clip(bad.Error())
	}
	if s, ok := errtext.Transport(err, budget, "set tls_config.ca_file"); ok {
		return s
	}
	switch {
	case errors.As(err, &syn), errors.As(err, &typ), errors.As(err, &scan), errors.As(err, &kind):
		return "bad answer: not Alertmanager's JSON (" + clip(err.Error()) + ")"
	case errors.As(err, &urlErr):
		return reason(urlErr.Err.Error())
	}
	return reason(err.Error())
}

// bodyReason is what an error body says: Alertmanager answers a bad request with a
// JSON string ("silence invalid: ...") or plain text; a page of HTML says nothing.
func bodyReason(body []byte) string {
	s := strings.TrimSpace(string(body))
	var str string
	if json.Unmarshal([]byte(s), &str) == nil {
		return clip(redactURLs(str))
	}
	var obj struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal([]byte(s), &obj) == nil && obj.Message+obj.Error != "" {
		return clip(redactURLs(strings.TrimSpace(obj.Message + " " + obj.Error)))
	}
	if strings.Contains(s, "<") {
		return ""
	}
	return clip(redactURLs(s))
}

// The shared wording: one clean, clipped line with URL passwords masked.
var (
	reason     = errtext.Text
	redactURLs = errtext.RedactURLs
	clip       = errtext.Clip
)
