package sim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkPagerDutyListIncidents1000 is one poll of 1,000 open incidents: ten pages
// of 100 with services, assignees and priorities included, served in process.
func BenchmarkPagerDutyListIncidents1000(b *testing.B) {
	clock := &testClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	pd := NewPagerDuty(clock.Now)
	if err := pdSeed(pd); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := pd.AddIncident(PDIncident{Title: fmt.Sprintf("incident %d", i), ServiceID: "PSVC001"}); err != nil {
			b.Fatal(err)
		}
	}
	h := pd.Handler()
	b.ResetTimer()
	for b.Loop() {
		for page := range 10 {
			req := httptest.NewRequest("GET", fmt.Sprintf("/incidents?limit=100&offset=%d&statuses[]=triggered&statuses[]=acknowledged&include[]=services&include[]=assignees&include[]=priorities", 100*page), nil)
			req.Header.Set("Authorization", "Token token=x")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("page %d: %d", page, rec.Code)
			}
		}
	}
}
