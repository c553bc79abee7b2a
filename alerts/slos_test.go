package alerts

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// sloCounts gives every window the same error ratio, except the SLO window's own.
func sloCounts(short, whole float64, window time.Duration) map[time.Duration]slo.Counts {
	c := map[time.Duration]slo.Counts{window: {Errors: whole * 1e6, Total: 1e6}}
	for _, w := range slo.Windows {
		c[w] = slo.Counts{Errors: short * 1e4, Total: 1e4}
	}
	return c
}

func TestBuildSLOs(t *testing.T) {
	const month = 30 * 24 * time.Hour
	defs := map[string]slo.Definition{}
	counts := map[string]map[time.Duration]slo.Counts{}
	add := func(name string, window time.Duration, c map[time.Duration]slo.Counts) {
		defs[name] = slo.Definition{Name: name, Service: "checkout", Objective: 0.999, Window: window}
		if c != nil {
			counts[name] = c
		}
	}
	add("paging", month, sloCounts(0.02, 0.0004, month))         // burn 20 everywhere: page
	add("ticketing", month, sloCounts(0.004, 0.0004, month))     // burn 4: ticket, not page
	add("healthy-low", month, sloCounts(0.0001, 0.0009, month))  // 10 % budget left
	add("healthy-high", month, sloCounts(0.0001, 0.0001, month)) // 90 % left; beyond-retention has no errors: 100 % left, last
	add("no-traffic", month, map[time.Duration]slo.Counts{month: {}})
	add("beyond-retention", 400*24*time.Hour, sloCounts(0, 0, 400*24*time.Hour))

	var rules Rules
	for _, n := range []string{"healthy-high", "no-traffic", "ticketing", "beyond-retention", "paging", "healthy-low"} {
		rules.SLOs = append(rules.SLOs, SLORule{Def: defs[n], Source: "prod", Queries: map[string]string{"errors 1h": "q"}})
	}
	snap := sources.Snapshot{Sources: []sources.SourceState{{
		Health: sources.Health{Name: "prod", OK: true, Polled: true, LastSuccess: t0},
		Last: &sources.Update{Eval: t0, Data: sources.Data{SLOs: &sources.SLOData{
			Counts: counts, Retention: 90 * 24 * time.Hour}}},
	}}}
	b := Build(snap, rules, t0)

	var order []string
	for _, s := range b.SLOs {
		order = append(order, s.Name+":"+string(s.State))
	}
	want := []string{"paging:page", "ticketing:ticket", "no-traffic:nodata",
		"healthy-low:ok", "healthy-high:ok", "beyond-retention:ok"}
	if !slices.Equal(order, want) {
		t.Fatalf("SLO order = %v\nwant        %v", order, want)
	}
	for _, s := range b.SLOs {
		if s.Queries["errors 1h"] != "q" {
			t.Errorf("%s: queries not passed through: %v", s.Name, s.Queries)
		}
		if got := s.RetentionExceeded; got != (s.Name == "beyond-retention") {
			t.Errorf("%s: retention_exceeded = %v", s.Name, got)
		}
		if s.Name == "no-traffic" && (s.BudgetRemaining != nil || s.ExhaustionSeconds != nil || s.BurnRates["1h"] != nil) {
			t.Errorf("no traffic must be null everywhere: %+v", s)
		}
	}

	// Pages come first on the actionable list, tickets below.
	if len(b.Actionable) != 2 {
		t.Fatalf("actionable = %+v, want the page and the ticket", b.Actionable)
	}
	page, ticket := b.Actionable[0], b.Actionable[1]
	if page.Kind != "slo" || page.ID != "slo:paging" || page.Severity != "page" || !page.Since.Equal(t0) {
		t.Errorf("first item = %+v", page)
	}
	if ticket.ID != "slo:ticketing" || ticket.Severity != "ticket" {
		t.Errorf("second item = %+v", ticket)
	}
	if page.Labels["slo"] != "paging" || page.Labels["service"] != "checkout" {
		t.Errorf("labels = %v", page.Labels)
	}
}

func TestSeverityRankPutsTicketsBelowWarnings(t *testing.T) {
	order := []Severity{SeverityPage, SeverityCritical, SeverityError, SeverityWarning, SeverityTicket, SeverityInfo}
	for i := 1; i < len(order); i++ {
		if order[i-1].Rank() > order[i].Rank() {
			t.Errorf("%s ranks below %s", order[i-1], order[i])
		}
	}
}
