package pagerduty

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/pdcontract"
	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// canary is the token of every test: no error, warning or Skipped text may show it.
const canary = "Canary-PD-Token-u+y7Qz"

var (
	t0       = time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	shiftEnd = t0.Add(12 * time.Hour)
)

// harness is the real go-pagerduty client against the PagerDuty simulator on a
// loopback port, with every request and response checked against PagerDuty's OpenAPI
// document when it is available.
type harness struct {
	clock   *sources.FakeClock
	sim     *sim.PagerDuty
	srv     *httptest.Server
	checker *pdcontract.Checker // nil when the document is not available
	src     *Source
}

func newHarness(t *testing.T, configure func(*Options)) *harness {
	t.Helper()
	return newHarnessWrapped(t, configure, nil)
}

// newHarnessWrapped puts wrap between the contract checker and the simulator, for
// faults the simulator does not make.
func newHarnessWrapped(t *testing.T, configure func(*Options), wrap func(http.Handler) http.Handler) *harness {
	t.Helper()
	h := &harness{clock: sources.NewFakeClock(t0)}
	h.sim = sim.NewPagerDuty(h.clock.Now)
	h.sim.RequireToken(canary)
	h.sim.AddUser(sim.PDUser{ID: "PADA", Name: "Ada Lovelace", Email: "ada@example.com"})
	h.sim.AddUser(sim.PDUser{ID: "PLIN", Name: "Lin Chen", Email: "lin@example.com"})
	h.sim.AddEscalationPolicy(sim.PDEscalationPolicy{ID: "PEP1", Name: "Checkout", Levels: 2})
	// A shift with an end: PagerDuty's document does not allow the null end of an
	// always-on-call rule, though PagerDuty sends it.
	must(t, h.sim.SetOnCall("PEP1", 1, sim.PDOnCall{UserID: "PADA", Start: t0.Add(-time.Hour), End: shiftEnd}))
	must(t, h.sim.SetOnCall("PEP1", 2, sim.PDOnCall{UserID: "PLIN", Start: t0.Add(-time.Hour), End: shiftEnd}))
	h.sim.AddService(sim.PDService{ID: "PCHK", Name: "checkout", EscalationPolicyID: "PEP1", TeamIDs: []string{"PTEAM1"}})
	h.sim.AddService(sim.PDService{ID: "PPAY", Name: "Payments API", EscalationPolicyID: "PEP1", TeamIDs: []string{"PTEAM2"}})

	var handler http.Handler = h.sim.Handler()
	if wrap != nil {
		handler = wrap(handler)
	}
	if os.Getenv(pdcontract.EnvSpec) != "" || testservers.RequireServers() {
		h.checker = pdcontract.Load(t).NewChecker()
		handler = h.checker.Handler(handler)
	} else {
		t.Logf("PagerDuty's OpenAPI document not checked: %s is not set", pdcontract.EnvSpec)
	}
	h.srv = httptest.NewServer(handler) // listens on 127.0.0.1
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() {
		if h.checker != nil && !t.Failed() {
			h.checker.AssertClean(t)
		}
	})

	opts := Options{
		Token:         canary,
		URL:           h.srv.URL,
		From:          "ada@example.com",
		Services:      []string{"PCHK", "PPAY"},
		UserID:        "PADA",
		VigilServices: []string{"checkout", "payments"},
		ServiceMap:    map[string]string{"Payments API": "payments"},
		Clock:         h.clock,
	}
	if configure != nil {
		configure(&opts)
	}
	src, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.src = src
	return h
}

// addIncidents opens n incidents on service, a second apart, assigned to assignee.
func (h *harness) addIncidents(t *testing.T, n int, service, assignee string) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		id, err := h.sim.AddIncident(sim.PDIncident{
			Title:     fmt.Sprintf("%s incident %d", service, i),
			ServiceID: service,
			Assignees: []string{assignee},
			CreatedAt: t0.Add(-time.Hour + time.Duration(i)*time.Second),
		})
		must(t, err)
		ids[i] = id
	}
	return ids
}

func (h *harness) poll(t *testing.T) *sources.PagesData {
	t.Helper()
	d, err := h.src.Poll(context.Background(), h.clock.Now())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if d.Pages == nil {
		t.Fatal("Poll returned no Pages")
	}
	return d.Pages
}

// requests lists the simulator's requests from index from on, as "METHOD path".
func (h *harness) requests(from int) []string {
	var out []string
	for _, r := range h.sim.Requests()[from:] {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// run runs f in a goroutine, advancing the fake clock a second at a time whenever
// something waits on it (so that no request is in flight while time moves), until f
// returns or limit of fake time has passed; it returns f's error.
func (h *harness) run(t *testing.T, limit time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	var advanced time.Duration
	for range 20000 { // at most about 20 s of real time
		select {
		case err := <-done:
			return err
		case <-time.After(time.Millisecond):
		}
		if h.clock.Pending() > 0 && advanced < limit {
			h.clock.Advance(time.Second)
			advanced += time.Second
		}
	}
	t.Fatalf("still running after %s of fake time", advanced)
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

type httpResponse struct {
	status  int
	headers map[string]string
}

func (r httpResponse) build() *http.Response {
	h := http.Header{}
	for k, v := range r.headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: r.status, Header: h}
}
