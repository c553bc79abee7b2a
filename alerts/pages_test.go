package alerts

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

func TestPagesOrderAndRank(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(-m) * time.Minute) }
	pd := &sources.PagesData{
		Incidents: []sources.Incident{
			{ID: "PACK", Number: 1, Title: "acked, high", Status: "acknowledged", Urgency: "high", CreatedAt: at(90)},
			{ID: "PLOW", Number: 2, Title: "triggered, low", Status: "triggered", Urgency: "low", CreatedAt: at(80)},
			{ID: "PNEW", Number: 3, Title: "triggered, high, new", Status: "triggered", Urgency: "high", CreatedAt: at(5),
				ServiceName: "Checkout (prod)", Service: "checkout", Assignees: []sources.Person{{ID: "U1", Name: "Ada"}}},
			{ID: "POLD", Number: 4, Title: "triggered, high, old", Status: "triggered", Urgency: "high", CreatedAt: at(50), ServiceName: "Search"},
		},
		OnCall: []sources.OnCall{
			{PolicyName: "Checkout", Level: 2, User: sources.Person{Name: "Lin"}},
			{PolicyName: "Checkout", Level: 1, User: sources.Person{Name: "Ada"}},
		},
	}
	const month = 30 * 24 * time.Hour
	def := slo.Definition{Name: "checkout-availability", Service: "checkout", Objective: 0.999, Window: month}
	snap := sources.Snapshot{Sources: []sources.SourceState{
		{Health: sources.Health{Name: "pd", OK: true, Polled: true, LastSuccess: t0},
			Last: &sources.Update{Eval: t0, Data: sources.Data{Pages: pd}}},
		{Health: sources.Health{Name: "prod", OK: true, Polled: true, LastSuccess: t0},
			Last: &sources.Update{Eval: t0, Data: sources.Data{SLOs: &sources.SLOData{
				Counts: map[string]map[time.Duration]slo.Counts{def.Name: sloCounts(0.02, 0.0004, month)}}}}},
	}}
	b := Build(snap, Rules{SLOs: []SLORule{{Def: def, Source: "prod"}}}, t0)

	var pages []string
	for _, p := range b.Pages {
		pages = append(pages, p.ID)
	}
	if want := []string{"POLD", "PNEW", "PLOW", "PACK"}; !slices.Equal(pages, want) {
		t.Errorf("pages %v, want %v (triggered, high urgency, oldest first)", pages, want)
	}
	if p := b.Pages[1]; p.Service != "checkout" || p.Assignees[0] != "Ada" || p.Source != "pd" {
		t.Errorf("page = %+v", p)
	}
	if p := b.Pages[0]; p.Service != "Search" {
		t.Errorf("an unmapped page keeps PagerDuty's service name: %+v", p)
	}
	var items []string
	for _, it := range b.Actionable {
		items = append(items, it.Kind+":"+it.ID)
	}
	want := []string{"page:POLD", "page:PNEW", "slo:slo:checkout-availability", "page:PLOW", "page:PACK"}
	if !slices.Equal(items, want) {
		t.Errorf("actionable %v\nwant       %v", items, want)
	}
	if b.OnCall[0].Person != "Ada" || b.OnCall[1].Level != 2 {
		t.Errorf("on call %+v, want by policy and level", b.OnCall)
	}
}

func TestSkippedPagerDutyPollIsStale(t *testing.T) {
	snap := sources.Snapshot{Sources: []sources.SourceState{{
		Health: sources.Health{Name: "pd", OK: true, Polled: true, LastSuccess: t0},
		Last: &sources.Update{Eval: t0, Data: sources.Data{Pages: &sources.PagesData{
			Skipped: "request budget of 60 a minute spent; showing the poll of 03:00:01 UTC"}}},
	}}}
	s := Build(snap, Rules{}, t0).Sources[0]
	if s.State != SourceStale || !s.Stale || !strings.Contains(s.Error, "request budget") {
		t.Errorf("source = %+v, want stale with the budget's reason", s)
	}
}
