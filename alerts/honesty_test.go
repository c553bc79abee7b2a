package alerts

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// These tests pin what the Board must never do: call a service or a source healthy
// when the evidence does not support it.

func TestFailedQueryMarksOnlyWhatItFeeds(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{
		"api":      {sources.Latency: 0.1, sources.Traffic: 5, sources.Errors: 0},
		"checkout": {sources.Latency: 0.2, sources.Traffic: 9, sources.Errors: 0},
	})
	sig := snap.Sources[0].Last.Data.Signals
	const why = "execution: many-to-many matching not allowed"
	for _, svc := range []string{"api", "checkout"} {
		ss := sig.Services[svc]
		ss.Values[sources.Saturation] = sources.Reading{Err: why}
		sig.Services[svc] = ss
	}
	sig.Failures = []sources.QueryFailure{{What: "saturation query", Query: "max by (job) (x / on() group_left() up)", Err: why}}

	b := Build(snap, Rules{Services: []ServiceRule{rule("api"), rule("checkout")}}, t0)
	src := b.Sources[0]
	if src.State != SourceDegraded || !src.Degraded || !src.OK || !strings.Contains(src.Error, "saturation query") {
		t.Fatalf("source = %+v, want degraded naming the saturation query", src)
	}
	if len(src.Failures) != 1 || src.Failures[0].Query == "" {
		t.Errorf("failures = %+v", src.Failures)
	}
	for _, r := range b.Services {
		sat := r.Signals[sources.Saturation.Index()]
		if sat.State != StateErr || sat.Value != nil || r.Errors["saturation"] != why {
			t.Errorf("%s saturation = %+v errors %v, want err", r.Name, sat, r.Errors)
		}
		if r.State != StateErr {
			t.Errorf("%s state = %v: a row with a failed query is never ok", r.Name, r.State)
		}
		if r.Stale || r.LatencySeconds == nil {
			t.Errorf("%s: the other signals stay fresh: %+v", r.Name, r)
		}
	}
	out, err := json.Marshal(b.Services[0])
	if err != nil || !strings.Contains(string(out), `"errors":{"saturation":"`+why+`"}`) {
		t.Errorf("JSON = %s (%v)", out, err)
	}
}

func TestUnjudgedSignalsAreNeutral(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{
		"batch": {sources.Latency: 12, sources.Errors: 0.5, sources.Saturation: 1.7},
	})
	r := rule("batch")
	r.Unjudged = map[sources.Signal]bool{sources.Latency: true, sources.Errors: true, sources.Saturation: true}
	b := Build(snap, Rules{Services: []ServiceRule{r}}, t0)
	if got := b.Services[0].State; got != StateNone {
		t.Errorf("every signal set to none: state %v, want none (neutral, never ok)", got)
	}
	for sig, sv := range b.Services[0].Signals {
		if sv.State == StateOK {
			t.Errorf("%s drawn ok with no threshold", sources.AllSignals[sig])
		}
	}
}

func TestTargetHealth(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{
		"api":      {sources.Latency: 0.1},
		"checkout": {sources.Latency: 0.1},
		"search":   {sources.Latency: 0.1},
		"legacy":   {sources.Latency: 0.1},
	})
	sig := snap.Sources[0].Last.Data.Signals
	set := func(svc string, th sources.TargetHealth) {
		ss := sig.Services[svc]
		ss.Targets = th
		sig.Services[svc] = ss
	}
	set("api", sources.TargetHealth{Known: true, Up: 3, Total: 3, Share: 1})
	set("checkout", sources.TargetHealth{Known: true, Up: 0, Total: 2, Share: 0})
	set("search", sources.TargetHealth{Known: true, Up: 2, Total: 3, Share: 2.0 / 3})
	set("legacy", sources.TargetHealth{Known: true, Share: 0.5}) // a custom health query: a share only
	var rules Rules
	for _, n := range []string{"api", "checkout", "legacy", "search"} {
		rules.Services = append(rules.Services, rule(n))
	}
	b := Build(snap, rules, t0)
	var got []string
	for _, r := range b.Services {
		got = append(got, r.Name+":"+r.State.String())
	}
	want := []string{"checkout:down", "legacy:degraded", "search:degraded", "api:ok"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	down := b.Services[0]
	if !down.Stale || *down.TargetsUp != 0 || *down.TargetsTotal != 2 {
		t.Errorf("a dead service's values are not current: %+v", down)
	}
	if s := b.Services[2]; *s.TargetsUp != 2 || *s.TargetsTotal != 3 || s.Stale {
		t.Errorf("search = %+v, want 2/3 up, values current", s)
	}
	if l := b.Services[1]; l.TargetsUp != nil || l.TargetsUpRatio == nil {
		t.Errorf("a share-only health query has no counts: %+v", l)
	}
}

func TestOneFailingSLOLeavesTheOthersFresh(t *testing.T) {
	const month = 30 * 24 * time.Hour
	def := func(name string) slo.Definition {
		return slo.Definition{Name: name, Service: "checkout", Objective: 0.999, Window: month}
	}
	rules := Rules{SLOs: []SLORule{{Def: def("good"), Source: "prod"}, {Def: def("broken"), Source: "prod"}, {Def: def("was-good"), Source: "prod"}}}
	snap := sources.Snapshot{Sources: []sources.SourceState{{
		Health: sources.Health{Name: "prod", OK: true, Polled: true, LastSuccess: t0},
		Last: &sources.Update{Eval: t0, Data: sources.Data{SLOs: &sources.SLOData{
			Counts: map[string]map[time.Duration]slo.Counts{
				"good":     sloCounts(0.0001, 0.0001, month),
				"was-good": sloCounts(0.0001, 0.0001, month),
			},
			Failed: map[string]sources.SLOFailure{
				"broken":   {Err: "bad_data: parse error"},
				"was-good": {Err: "execution: vector cannot contain metrics with the same labelset", Stale: true},
			},
			Failures: []sources.QueryFailure{{What: "SLO 1h query", Err: "execution: …"}},
		}}},
	}}}
	b := Build(snap, rules, t0)
	if b.Sources[0].State != SourceDegraded {
		t.Errorf("badge = %s, want degraded", b.Sources[0].State)
	}
	by := map[string]SLOStatus{}
	for _, s := range b.SLOs {
		by[s.Name] = s
	}
	if g := by["good"]; g.Stale || g.Error != "" || g.BudgetRemaining == nil {
		t.Errorf("good = %+v, want fresh numbers", g)
	}
	if br := by["broken"]; br.Stale || br.Error != "bad_data: parse error" || br.BudgetRemaining != nil || br.State != "nodata" {
		t.Errorf("broken = %+v: no numbers, not stale (there never were any), its own error", br)
	}
	if w := by["was-good"]; !w.Stale || w.BudgetRemaining == nil || !strings.HasPrefix(w.Error, "execution") {
		t.Errorf("was-good = %+v: earlier numbers, marked stale with its error", w)
	}
}

func TestPartialCoverage(t *testing.T) {
	const week = 7 * 24 * time.Hour
	d := slo.Definition{Name: "search", Service: "search", Objective: 0.99, Window: week}
	snap := sources.Snapshot{Sources: []sources.SourceState{{
		Health: sources.Health{Name: "prod", OK: true, Polled: true, LastSuccess: t0},
		Last: &sources.Update{Eval: t0, Data: sources.Data{SLOs: &sources.SLOData{
			Counts:   map[string]map[time.Duration]slo.Counts{"search": sloCounts(0.001, 0.001, week)},
			Coverage: map[string]time.Duration{"search": 3 * 24 * time.Hour},
		}}},
	}}}
	b := Build(snap, Rules{SLOs: []SLORule{{Def: d, Source: "prod"}}}, t0)
	s := b.SLOs[0]
	if v, _ := s.CoverageSeconds.Get(); !s.Partial || v != 3*86400 || s.BudgetRemaining == nil {
		t.Errorf("slo = %+v, want partial 3d of 7d with the budget still shown", s)
	}
	snap.Sources[0].Last.Data.SLOs.Coverage["search"] = 30 * 24 * time.Hour
	if s := Build(snap, Rules{SLOs: []SLORule{{Def: d, Source: "prod"}}}, t0).SLOs[0]; s.Partial || *s.CoverageSeconds != Number(week.Seconds()) {
		t.Errorf("full coverage: %+v", s)
	}
}

func TestSLOOnlyServiceHasNoSignalsRow(t *testing.T) {
	b := Build(sources.Snapshot{}, Rules{Services: []ServiceRule{{Name: "payments"}}}, t0)
	if len(b.Services) != 0 {
		t.Errorf("a service without signal queries got a row: %+v", b.Services)
	}
}

func TestWarningsMakeASourcePartial(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{"api": {sources.Latency: 0.1}})
	snap.Sources[0].Last.Data.Warnings = []string{"No StoreAPIs matched for this query"}
	b := Build(snap, Rules{Services: []ServiceRule{rule("api")}}, t0)
	s := b.Sources[0]
	if s.State != SourcePartial || !s.Partial || !strings.Contains(s.Error, "No StoreAPIs matched") {
		t.Errorf("source = %+v, want partial with the warning", s)
	}
	out, _ := json.Marshal(s)
	if !strings.Contains(string(out), `"partial":true`) || !strings.Contains(string(out), `"warnings":["No StoreAPIs matched for this query"]`) {
		t.Errorf("JSON = %s", out)
	}
}

func TestDiscoveredServicesGetRows(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{
		"api": {sources.Latency: 0.1}, "found": {sources.Latency: 2},
	})
	tmpl := rule("")
	b := Build(snap, Rules{Services: []ServiceRule{rule("api")}, Discover: map[string]ServiceRule{"prod": tmpl}}, t0)
	if len(b.Services) != 2 || b.Services[0].Name != "found" || b.Services[0].State != StateCrit {
		t.Errorf("services = %+v, want the discovered one judged and first", b.Services)
	}
}
