package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// A month of traffic for job "bf", backfilled into a real Prometheus and read back
// through `vigil snapshot --at T --format json`. Every counter is a whole number of
// requests, written at whole minutes, and known in closed form, so the expected
// numbers are exact:
//
//   - traffic is 2000 requests a minute at night and 5000 a minute from 08:00 to
//     20:00 UTC;
//   - one request a minute fails, plus 249 a minute more during a 3-hour incident
//     two days before T (5 %), plus 149 a minute more during the last 40 minutes (3 %);
//   - requests slower than 300 ms come at a rate that changes by day, a few a minute
//     until a week before T and about 20 a minute since, and stop 90 minutes before T
//     (a fix was deployed), so the 1h and 30m latency windows see none.
//
// T is 14:00 UTC, so every window ending at T starts at 08:00, 12:00, 13:00, ... and
// each window sees a different mix. The five SLOs end up paging; ticketing with the
// budget overspent; ok though burning at 2x over the last hour (a 7d SLO whose 3d and
// 6h burns of about 0.35 would ticket were factors scaled below 1); ok with no burn at
// all; and ok with the budget overspent, because the only condition that would fire,
// 3d/6h, is not evaluated for a 3d SLO.
var (
	backfillStart = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	backfillAt    = backfillStart.Add(33*24*time.Hour + 14*time.Hour) // T

	backfillIncident = backfillMinute(backfillAt.Add(-50 * time.Hour)) // 3h at 5 % errors
	backfillBurst    = backfillMinute(backfillAt.Add(-40 * time.Minute))
	backfillFix      = backfillMinute(backfillAt.Add(-90 * time.Minute)) // no slow requests after
	backfillSlowWeek = backfillMinute(backfillAt.Add(-7*24*time.Hour)) / 1440
)

const backfillDay = 24 * time.Hour

// backfillMinute is t as whole minutes since the start of the data.
func backfillMinute(t time.Time) int64 { return int64(t.Sub(backfillStart) / time.Minute) }

// backfillUpTo is how many of the minutes [from, to) lie before minute m.
func backfillUpTo(m, from, to int64) int64 { return min(max(m-from, 0), to-from) }

// backfillTotal is the request counter at minute m: 2000 a minute, 3000 more by day.
func backfillTotal(m int64) int64 {
	daytime := m/1440*720 + min(max(m%1440-8*60, 0), 12*60)
	return 2000*m + 3000*daytime
}

// backfillErrors is the counter of failed requests at minute m.
func backfillErrors(m int64) int64 {
	end := backfillMinute(backfillAt)
	return m + 249*backfillUpTo(m, backfillIncident, backfillIncident+180) + 149*backfillUpTo(m, backfillBurst, end)
}

// backfillSlowPerMinute is the rate of requests slower than 300 ms on day d.
func backfillSlowPerMinute(d int64) int64 {
	if d < backfillSlowWeek {
		return 4 + 3*(d%5)
	}
	return 18 + 2*(d%3)
}

// backfillSlow is the counter of requests slower than 300 ms at minute m.
func backfillSlow(m int64) int64 {
	m = min(m, backfillFix)
	var n int64
	for d := range m / 1440 {
		n += 1440 * backfillSlowPerMinute(d)
	}
	return n + m%1440*backfillSlowPerMinute(m/1440)
}

// backfillSampleTimes are the instants written: every hour until four days before T,
// every 5 minutes until a day before, then every minute. Every window of the
// snapshot starts and ends on a sample, so Prometheus 2's rate(), whose range
// includes both ends, neither extrapolates nor misses a sample: it is the increase
// between the window's edges over its length. The coarse old data keeps the input
// small: promtool reads all of it once per 2-hour block, about 400 times for a month.
func backfillSampleTimes() []time.Time {
	var ts []time.Time
	for t := backfillStart; !t.After(backfillAt); {
		ts = append(ts, t)
		switch left := backfillAt.Sub(t); {
		case left > 4*backfillDay:
			t = t.Add(time.Hour)
		case left > backfillDay:
			t = t.Add(5 * time.Minute)
		default:
			t = t.Add(time.Minute)
		}
	}
	return ts
}

type backfillSeries struct {
	sample string // name{labels}
	value  func(m int64) int64
}

// backfillOpenMetrics writes the request counters and the latency histogram, each
// series' samples together and in time order, as promtool appends them. The
// histogram has a bucket above the threshold too, so a query that took the wrong
// bucket would be caught.
func backfillOpenMetrics(times []time.Time) []byte {
	var b bytes.Buffer
	family := func(name, typ string, series ...backfillSeries) {
		fmt.Fprintf(&b, "# HELP %s Synthetic %s for the backfill test.\n# TYPE %s %s\n", name, typ, name, typ)
		for _, s := range series {
			for _, t := range times {
				line := append([]byte(s.sample), ' ')
				line = strconv.AppendInt(line, s.value(backfillMinute(t)), 10)
				line = append(line, ' ')
				line = strconv.AppendInt(line, t.Unix(), 10)
				b.Write(append(line, '\n'))
			}
		}
	}
	family("http_requests", "counter",
		backfillSeries{`http_requests_total{job="bf",code="200"}`, func(m int64) int64 { return backfillTotal(m) - backfillErrors(m) }},
		backfillSeries{`http_requests_total{job="bf",code="500"}`, backfillErrors},
	)
	family("http_request_duration_seconds", "histogram",
		backfillSeries{`http_request_duration_seconds_bucket{job="bf",le="0.3"}`, func(m int64) int64 { return backfillTotal(m) - backfillSlow(m) }},
		backfillSeries{`http_request_duration_seconds_bucket{job="bf",le="1"}`, func(m int64) int64 { return backfillTotal(m) - backfillSlow(m)/5 }},
		backfillSeries{`http_request_duration_seconds_bucket{job="bf",le="+Inf"}`, backfillTotal},
		backfillSeries{`http_request_duration_seconds_count{job="bf"}`, backfillTotal},
	)
	b.WriteString("# EOF\n")
	return b.Bytes()
}

// backfillRatio is the error ratio over the window w ending at T, in closed form:
// the increase of the bad counter over that of the total one.
func backfillRatio(bad func(int64) int64, w time.Duration) float64 {
	from, to := backfillMinute(backfillAt.Add(-w)), backfillMinute(backfillAt)
	return float64(bad(to)-bad(from)) / float64(backfillTotal(to)-backfillTotal(from))
}

type backfillWindow struct {
	name string
	d    time.Duration
}

// The burn-rate windows of the snapshot JSON, and the multi-window alerts over them:
// the long window may spend `share` of the budget before the alert fires.
var (
	backfillWindows = []backfillWindow{
		{"5m", 5 * time.Minute}, {"30m", 30 * time.Minute}, {"1h", time.Hour}, {"2h", 2 * time.Hour},
		{"6h", 6 * time.Hour}, {"1d", backfillDay}, {"3d", 3 * backfillDay},
	}
	backfillConditions = []struct {
		alert       string
		long, short string
		longD       time.Duration
		share       float64
	}{
		{"page", "1h", "5m", time.Hour, 0.02},
		{"page", "6h", "30m", 6 * time.Hour, 0.05},
		{"ticket", "1d", "2h", backfillDay, 0.10},
		{"ticket", "3d", "6h", 3 * backfillDay, 0.10},
	}
)

// backfillExpected is one SLO's line of the snapshot, computed from the generator.
type backfillExpected struct {
	name, window    string
	objective       float64
	errorRatio      float64
	budgetRemaining float64
	burn            map[string]float64
	alert, state    string
	exhaustion      *float64 // nil: null
}

func backfillExpect(t *testing.T, name string, objective float64, window time.Duration, bad func(int64) int64) backfillExpected {
	t.Helper()
	budget := 1 - objective
	e := backfillExpected{name: name, objective: objective, burn: map[string]float64{}, alert: "none", state: "ok"}
	e.window = strconv.Itoa(int(window/backfillDay)) + "d"
	e.errorRatio = backfillRatio(bad, window)
	e.budgetRemaining = 1 - e.errorRatio/budget
	for _, w := range backfillWindows {
		e.burn[w.name] = backfillRatio(bad, w.d) / budget
	}
	for _, c := range backfillConditions {
		// Never below 1 (a lower burn cannot exhaust the budget), and not evaluated
		// at all when the long window is not shorter than the SLO window.
		factor := max(1, c.share*window.Seconds()/c.longD.Seconds())
		if c.longD >= window {
			continue
		}
		for _, w := range []string{c.long, c.short} {
			// A burn rate within 1 % of its threshold would make the state hang on
			// rounding; the pattern is meant to be far from every line.
			if d := math.Abs(e.burn[w]/factor - 1); d < 0.01 {
				t.Fatalf("%s: %s burn %v is within 1%% of the %s threshold %v: change the pattern", name, w, e.burn[w], c.alert, factor)
			}
		}
		if e.burn[c.long] > factor && e.burn[c.short] > factor && (e.alert == "none" || c.alert == "page") {
			e.alert = c.alert
		}
	}
	if e.alert != "none" {
		e.state = e.alert
	}
	switch b1h := e.burn["1h"]; {
	case e.budgetRemaining <= 0:
		e.exhaustion = new(float64)
	case b1h > 1: // at most 1, a rolling budget never runs out: null
		v := e.budgetRemaining * window.Seconds() / b1h
		e.exhaustion = &v
	}
	return e
}

const backfillConfig = `refresh: 30s
timeout: 20s
prometheus:
  - name: prod
    url: %s
    alerts: false  # SLOs are under test here
slos:
  - name: bf-availability-30d
    service: bf
    objective: 99.9
    window: 30d
    errors: sum(rate(http_requests_total{job="bf",code=~"5.."}[{{.window}}]))
    total: sum(rate(http_requests_total{job="bf"}[{{.window}}]))
  - name: bf-availability-7d
    service: bf
    objective: 99
    window: 7d
    errors: sum(rate(http_requests_total{job="bf",code=~"5.."}[{{.window}}]))
    total: sum(rate(http_requests_total{job="bf"}[{{.window}}]))
  - name: bf-latency-30d
    service: bf
    objective: 99.5
    window: 30d
    latency: {histogram: http_request_duration_seconds, selector: '{job="bf"}', threshold: 300ms}
  - name: bf-latency-7d
    service: bf
    objective: 99.75
    window: 7d
    latency: {histogram: http_request_duration_seconds, selector: '{job="bf"}', threshold: 300ms}
  - name: bf-latency-3d
    service: bf
    objective: 99.75
    window: 3d
    latency: {histogram: http_request_duration_seconds, selector: '{job="bf"}', threshold: 300ms}
`

// backfillSnapshotJSON is the part of the snapshot JSON this test reads.
type backfillSnapshotJSON struct {
	GeneratedAt time.Time `json:"generated_at"`
	Sources     []struct {
		Name        string     `json:"name"`
		Kind        string     `json:"kind"`
		OK          bool       `json:"ok"`
		Error       string     `json:"error"`
		LastSuccess *time.Time `json:"last_success"`
		AgeSeconds  *float64   `json:"age_seconds"`
		Stale       bool       `json:"stale"`
	} `json:"sources"`
	SLOs []struct {
		Name              string              `json:"name"`
		Service           string              `json:"service"`
		Objective         float64             `json:"objective"`
		Window            string              `json:"window"`
		ErrorRatio        *float64            `json:"error_ratio"`
		BudgetRemaining   *float64            `json:"budget_remaining"`
		BurnRates         map[string]*float64 `json:"burn_rates"`
		Alert             string              `json:"alert"`
		ExhaustionSeconds *float64            `json:"exhaustion_seconds"`
		State             string              `json:"state"`
		RetentionExceeded bool                `json:"retention_exceeded"`
	} `json:"slos"`
	Actionable []struct {
		Kind     string `json:"kind"`
		ID       string `json:"id"`
		Severity string `json:"severity"`
	} `json:"actionable"`
}

func TestSnapshotOverBackfilledMonth(t *testing.T) {
	t.Parallel()
	times := backfillSampleTimes()
	// Every window's edges must be samples (see backfillSampleTimes).
	edges := append(slices.Clone(backfillWindows), backfillWindow{"7d", 7 * backfillDay}, backfillWindow{"30d", 30 * backfillDay})
	for _, w := range edges {
		if _, ok := slices.BinarySearchFunc(times, backfillAt.Add(-w.d), func(a, b time.Time) int { return a.Compare(b) }); !ok {
			t.Fatalf("no sample at the start of the %s window", w.name)
		}
	}

	want := []backfillExpected{
		backfillExpect(t, "bf-availability-30d", 0.999, 30*backfillDay, backfillErrors),
		backfillExpect(t, "bf-availability-7d", 0.99, 7*backfillDay, backfillErrors),
		backfillExpect(t, "bf-latency-30d", 0.995, 30*backfillDay, backfillSlow),
		backfillExpect(t, "bf-latency-7d", 0.9975, 7*backfillDay, backfillSlow),
		backfillExpect(t, "bf-latency-3d", 0.9975, 3*backfillDay, backfillSlow),
	}
	// The pattern's intent, checked on the closed form before vigil is asked: a
	// page; an SLO burning at 2x over the last hour but under every factor (ok, and
	// exhaustion positive); an SLO that is ok with no burn in the last hour
	// (exhaustion null); a ticket with the budget spent (exhaustion 0); and an SLO
	// with the budget spent that only the skipped 3d/6h condition would ticket.
	for i, design := range []struct {
		state      string
		exhaustion string // "positive", "zero" or "null"
	}{{"page", "positive"}, {"ok", "positive"}, {"ok", "null"}, {"ticket", "zero"}, {"ok", "zero"}} {
		e := want[i]
		got := "null"
		if e.exhaustion != nil {
			got = map[bool]string{true: "positive", false: "zero"}[*e.exhaustion > 0]
		}
		if e.state != design.state || got != design.exhaustion {
			t.Fatalf("%s: the pattern gives state %s and %s exhaustion, designed for %s and %s",
				e.name, e.state, got, design.state, design.exhaustion)
		}
	}

	start := time.Now()
	blocks := testservers.Backfill(t, backfillOpenMetrics(times))
	t.Logf("promtool backfilled %d samples of 6 series in %v", len(times)*6, time.Since(start).Round(time.Millisecond))
	p := testservers.Prometheus(t, testservers.PromOptions{NoScrape: true, Blocks: blocks, Retention: "400d"})

	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, backfillConfig, p.URL()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	start = time.Now()
	if err := Snapshot(ctx, &out, SnapshotOptions{ConfigPath: cfgPath, Format: "json", At: backfillAt.Format(time.RFC3339)}); err != nil {
		t.Fatalf("snapshot: %v\n%s", err, out.Bytes())
	}
	t.Logf("snapshot took %v", time.Since(start).Round(time.Millisecond))

	var got backfillSnapshotJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("snapshot JSON: %v\n%s", err, out.Bytes())
	}
	if !got.GeneratedAt.Equal(backfillAt) {
		t.Errorf("generated_at %v, want %v", got.GeneratedAt, backfillAt)
	}
	if len(got.Sources) != 1 {
		t.Fatalf("sources: %+v, want only prod", got.Sources)
	}
	if s := got.Sources[0]; s.Name != "prod" || s.Kind != "prometheus" || !s.OK || s.Error != "" || s.Stale ||
		s.LastSuccess == nil || !s.LastSuccess.Equal(backfillAt) || s.AgeSeconds == nil || *s.AgeSeconds != 0 {
		t.Errorf("source %+v, want prod ok with age 0 at the snapshot's instant", s)
	}

	// The SLOs come worst first: pages, tickets, then ok; among equals, less budget first.
	rank := map[string]int{"page": 0, "ticket": 1, "nodata": 2, "ok": 3}
	order := slices.Clone(want)
	slices.SortStableFunc(order, func(x, y backfillExpected) int {
		if c := rank[x.state] - rank[y.state]; c != 0 {
			return c
		}
		return cmp.Compare(x.budgetRemaining, y.budgetRemaining)
	})
	if len(got.SLOs) != len(order) {
		t.Fatalf("%d SLOs in the snapshot, want %d:\n%s", len(got.SLOs), len(order), out.Bytes())
	}
	for i, e := range order {
		g := got.SLOs[i]
		if g.Name != e.name {
			t.Errorf("slos[%d] is %s, want %s (worst first)", i, g.Name, e.name)
			continue
		}
		if g.Service != "bf" || g.Objective != e.objective || g.Window != e.window || g.RetentionExceeded {
			t.Errorf("%s: service %q objective %v window %q retention_exceeded %v, want bf %v %s false",
				e.name, g.Service, g.Objective, g.Window, g.RetentionExceeded, e.objective, e.window)
		}
		backfillNear(t, e.name+" error_ratio", g.ErrorRatio, e.errorRatio)
		backfillNear(t, e.name+" budget_remaining", g.BudgetRemaining, e.budgetRemaining)
		if len(g.BurnRates) != len(backfillWindows) {
			t.Errorf("%s: burn_rates %v, want the %d windows", e.name, g.BurnRates, len(backfillWindows))
		}
		for _, w := range backfillWindows {
			backfillNear(t, e.name+" burn_rates."+w.name, g.BurnRates[w.name], e.burn[w.name])
		}
		if g.Alert != e.alert || g.State != e.state {
			t.Errorf("%s: alert %s state %s, want %s %s", e.name, g.Alert, g.State, e.alert, e.state)
		}
		switch {
		case e.exhaustion == nil && g.ExhaustionSeconds != nil:
			t.Errorf("%s: exhaustion_seconds %v, want null (no burn over the last hour)", e.name, *g.ExhaustionSeconds)
		case e.exhaustion != nil:
			backfillNear(t, e.name+" exhaustion_seconds", g.ExhaustionSeconds, *e.exhaustion)
		}
	}

	// Every paging or ticketing SLO, and only those, needs a human.
	var wantItems, gotItems []string
	for _, e := range want {
		if e.alert != "none" {
			wantItems = append(wantItems, e.alert+" slo:"+e.name)
		}
	}
	for _, it := range got.Actionable {
		gotItems = append(gotItems, it.Severity+" "+it.ID)
		if it.Kind != "slo" {
			t.Errorf("actionable item %+v, want only SLO items", it)
		}
	}
	slices.Sort(wantItems)
	slices.Sort(gotItems)
	if !slices.Equal(gotItems, wantItems) {
		t.Errorf("actionable %v, want %v", gotItems, wantItems)
	}
	if t.Failed() {
		t.Logf("snapshot JSON:\n%s", out.Bytes())
	}
}

// backfillNear checks a value of the snapshot against its closed form, to a
// relative 1e-6; a value that should be exactly 0 must be 0 to a few ulps.
func backfillNear(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	switch {
	case got == nil:
		t.Errorf("%s is null, want %.12g", what, want)
	case want == 0 && math.Abs(*got) > 1e-12:
		t.Errorf("%s = %.12g, want 0", what, *got)
	case want != 0 && !(math.Abs(*got-want) <= 1e-6*math.Abs(want)):
		t.Errorf("%s = %.12g, want %.12g (relative error %.3g)", what, *got, want, math.Abs(*got-want)/math.Abs(want))
	}
}
