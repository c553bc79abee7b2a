package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/internal/pdcontract"
)

// pdCall sends one request as a client that works around go-pagerduty's gaps would.
// from "" sends no From header.
func pdCall(t *testing.T, f *pdFixture, method, path, from, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	mustPD(t, err)
	req.Header.Set("Authorization", "Token token="+pdTestToken)
	req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
	req.Header.Set("Content-Type", "application/json")
	if from != "" {
		req.Header.Set("From", from)
	}
	res, err := http.DefaultClient.Do(req)
	mustPD(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	mustPD(t, err)
	return res, b
}

// pdErrorBody decodes PagerDuty's error body, failing when it is not that shape.
func pdErrorBody(t *testing.T, b []byte) (code int, msg string, detail []string) {
	t.Helper()
	var e struct {
		Error *struct {
			Code    int      `json:"code"`
			Message string   `json:"message"`
			Errors  []string `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error == nil {
		t.Fatalf("not PagerDuty's error body: %s", b)
	}
	return e.Error.Code, e.Error.Message, e.Error.Errors
}

// wantOnlyRequestViolation asserts that the checker found exactly the request's
// breach (mentioning what) and that the simulator's answer to it was as documented.
func wantOnlyRequestViolation(t *testing.T, chk *pdcontract.Checker, what string) {
	t.Helper()
	vs := chk.Violations()
	if len(vs) != 1 || vs[0].Side != "request" || !strings.Contains(vs[0].Err, what) {
		t.Errorf("want one request violation about %q, got %v", what, vs)
	}
	chk.Reset()
}

// TestPagerDutySnoozeWithoutFromIsRefused: go-pagerduty's SnoozeIncident sends no From
// header, and PagerDuty refuses that; a request that sends one is served.
func TestPagerDutySnoozeWithoutFromIsRefused(t *testing.T) {
	f, chk := contractFixture(t)
	id := f.add(t, PDIncident{Title: "disk full", ServiceID: "PSVC001", Status: "acknowledged"})
	_, err := f.client().SnoozeIncidentWithContext(context.Background(), id, 3600)
	var apiErr pagerduty.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest ||
		apiErr.APIError.ErrorObject.Code != pdCodeNoFrom || !strings.Contains(apiErr.APIError.ErrorObject.Message, `"From" header`) {
		t.Fatalf("snooze without From: %v; want 400 code %d naming the From header", err, pdCodeNoFrom)
	}
	wantOnlyRequestViolation(t, chk, "From")
	if inc, _ := f.pd.Incident(id); !inc.SnoozedUntil.IsZero() {
		t.Errorf("refused snooze still snoozed until %s", inc.SnoozedUntil)
	}

	res, b := pdCall(t, f, "POST", "/incidents/"+id+"/snooze", "ada@example.com", `{"duration":3600}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("snooze with From: %d %s", res.StatusCode, b)
	}
	chk.AssertClean(t)
	if reqs := f.pd.Requests(); reqs[len(reqs)-1].From != "ada@example.com" {
		t.Errorf("request log From %q", reqs[len(reqs)-1].From)
	}
}

func TestPagerDutyWriteFromRefusals(t *testing.T) {
	f, chk := contractFixture(t)
	id := f.add(t, PDIncident{Title: "disk full", ServiceID: "PSVC001"})
	for _, tc := range []struct {
		from       string
		code       int
		violation  string // "" when the request is as documented
		wantDetail string
	}{
		{from: "", code: pdCodeNoFrom, violation: "From"},
		{from: "not an address", code: pdCodeBadFrom, violation: "From"},
		{from: "nobody@example.com", code: pdCodeInvalidInput, wantDetail: "Requester User Not Found"},
	} {
		body := `{"incidents":[{"id":"` + id + `","type":"incident_reference","status":"acknowledged"}]}`
		res, b := pdCall(t, f, "PUT", "/incidents", tc.from, body)
		code, _, detail := pdErrorBody(t, b)
		if res.StatusCode != http.StatusBadRequest || code != tc.code || (tc.wantDetail != "" && !strings.Contains(strings.Join(detail, " "), tc.wantDetail)) {
			t.Errorf("From %q: %d code %d %v; want 400 code %d", tc.from, res.StatusCode, code, detail, tc.code)
		}
		if tc.violation != "" {
			wantOnlyRequestViolation(t, chk, tc.violation)
		} else {
			chk.AssertClean(t)
			chk.Reset()
		}
	}
	if inc, _ := f.pd.Incident(id); inc.Status != "triggered" {
		t.Errorf("a refused write changed the status to %s", inc.Status)
	}
}

func TestPagerDutyNoTokenIs401(t *testing.T) {
	f, chk := contractFixture(t)
	for _, auth := range []string{"", "Token token=wrong", "Basic Zm9vOmJhcg=="} {
		req, _ := http.NewRequest("GET", f.url+"/incidents", nil)
		req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		mustPD(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if code, _, _ := pdErrorBody(t, b); res.StatusCode != http.StatusUnauthorized || code != pdCodeUnauthorized {
			t.Errorf("Authorization %q: %d %s", auth, res.StatusCode, b)
		}
		if strings.Contains(string(b), "wrong") {
			t.Errorf("the 401 repeats the token: %s", b)
		}
		if auth == "Token token=wrong" {
			chk.AssertClean(t) // well-formed, just not a valid key
			chk.Reset()
		} else {
			wantOnlyRequestViolation(t, chk, "security requirement")
		}
	}
}

func TestPagerDutyRateLimit(t *testing.T) {
	f, chk := contractFixture(t)
	f.pd.InjectRateLimit(30 * time.Second)
	res, b := pdCall(t, f, "GET", "/incidents", "", "")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", res.StatusCode)
	}
	pdErrorBody(t, b)
	for h, want := range map[string]string{"ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": "30", "Retry-After": "30"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	f.clock.Advance(20 * time.Second)
	res, _ = pdCall(t, f, "GET", "/incidents", "", "")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("ratelimit-reset") != "10" {
		t.Errorf("after 20 s: %d, reset %q; want 429, 10", res.StatusCode, res.Header.Get("ratelimit-reset"))
	}
	f.clock.Advance(10 * time.Second)
	res, _ = pdCall(t, f, "GET", "/incidents", "", "")
	if res.StatusCode != http.StatusOK || res.Header.Get("ratelimit-remaining") == "0" {
		t.Errorf("after the window: %d, remaining %q", res.StatusCode, res.Header.Get("ratelimit-remaining"))
	}
	chk.AssertClean(t)
}

func TestPagerDutyUnknownIncidentAndInvalidTransitions(t *testing.T) {
	f, chk := contractFixture(t)
	c := f.client()
	ctx := context.Background()
	_, err := c.GetIncidentWithContext(ctx, "PNOSUCH")
	var apiErr pagerduty.APIError
	if !errors.As(err, &apiErr) || !apiErr.NotFound() || apiErr.APIError.ErrorObject.Code != pdCodeNotFound {
		t.Errorf("unknown incident: %v", err)
	}
	id := f.add(t, PDIncident{Title: "disk full", ServiceID: "PSVC001", Status: "resolved"})
	_, err = c.ManageIncidentsWithContext(ctx, "ada@example.com", []pagerduty.ManageIncidentsOptions{{ID: id, Status: "resolved"}})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !strings.Contains(strings.Join(apiErr.APIError.ErrorObject.Errors, " "), "Already Resolved") {
		t.Errorf("resolve a resolved incident: %v", err)
	}
	open := f.add(t, PDIncident{Title: "queue backlog", ServiceID: "PSVC001"})
	res, b := pdCall(t, f, "POST", "/incidents/"+open+"/snooze", "ada@example.com", `{"duration":600}`)
	if _, msg, detail := pdErrorBody(t, b); res.StatusCode != http.StatusBadRequest || !strings.Contains(strings.Join(detail, " "), "acknowledged") {
		t.Errorf("snooze a triggered incident: %d %s %v", res.StatusCode, msg, detail)
	}
	_, err = c.ManageIncidentsWithContext(ctx, "ada@example.com", []pagerduty.ManageIncidentsOptions{{ID: open, EscalationLevel: 3}})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("escalate past the last level: %v", err)
	}
	chk.AssertClean(t)

	// PUT /incidents/{id} documents no 400, though PagerDuty answers one to a refused
	// transition: the checker says so, and nothing else.
	res, b = pdCall(t, f, "PUT", "/incidents/"+id, "ada@example.com", `{"incident":{"type":"incident_reference","status":"resolved"}}`)
	if code, _, _ := pdErrorBody(t, b); res.StatusCode != http.StatusBadRequest || code != pdCodeInvalidInput {
		t.Errorf("PUT /incidents/{id} resolve a resolved one: %d %s", res.StatusCode, b)
	}
	if vs := chk.Violations(); len(vs) != 1 || vs[0].Side != "response" || !strings.Contains(vs[0].Err, "status is not supported") {
		t.Errorf("want the undocumented 400 reported, got %v", vs)
	}
}

// TestPagerDutyServerErrorAndStart runs a started simulator through an injected outage.
func TestPagerDutyServerErrorAndStart(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	pd := NewPagerDuty(clock.Now)
	mustPD(t, pdSeed(pd))
	mustPD(t, pd.Start())
	defer pd.Close()
	if !strings.HasPrefix(pd.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", pd.URL())
	}
	f := &pdFixture{pd: pd, clock: clock, url: pd.URL()}
	pd.InjectServerError(time.Minute)
	res, b := pdCall(t, f, "GET", "/oncalls", "", "")
	if code, _, _ := pdErrorBody(t, b); res.StatusCode != http.StatusInternalServerError || code != pdCodeInternal {
		t.Errorf("during the outage: %d %s", res.StatusCode, b)
	}
	clock.Advance(time.Minute)
	if res, b := pdCall(t, f, "GET", "/oncalls", "", ""); res.StatusCode != http.StatusOK {
		t.Errorf("after the outage: %d %s", res.StatusCode, b)
	}
	mustPD(t, pd.Close())
	if pd.URL() != "" {
		t.Errorf("URL after Close: %q", pd.URL())
	}
}
