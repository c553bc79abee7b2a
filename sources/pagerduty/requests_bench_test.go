package pagerduty

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// pollRequests polls every 15 s of fake time, polls times, against the simulator
// holding open open incidents, and returns the requests of the first poll and the
// most and the mean of every poll.
func pollRequests(tb testing.TB, open, polls int) (first, most int, mean float64) {
	clock := sources.NewFakeClock(t0)
	s := sim.NewPagerDuty(clock.Now)
	s.AddUser(sim.PDUser{ID: "PADA", Name: "Ada", Email: "ada@example.com"})
	s.AddEscalationPolicy(sim.PDEscalationPolicy{ID: "PEP1", Name: "Checkout", Levels: 1})
	if err := s.SetOnCall("PEP1", 1, sim.PDOnCall{UserID: "PADA", Start: t0.Add(-time.Hour), End: shiftEnd}); err != nil {
		tb.Fatal(err)
	}
	s.AddService(sim.PDService{ID: "PCHK", Name: "checkout", EscalationPolicyID: "PEP1"})
	for i := range open {
		if _, err := s.AddIncident(sim.PDIncident{Title: fmt.Sprint("incident ", i), ServiceID: "PCHK", Assignees: []string{"PADA"}}); err != nil {
			tb.Fatal(err)
		}
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	src, err := New(Options{
		Token: canary, URL: srv.URL, From: "ada@example.com", Services: []string{"PCHK"},
		EscalationPolicies: []string{"PEP1"}, RequestsPerMinute: 480, Clock: clock,
	})
	if err != nil {
		tb.Fatal(err)
	}
	total := 0
	for i := range polls {
		d, err := src.Poll(context.Background(), clock.Now())
		if err != nil || d.Pages.Skipped != "" || len(d.Pages.Incidents) != open {
			tb.Fatalf("poll %d: %v, skipped %q, %d incidents", i, err, d.Pages.Skipped, len(d.Pages.Incidents))
		}
		if i == 0 {
			first = d.Pages.Requests
		}
		most = max(most, d.Pages.Requests)
		total += d.Pages.Requests
		clock.Advance(15 * time.Second)
	}
	return first, most, float64(total) / float64(polls)
}

// Requests per poll: one incidents page for up to 100 open incidents, plus on-call
// when it is due (every 5 minutes); a page more for every further 100.
func TestRequestsPerPoll(t *testing.T) {
	for _, tt := range []struct{ open, most int }{{0, 2}, {1, 2}, {100, 2}, {101, 3}, {250, 4}} {
		first, most, mean := pollRequests(t, tt.open, 21) // 5 minutes and one poll
		pages := max(1, (tt.open+99)/100)
		if first != pages+1 || most != tt.most {
			t.Errorf("%d open: first poll %d requests, most %d; want %d and %d", tt.open, first, most, pages+1, tt.most)
		}
		// On-call is asked at 0 and 5 minutes: twice in 21 polls.
		if want := float64(pages) + 2.0/21; mean != want {
			t.Errorf("%d open: %.3f requests per poll, want %.3f", tt.open, mean, want)
		}
	}
}

// BenchmarkPollRequests reports requests per poll over ten minutes of polling every
// 15 s (one op), and the first poll's and the largest poll's count. Time is not
// reported: an op is forty polls of an in-process simulator, which says nothing of
// PagerDuty's latency.
func BenchmarkPollRequests(b *testing.B) {
	for _, open := range []int{10, 100, 250, 1000} {
		b.Run(fmt.Sprint(open, "-open"), func(b *testing.B) {
			var first, most int
			var mean float64
			for b.Loop() {
				first, most, mean = pollRequests(b, open, 40) // ten minutes
			}
			b.ReportMetric(float64(first), "first-poll-requests")
			b.ReportMetric(float64(most), "max-requests/poll")
			b.ReportMetric(mean, "requests/poll")
			b.ReportMetric(0, "ns/op")
		})
	}
}
