package prometheus

import (
	"context"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// Each signal query is one range query whose last point, at the poll's instant, is
// the current value: a range query evaluated at its end gives what an instant query
// there gives, so no instant query repeats it. The first poll asks the whole
// sparkline window; later polls ask only the steps since the previous poll (a range
// ending at the poll's instant, on the step grid that ends there) and keep the
// history here, per query and service, trimmed to the window. Successive polls a
// refresh apart (15 s) on a grid of minutes add a point each; of those, only points
// at least a step apart stay in the history, and the newest always, so the
// sparkline keeps its step while its last point is always now.
//
// The whole window is asked again when the evaluation time jumps (backwards, as a
// `snapshot --at` or a clock step does, or forward by more than sparkGapSteps
// steps after a gap in polling) and after any failure of the query, which also
// covers a restarted server.
const sparkGapSteps = 5

// sparkHistory is what one range query has said so far.
type sparkHistory struct {
	end    time.Time                  // the end of the last range asked
	series map[string][]sources.Point // by service, oldest first, within the window
}

// sparkRead is what one poll read from a sparkline query.
type sparkRead struct {
	values map[string]float64         // the value at the poll's instant, by service
	series map[string][]sources.Point // the sparkline, by service (a fresh slice each)
	keyed  int                        // series in the answer that name a service, configured or not
}

// readSpark asks query over the steps it has not asked yet, up to at, and returns
// the current values and the whole sparklines of the services keep accepts (nil:
// every service). key reads the service of a series; combine joins several series
// of one service.
func (s *Source) readSpark(ctx context.Context, query string, keep map[string]bool, key func(model.Metric) (string, bool), combine func(a, b float64) float64, at time.Time) (sparkRead, error) {
	end := time.UnixMilli(at.UnixMilli()).UTC() // Prometheus evaluates at milliseconds
	step, window := s.opts.SparkStep, s.opts.SparkWindow
	s.sparkMu.Lock()
	h := s.spark[query]
	s.sparkMu.Unlock()
	start := end.Add(-window)
	if h != nil && !end.Before(h.end) && end.Sub(h.end) <= sparkGapSteps*step {
		// The first step of the grid ending at `end` that is after the last end.
		k := (end.Sub(h.end) + step - 1) / step // ceil
		start = end.Add(-max(k-1, 0) * step)
	} else {
		h = nil
	}
	v, _, _, err := s.api.QueryRange(ctx, query, v1.Range{Start: start, End: end, Step: step})
	var fresh map[string][]sources.Point
	if err == nil {
		fresh, err = rangeSeriesContext(ctx, v, key, combine)
	}
	if err != nil {
		s.sparkMu.Lock()
		delete(s.spark, query)
		s.sparkMu.Unlock()
		return sparkRead{}, err
	}
	out := sparkRead{values: map[string]float64{}, series: map[string][]sources.Point{}}
	if m, ok := v.(model.Matrix); ok {
		for _, ss := range m {
			if ss == nil {
				continue
			}
			if _, ok := key(ss.Metric); ok {
				out.keyed++
			}
		}
	}
	from := end.Add(-window)
	for name, pts := range fresh {
		if keep != nil && !keep[name] {
			continue
		}
		var old []sources.Point
		if h != nil {
			old = h.series[name]
		}
		merged := mergeSpark(old, pts, start, from, step)
		if len(merged) > 0 {
			out.series[name] = merged
		}
		if n := len(pts); n > 0 && pts[n-1].T.Equal(end) {
			out.values[name] = pts[n-1].V
		}
	}
	if h != nil {
		// Services without a point in the new steps keep their history, trimmed.
		for name, old := range h.series {
			if _, seen := fresh[name]; seen {
				continue
			}
			if merged := mergeSpark(old, nil, start, from, step); len(merged) > 0 {
				out.series[name] = merged
			}
		}
	}
	s.sparkMu.Lock()
	s.spark[query] = &sparkHistory{end: end, series: out.series}
	s.sparkMu.Unlock()
	return out, nil
}

// mergeSpark is the history old, trimmed to points at or after from and before
// start, followed by the new points. The last old point was the newest of its poll:
// it stays only when it is at least a step after the one before it; likewise a new
// point other than the newest is left out when it comes less than a step after the
// one before it (the grid ends at each poll's instant, so it moves between polls).
// The result is a new slice: the previous one may be held by a subscriber.
func mergeSpark(old, fresh []sources.Point, start, from time.Time, step time.Duration) []sources.Point {
	lo := 0
	for lo < len(old) && old[lo].T.Before(from) {
		lo++
	}
	hi := lo
	for hi < len(old) && old[hi].T.Before(start) {
		hi++
	}
	if hi-lo >= 2 && old[hi-1].T.Sub(old[hi-2].T) < step {
		hi--
	}
	if hi-lo == 0 && len(fresh) == 0 {
		return nil
	}
	out := make([]sources.Point, 0, hi-lo+len(fresh))
	out = append(out, old[lo:hi]...)
	for i, p := range fresh {
		if p.T.Before(from) {
			continue
		}
		if n := len(out); n > 0 && i < len(fresh)-1 && p.T.Sub(out[n-1].T) < step {
			continue // the grid moved: keep the step, and always the newest point
		}
		out = append(out, p)
	}
	return out
}
