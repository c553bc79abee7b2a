package pagerduty

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/internal/textsafe"
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

// maxReason bounds PagerDuty's own words in a message: a status line, not a log.
const maxReason = 160

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
	var (
		capErr  *capError
		dnsErr  *net.DNSError
		authErr x509.UnknownAuthorityError
		hostErr x509.HostnameError
		certErr x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &capErr):
		return capErr.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "no such host " + clip(dnsErr.Name)
		}
		return "DNS lookup of " + clip(dnsErr.Name) + " failed"
	case errors.As(err, &authErr):
		return "TLS: certificate signed by an unknown authority"
	case errors.As(err, &hostErr):
		return "TLS: certificate is not valid for " + clip(hostErr.Host)
	case errors.As(err, &certErr):
		return "TLS: " + clip(certErr.Error())
	case errors.As(err, &recErr):
		return "TLS handshake with a plain-HTTP server (use http://)"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "response cut short"
	case errors.Is(err, io.EOF):
		return "connection closed by the server"
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

// clip makes s one printable line of at most maxReason runes, without the escape
// sequences a hostile server could put in its message.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(textsafe.Clean(s)), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason-1]) + "…"
	}
	return s
}
