package prometheus

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// rangeLog is a fake Prometheus whose latency for job "a" at t is t in Unix seconds,
// and which records the ranges it was asked.
type rangeLog struct {
	mu     sync.Mutex
	ranges [][2]time.Time
	fail   bool
}

func (l *rangeLog) handler(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/query_range") {
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		return
	}
	_ = r.ParseForm()
	sec := func(k string) float64 { f, _ := strconv.ParseFloat(r.Form.Get(k), 64); return f }
	start, end, step := sec("start"), sec("end"), sec("step")
	l.mu.Lock()
	l.ranges = append(l.ranges, [2]time.Time{time.UnixMilli(int64(start * 1000)).UTC(), time.UnixMilli(int64(end * 1000)).UTC()})
	fail := l.fail
	l.mu.Unlock()
	if fail {
		http.Error(w, `{"status":"error","errorType":"execution","error":"boom"}`, http.StatusUnprocessableEntity)
		return
	}
	var pts []string
	for t := start; t <= end+1e-9; t += step {
		pts = append(pts, fmt.Sprintf(`[%s,"%s"]`, strconv.FormatFloat(t, 'f', -1, 64), strconv.FormatFloat(t, 'f', -1, 64)))
	}
	fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[%s]}]}}`, strings.Join(pts, ","))
}

func (l *rangeLog) last() [2]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ranges[len(l.ranges)-1]
}

// TestSparklineIncremental: the first poll asks the whole window, later ones only the
// steps since the previous poll; the history keeps its step and ends at the poll's
// instant, whose value is the current reading; a jump back, a gap or a failure asks
// the whole window again.
func TestSparklineIncremental(t *testing.T) {
	t.Parallel()
	log := &rangeLog{}
	src := oneSignal(t, fakeAPI(t, log.handler), nil)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	pollAt := func(at time.Time) sources.ServiceSignals {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		data, err := src.Poll(ctx, at)
		if err != nil {
			t.Fatalf("poll at %s: %v", at.Format(time.TimeOnly), err)
		}
		return data.Signals.Services["a"]
	}
	check := func(at time.Time, ss sources.ServiceSignals, wantFrom time.Time, wantPoints int) {
		t.Helper()
		if r := log.last(); !r[0].Equal(wantFrom) || !r[1].Equal(at) {
			t.Errorf("poll at %s asked [%s, %s], want [%s, %s]", at.Format(time.TimeOnly),
				r[0].Format(time.TimeOnly), r[1].Format(time.TimeOnly), wantFrom.Format(time.TimeOnly), at.Format(time.TimeOnly))
		}
		if r := ss.Values[sources.Latency]; !r.Valid || r.Value != float64(at.Unix()) {
			t.Errorf("value at %s = %+v, want %d (the range's last point)", at.Format(time.TimeOnly), r, at.Unix())
		}
		pts := ss.Series[sources.Latency]
		if len(pts) != wantPoints {
			t.Errorf("poll at %s: %d points, want %d: %v", at.Format(time.TimeOnly), len(pts), wantPoints, pts)
		}
		for i, p := range pts {
			if p.V != float64(p.T.Unix()) {
				t.Errorf("point %d = %v at %s: a value from another instant", i, p.V, p.T)
			}
			if i > 0 && i < len(pts)-1 && p.T.Sub(pts[i-1].T) < time.Minute {
				t.Errorf("points %d and %d are closer than a step: %v", i-1, i, pts)
			}
		}
		if len(pts) > 0 && (!pts[len(pts)-1].T.Equal(at) || pts[0].T.Before(at.Add(-30*time.Minute))) {
			t.Errorf("sparkline spans %s..%s, want within the 30m ending at %s", pts[0].T, pts[len(pts)-1].T, at)
		}
	}
	check(t0, pollAt(t0), t0.Add(-30*time.Minute), 31)
	// A refresh of 15 s adds the one new step, replacing the previous newest point
	// until it is a step past the one before it.
	at := t0
	for i := 1; i <= 8; i++ {
		at = t0.Add(time.Duration(i) * 15 * time.Second)
		check(at, pollAt(at), at, 31) // the first point leaves the window, now comes in

	}
	// 2m30s later: the steps of the grid ending there that are new.
	next := at.Add(150 * time.Second)
	check(next, pollAt(next), next.Add(-2*time.Minute), 30)
	// Back in time (snapshot --at): the whole window.
	past := t0.Add(-time.Hour)
	check(past, pollAt(past), past.Add(-30*time.Minute), 31)
	// A gap of ten minutes: the whole window.
	later := past.Add(10 * time.Minute)
	check(later, pollAt(later), later.Add(-30*time.Minute), 31)
	// A failure drops the history and the value.
	log.mu.Lock()
	log.fail = true
	log.mu.Unlock()
	failed := later.Add(15 * time.Second)
	if ss := pollAt(failed); ss.Values[sources.Latency].Err == "" || len(ss.Series[sources.Latency]) != 0 {
		t.Errorf("a failing query: %+v, sparkline %v; want its error and no sparkline", ss.Values[sources.Latency], ss.Series[sources.Latency])
	}
	log.mu.Lock()
	log.fail = false
	log.mu.Unlock()
	again := failed.Add(15 * time.Second)
	check(again, pollAt(again), again.Add(-30*time.Minute), 31)
}

// TestSparklineHistoryIsNotShared: a poll never changes a sparkline an earlier poll
// handed out (subscribers may still be drawing it).
func TestSparklineHistoryIsNotShared(t *testing.T) {
	t.Parallel()
	log := &rangeLog{}
	src := oneSignal(t, fakeAPI(t, log.handler), nil)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first, err := src.Poll(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	pts := first.Signals.Services["a"].Series[sources.Latency]
	before := fmt.Sprint(pts)
	for i := 1; i <= 5; i++ {
		if _, err := src.Poll(ctx, t0.Add(time.Duration(i)*15*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if after := fmt.Sprint(pts); after != before {
		t.Errorf("an earlier poll's sparkline changed:\n%s\n%s", before, after)
	}
}
