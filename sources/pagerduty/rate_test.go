package pagerduty

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// maxPerMinute is the most requests the simulator saw within any minute.
func (h *harness) maxPerMinute() int {
	reqs := h.sim.Requests()
	most := 0
	for i := range reqs {
		n := 0
		for j := i; j < len(reqs) && reqs[j].At.Before(reqs[i].At.Add(time.Minute)); j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

func TestPollSkippedWhenTheBudgetIsSpent(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.RequestsPerMinute = 10 }) // polls may use 9
	h.addIncidents(t, 250, "PCHK", "PADA")
	if p := h.poll(t); p.Requests != 4 || len(p.Incidents) != 250 { // 3 pages and on-call
		t.Fatalf("first poll: %d requests, %d incidents", p.Requests, len(p.Incidents))
	}
	h.clock.Advance(time.Second)
	if p := h.poll(t); p.Requests != 3 || p.Skipped != "" {
		t.Fatalf("second poll: %d requests, skipped %q", p.Requests, p.Skipped)
	}
	h.clock.Advance(time.Second)
	before := len(h.sim.Requests())
	p := h.poll(t)
	want := "request budget of 10 a minute spent; showing the poll of 03:00:01 UTC"
	if p.Skipped != want || p.Requests != 0 || len(p.Incidents) != 250 || len(p.OnCall) != 1 {
		t.Errorf("third poll: skipped %q, %d requests, %d incidents, %d on call", p.Skipped, p.Requests, len(p.Incidents), len(p.OnCall))
	}
	if n := len(h.sim.Requests()) - before; n != 0 {
		t.Errorf("a skipped poll made %d requests", n)
	}
	// A write is not refused by the budget: polls left it a reserve.
	ids := h.sim.Incidents()
	must(t, h.src.Acknowledge(context.Background(), ids[0].ID))
	// A minute after the first poll the budget has room again.
	h.clock.Advance(time.Minute)
	if p := h.poll(t); p.Skipped != "" || p.Requests != 3 || p.Incidents[0].Status != "acknowledged" {
		t.Errorf("after a minute: skipped %q, %d requests", p.Skipped, p.Requests)
	}
	if n := h.maxPerMinute(); n > 10 {
		t.Errorf("%d requests within a minute, budget 10", n)
	}
}

// Writes wait for the budget; none is dropped, and the budget holds.
func TestWritesWaitForTheBudget(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.RequestsPerMinute = 5 })
	ids := h.addIncidents(t, 8, "PCHK", "PADA")
	err := h.run(t, 3*time.Minute, func() error {
		for _, id := range ids {
			if err := h.src.Note(context.Background(), id, "looking"); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err)
	for _, id := range ids {
		if inc, _ := h.sim.Incident(id); len(inc.Notes) != 1 {
			t.Errorf("%s has %d notes, want 1", id, len(inc.Notes))
		}
	}
	if n := h.maxPerMinute(); n > 5 {
		t.Errorf("%d requests within a minute, budget 5", n)
	}
	if last := h.sim.Requests()[7].At; last.Before(t0.Add(time.Minute)) {
		t.Errorf("the 8th write went at %v, before the budget allowed", last)
	}
}

// A 429 storm: PagerDuty refuses everything for 30 s while the dashboard polls every
// few seconds and the operator acknowledges and notes. No write is lost, the budget
// holds, polls say rate-limited with PagerDuty's wait and make no request while
// waiting, and polling recovers after the storm.
func TestRateLimitStorm(t *testing.T) {
	const budget = 20
	h := newHarness(t, func(o *Options) { o.RequestsPerMinute = budget })
	ids := h.addIncidents(t, 5, "PCHK", "PADA")
	h.poll(t)
	h.sim.InjectRateLimit(30 * time.Second)

	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = h.src.Acknowledge(context.Background(), ids[0], ids[1]) })
	wg.Go(func() { errs[1] = h.src.Note(context.Background(), ids[2], "on it") })
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var rateLimited, skipped, ok int
	var firstErr string
	finished := false
	for second := 0; second < 180 && !(finished && second > 60); second++ {
		select {
		case <-done:
			finished = true
		case <-time.After(2 * time.Millisecond):
		}
		if second%3 == 0 {
			before := len(h.sim.Requests())
			d, err := h.src.Poll(context.Background(), h.clock.Now())
			var ra sources.RetryAfter
			switch {
			case errors.As(err, &ra):
				rateLimited++
				if firstErr == "" {
					firstErr = err.Error()
				}
				if n := len(h.sim.Requests()) - before; n > 1 {
					t.Errorf("a rate-limited poll made %d requests", n)
				}
			case err != nil:
				t.Errorf("poll at %v: %v", h.clock.Now(), err)
			case d.Pages.Skipped != "":
				skipped++
			default:
				ok++
			}
		}
		h.clock.Advance(time.Second)
	}
	if !finished {
		t.Fatal("the writes did not finish within 3 minutes of fake time")
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	for _, id := range ids[:2] {
		if inc, _ := h.sim.Incident(id); inc.Status != "acknowledged" {
			t.Errorf("%s is %s, want acknowledged", id, inc.Status)
		}
	}
	if inc, _ := h.sim.Incident(ids[2]); len(inc.Notes) != 1 {
		t.Errorf("the note was lost: %+v", inc.Notes)
	}
	if firstErr != "HTTP 429 rate-limited (retry after 30s)" && firstErr != "HTTP 429 rate-limited (retry after 29s)" {
		t.Errorf("first rate-limited poll said %q", firstErr)
	}
	if rateLimited == 0 || ok == 0 {
		t.Errorf("polls: %d rate-limited, %d skipped, %d ok; want some rate-limited and recovery", rateLimited, skipped, ok)
	}
	refused := 0
	for _, r := range h.sim.Requests() {
		if r.Status == 429 {
			refused++
		}
	}
	// The first answer holds every request back until the storm ends: at most the
	// requests already on their way when it came are refused.
	if refused > 3 {
		t.Errorf("%d requests refused with 429, want at most 3", refused)
	}
	if n := h.maxPerMinute(); n > budget {
		t.Errorf("%d requests within a minute, budget %d", n, budget)
	}
	p := h.poll(t)
	if p.Incidents[0].Status != "acknowledged" {
		t.Errorf("after the storm the poll shows %s", p.Incidents[0].Status)
	}
}

func TestRetryAfterHeaders(t *testing.T) {
	now := t0
	for _, tt := range []struct {
		name    string
		status  int
		headers map[string]string
		want    string // "" for none
	}{
		{"retry-after seconds", 429, map[string]string{"Retry-After": "30"}, "HTTP 429 rate-limited (retry after 30s)"},
		{"ratelimit-reset", 429, map[string]string{"Ratelimit-Reset": "12"}, "HTTP 429 rate-limited (retry after 12s)"},
		{"the longer of both", 429, map[string]string{"Retry-After": "5", "Ratelimit-Reset": "40"}, "HTTP 429 rate-limited (retry after 40s)"},
		{"an HTTP date", 429, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(httpTime)}, "HTTP 429 rate-limited (retry after 1m30s)"},
		{"no header", 429, nil, "HTTP 429 rate-limited (retry after 1m0s)"},
		{"a year", 429, map[string]string{"Retry-After": "31536000"}, "HTTP 429 rate-limited (retry after 1h0m0s)"},
		{"503 with retry-after", 503, map[string]string{"Retry-After": "20"}, "HTTP 503 unavailable (retry after 20s)"},
		{"503 without", 503, nil, ""},
		{"200", 200, map[string]string{"Retry-After": "20"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := &httpResponse{status: tt.status, headers: tt.headers}
			got := ""
			if e := retryAfter(resp.build(), now); e != nil {
				got = e.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
