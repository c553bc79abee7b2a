package prometheus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// queryShapes are answers that once crashed a reader or that sit at the edge of what
// the decoder accepts: the fuzz seed corpus.
var queryShapes = []string{
	`{"status":"success","data":null}`,
	`{"status":"success"}`,
	`null`,
	`{"status":"success","data":{"resultType":"vector","result":[null]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[null]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[null]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":null,"values":[[1700000000,"1"]]}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":null}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":null}}`,
	`{"status":"success","data":{"resultType":"vector"}}`,
	`{"status":"success","data":{"result":[],"resultType":"vector"}}`,
	`{"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]}}`,
	`{"status":"success","data":{"resultType":"scalar","result":null}}`,
	`{"status":"success","data":{"resultType":"string","result":[1700000000,"x"]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[1700000000,"NaN"]},{"metric":{"job":"a"},"value":[1700000000,"+Inf"]}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"histogram":[1700000000,{"count":"1","sum":"1","buckets":[[0,"0","1","1"]]}]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1700000000,"1"],[1699999000,"2"],[1700000000,"3"]]},{"metric":{"job":"a"},"values":[[1700000000,"4"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"slo":"s","part":"total","window":"5m"},"values":[]}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"slo":"s","part":"total","window":"5m"},"value":[1700000000,"1"]}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["w"],"infos":null}`,
	`{"status":"error"}`,
	`{"status":"error","errorType":"bad_data","error":"\u001b]0;x\u0007"}`,
	`{"status":"success","data":{"resultType":"vector","result":[]}} trailing`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[1700000000,"1","extra"]}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":["1700000000","1"]}]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":1},"value":[1e400,"1"]}]}}`,
	`[]`, `""`, `{}`, `{"data":{"resultType":"matrix","result":{}}}`,
}

// FuzzQueryResponse serves arbitrary bodies to the real client on 127.0.0.1 and reads
// them with every reader in the package: none may panic, and an answer that decodes
// without error is one the readers can use.
func FuzzQueryResponse(f *testing.F) {
	for _, s := range queryShapes {
		f.Add([]byte(s))
	}
	var body atomic.Pointer[[]byte]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(*body.Load())
	}))
	f.Cleanup(srv.Close)
	src, err := New(Options{
		Name: "fuzz", URL: srv.URL, HTTP: promconfig.DefaultHTTPClientConfig, MaxBodyBytes: 1 << 20,
		Signals: &SignalSpec{By: "job", Profile: map[sources.Signal]string{sources.Latency: "q"}, Services: []ServiceSpec{{Name: "a"}}},
		SLOs: []slo.Definition{{Name: "s", Objective: 0.99, Window: 7 * 24 * time.Hour, SLI: slo.SLI{
			Errors: `sum(rate(e[{{.window}}]))`, Total: `sum(rate(t[{{.window}}]))`,
		}}},
	})
	if err != nil {
		f.Fatal(err)
	}
	key := func(m model.Metric) (string, bool) {
		v, ok := m["job"]
		return string(v), ok
	}
	subs := []subQuery{{slo: 0, window: 5 * time.Minute, part: partTotal}, {slo: 0, window: 5 * time.Minute, part: partErrors}}
	at := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		body.Store(&b)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		clean := func(what string, err error) {
			if err != nil && strings.ContainsAny(err.Error(), "\x1b\u009b\u202e\n") {
				t.Errorf("%s: error %q holds control characters", what, err)
			}
		}
		// The client's own errors are described (and cleaned) by the callers; what
		// leaves the package through Check, BudgetHistory and Poll must be clean.
		v, _, _, err := src.api.Query(ctx, "q", at)
		if err == nil {
			if err := checkInstant(v); err != nil {
				t.Fatalf("query answered %v without error, yet %v", v, err)
			}
			_, _ = instantValues(v, key, combineFor(sources.Latency))
			_, _ = src.readCounts(v, subs)
		}
		v, _, _, err = src.api.QueryRange(ctx, "q", rangeOf(at))
		if err == nil {
			if err := checkRange(v); err != nil {
				t.Fatalf("range query answered %v without error, yet %v", v, err)
			}
			_, _ = rangeSeriesContext(ctx, v, key, combineFor(sources.Latency))
		}
		clean("check", src.Check(ctx))
		_, err = src.BudgetHistory(ctx, "s", at, 10)
		clean("budget history", err)
		_, err = src.Poll(ctx, at)
		clean("poll", err)
	})
}
