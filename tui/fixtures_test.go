package tui

import (
	"fmt"
	"math"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
)

// clock is the fixed instant every golden view is drawn at.
var clock = time.Date(2025, 3, 14, 3, 7, 42, 0, time.UTC)

func f(v float64) *alerts.Number { return alerts.Num(v) }

func ip(n int) *int { return &n }

func after(d time.Duration) *time.Time {
	t := clock.Add(d)
	return &t
}

func ago(d time.Duration) *time.Time {
	t := clock.Add(-d)
	return &t
}

// series is a deterministic wave of n points around base.
func series(n int, base, amp float64, phase int) []sources.Point {
	pts := make([]sources.Point, n)
	for i := range pts {
		pts[i] = sources.Point{
			T: clock.Add(time.Duration(i-n+1) * 15 * time.Second),
			V: base + amp*math.Sin(float64(i+phase)/3),
		}
	}
	return pts
}

// svc builds a service row with its four signals; a negative value means no data.
func svc(name string, lat, rps, errs, sat float64, thresholds [4]float64, phase int) alerts.ServiceRow {
	vals := [4]float64{lat, rps, errs, sat}
	r := alerts.ServiceRow{Name: name, Source: "prod"}
	any := false
	for i, sig := range sources.AllSignals {
		var sv alerts.SignalValue
		if thresholds[i] > 0 {
			sv.Threshold = f(thresholds[i])
		}
		if vals[i] >= 0 {
			sv.Value = f(vals[i])
			sv.Series = series(40, vals[i], vals[i]/4, phase+i)
			any = true
			switch t, _ := sv.Threshold.Get(); {
			case sv.Threshold == nil:
				sv.State = alerts.StateNone
			case vals[i] > t:
				sv.State = alerts.StateCrit
			case vals[i] > t*0.8:
				sv.State = alerts.StateWarn
			default:
				sv.State = alerts.StateOK
			}
		}
		if sv.State != alerts.StateNone && sv.State.Rank() > r.State.Rank() {
			r.State = sv.State
		}
		r.Signals[sig.Index()] = sv
	}
	if !any {
		r.State = alerts.StateNoData
	} else if r.State == alerts.StateNoData {
		r.State = alerts.StateOK
	}
	r.LatencySeconds = r.Signals[sources.Latency.Index()].Value
	r.TrafficRPS = r.Signals[sources.Traffic.Index()].Value
	r.ErrorRatio = r.Signals[sources.Errors.Index()].Value
	r.SaturationRatio = r.Signals[sources.Saturation.Index()].Value
	return r
}

var th = [4]float64{0.3, 0, 0.01, 0.8}

func okSources() []alerts.SourceStatus {
	return []alerts.SourceStatus{
		{Name: "prod", Kind: "prometheus", OK: true, LastSuccess: ago(4 * time.Second)},
		{Name: "am", Kind: "alertmanager", OK: true, LastSuccess: ago(9 * time.Second)},
	}
}

func healthyBoard() alerts.Board {
	return alerts.Board{
		GeneratedAt: clock,
		Sources:     okSources(),
		Services: []alerts.ServiceRow{
			svc("api", 0.082, 1234, 0.0004, 0.41, th, 0),
			svc("auth", 0.031, 310, 0.0001, 0.22, th, 1),
			svc("cart", 0.120, 87.5, 0.0012, 0.55, th, 2),
			svc("checkout", 0.145, 452, 0.0021, 0.63, th, 3),
			svc("search", 0.210, 2890, 0.0009, 0.48, th, 4),
		},
		SLOs: []alerts.SLOStatus{
			slo("api-latency", "ok", 0.99, 0.64, [4]float64{0.9, 1.1, 0.8, 0.7}, 9.5e5),
			slo("checkout-availability", "ok", 0.999, 0.82, [4]float64{0.4, 0.6, 0.7, 0.5}, 2.1e6),
		},
	}
}

func slo(name, state string, objective, budget float64, burns [4]float64, exhaust float64) alerts.SLOStatus {
	s := alerts.SLOStatus{
		Name: name, Service: "checkout", Objective: alerts.Number(objective), Window: "30d",
		ErrorRatio: f((1 - objective) * burns[0]),
		BurnRates:  map[string]*alerts.Number{},
		State:      alerts.SLOState(state),
		Alert:      map[string]alerts.Level{"page": alerts.LevelPage, "ticket": alerts.LevelTicket}[state],
		Origin:     "config.yaml:31",
	}
	if !math.IsNaN(budget) {
		s.BudgetRemaining = f(budget)
	}
	for i, w := range []string{"1h", "6h", "1d", "3d"} {
		if burns[i] >= 0 {
			s.BurnRates[w] = f(burns[i])
		}
	}
	if exhaust >= 0 {
		s.ExhaustionSeconds = f(exhaust)
		s.Spent = exhaust == 0
	}
	s.Conditions = []alerts.Condition{
		{Alert: alerts.LevelPage, Long: "1h", Short: "5m", Factor: 14.4, LongBurn: s.BurnRates["1h"], ShortBurn: f(burns[0] * 1.1)},
		{Alert: alerts.LevelPage, Long: "6h", Short: "30m", Factor: 6, LongBurn: s.BurnRates["6h"], ShortBurn: f(burns[1] * 0.9)},
		{Alert: alerts.LevelTicket, Long: "1d", Short: "2h", Factor: 3, LongBurn: s.BurnRates["1d"], ShortBurn: f(burns[2])},
		{Alert: alerts.LevelTicket, Long: "3d", Short: "6h", Factor: 1, LongBurn: s.BurnRates["3d"], ShortBurn: f(burns[3])},
	}
	// The judgements alerts.Build makes: each burn's level, strictly over the factor.
	s.BurnLevels = map[string]alerts.Level{}
	over := func(n *alerts.Number, c alerts.Condition) alerts.Level {
		if v, ok := n.Get(); ok && v > float64(c.Factor) {
			return c.Alert
		}
		return alerts.LevelNone
	}
	for i := range s.Conditions {
		c := &s.Conditions[i]
		c.Firing = c.LongBurn != nil && c.ShortBurn != nil && *c.LongBurn >= c.Factor && *c.ShortBurn >= c.Factor
		c.LongLevel, c.ShortLevel = over(c.LongBurn, *c), over(c.ShortBurn, *c)
		s.BurnLevels[c.Long] = max(s.BurnLevels[c.Long], c.LongLevel)
	}
	s.Queries = map[string]string{
		"errors": `sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))`,
		"total":  `sum(rate(http_requests_total{job="checkout"}[{{.window}}]))`,
	}
	return s
}

// troubledBoard has a row in every state, a stale source, a source that never
// answered, and SLOs in every state.
func troubledBoard() alerts.Board {
	stale := svc("inventory", 0.095, 240, 0.0003, 0.35, th, 5)
	stale.Stale = true
	nodata := svc("ledger", -1, -1, -1, -1, th, 0)
	partial := svc("recommendations", 0.061, 15.2, -1, 0.31, th, 6)
	down := svc("ledger-writer", 0.04, 3.1, 0, 0.2, th, 1)
	down.State, down.Stale, down.TargetsUp, down.TargetsTotal = alerts.StateDown, true, ip(0), ip(2)
	degraded := svc("search-indexer", 0.04, 80, 0.0001, 0.3, th, 2)
	degraded.State, degraded.TargetsUp, degraded.TargetsTotal = alerts.StateDegraded, ip(2), ip(3)
	failing := svc("api-gateway", 0.03, 900, 0.0002, -1, th, 3)
	sat := failing.Signals[sources.Saturation.Index()]
	sat.State, sat.Err = alerts.StateErr, "execution: many-to-many matching not allowed"
	failing.Signals[sources.Saturation.Index()] = sat
	failing.State, failing.Errors = alerts.StateErr, map[string]string{"saturation": sat.Err}
	return alerts.Board{
		GeneratedAt: clock,
		Sources: []alerts.SourceStatus{
			{Name: "prod", Kind: "prometheus", OK: true, State: alerts.SourceDegraded, Degraded: true, LastSuccess: ago(4 * time.Second),
				Error:    "saturation query: execution: many-to-many matching not allowed",
				Failures: []alerts.QueryFailure{{What: "saturation query", Query: "max by (job) (x / on() group_left() up)", Error: "execution: many-to-many matching not allowed"}}},
			{Name: "eu", Kind: "prometheus", OK: false, State: alerts.SourceStale, Stale: true, LastSuccess: ago(2*time.Minute + 5*time.Second),
				RetryAt: after(12 * time.Second),
				Error:   "Get \"http://prom-eu:9090/api/v1/query\": dial tcp 10.0.3.7:9090: connect: connection refused"},
			{Name: "pd", Kind: "pagerduty", OK: false, State: alerts.SourceDown, Error: "401 Unauthorized"},
		},
		Services: []alerts.ServiceRow{
			down,
			svc("checkout", 12.34, 452, 0.0502, 0.63, th, 3),
			svc("payments-gateway-eu-west-1-primary", 0.412, 1180, 0.0011, 0.91, th, 2),
			svc("search", 0.262, 2890, 0.0009, 0.48, th, 4),
			degraded,
			failing,
			nodata,
			svc("api", 0.082, 1234567, 0.0004, 0.41, th, 0),
			stale,
			partial,
		},
		// In the order alerts.Build gives: state (page, ticket, no data, ok), then the
		// least budget left, then the name. The pane draws them as they come.
		SLOs: []alerts.SLOStatus{
			slo("checkout-availability", "page", 0.999, -0.12, [4]float64{16.0, 7.2, 4.1, 2.2}, 0),
			slo("api-availability", "ticket", 0.9995, 0.23, [4]float64{2.1, 2.8, 3.4, 1.2}, 2.74e5),
			func() alerts.SLOStatus {
				s := slo("ledger-freshness", "nodata", 0.999, math.NaN(), [4]float64{-1, -1, -1, -1}, -1)
				s.Error = "bad_data: 1:14: parse error: unexpected right parenthesis"
				return s
			}(),
			func() alerts.SLOStatus {
				s := slo("search-availability", "ok", 0.99, 0.71, [4]float64{0.3, 0.2, 0.25, 0.2}, -1)
				s.Window, s.CoverageSeconds, s.Partial = "3d", f(2*86400), true
				s.Conditions[3].Skipped = true
				s.Conditions[3].LongLevel, s.Conditions[3].ShortLevel = alerts.LevelNone, alerts.LevelNone
				return s
			}(),
			slo("search-latency", "ok", 0.99, 0.91, [4]float64{0.3, 0.2, 0.25, 0.2}, -1),
			func() alerts.SLOStatus {
				s := slo("auth-availability", "ok", 0.9999, 0.97, [4]float64{0.1, 0.12, 0.08, 0.05}, -1)
				s.Window = "90d"
				s.RetentionExceeded = true
				return s
			}(),
		},
	}
}

// bigBoard has n services, a few in trouble, worst first as alerts.Build orders them.
func bigBoard(n int) alerts.Board {
	b := alerts.Board{GeneratedAt: clock, Sources: okSources()}
	for i := range n {
		lat, errs := 0.05+float64(i%17)/100, 0.0001*float64(i%7)
		switch {
		case i < n/20:
			errs = 0.02 + float64(i)/1000
		case i < n/10:
			lat = 0.26
		}
		b.Services = append(b.Services, svc(fmt.Sprintf("service-%03d", i), lat, float64(100+i*37), errs, 0.2+float64(i%50)/100, th, i))
	}
	b.SLOs = healthyBoard().SLOs
	return b
}
