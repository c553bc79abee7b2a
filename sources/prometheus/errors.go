package prometheus

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

// queryError is a failed query as the operator reads it: which question failed and a
// short reason. The cause stays reachable through errors.Is/As.
type queryError struct {
	what string // "errors query", "checkout latency sparkline", "SLO 5m query"
	msg  string
	err  error
}

func (e *queryError) Error() string {
	if e.what == "" {
		return e.msg
	}
	return e.what + ": " + e.msg
}

func (e *queryError) Unwrap() error { return e.err }

// maxReason bounds the server's own words in a reason: a parse error quoting a whole
// 20 KB query must not fill the status line.
const maxReason = 160

// describe turns a transport, HTTP or API error into a few words: "connection
// refused", "timeout after 10s", "HTTP 500", "bad_data: parse error ...". budget is
// the poll's time limit, so a deadline reads as the limit the operator configured.
func describe(err error, budget time.Duration) string {
	var (
		capErr   *capError
		limitErr *limitError
		longErr  *longStringError
		waitErr  *retryAfterError
		apiErr   *v1.Error
		dnsErr   *net.DNSError
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		certErr  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		netErr   net.Error
		urlErr   *url.Error
		timeoutV = "timeout"
	)
	if budget > 0 {
		timeoutV = "timeout after " + roundDuration(budget).String()
	}
	switch {
	case errors.As(err, &capErr):
		return capErr.Error()
	case errors.As(err, &limitErr):
		return limitErr.Error()
	case errors.As(err, &longErr):
		return longErr.Error()
	case errors.As(err, &waitErr):
		return waitErr.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return timeoutV
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &dnsErr):
		name := clip(dnsErr.Name)
		switch {
		case dnsErr.IsNotFound && name == "":
			return "no such host"
		case dnsErr.IsNotFound:
			return "no such host " + name
		case name == "":
			return "DNS lookup failed"
		}
		return "DNS lookup of " + name + " failed"
	case errors.As(err, &authErr):
		return "TLS: certificate signed by an unknown authority (set tls_config.ca_file)"
	case errors.As(err, &hostErr):
		return "TLS: " + reason(hostErr.Error())
	case errors.As(err, &certErr):
		return "TLS: " + reason(certErr.Error())
	case errors.As(err, &recErr):
		return "TLS handshake with a plain-HTTP server (use http://)"
	case errors.As(err, &apiErr):
		return describeAPI(apiErr)
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "response cut short"
	case errors.Is(err, io.EOF):
		return "connection closed by the server"
	case errors.As(err, &urlErr):
		// The URL is in the source's configuration already; the reason is what is new.
		return reason(urlErr.Err.Error())
	}
	return reason(err.Error())
}

// describeAPI reads the error client_golang made of an HTTP status or an API error.
func describeAPI(e *v1.Error) string {
	switch e.Type {
	case v1.ErrClient, v1.ErrServer:
		// client_golang names the status only in the message ("server error: 500") and
		// keeps the body in Detail.
		i := strings.LastIndexByte(e.Msg, ' ')
		code, err := strconv.Atoi(e.Msg[i+1:])
		if err != nil {
			return typed(string(e.Type), e.Msg)
		}
		s := "HTTP " + strconv.Itoa(code)
		switch code {
		case http.StatusUnauthorized:
			s += " unauthorized"
		case http.StatusForbidden:
			s += " forbidden"
		case http.StatusNotFound:
			s += " not found"
		}
		if d := bodyReason(e.Detail); d != "" {
			s += ": " + d
		}
		return s
	case v1.ErrBadResponse:
		return typed("bad response", e.Msg)
	}
	return typed(string(e.Type), e.Msg)
}

// typed is "kind: message" with neither part empty: a server answering
// {"status":"error"} and nothing else gets "error with no message", not ": ".
func typed(kind, msg string) string {
	kind, msg = clip(kind), clip(redactURLs(msg))
	switch {
	case kind == "" && msg == "":
		return "error with no message"
	case kind == "":
		return msg
	case msg == "":
		return kind + ": error with no message"
	}
	return clip(kind + ": " + msg)
}

// reason is a cleaned, clipped error text with any URL credentials masked, or "error
// with no message" when nothing is left of it.
func reason(s string) string {
	s = clip(redactURLs(s))
	if s == "" {
		return "error with no message"
	}
	return s
}

// userinfo finds the credentials of a URL inside a longer text: scheme://user:pass@.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\s]*)@`)

// redactURLs masks the password of every URL in s (http://admin:xxxxx@host), and a
// user name given without a password, which is often a token.
func redactURLs(s string) string {
	return userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		user, _, hasPass := strings.Cut(sub[2], ":")
		if !hasPass {
			return sub[1] + "xxxxx@"
		}
		return sub[1] + user + ":xxxxx@"
	})
}

// bodyReason is what an error body says: the error of a Prometheus JSON envelope
// (e.g. a 503 "query timed out"), or a short one-line text from a proxy or gateway.
// A page of HTML says nothing useful and is dropped.
func bodyReason(body string) string {
	body = strings.TrimSpace(body)
	if body == "" {
		return ""
	}
	var env struct {
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}
	if json.Unmarshal([]byte(body), &env) == nil && env.Error != "" {
		if env.ErrorType != "" {
			return typed(env.ErrorType, env.Error)
		}
		return reason(env.Error)
	}
	if strings.ContainsAny(body, "\n<") || len(body) > 80 {
		return ""
	}
	return clip(redactURLs(body))
}

// clip makes s one printable line of at most maxReason runes.
func clip(s string) string {
	// Line breaks become spaces; whole escape sequences (not just their ESC, which
	// would leave "[31m" behind), other controls and bidi overrides go.
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	s = textsafe.Clean(s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason-1]) + "…"
	}
	return s
}

// roundDuration keeps a limit readable: 10s, 2.5s, 300ms.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func wrapQuery(what string, err error, budget time.Duration) error {
	return &queryError{what: what, msg: describe(err, budget), err: err}
}

// limitError is a response larger than the package accepts in some dimension other
// than bytes: too many series or points for one query. The advice says how to fix it.
type limitError struct {
	what    string // "series", "points"
	got     int64
	max     int64
	atLeast bool // got is a lower bound: the body was cut short before the count ended
	advice  string
}

func (e *limitError) Error() string {
	got := strconv.FormatInt(e.got, 10)
	if e.atLeast {
		got = "at least " + got
	}
	s := "too many " + e.what + " (" + got + " > " + strconv.FormatInt(e.max, 10) + ")"
	if e.advice != "" {
		s += ": " + e.advice
	}
	return s
}

// longStringError is an answer holding a string (a label value, a message) longer
// than the package reads.
type longStringError struct{ max int64 }

func (e *longStringError) Error() string {
	return "response holds a string over " + formatBytes(e.max)
}
