package pagerduty

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// pollStats is what a run of polls asked.
type pollStats struct {
	first, most int     // requests of the first poll, and of the largest
	mean        float64 // per poll, over the whole run
	steady      float64 // per poll, over the run's second half
	joined      int     // polls until every incident's alerts were read (0: never)
}

// pollRequests polls every 15 s of fake time, polls times, against the simulator
// holding open open incidents, each with one alert from Alertmanager when alerts is
// set (the first poll that sees an incident reads its alerts, as the budget allows),
// with a budget of budget requests a minute.
func pollRequests(tb testing.TB, open, polls int, alerts bool, budget int) pollStats {
	clock := sources.NewFakeClock(t0)
	s := sim.NewPagerDuty(clock.Now)
	s.AddUser(sim.PDUser{ID: "PADA", Name: "Ada", Email: "ada@example.com"})
	s.AddEscalationPolicy(sim.PDEscalationPolicy{ID: "PEP1", Name: "Checkout", Levels: 1})
	if err := s.SetOnCall("PEP1", 1, sim.PDOnCall{UserID: "PADA", Start: t0.Add(-time.Hour), End: shiftEnd}); err != nil {
		tb.Fatal(err)
	}
	s.AddService(sim.PDService{ID: "PCHK", Name: "checkout", EscalationPolicyID: "PEP1"})
	for i := range open {
		in := sim.PDIncident{Title: fmt.Sprint("incident ", i), ServiceID: "PCHK", Assignees: []string{"PADA"}}
		if alerts {
			in.Alerts = []sim.PDAlert{latency(fmt.Sprint("pod-", i))}
		}
		if _, err := s.AddIncident(in); err != nil {
			tb.Fatal(err)
		}
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	src, err := New(Options{
		Token: canary, URL: srv.URL, From: "ada@example.com", Services: []string{"PCHK"},
		EscalationPolicies: []string{"PEP1"}, RequestsPerMinute: budget, Clock: clock,
	})
	if err != nil {
		tb.Fatal(err)
	}
	var st pollStats
	total, late := 0, 0
	for i := range polls {
		d, err := src.Poll(context.Background(), clock.Now())
		if err != nil || d.Pages.Skipped != "" || len(d.Pages.Incidents) != open {
			tb.Fatalf("poll %d: %v, skipped %q, %d incidents", i, err, d.Pages.Skipped, len(d.Pages.Incidents))
		}
		n := d.Pages.Requests
		if i == 0 {
			st.first = n
		}
		st.most = max(st.most, n)
		total += n
		if i >= polls/2 {
			late += n
		}
		if st.joined == 0 && !slices.ContainsFunc(d.Pages.Incidents, func(in sources.Incident) bool { return !in.AlertsKnown }) {
			st.joined = i + 1
		}
		clock.Advance(15 * time.Second)
	}
	st.mean = float64(total) / float64(polls)
	st.steady = float64(late) / float64(polls-polls/2)
	return st
}

// Requests per poll: one incidents page for up to 100 open incidents, plus on-call
// when it is due (every 5 minutes); a page more for every further 100.
func TestRequestsPerPoll(t *testing.T) {
	for _, tt := range []struct{ open, most int }{{0, 2}, {1, 2}, {100, 2}, {101, 3}, {250, 4}} {
		st := pollRequests(t, tt.open, 21, false, 480) // 5 minutes and one poll
		pages := max(1, (tt.open+99)/100)
		if st.first != pages+1 || st.most != tt.most {
			t.Errorf("%d open: first poll %d requests, most %d; want %d and %d", tt.open, st.first, st.most, pages+1, tt.most)
		}
		// On-call is asked at 0 and 5 minutes: twice in 21 polls.
		if want := float64(pages) + 2.0/21; st.mean != want {
			t.Errorf("%d open: %.3f requests per poll, want %.3f", tt.open, st.mean, want)
		}
	}
}

// TestRequestsPerPollWithAlerts: N incidents seen anew cost N alert reads more, once,
// spread over the first polls by the budget (each poll's reads at most half of what
// it has left); after that a poll asks what it asked without them.
func TestRequestsPerPollWithAlerts(t *testing.T) {
	for _, open := range []int{1, 100, 300} {
		with, without := pollRequests(t, open, 40, true, 480), pollRequests(t, open, 40, false, 480)
		pages := max(1, (open+99)/100)
		if extra := (with.mean - without.mean) * 40; extra < float64(open)-0.01 || extra > float64(open)+0.01 {
			t.Errorf("%d open: %.1f requests more in ten minutes, want %d (one read each)", open, extra, open)
		}
		if with.steady != without.steady || with.joined == 0 {
			t.Errorf("%d open: steady %.3f requests per poll (want %.3f as without alerts), joined after %d polls",
				open, with.steady, without.steady, with.joined)
		}
		if spare := 432 - pages - 1; with.first != pages+1+min(open, spare/2) {
			t.Errorf("%d open: first poll %d requests, want %d", open, with.first, pages+1+min(open, spare/2))
		}
	}
}

// BenchmarkPollRequests reports requests per poll over ten minutes of polling every
// 15 s (one op) with open incidents each carrying an Alertmanager alert, at a budget
// of 480 requests a minute and at the default 60: the first
// poll's and the largest poll's count, the mean over the ten minutes (the alert reads
// included), the mean over the last five (the steady state), and how many polls it
// took to read every incident's alerts. Time is not reported: an op is forty polls
// of an in-process simulator, which says nothing of PagerDuty's latency.
func BenchmarkPollRequests(b *testing.B) {
	for _, c := range []struct{ open, budget int }{{10, 480}, {100, 480}, {250, 480}, {1000, 480}, {100, 60}} {
		b.Run(fmt.Sprintf("%d-open-budget-%d", c.open, c.budget), func(b *testing.B) {
			var st pollStats
			for b.Loop() {
				st = pollRequests(b, c.open, 40, true, c.budget) // ten minutes
			}
			b.ReportMetric(float64(st.first), "first-poll-requests")
			b.ReportMetric(float64(st.most), "max-requests/poll")
			b.ReportMetric(st.mean, "requests/poll")
			b.ReportMetric(st.steady, "steady-requests/poll")
			b.ReportMetric(float64(st.joined), "polls-to-join")
			b.ReportMetric(0, "ns/op")
		})
	}
}
