package prometheus

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/vigil-sre/vigil/sources/internal/errtext"
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

// maxReason bounds the server's own words in a reason.
const maxReason = errtext.Max

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
		urlErr   *url.Error
	)
	switch {
	case errors.As(err, &capErr):
		return capErr.Error()
	case errors.As(err, &limitErr):
		return limitErr.Error()
	case errors.As(err, &longErr):
		return longErr.Error()
	case errors.As(err, &waitErr):
		return waitErr.Error()
	case errors.As(err, &apiErr):
		return describeAPI(apiErr)
	}
	if s, ok := errtext.Transport(err, budget, "set tls_config.ca_file"); ok {
		return s
	}
	if errors.As(err, &urlErr) {
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

// The shared wording: one clean, clipped line with URL passwords masked.
var (
	reason     = errtext.Text
	redactURLs = errtext.RedactURLs
	clip       = errtext.Clip
)

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
