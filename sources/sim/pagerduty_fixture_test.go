package sim

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// pdTestToken is the token the fixture's simulator requires.
const pdTestToken = "y_NbAkKc66ryYTWUXYEu"

// testClock is a settable clock for the simulator.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pdFixture is a small account: two services on one two-level policy, three users
// (Ada and Lin on call, Sam not), and whatever incidents a test adds.
type pdFixture struct {
	pd    *PagerDuty
	clock *testClock
	url   string
}

// newPDFixture serves the simulator; wrap, when not nil, goes around its handler (a
// contract checker).
func newPDFixture(t *testing.T, wrap func(http.Handler) http.Handler) *pdFixture {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	pd := NewPagerDuty(clock.Now)
	pd.RequireToken(pdTestToken)
	mustPD(t, pdSeed(pd))
	h := pd.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &pdFixture{pd: pd, clock: clock, url: srv.URL}
}

// pdSeed adds the fixture's services, users, policy and on-calls.
func pdSeed(pd *PagerDuty) error {
	pd.AddUser(PDUser{ID: "PADA001", Name: "Ada Lovelace", Email: "ada@example.com"})
	pd.AddUser(PDUser{ID: "PLIN002", Name: "Lin Chen", Email: "lin@example.com"})
	pd.AddUser(PDUser{ID: "PSAM003", Name: "Sam Okafor", Email: "sam@example.com"})
	pd.AddEscalationPolicy(PDEscalationPolicy{ID: "PEP0001", Name: "Shop on-call", Levels: 2, TeamIDs: []string{"PTEAM01"}})
	pd.AddService(PDService{ID: "PSVC001", Name: "checkout", EscalationPolicyID: "PEP0001", TeamIDs: []string{"PTEAM01"}})
	pd.AddService(PDService{ID: "PSVC002", Name: "search", EscalationPolicyID: "PEP0001", TeamIDs: []string{"PTEAM02"}})
	if err := pd.SetOnCall("PEP0001", 1, PDOnCall{UserID: "PADA001", ScheduleID: "PSCHED1"}); err != nil {
		return err
	}
	return pd.SetOnCall("PEP0001", 2, PDOnCall{UserID: "PLIN002"})
}

func (f *pdFixture) add(t *testing.T, in PDIncident) string {
	t.Helper()
	id, err := f.pd.AddIncident(in)
	mustPD(t, err)
	return id
}

// client is go-pagerduty's own client pointed at the simulator.
func (f *pdFixture) client() *pagerduty.Client {
	return pagerduty.NewClient(pdTestToken, pagerduty.WithAPIEndpoint(f.url))
}

func mustPD(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
