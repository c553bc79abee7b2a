package sim

import (
	"context"
	"net/url"
	"testing"
)

// BenchmarkQuery30dIncrease is the heaviest query an SLO pane makes: a 30-day
// increase of every request counter (6 services x 3 codes), through the engine.
// It stays far below the time a poll can spend because samples older than 6h are
// read on the 5-minute grid (see storage.go).
func BenchmarkQuery30dIncrease(b *testing.B) {
	sc := DemoScenario(testStart)
	s := NewPrometheus(sc, fixedClock(sc))
	q := s.sc.Queryable(s.clock)
	at := s.clock()
	b.ReportAllocs()
	for b.Loop() {
		qry, err := s.engine.NewInstantQuery(context.Background(), q, nil, `sum by (job) (increase(http_requests_total[30d]))`, at)
		if err != nil {
			b.Fatal(err)
		}
		res := qry.Exec(context.Background())
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		if v, _ := res.Vector(); len(v) != 6 {
			b.Fatalf("%d series", len(v))
		}
		qry.Close()
	}
}

// BenchmarkHTTPDemoSignals is one dashboard refresh's signal queries over HTTP.
func BenchmarkHTTPDemoSignals(b *testing.B) {
	sc := DemoScenario(testStart)
	h := NewPrometheus(sc, fixedClock(sc)).Handler()
	d := Demo()
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range []string{d.Latency, d.Traffic, d.Errors, d.Saturation} {
			if code, _ := post(b, h, "/api/v1/query", url.Values{"query": {q}}); code != 200 {
				b.Fatalf("%s: %d", q, code)
			}
		}
	}
}
