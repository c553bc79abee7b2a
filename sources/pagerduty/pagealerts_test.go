package pagerduty

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/sources/sim"
)

// latency is Alertmanager's PagerDuty alert for a group of two firing alerts.
func latency(pods ...string) sim.PDAlert {
	var firing []sim.FiringAlert
	for _, p := range pods {
		firing = append(firing, sim.FiringAlert{
			Labels:      map[string]string{"alertname": "HighLatency", "service": "checkout", "pod": p},
			Annotations: map[string]string{"summary": "p99 over 300ms"}, GeneratorURL: "http://prometheus:9090/graph",
		})
	}
	return sim.AlertmanagerAlert(fmt.Sprintf("[FIRING:%d] HighLatency checkout", len(pods)), "critical", firing...)
}

func labelsOf(in sources.Incident) []string {
	var out []string
	for _, ls := range in.AlertLabels {
		out = append(out, ls["alertname"]+"/"+ls["pod"])
	}
	return out
}

// TestPollReadsIncidentAlerts: a new incident's alerts are read once, in the poll that
// first sees it, and their firing label sets published on it; the next polls ask only
// the list; a new alert in the incident (its alert_counts change) reads them again; a
// resolved incident is forgotten.
func TestPollReadsIncidentAlerts(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.UserID, o.EscalationPolicies = "", nil }) // no on-call to ask
	id, err := h.sim.AddIncident(sim.PDIncident{Title: "[FIRING:2] HighLatency checkout", ServiceID: "PCHK",
		Alerts: []sim.PDAlert{latency("a", "b")}})
	must(t, err)
	plain, err := h.sim.AddIncident(sim.PDIncident{Title: "made by hand", ServiceID: "PPAY"}) // no alerts at all
	must(t, err)

	p := h.poll(t)
	if got := h.requests(0); !slices.Equal(got, []string{"GET /incidents", "GET /incidents/" + id + "/alerts"}) || p.Requests != 2 {
		t.Errorf("first poll asked %q (%d counted), want the list and the one incident's alerts", got, p.Requests)
	}
	if q := h.sim.Requests()[1].Query; q.Get("limit") != "100" || !slices.Equal(q["statuses[]"], []string{"triggered"}) {
		t.Errorf("alerts query %v: want limit 100, triggered only", q)
	}
	byID := func(p *sources.PagesData) map[string]sources.Incident {
		m := map[string]sources.Incident{}
		for _, in := range p.Incidents {
			m[in.ID] = in
		}
		return m
	}
	in := byID(p)
	if got := labelsOf(in[id]); !in[id].AlertsKnown || !slices.Equal(got, []string{"HighLatency/a", "HighLatency/b"}) {
		t.Errorf("label sets %q (known %v)", got, in[id].AlertsKnown)
	}
	if want := map[string]string{"alertname": "HighLatency", "service": "checkout", "pod": "a"}; !maps.Equal(in[id].AlertLabels[0], want) {
		t.Errorf("first label set %v, want %v", in[id].AlertLabels[0], want)
	}
	if !in[plain].AlertsKnown || len(in[plain].AlertLabels) != 0 {
		t.Errorf("an incident with no triggered alert is known to carry none, without a request: %+v", in[plain])
	}

	h.clock.Advance(15 * time.Second)
	n := len(h.sim.Requests())
	p = h.poll(t)
	if got := h.requests(n); !slices.Equal(got, []string{"GET /incidents"}) {
		t.Errorf("steady poll asked %q, want the list only", got)
	}
	if got := labelsOf(byID(p)[id]); len(got) != 2 {
		t.Errorf("the cached label sets are published on every poll: %q", got)
	}

	_, err = h.sim.AddAlert(id, latency("c"))
	must(t, err)
	h.clock.Advance(15 * time.Second)
	n = len(h.sim.Requests())
	p = h.poll(t)
	if got := h.requests(n); !slices.Equal(got, []string{"GET /incidents", "GET /incidents/" + id + "/alerts"}) {
		t.Errorf("after a new alert the poll asked %q, want the list and the alerts again", got)
	}
	if got := labelsOf(byID(p)[id]); !slices.Equal(got, []string{"HighLatency/a", "HighLatency/b", "HighLatency/c"}) {
		t.Errorf("label sets after the new alert: %q", got)
	}

	must(t, h.sim.Resolve(id))
	h.clock.Advance(15 * time.Second)
	h.poll(t)
	h.src.pollMu.Lock()
	_, kept := h.src.alerts[id]
	h.src.pollMu.Unlock()
	if kept {
		t.Error("a resolved incident's alerts are still cached")
	}
}

// TestAlertReadsSpreadByTheBudget: forty new incidents at once are read over several
// polls, each taking at most half of what the budget has left, so no poll is skipped
// and an acknowledge still goes at once; every incident is known in the end.
func TestAlertReadsSpreadByTheBudget(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.UserID, o.EscalationPolicies, o.RequestsPerMinute = "", nil, 60 // 54 for polls, 6 kept for writes
	})
	var ids []string
	for i := range 40 {
		id, err := h.sim.AddIncident(sim.PDIncident{Title: fmt.Sprint("HighLatency ", i), ServiceID: "PCHK",
			CreatedAt: t0.Add(time.Duration(i) * time.Second), Alerts: []sim.PDAlert{latency(fmt.Sprint("pod-", i))}})
		must(t, err)
		ids = append(ids, id)
	}
	var perPoll []int
	for poll := range 12 { // three minutes
		p := h.poll(t)
		if p.Skipped != "" {
			t.Fatalf("poll %d skipped: %s", poll, p.Skipped)
		}
		perPoll = append(perPoll, p.Requests)
		known := 0
		for _, in := range p.Incidents {
			if in.AlertsKnown {
				known++
			}
		}
		if known == len(ids) {
			break
		}
		h.clock.Advance(15 * time.Second)
	}
	if len(perPoll) < 2 || perPoll[0] != 1+26 || slices.Max(perPoll[1:]) >= perPoll[0] {
		t.Errorf("requests per poll %v: want the list and 26 reads (half of 53) first, fewer after", perPoll)
	}
	if total := 0; true {
		for _, n := range perPoll {
			total += n
		}
		if total != len(perPoll)+len(ids) {
			t.Errorf("requests %v: want one list per poll and one read per incident, %d in all", perPoll, len(perPoll)+len(ids))
		}
	}
	p := h.poll(t)
	for _, in := range p.Incidents {
		if !in.AlertsKnown || len(in.AlertLabels) != 1 {
			t.Errorf("%s: known %v, %d label sets", in.ID, in.AlertsKnown, len(in.AlertLabels))
		}
	}

	// A burst spends the poll budget, never the writes' reserve.
	for i := range 40 {
		_, err := h.sim.AddIncident(sim.PDIncident{Title: fmt.Sprint("burst ", i), ServiceID: "PPAY",
			Alerts: []sim.PDAlert{latency(fmt.Sprint("b-", i))}})
		must(t, err)
	}
	h.poll(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.src.Acknowledge(ctx, ids[0]); err != nil {
		t.Errorf("acknowledge after a burst of reads: %v", err)
	}
}

// TestAlertReadFailureWaitsForALaterPoll: a failed read is no failed poll — the pages
// show, with the label sets read before and a warning — and a later poll reads it.
func TestAlertReadFailureWaitsForALaterPoll(t *testing.T) {
	var failAlerts atomic.Bool
	h := newHarnessWrapped(t, func(o *Options) { o.UserID, o.EscalationPolicies = "", nil }, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failAlerts.Load() && strings.HasSuffix(r.URL.Path, "/alerts") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":{"message":"Internal Server Error","code":2000}}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	id, err := h.sim.AddIncident(sim.PDIncident{Title: "x", ServiceID: "PCHK", Alerts: []sim.PDAlert{latency("a")}})
	must(t, err)
	h.poll(t)
	_, err = h.sim.AddAlert(id, latency("b"))
	must(t, err)

	failAlerts.Store(true)
	h.clock.Advance(15 * time.Second)
	data, err := h.src.Poll(context.Background(), h.clock.Now())
	must(t, err)
	if len(data.Warnings) != 1 || !strings.Contains(data.Warnings[0], "alerts of 1 incident not read (asked again next poll): HTTP 500") {
		t.Errorf("warnings %q", data.Warnings)
	}
	if got := labelsOf(data.Pages.Incidents[0]); !slices.Equal(got, []string{"HighLatency/a"}) {
		t.Errorf("meanwhile the label sets read before stand: %q", got)
	}

	failAlerts.Store(false)
	if h.checker != nil {
		h.checker.Reset() // the injected 500 is not the simulator's
	}
	h.clock.Advance(15 * time.Second)
	data, err = h.src.Poll(context.Background(), h.clock.Now())
	must(t, err)
	if got := labelsOf(data.Pages.Incidents[0]); len(data.Warnings) != 0 || !slices.Equal(got, []string{"HighLatency/a", "HighLatency/b"}) {
		t.Errorf("the next poll reads them: %q, warnings %q", got, data.Warnings)
	}
}

// TestPollReadsWhenTheAckLapses: PagerDuty's pending unacknowledge — a snooze's end,
// or the service's acknowledgement timeout — is when the page comes back.
func TestPollReadsWhenTheAckLapses(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.UserID, o.EscalationPolicies = "", nil })
	h.sim.AddService(sim.PDService{ID: "PCHK", Name: "checkout", EscalationPolicyID: "PEP1", AckTimeout: 30 * time.Minute})
	acked, err := h.sim.AddIncident(sim.PDIncident{Title: "acked", ServiceID: "PCHK", Status: "acknowledged", Assignees: []string{"PADA"}})
	must(t, err)
	snoozed, err := h.sim.AddIncident(sim.PDIncident{Title: "snoozed", ServiceID: "PPAY", Status: "acknowledged", Assignees: []string{"PADA"}})
	must(t, err)
	triggered, err := h.sim.AddIncident(sim.PDIncident{Title: "triggered", ServiceID: "PCHK"})
	must(t, err)
	ctx := context.Background()
	must(t, h.src.Snooze(ctx, snoozed, 4*time.Minute))
	lapses := map[string]time.Time{}
	for _, in := range h.poll(t).Incidents {
		lapses[in.ID] = in.AckLapsesAt
	}
	if !lapses[acked].Equal(t0.Add(30*time.Minute)) || !lapses[snoozed].Equal(t0.Add(4*time.Minute)) || !lapses[triggered].IsZero() {
		t.Errorf("ack lapses at %v", lapses)
	}
	h.clock.Advance(5 * time.Minute)
	for _, in := range h.poll(t).Incidents {
		if in.ID == snoozed && (in.Status != "triggered" || !in.AckLapsesAt.IsZero()) {
			t.Errorf("after the snooze: %+v", in)
		}
	}
}

// TestAlertReadsOnlyPlainIDs: an incident ID that is not PagerDuty's shape is never
// put in a request path; the page is joined by its title instead.
func TestAlertReadsOnlyPlainIDs(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.UserID, o.EscalationPolicies = "", nil })
	_, err := h.sim.AddIncident(sim.PDIncident{ID: "PX..%2Fusers", Title: "odd", ServiceID: "PCHK", Alerts: []sim.PDAlert{latency("a")}})
	must(t, err)
	p := h.poll(t)
	if got := h.requests(0); !slices.Equal(got, []string{"GET /incidents"}) {
		t.Errorf("asked %q, want the list only", got)
	}
	if in := p.Incidents[0]; !in.AlertsKnown || len(in.AlertLabels) != 0 {
		t.Errorf("%+v: known to carry no label set", in)
	}
}
