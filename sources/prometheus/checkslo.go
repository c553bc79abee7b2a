package prometheus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
)

// checkWindow is the window `vigil check` asks an SLO's queries over: long enough to
// have seen traffic on a quiet service, short enough to be cheap.
const checkWindow = time.Hour

// CheckSLO is `vigil check` for one SLO: each of its queries is asked once over the
// last hour. A latency SLI whose threshold is not a bucket of the histogram would
// otherwise read as NO DATA for ever without a word, so that is an error; a total
// with no series is only a warning (a quiet service has no traffic).
func (s *Source) CheckSLO(ctx context.Context, name string) (warning string, err error) {
	i, ok := s.sloIndex[name]
	if !ok {
		return "", fmt.Errorf("unknown SLO %q", name)
	}
	d := s.opts.SLOs[i]
	s.mu.Lock()
	parts := s.parts(i, checkWindow)
	s.mu.Unlock()
	empty := map[string]bool{}
	for _, p := range parts {
		v, _, _, err := s.api.Query(ctx, p[1], time.Now())
		if err != nil {
			return "", &queryError{what: p[0] + " query", msg: describe(err, pollBudget(ctx)), err: err}
		}
		vec, _ := v.(model.Vector)
		empty[p[0]] = len(vec) == 0
	}
	switch {
	case d.SLI.Latency != nil && !empty[partTotal] && empty[partErrors]:
		l := d.SLI.Latency
		return "", errors.New("no " + l.Histogram + "_bucket series with le=" + model.Duration(l.Threshold).String() +
			" (" + fmt.Sprint(l.Threshold.Seconds()) + "s): the threshold must be one of the histogram's bucket boundaries")
	case empty[partTotal]:
		return "total has no series over the last " + slo.WindowName(checkWindow) + ": no traffic, or a selector that matches nothing", nil
	}
	return "", nil
}
