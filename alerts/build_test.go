package alerts

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

var t0 = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func f(v float64) *Number { n := Number(v); return &n }

// snapshotOf builds a one-source snapshot whose poll reported vals per service.
func snapshotOf(ok bool, vals map[string]map[sources.Signal]float64) sources.Snapshot {
	data := &sources.SignalsData{Services: map[string]sources.ServiceSignals{}}
	for svc, sigs := range vals {
		ss := sources.ServiceSignals{Service: svc, Values: map[sources.Signal]sources.Reading{}}
		for sig, v := range sigs {
			ss.Values[sig] = sources.Reading{Value: v, Valid: !math.IsNaN(v)}
		}
		data.Services[svc] = ss
	}
	h := sources.Health{Name: "prod", Kind: sources.KindPrometheus, OK: ok, Polled: true,
		LastSuccess: t0.Add(-4 * time.Second), LastAttempt: t0.Add(-time.Second)}
	if !ok {
		h.LastSuccess = t0.Add(-2 * time.Minute)
		h.LastError = "connection refused"
	}
	return sources.Snapshot{At: t0, Sources: []sources.SourceState{{
		Health: h, Last: &sources.Update{Source: "prod", Data: sources.Data{Signals: data}},
	}}}
}

func rule(name string) ServiceRule {
	from := map[sources.Signal]string{}
	for _, s := range sources.AllSignals {
		from[s] = "prod"
	}
	return ServiceRule{Name: name, From: from, Thresholds: map[sources.Signal]float64{
		sources.Latency: 0.3, sources.Errors: 0.01, sources.Saturation: 0.8,
	}}
}

func TestJudge(t *testing.T) {
	cases := []struct {
		name      string
		v, thresh *Number
		want      State
	}{
		{"no value", nil, f(1), StateNoData},
		{"no threshold is neutral, never ok", f(5), nil, StateNone},
		{"well below", f(0.5), f(1), StateOK},
		{"exactly 80 % is still ok", f(0.8), f(1), StateOK},
		{"above 80 %", f(0.81), f(1), StateWarn},
		{"exactly at threshold is warn", f(1), f(1), StateWarn},
		{"above threshold", f(1.01), f(1), StateCrit},
		{"zero is a value", f(0), f(1), StateOK},
	}
	for _, c := range cases {
		if got := judge(SignalValue{Value: c.v, Threshold: c.thresh}, false); got != c.want {
			t.Errorf("%s: judge = %v, want %v", c.name, got, c.want)
		}
	}
	if got := judge(SignalValue{Value: f(5), Threshold: f(1)}, true); got != StateNone {
		t.Errorf("a signal set to none is unjudged even with a value over a threshold: %v", got)
	}
	if got := judge(SignalValue{Value: f(0.1), Threshold: f(1), Err: "bad_data: many-to-many matching"}, false); got != StateErr {
		t.Errorf("a failed query is err: %v", got)
	}
}

func TestBuildOrdersWorstFirstStably(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{
		"api":      {sources.Latency: 0.1, sources.Errors: 0.001},
		"checkout": {sources.Latency: 0.45, sources.Errors: 0.002}, // crit latency
		"payments": {sources.Latency: 0.25},                        // warn latency
		"search":   {sources.Errors: 0.05},                         // crit errors
		"auth":     {sources.Saturation: 0.7},                      // warn saturation
		"ghost":    {},                                             // no data
		"billing":  {sources.Latency: math.NaN()},                  // NaN: no data
	})
	var rules Rules
	for _, n := range []string{"search", "api", "auth", "billing", "checkout", "ghost", "payments"} {
		rules.Services = append(rules.Services, rule(n))
	}
	b := Build(snap, rules, t0)
	var got []string
	for _, r := range b.Services {
		got = append(got, r.Name+":"+r.State.String())
	}
	want := []string{"checkout:crit", "search:crit", "auth:warn", "payments:warn", "billing:nodata", "ghost:nodata", "api:ok"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v\nwant    %v", got, want)
	}
	// The same inputs give the same order every time.
	for range 20 {
		b2 := Build(snap, rules, t0)
		for i := range b.Services {
			if b2.Services[i].Name != b.Services[i].Name {
				t.Fatalf("order changed between identical builds")
			}
		}
	}
}

func TestBuildNoDataIsNullNeverZero(t *testing.T) {
	snap := snapshotOf(true, map[string]map[sources.Signal]float64{
		"api": {sources.Traffic: 0, sources.Latency: math.NaN()},
	})
	b := Build(snap, Rules{Services: []ServiceRule{rule("api"), rule("absent")}}, t0)
	api := b.Services[0]
	if api.Name != "api" {
		api = b.Services[1]
	}
	if api.TrafficRPS == nil || *api.TrafficRPS != 0 {
		t.Errorf("a real zero must stay 0, got %v", api.TrafficRPS)
	}
	if api.LatencySeconds != nil || api.ErrorRatio != nil || api.SaturationRatio != nil {
		t.Errorf("missing/NaN values must be nil: %+v", api)
	}
	for _, r := range b.Services {
		if r.Name == "absent" && (r.State != StateNoData || r.TrafficRPS != nil) {
			t.Errorf("absent service = %+v, want nodata with nil values", r)
		}
	}
}

func TestBuildSourceHealthAndStaleness(t *testing.T) {
	snap := snapshotOf(false, map[string]map[sources.Signal]float64{"api": {sources.Latency: 0.1}})
	b := Build(snap, Rules{Services: []ServiceRule{rule("api")}}, t0)
	s := b.Sources[0]
	if s.OK || !s.Stale || s.Error != "connection refused" || s.AgeSeconds == nil || *s.AgeSeconds != 120 {
		t.Fatalf("source = %+v (age %v), want stale, not ok, age 120", s, s.AgeSeconds)
	}
	if !b.Services[0].Stale {
		t.Errorf("values from a failing source must be marked stale")
	}
	if v := b.Services[0].LatencySeconds; v == nil || *v != 0.1 {
		t.Errorf("the last good value is kept (marked stale), got %v", v)
	}

	never := sources.Snapshot{Sources: []sources.SourceState{{Health: sources.Health{
		Name: "prod", Kind: sources.KindPrometheus, Polled: true, LastError: "connection refused"}}}}
	b = Build(never, Rules{Services: []ServiceRule{rule("api")}}, t0)
	if s := b.Sources[0]; s.LastSuccess != nil || s.AgeSeconds != nil || s.Stale {
		t.Errorf("never-succeeded source = %+v, want null last_success/age, not stale", s)
	}
	if b.Services[0].State != StateNoData {
		t.Errorf("no data yet: state %v", b.Services[0].State)
	}
}

// A merged Alertmanager source has a row per Alertmanager: one replica down is that
// replica down, with its own error, while the other's row is fine; when the whole
// poll failed, every replica carries the source's error.
func TestAlertmanagerReplicasHaveRowsOfTheirOwn(t *testing.T) {
	ok := sources.Snapshot{At: t0, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "alertmanager", Kind: sources.KindAlertmanager, OK: true, Polled: true, LastSuccess: t0, LastAttempt: t0},
		Last: &sources.Update{Source: "alertmanager", Kind: sources.KindAlertmanager, At: t0, Data: sources.Data{Alerts: &sources.AlertsData{
			Members: []sources.Member{{Name: "am-a"}, {Name: "am-b", Err: "alertmanager am-b: connection refused"}},
		}}},
	}}}
	b := Build(ok, Rules{}, t0)
	var got []string
	for _, s := range b.Sources {
		got = append(got, fmt.Sprintf("%s %s %v %q", s.Name, s.State, s.AgeSeconds != nil, s.Error))
	}
	want := []string{`am-a ok true ""`, `am-b down false "alertmanager am-b: connection refused"`}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	down := ok
	down.Sources = []sources.SourceState{ok.Sources[0]}
	down.Sources[0].Health.OK, down.Sources[0].Health.LastError = false, "every alertmanager failed: am-a: refused; am-b: refused"
	down.Sources[0].Health.LastAttempt = t0.Add(time.Minute)
	got = nil
	for _, s := range Build(down, Rules{}, t0.Add(time.Minute)).Sources {
		got = append(got, fmt.Sprintf("%s %s %q", s.Name, s.State, s.Error))
	}
	want = []string{`am-a stale "every alertmanager failed: am-a: refused; am-b: refused"`, `am-b stale "every alertmanager failed: am-a: refused; am-b: refused"`}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// Before any answer, and when every Alertmanager failed from the start, each still
// has its row, with the source's state and error.
func TestAlertmanagerReplicasHaveRowsBeforeAnyAnswer(t *testing.T) {
	snap := sources.Snapshot{At: t0, Sources: []sources.SourceState{{Health: sources.Health{
		Name: "alertmanager", Kind: sources.KindAlertmanager, Polled: true, LastAttempt: t0,
		LastError: "every alertmanager failed: am-a: refused; am-b: refused", Members: []string{"am-a", "am-b"},
	}}}}
	var got []string
	for _, s := range Build(snap, Rules{}, t0).Sources {
		got = append(got, fmt.Sprintf("%s %s %q", s.Name, s.State, s.Error))
	}
	want := []string{`am-a down "every alertmanager failed: am-a: refused; am-b: refused"`, `am-b down "every alertmanager failed: am-a: refused; am-b: refused"`}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}
