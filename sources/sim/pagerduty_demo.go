package sim

import (
	"fmt"
	"time"
)

// The demo's PagerDuty account, for the demo's configuration: the From address its
// writes send, the user "mine" means, and the services' and policy's IDs.
const (
	DemoPagerDutyFrom     = "ada@example.com"
	DemoPagerDutyUserID   = "PADALUV"
	DemoPagerDutyPolicyID = "PPRODEP"
)

// DemoPagerDutyServices maps each demo service's name to its PagerDuty service ID
// (service_map, or `services:` in the config). The names are the Prometheus jobs'.
var DemoPagerDutyServices = map[string]string{
	"api": "PAPI001", "checkout": "PCHK001", "payments": "PPAY001",
	"search": "PSRC001", "auth": "PAUTH01", "frontend": "PFRT001",
}

// The SLO page the demo's checkout incidents follow: checkout-availability (99.9 %),
// paging while both its 1h and 5m burn rates exceed 14.4 (slo's first condition).
const (
	demoObjective = 0.999
	demoPageBurn  = 14.4
	demoShortWin  = 5 * time.Minute
)

// DemoPagerDuty is the PagerDuty account of `vigil demo` over sc, on clock:
//
//   - one escalation policy of two levels: Ada Lovelace on call at level 1 through the
//     "Primary rotation" schedule (this week's shift), Lin Chen always at level 2;
//   - each demo service on that policy;
//   - in every incident cycle, a high-urgency incident on checkout that triggers when
//     checkout's availability burn starts paging and resolves, as Alertmanager's
//     resolved notification would resolve it, when the burn stops paging after the
//     recovery (see DemoPageWindow). Its one alert carries Alertmanager's details: the
//     firing alert's labels and annotations as text;
//   - two low-urgency incidents that stay open: search (triggered) and frontend
//     (acknowledged by Lin, and snoozed until 25 minutes after Start, when it
//     triggers again).
//
// Incidents appear and resolve by the clock as requests arrive; writes through the API
// act on them as on any other. Any token is accepted.
func DemoPagerDuty(sc *Scenario, clock func() time.Time) *PagerDuty {
	p := NewPagerDuty(clock)
	p.AddUser(PDUser{ID: DemoPagerDutyUserID, Name: "Ada Lovelace", Email: DemoPagerDutyFrom})
	p.AddUser(PDUser{ID: "PLINCHN", Name: "Lin Chen", Email: "lin@example.com"})
	p.AddEscalationPolicy(PDEscalationPolicy{ID: DemoPagerDutyPolicyID, Name: "Production on-call", Levels: 2, TeamIDs: []string{"PTEAMSR"}})
	for _, name := range sc.Services() {
		p.AddService(PDService{ID: DemoPagerDutyServices[name], Name: name, EscalationPolicyID: DemoPagerDutyPolicyID, TeamIDs: []string{"PTEAMSR"}})
	}
	week := sc.Start.UTC().Truncate(24 * time.Hour)
	p.onCall[onCallKey{DemoPagerDutyPolicyID, 1}] = []PDOnCall{{UserID: DemoPagerDutyUserID, ScheduleID: "PPRIMRY", Start: week, End: week.Add(7 * 24 * time.Hour)}}
	p.onCall[onCallKey{DemoPagerDutyPolicyID, 2}] = []PDOnCall{{UserID: "PLINCHN"}}

	background := []PDIncident{
		{
			Title: "[FIRING:1] SearchIndexLagHigh (search ticket)", ServiceID: DemoPagerDutyServices["search"], Urgency: "low",
			CreatedAt: sc.Start.Add(-42 * time.Minute),
			Alerts: []PDAlert{demoAlert("SearchIndexLagHigh", "search", "ticket", "warning",
				"Search index is 14 minutes behind the catalogue.")},
		},
		{
			Title: "[FIRING:1] FrontendCertificateExpiresSoon (frontend ticket)", ServiceID: DemoPagerDutyServices["frontend"], Urgency: "low",
			Status: "acknowledged", Assignees: []string{"PLINCHN"}, CreatedAt: sc.Start.Add(-3*time.Hour - 10*time.Minute),
			Alerts: []PDAlert{demoAlert("FrontendCertificateExpiresSoon", "frontend", "ticket", "warning",
				"The TLS certificate of shop.example.com expires in 9 days.")},
		},
	}
	for _, in := range background {
		// The demo's own data: it cannot name a missing service or user.
		inc, err := p.addIncident(in)
		if err == nil && in.Status == "acknowledged" {
			// Lin snoozed it for half an hour five minutes ago: the demo opens with an
			// acknowledgement about to lapse.
			_ = inc.snooze(p, sc.Start.Add(-5*time.Minute), "PLINCHN", 30*time.Minute)
		}
	}
	d := &demoPages{sc: sc, next: sc.firstPageCycle()}
	d.from, d.to = sc.DemoPageWindow(0)
	p.script = d.advance
	return p
}

// demoPages opens and resolves checkout's incidents cycle by cycle.
type demoPages struct {
	sc       *Scenario
	next     int            // the first cycle whose incident is not yet open
	open     map[int]string // cycle -> incident ID, until resolved
	from, to time.Time      // cycle 0's page window
}

// advance is called, under the simulator's lock, before every request is answered.
func (d *demoPages) advance(p *PagerDuty, now time.Time) {
	if d.open == nil {
		d.open = map[int]string{}
	}
	for n, id := range d.open {
		_, to := d.window(n)
		if now.Before(to) {
			continue
		}
		if inc := p.incidents[id]; inc != nil && inc.Status != "resolved" {
			inc.resolve(p, to, serviceAgent(inc.ServiceID), "")
		}
		delete(d.open, n)
	}
	// A clock that jumped ahead skips the cycles whose pages ended meanwhile: a page
	// window is shorter than two cycles, so the one before now's cycle may still be open.
	if n := int(now.Sub(d.from)/CycleLength) - 1; n > d.next {
		d.next = n
	}
	for range 4 {
		from, to := d.window(d.next)
		if now.Before(from) {
			return
		}
		n := d.next
		d.next++
		if !now.Before(to) {
			continue // the whole window passed between two requests
		}
		inc, err := p.addIncident(PDIncident{
			Title:     "[FIRING:1] CheckoutHighErrorBudgetBurn (checkout page)",
			ServiceID: DemoPagerDutyServices["checkout"], Urgency: "high", Priority: "P1",
			IncidentKey: fmt.Sprintf("checkout-burn-%d", n), CreatedAt: from,
			Alerts: []PDAlert{demoAlert("CheckoutHighErrorBudgetBurn", "checkout", "page", "critical",
				"checkout-availability is burning its 30d error budget 14.4x too fast (1h and 5m windows).")},
		})
		if err == nil {
			d.open[n] = inc.ID
		}
	}
}

// window is cycle n's page window.
func (d *demoPages) window(n int) (time.Time, time.Time) {
	shift := time.Duration(n) * CycleLength
	return d.from.Add(shift), d.to.Add(shift)
}

// DemoPageWindow is when checkout's availability burn pages in cycle n (n counting
// from FirstCycle, as PhaseWindow's): from the first scrape at which the 5m burn rate
// exceeds 14.4 to the first at which it no longer does. It starts in the errors phase
// and ends after the recovered phase, in the next cycle. The 1h burn exceeds 14.4
// throughout, by the scenario's design (see DemoScenario).
func (sc *Scenario) DemoPageWindow(n int) (from, to time.Time) {
	c := sc.FirstCycle.Add(time.Duration(n) * CycleLength)
	paging := func(t time.Time) bool { return sc.shortBurn(t) > demoPageBurn }
	var start time.Time
	for off := time.Duration(0); off < 2*CycleLength; off += ScrapeInterval {
		t := c.Add(off)
		switch {
		case start.IsZero() && off < CycleLength && !paging(t) && paging(t.Add(ScrapeInterval)):
			start = t.Add(ScrapeInterval)
		case !start.IsZero() && !paging(t):
			return start, t
		}
	}
	return c, c // never pages: an empty window
}

// firstPageCycle is the first cycle whose page window has not ended at Start: the
// incident open when the demo opens, if any.
func (sc *Scenario) firstPageCycle() int {
	for n := -1; n < 1; n++ {
		if _, to := sc.DemoPageWindow(n); to.After(sc.Start) {
			return n
		}
	}
	return 1
}

// shortBurn is checkout's 5m burn rate at t from the phases' nominal figures: the
// window's 5xx share of requests over the objective's budget.
func (sc *Scenario) shortBurn(t time.Time) float64 {
	var reqs, errs float64
	for at := t.Add(-demoShortWin); at.Before(t); at = at.Add(ScrapeInterval) {
		nom, _ := sc.Nominal("checkout", sc.PhaseAt(at))
		reqs += nom.Traffic
		errs += nom.Traffic * nom.ErrorRatio
	}
	if reqs == 0 {
		return 0
	}
	return errs / reqs / (1 - demoObjective)
}

// demoAlert is an alert as Alertmanager's PagerDuty integration sends it for a group
// of one firing alert.
func demoAlert(name, service, severity, pdSeverity, summary string) PDAlert {
	return AlertmanagerAlert(fmt.Sprintf("[FIRING:1] %s (%s %s)", name, service, severity), pdSeverity, FiringAlert{
		Labels:       map[string]string{"alertname": name, "service": service, "severity": severity},
		Annotations:  map[string]string{"summary": summary},
		GeneratorURL: "http://prometheus.demo:9090/graph",
	})
}
