package alerts

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// triageInput is 100,000 alerts from one Alertmanager source (sources/alertmanager
// merges an HA pair's answers into one), or from two sources a fifth of them
// reported by both, in 500 alertnames over 50 services, over half hidden for some reason (a tenth inhibited by 100 root causes),
// 20 silences, one user rule and 50 open pages of which half carry label sets.
func triageInput(n int, twoSources bool) (sources.Snapshot, Rules) {
	sevs := []string{"critical", "warning", "Warning", "info", "P2", ""}
	silences := make([]sources.Silence, 20)
	for i := range silences {
		silences[i] = sources.Silence{ID: fmt.Sprintf("6f1c2a4e-0b7d-4c55-9d3e-%012d", i), CreatedBy: "ada",
			Comment: "maintenance", EndsAt: t0.Add(time.Hour)}
	}
	am1, am2 := &sources.AlertsData{Silences: silences}, &sources.AlertsData{}
	var pageSets [][]map[string]string
	for i := range n {
		lbls := map[string]string{
			"alertname": fmt.Sprintf("Alert%03d", i%500), "service": fmt.Sprintf("svc-%02d", i%50),
			"instance": fmt.Sprintf("10.0.%d.%d:9100", i/250%250, i%250), "severity": sevs[i%len(sevs)],
		}
		if i%97 == 0 {
			lbls["env"] = "staging"
		}
		a := sources.Alert{Fingerprint: fmt.Sprintf("%016x", i*2654435761), Labels: lbls, State: "active",
			StartsAt: t0.Add(-time.Duration(i%7200) * time.Second), Episodes: i % 6, Alertmanagers: []string{"am1"}}
		switch i % 10 {
		case 0:
			a.State, a.SilencedBy = "suppressed", []string{silences[i%20].ID}
		case 1:
			// Inhibition fans in: a hundred root causes mute ten thousand alerts.
			a.State, a.InhibitedBy = "suppressed", []string{fmt.Sprintf("%016x", (i%100+2)*2654435761)}
		}
		am1.Alerts = append(am1.Alerts, a)
		if twoSources && i%5 == 2 {
			b := a
			b.Alertmanagers = []string{"am2"}
			am2.Alerts = append(am2.Alerts, b)
		}
		if i%1000 == 3 && len(pageSets) < 25 {
			pageSets = append(pageSets, []map[string]string{lbls})
		}
	}
	snap := alertSources(am1)
	if twoSources {
		snap = alertSources(am1, am2)
	}
	pd := &sources.PagesData{}
	for i := range 50 {
		in := sources.Incident{ID: fmt.Sprint("P", i), Number: i, Status: "triggered",
			Urgency: "high", Title: fmt.Sprintf("[FIRING:3] Alert%03d svc-%02d", i*7%500, i*7%50), CreatedAt: t0}
		if i < len(pageSets) {
			in.AlertLabels, in.AlertsKnown = pageSets[i], true
		}
		pd.Incidents = append(pd.Incidents, in)
	}
	snap.Sources = append(snap.Sources, sources.SourceState{
		Health: sources.Health{Name: "pd", OK: true, Polled: true, LastSuccess: t0},
		Last:   &sources.Update{Eval: t0, Data: sources.Data{Pages: pd}}})
	hide, err := ParseHideRule(`{env="staging"}`, "staging is not paged")
	if err != nil {
		panic(err)
	}
	return snap, Rules{Triage: Triage{Hide: []HideRule{hide}}}
}

// BenchmarkTriage100k is the Board for 100,000 alerts: the budget is 100 ms and 3
// allocations per alert. allocs/alert is reported beside -benchmem's figures.
func BenchmarkTriage100k(b *testing.B) { benchTriage(b, false) }

// BenchmarkTriage100kTwoSources adds the merge of two alert sources by fingerprint
// (an Alertmanager group beside a Prometheus read for its own alerts).
func BenchmarkTriage100kTwoSources(b *testing.B) { benchTriage(b, true) }

func benchTriage(b *testing.B, twoSources bool) {
	const n = 100_000
	snap, rules := triageInput(n, twoSources)
	b.ReportAllocs()
	var board Board
	cpu0 := processCPU()
	for b.Loop() {
		board = Build(snap, rules, t0)
	}
	b.StopTimer()
	if cpu := processCPU() - cpu0; cpu > 0 {
		// CPU time, the garbage collector's included: what a shared machine's
		// load does not inflate.
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
	if len(board.Hidden) == 0 || len(board.Actionable) == 0 {
		b.Fatalf("the input should be both shown and hidden: %d shown, %d hidden", len(board.Actionable), len(board.Hidden))
	}
	allocs := testing.AllocsPerRun(3, func() { Build(snap, rules, t0) })
	b.ReportMetric(allocs/n, "allocs/alert")
}
