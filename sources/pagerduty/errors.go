package pagerduty

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
	"github.com/vigil-sre/vigil/sources/internal/errtext"
)

// Error is a failed PagerDuty request as the operator reads it: a few words, or
// PagerDuty's own message. Status is the HTTP status, 0 when there was no answer.
type Error struct {
	Msg    string
	Status int
	cause  error // for errors.Is (context errors, syscall errors); never shown
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.cause }

// retryAfterError is PagerDuty asking to be left alone: a 429, or a 503 with
// Retry-After, or a spent rate limit. It implements sources.RetryAfter, so the hub
// holds its next poll back at least that long.
type retryAfterError struct {
	status int // 429, 503; 0: the rate limit was spent, no request refused yet
	wait   time.Duration
}

func (e *retryAfterError) Error() string {
	switch e.status {
	case 0:
		return fmt.Sprintf("PagerDuty rate limit spent (retry after %s)", e.wait)
	case http.StatusServiceUnavailable:
		return fmt.Sprintf("HTTP 503 unavailable (retry after %s)", e.wait)
	}
	return fmt.Sprintf("HTTP %d rate-limited (retry after %s)", e.status, e.wait)
}

// RetryAfter is how long PagerDuty asked to be left alone.
func (e *retryAfterError) RetryAfter() time.Duration { return e.wait }

// budgetError is a poll request refused because vigil's own request budget is spent.
type budgetError struct{ limit int }

func (e *budgetError) Error() string {
	return fmt.Sprintf("request budget of %d a minute spent", e.limit)
}

// describe turns what a go-pagerduty call returned into an *Error, or the
// retryAfterError the transport saw. The library flattens transport errors with %v,
// so the transport's own error comes from the trip.
func (s *Source) describe(err error, t *trip) error {
	if t != nil && t.retry != nil {
		return t.retry
	}
	var apiErr pd.APIError
	switch {
	case t != nil && t.err != nil:
		return &Error{Msg: s.scrub(describeTransport(t.err)), cause: t.err}
	case errors.As(err, &apiErr):
		return &Error{Msg: s.scrub(describeAPI(apiErr)), Status: apiErr.StatusCode}
	}
	return &Error{Msg: s.scrub(describeTransport(err)), cause: err}
}

// describeTransport is a transport error in a few words.
func describeTransport(err error) string {
	var capErr *capError
	if errors.As(err, &capErr) {
		return capErr.Error()
	}
	if s, ok := errtext.Transport(err, 0, ""); ok {
		return s
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return "response is not the JSON PagerDuty sends"
	}
	return reason(err.Error())
}

// describeAPI is an HTTP error status with PagerDuty's message when it sent one:
// "HTTP 400: Invalid Input Provided: Requester User Not Found".
func describeAPI(e pd.APIError) string {
	s := fmt.Sprintf("HTTP %d", e.StatusCode)
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return s + " unauthorized (check the token)"
	case http.StatusForbidden:
		s += " forbidden"
	case http.StatusNotFound:
		s += " not found"
	}
	if !e.APIError.Valid {
		return s
	}
	var words []string
	if m := clip(e.APIError.ErrorObject.Message); m != "" && m != "none" {
		words = append(words, m)
	}
	for _, d := range e.APIError.ErrorObject.Errors {
		if d = clip(d); d != "" {
			words = append(words, d)
		}
	}
	if len(words) == 0 {
		return s
	}
	return clip(s + ": " + strings.Join(words, ": "))
}

// scrub removes the token from a message wherever it came from: no message is meant
// to hold it, and this makes sure none does.
func (s *Source) scrub(msg string) string {
	if t := s.opts.Token; len(t) >= 4 {
		msg = strings.ReplaceAll(msg, t, "xxxxx")
	}
	if msg == "" {
		return "error with no message"
	}
	return msg
}

func reason(s string) string {
	// go-pagerduty prefixes a failed call; the prefix says nothing new.
	s = strings.TrimPrefix(s, "error calling the API endpoint: ")
	return clip(s)
}

// clip is the shared wording: one clean line of at most errtext.Max runes.
var clip = errtext.Clip
