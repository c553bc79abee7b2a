package tui

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
)

// snapshot200 is a Prometheus snapshot of n services with 40-point series, and the
// rules that read it: the input alerts.Build turns into what the dashboard shows.
func snapshot200(n int) (sources.Snapshot, alerts.Rules) {
	data := &sources.SignalsData{Services: map[string]sources.ServiceSignals{}}
	var rules alerts.Rules
	for i := range n {
		name := fmt.Sprintf("service-%03d", i)
		ss := sources.ServiceSignals{Service: name, Values: map[sources.Signal]sources.Reading{}, Series: map[sources.Signal][]sources.Point{}}
		rule := alerts.ServiceRule{Name: name, From: map[sources.Signal]string{}, Thresholds: map[sources.Signal]float64{
			sources.Latency: 0.3, sources.Errors: 0.01, sources.Saturation: 0.8,
		}}
		for j, sig := range sources.AllSignals {
			v := 0.1 + float64((i+j)%50)/100
			ss.Values[sig] = sources.Reading{Value: v, Valid: true}
			ss.Series[sig] = series(40, v, v/4, i+j)
			rule.From[sig] = "prod"
		}
		data.Services[name] = ss
		rules.Services = append(rules.Services, rule)
	}
	snap := sources.Snapshot{At: clock, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "prod", Kind: sources.KindPrometheus, OK: true, Polled: true,
			LastSuccess: clock.Add(-4 * time.Second), LastAttempt: clock.Add(-4 * time.Second)},
		Last: &sources.Update{Source: "prod", Kind: sources.KindPrometheus, At: clock, Eval: clock,
			Data: sources.Data{Signals: data}},
	}}}
	return snap, rules
}

// BenchmarkBuildToFrame200 is the whole path of a poll of 200 services to the
// screen: alerts.Build, the BoardMsg's Update, and one frame at 200x60.
func BenchmarkBuildToFrame200(b *testing.B) {
	snap, rules := snapshot200(200)
	def, _ := themes.Get(themes.Default)
	m := newModel(b, 200, 60, func(o *Options) { o.Theme = def })
	b.ReportAllocs()
	for b.Loop() {
		m.Update(BoardMsg{Board: alerts.Build(snap, rules, clock)})
		_ = m.View()
	}
}

// BenchmarkBuildToFrame10k is the same path for 10,000 services: a large estate
// configured whole (issue: poll-to-screen within 30 ms).
func BenchmarkBuildToFrame10k(b *testing.B) {
	snap, rules := snapshot200(10000)
	def, _ := themes.Get(themes.Default)
	m := newModel(b, 200, 60, func(o *Options) { o.Theme = def })
	b.ReportAllocs()
	for b.Loop() {
		m.Update(BoardMsg{Board: alerts.Build(snap, rules, clock)})
		_ = m.View()
	}
	b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
		m.Update(BoardMsg{Board: alerts.Build(snap, rules, clock)})
	}))/10000, "allocs/service")
}

// BenchmarkPagesFrame1000 is a poll of 1,000 open incidents to the screen: Build
// (pages sorted and lifted onto the actionable list), the Board's Update and one
// frame at 200x60 with the pages pane focused.
func BenchmarkPagesFrame1000(b *testing.B) {
	pd := &sources.PagesData{}
	for i := range 1000 {
		status, urgency := "triggered", "high"
		if i%3 == 0 {
			status = "acknowledged"
		}
		if i%2 == 0 {
			urgency = "low"
		}
		pd.Incidents = append(pd.Incidents, sources.Incident{
			ID: fmt.Sprintf("P%05d", i), Number: 1000 + i, Title: fmt.Sprintf("[FIRING:1] Something %d is wrong", i),
			Status: status, Urgency: urgency, Service: "checkout", CreatedAt: clock.Add(-time.Duration(i) * time.Minute),
			Assignees: []sources.Person{{ID: "U1", Name: "Ada"}},
		})
	}
	snap := sources.Snapshot{At: clock, Sources: []sources.SourceState{{
		Health: sources.Health{Name: "pd", Kind: sources.KindPagerDuty, OK: true, Polled: true, LastSuccess: clock},
		Last:   &sources.Update{Source: "pd", At: clock, Eval: clock, Data: sources.Data{Pages: pd}},
	}}}
	def, _ := themes.Get(themes.Default)
	m := newModel(b, 200, 60, func(o *Options) { o.Theme, o.Pages = def, true })
	m.Update(BoardMsg{Board: alerts.Build(snap, alerts.Rules{}, clock)})
	b.ReportAllocs()
	for b.Loop() {
		m.Update(BoardMsg{Board: alerts.Build(snap, alerts.Rules{}, clock)})
		_ = m.View()
	}
}
