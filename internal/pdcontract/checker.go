package pdcontract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// maxErrLen bounds a violation's text: kin-openapi's errors quote whole schemas.
const maxErrLen = 1500

// Violation is one request or response that the document does not allow.
type Violation struct {
	Side   string // "request" or "response"
	Method string
	Path   string // the URL path, e.g. /incidents/PQ00001/snooze
	Status int    // the response's status; 0 for a request
	Err    string
}

func (v Violation) String() string {
	if v.Side == "response" {
		return fmt.Sprintf("response %d to %s %s: %s", v.Status, v.Method, v.Path, v.Err)
	}
	return fmt.Sprintf("request %s %s: %s", v.Method, v.Path, v.Err)
}

// Checker validates traffic against a Spec and records what it found. It is safe for
// concurrent use.
type Checker struct {
	spec *Spec

	mu         sync.Mutex
	checked    int // requests plus responses validated
	violations []Violation
}

// NewChecker returns a Checker with nothing recorded.
func (s *Spec) NewChecker() *Checker { return &Checker{spec: s} }

// Handler validates each request before next serves it and each response next writes.
// A request that breaks the contract is still served: the server's own answer to it
// (PagerDuty's 400, 401) is part of what tests check.
func (c *Checker) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		in := c.CheckRequest(r, body)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()
		resBody := rec.Body.Bytes()
		c.checkResponse(r, in, res.StatusCode, res.Header, resBody)
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(resBody)
	})
}

// RoundTripper validates each request before next sends it and each response next
// returns. nil next is http.DefaultTransport.
func (c *Checker) RoundTripper(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("pdcontract: read request body: %w", err)
			}
			body = b
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		in := c.CheckRequest(r.Clone(r.Context()), body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		res, err := next.RoundTrip(r)
		if err != nil {
			return res, err
		}
		resBody, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("pdcontract: read response body: %w", err)
		}
		res.Body = io.NopCloser(bytes.NewReader(resBody))
		c.checkResponse(r, in, res.StatusCode, res.Header, resBody)
		return res, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// CheckRequest validates one request whose body is body (r.Body is not read). It
// records and returns what it found; the returned input, when the route is known, is
// what CheckResponse needs.
func (c *Checker) CheckRequest(r *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	route, params, err := c.spec.router.FindRoute(r)
	if err != nil {
		c.record(Violation{Side: "request", Method: r.Method, Path: r.URL.Path, Err: "no such operation: " + err.Error()})
		return nil
	}
	r2 := r.Clone(context.Background())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{
		Request:    r2,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:      authenticate,
			SkipSettingDefaults:     true,
			SchemaValidationOptions: formats,
		},
	}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	c.count(Violation{Side: "request", Method: r.Method, Path: r.URL.Path}, err)
	return in
}

// checkResponse validates one response to a request CheckRequest saw.
func (c *Checker) checkResponse(r *http.Request, in *openapi3filter.RequestValidationInput, status int, h http.Header, body []byte) {
	v := Violation{Side: "response", Method: r.Method, Path: r.URL.Path, Status: status}
	if in == nil {
		c.record(v.with("the request matched no operation, so the response cannot be checked"))
		return
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 h,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, SchemaValidationOptions: formats},
	}
	out.SetBodyBytes(body)
	c.count(v, openapi3filter.ValidateResponse(context.Background(), out))
}

func (v Violation) with(err string) Violation {
	if len(err) > maxErrLen {
		err = err[:maxErrLen] + "…"
	}
	v.Err = err
	return v
}

// count records one validation and, when err is not nil, its violation.
func (c *Checker) count(v Violation, err error) {
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
	if err != nil {
		c.record(v.with(err.Error()))
	}
}

func (c *Checker) record(v Violation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.violations = append(c.violations, v)
}

// Violations is everything found so far, in order.
func (c *Checker) Violations() []Violation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Violation(nil), c.violations...)
}

// Checked is how many requests and responses were validated.
func (c *Checker) Checked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checked
}

// Reset forgets everything recorded, for a test that expects violations in one step
// and none in the next.
func (c *Checker) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked, c.violations = 0, nil
}

// AssertClean fails t when any violation was recorded, listing them, or when nothing
// was checked at all (a checker left out of the traffic's way proves nothing).
func (c *Checker) AssertClean(t testing.TB) {
	t.Helper()
	vs := c.Violations()
	if n := c.Checked(); n == 0 {
		t.Errorf("pdcontract: no request or response went through the checker")
	}
	if len(vs) == 0 {
		return
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	t.Errorf("pdcontract: %d violation(s) of PagerDuty's OpenAPI document:\n%s", len(vs), strings.Join(lines, "\n"))
}
