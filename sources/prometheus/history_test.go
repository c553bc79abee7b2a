package prometheus

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// TestBudgetHistoryAsksStepsNotWindows: the budget chart of a 30-day SLO at 120
// points asks each step's counts over two windows, once, instead of the 30-day ratio
// at every point; and a ratio SLI, which cannot be summed, still asks its window.
func TestBudgetHistoryAsksStepsNotWindows(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var asked []string
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		asked = append(asked, fmt.Sprintf("%s|%s|%s|%s", r.Form.Get("query"), r.Form.Get("start"), r.Form.Get("end"), r.Form.Get("step")))
		mu.Unlock()
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	})
	month := 30 * 24 * time.Hour
	src, err := New(Options{Name: "p", URL: url, HTTP: oneSignal(t, url, nil).opts.HTTP, SLOs: []slo.Definition{
		{Name: "counts", Objective: 0.999, Window: month, SLI: slo.SLI{Errors: `sum(rate(e[{{.window}}]))`, Total: `sum(rate(t[{{.window}}]))`}},
		{Name: "ratio", Objective: 0.999, Window: month, SLI: slo.SLI{ErrorRatio: `max(r[{{.window}}])`}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Unix(1_800_000_000, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, name := range []string{"counts", "ratio"} {
		if _, err := src.BudgetHistory(ctx, name, end, 120); err != nil {
			t.Fatal(err)
		}
	}
	step := month / 120 // 6h
	wantCounts := fmt.Sprintf(`label_replace(sum(sum(rate(e[6h]))), "part", "errors", "", "") or label_replace(sum(sum(rate(t[6h]))), "part", "total", "", "")|%d|%d|%d`,
		end.Add(-239*step).Unix(), end.Unix(), int(step.Seconds()))
	if len(asked) != 2 || asked[0] != wantCounts {
		t.Errorf("asked %q\nwant first %q", asked, wantCounts)
	}
	if len(asked) == 2 && (!strings.Contains(asked[1], "r[30d]") || !strings.Contains(asked[1], fmt.Sprintf("|%d|", end.Add(-month).Unix()))) {
		t.Errorf("ratio SLI asked %q, want its 30d window over [end-30d, end]", asked[1])
	}
}

func TestRollBudget(t *testing.T) {
	t.Parallel()
	d := slo.Definition{Objective: 0.9, Window: 3 * time.Hour, SLI: slo.SLI{Errors: "e", Total: "t"}}
	end := time.Unix(1_800_000_000, 0)
	step := time.Hour
	start := end.Add(-5 * step)
	series := func(part string, vals ...float64) *model.SampleStream {
		ss := &model.SampleStream{Metric: model.Metric{"part": model.LabelValue(part)}}
		for k, v := range vals {
			if v >= 0 {
				ss.Values = append(ss.Values, model.SamplePair{Timestamp: model.TimeFromUnixNano(start.Add(time.Duration(k) * step).UnixNano()), Value: model.SampleValue(v)})
			}
		}
		return ss
	}
	// Six steps; the errors series is missing at step 1 (no failures: 0 errors), the
	// total missing at step 4 (no data: left out of the window sums).
	m := model.Matrix{series(partErrors, 1, -1, 2, 0, 5, 1), series(partTotal, 10, 10, 10, 10, -1, 10)}
	got := rollBudget(d, m, end, step, 3)
	budget := func(e, tot float64) float64 { return 1 - (e/tot)/(1-0.9) }
	want := []sources.Point{
		{T: start.Add(2 * step).UTC(), V: budget(1+0+2, 30)},
		{T: start.Add(3 * step).UTC(), V: budget(0+2+0, 30)},
		{T: start.Add(4 * step).UTC(), V: budget(2+0, 20)},
		{T: start.Add(5 * step).UTC(), V: budget(0+1, 20)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	for i := range want {
		if !got[i].T.Equal(want[i].T) || math.Abs(got[i].V-want[i].V) > 1e-9 {
			t.Errorf("point %d = %v, want %v", i, got[i], want[i])
		}
	}
}
