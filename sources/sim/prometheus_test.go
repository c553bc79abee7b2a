package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
)

func startTestServer(t *testing.T) (*Scenario, *PrometheusServer, v1.API) {
	t.Helper()
	sc := DemoScenario(testStart)
	s, err := StartPrometheus(sc, fixedClock(sc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c, err := api.NewClient(api.Config{Address: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return sc, s, v1.NewAPI(c)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestClientDemoQueries asks what `vigil demo` asks, through client_golang, and
// counts the requests that took.
func TestClientDemoQueries(t *testing.T) {
	sc, s, c := startTestServer(t)
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	d := Demo()
	_, at := sc.PhaseWindow(0, PhaseLatency)
	at = at.Add(-ScrapeInterval)
	before := s.Requests()
	for _, q := range []string{d.Latency, d.Traffic, d.Errors, d.Saturation} {
		v, warnings, _, err := c.Query(ctxT(t), q, at)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(warnings) != 0 {
			t.Errorf("%s: warnings %v", q, warnings)
		}
		vec, ok := v.(model.Vector)
		if !ok {
			t.Fatalf("%s: %T", q, v)
		}
		got := map[string]float64{}
		for _, smp := range vec {
			got[string(smp.Metric["job"])] = float64(smp.Value)
			if !smp.Timestamp.Time().Equal(at) {
				t.Errorf("%s: sample at %v, asked %v", q, smp.Timestamp.Time(), at)
			}
		}
		for _, svc := range d.Services {
			if _, ok := got[svc]; !ok {
				t.Errorf("%s: no %s in %v", q, svc, got)
			}
		}
		if len(got) != 6 {
			t.Errorf("%s: %d services", q, len(got))
		}
		if q == d.Latency && got["checkout"] <= 0.3 {
			t.Errorf("checkout latency in the regression = %v", got["checkout"])
		}
	}
	if n := s.Requests() - before; n != 4 {
		t.Errorf("4 queries made %d requests", n)
	}
	if s.Queries() != 4 {
		t.Errorf("Queries() = %d", s.Queries())
	}
	// With no time the server evaluates at its clock.
	v, _, _, err := c.Query(ctxT(t), `time()`, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(*model.Scalar).Timestamp.Time(); !got.Equal(fixedClock(sc)()) {
		t.Errorf("default time %v, want the clock's %v", got, fixedClock(sc)())
	}
}

func TestClientQueryRange(t *testing.T) {
	sc, _, c := startTestServer(t)
	end := sc.FirstCycle.Add(CycleLength)
	r := v1.Range{Start: end.Add(-10 * time.Minute), End: end, Step: 15 * time.Second}
	v, _, _, err := c.QueryRange(ctxT(t), Demo().Errors, r)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(model.Matrix)
	if len(m) != 6 {
		t.Fatalf("%d series", len(m))
	}
	for _, ss := range m {
		if len(ss.Values) != 41 {
			t.Errorf("%s: %d points, want 41", ss.Metric, len(ss.Values))
		}
		if ss.Metric["job"] != "checkout" {
			continue
		}
		peak := 0.0
		for _, p := range ss.Values {
			peak = max(peak, float64(p.Value))
		}
		if peak < 0.049 {
			t.Errorf("checkout error ratio peaked at %v over a cycle", peak)
		}
	}
}

func TestStatusEndpoints(t *testing.T) {
	_, s, c := startTestServer(t)
	bi, err := c.Buildinfo(ctxT(t))
	if err != nil || bi.Version != Version {
		t.Errorf("buildinfo %+v, %v", bi, err)
	}
	ri, err := c.Runtimeinfo(ctxT(t))
	if err != nil || ri.StorageRetention != "90d" {
		t.Errorf("runtimeinfo %+v, %v", ri, err)
	}
	fl, err := c.Flags(ctxT(t))
	if err != nil || fl["storage.tsdb.retention.time"] != "90d" {
		t.Errorf("flags %v, %v", fl, err)
	}
	for path, want := range map[string]string{"/-/ready": "Prometheus Server is Ready.\n", "/-/healthy": "Prometheus Server is Healthy.\n"} {
		code, body, _ := get(t, s.Handler(), path)
		if code != 200 || body != want {
			t.Errorf("%s: %d %q", path, code, body)
		}
	}
	if code, _, _ := get(t, s.Handler(), "/api/v1/nope"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
}

// get serves one GET through h.
func get(t testing.TB, h http.Handler, target string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

func post(t testing.TB, h http.Handler, target string, form url.Values) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestWireFormat pins bytes: Prometheus's JSON for each result type, NaN and
// fractional timestamps, GET and POST alike.
func TestWireFormat(t *testing.T) {
	sc := DemoScenario(testStart)
	h := NewPrometheus(sc, fixedClock(sc)).Handler()
	at := "1772366407.5"
	tests := []struct {
		query, want string
	}{
		{`vector(1)`, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1772366407.500,"1"]}]}}`},
		{`vector(1e-7)`, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1772366407.500,"1e-07"]}]}}`},
		{`0/0`, `{"status":"success","data":{"resultType":"scalar","result":[1772366407.5,"NaN"]}}`},
		{`-1/0`, `{"status":"success","data":{"resultType":"scalar","result":[1772366407.5,"-Inf"]}}`},
		{`1e-7`, `{"status":"success","data":{"resultType":"scalar","result":[1772366407.5,"0.0000001"]}}`},
		{`"a\"b"`, `{"status":"success","data":{"resultType":"string","result":[1772366407.5,"a\"b"]}}`},
		{`label_replace(vector(0.25), "job", "<x>", "", "")`, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"\u003cx\u003e"},"value":[1772366407.500,"0.25"]}]}}`},
		{`up{job="nope"}`, `{"status":"success","data":{"resultType":"vector","result":[]}}`},
	}
	for _, tt := range tests {
		code, body, hdr := get(t, h, "/api/v1/query?"+url.Values{"query": {tt.query}, "time": {at}}.Encode())
		if code != 200 || body != tt.want || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s:\n got %d %s\nwant %s", tt.query, code, body, tt.want)
		}
		code, body = post(t, h, "/api/v1/query", url.Values{"query": {tt.query}, "time": {at}})
		if code != 200 || body != tt.want {
			t.Errorf("POST %s: %d %s", tt.query, code, body)
		}
	}
	// RFC 3339 times, and a matrix.
	code, body := post(t, h, "/api/v1/query_range", url.Values{"query": {`vector(2)`},
		"start": {"2026-03-01T12:00:00Z"}, "end": {"2026-03-01T12:00:30.25Z"}, "step": {"15"}})
	want := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1772366400,"2"],[1772366415,"2"],[1772366430,"2"]]}]}}`
	if code != 200 || body != want {
		t.Errorf("query_range:\n got %d %s\nwant %s", code, body, want)
	}
	// Annotations travel as Prometheus sends them.
	code, body = post(t, h, "/api/v1/query", url.Values{"query": {`rate(process_resident_memory_bytes{job="api"}[1m])`}})
	if code != 200 || !strings.Contains(body, `"infos":["PromQL info: metric might not be a counter`) {
		t.Errorf("infos: %d %s", code, body)
	}
}

func TestErrorResponses(t *testing.T) {
	sc := DemoScenario(testStart)
	h := NewPrometheus(sc, fixedClock(sc)).Handler()
	tests := []struct {
		name, target string
		code         int
		typ, msg     string
	}{
		{"parse error", "/api/v1/query?query=sum(", 400, "bad_data", `invalid parameter \"query\": 1:5: parse error`},
		{"bad time", "/api/v1/query?query=up&time=yesterday", 400, "bad_data", `invalid parameter \"time\": invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp`},
		{"bad timeout", "/api/v1/query?query=up&timeout=-1s", 400, "bad_data", `invalid parameter \"timeout\"`},
		{"no start", "/api/v1/query_range?query=up&end=1&step=15", 400, "bad_data", `invalid parameter \"start\": cannot parse \"\" to a valid timestamp`},
		{"end before start", "/api/v1/query_range?query=up&start=10&end=1&step=15", 400, "bad_data", `invalid parameter \"end\": end timestamp must not be before start time`},
		{"zero step", "/api/v1/query_range?query=up&start=1&end=10&step=0", 400, "bad_data", `zero or negative query resolution step widths are not accepted`},
		{"too many points", "/api/v1/query_range?query=up&start=0&end=1000000&step=1", 400, "bad_data", `exceeded maximum resolution of 11,000 points per timeseries`},
		{"execution", "/api/v1/query?query=" + url.QueryEscape(`http_requests_total + on(job) http_requests_total`), 422, "execution", `found duplicate series for the match group`},
		{"timeout", "/api/v1/query_range?start=1772366400&end=1772370000&step=15&timeout=0.000001&query=" + url.QueryEscape(`sum(rate(http_requests_total[30d]))`), 503, "timeout", `query timed out`},
	}
	for _, tt := range tests {
		code, body, _ := get(t, h, tt.target)
		prefix := `{"status":"error","errorType":"` + tt.typ + `","error":"`
		if code != tt.code || !strings.HasPrefix(body, prefix) || !strings.Contains(body, tt.msg) {
			t.Errorf("%s: %d %s", tt.name, code, body)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/api/v1/query", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", rec.Code)
	}
}

// A deadline noticed while the engine reads series, rather than at one of its own
// checks, is the same 503 timeout: which comes first depends on the machine's load.
func TestDeadlineDuringEvaluationIsATimeout(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("expanding series: %w", context.DeadlineExceeded),
		promql.ErrQueryTimeout("expression evaluation"),
	} {
		aerr := execError(err)
		if aerr.typ != errTimeout || aerr.status() != http.StatusServiceUnavailable || aerr.err.Error() != "query timed out in expression evaluation" {
			t.Errorf("execError(%v) = %d %s %v, want 503 timeout: query timed out in expression evaluation", err, aerr.status(), aerr.typ, aerr.err)
		}
	}
	if aerr := execError(errors.New("many-to-many matching not allowed")); aerr.typ != errExec || aerr.status() != http.StatusUnprocessableEntity {
		t.Errorf("an evaluation error = %d %s, want 422 execution", aerr.status(), aerr.typ)
	}
}

func TestFaults(t *testing.T) {
	sc, s, c := startTestServer(t)
	at := sc.FirstCycle.Add(time.Minute)

	s.SetFault(Fault{Mode: FaultHTTP500})
	_, _, _, err := c.Query(ctxT(t), "up", at)
	var apiErr *v1.Error
	if !errors.As(err, &apiErr) || apiErr.Type != v1.ErrServer {
		t.Errorf("HTTP500: %v", err)
	}
	code, body, _ := get(t, s.Handler(), "/api/v1/query?query=up")
	if code != 500 || body != `{"status":"error","errorType":"internal","error":"simulated fault: internal server error"}` {
		t.Errorf("HTTP500 body: %d %s", code, body)
	}
	if code, _, _ := get(t, s.Handler(), "/-/ready"); code != 200 {
		t.Errorf("ready under a fault: %d", code)
	}

	s.SetFault(Fault{Mode: FaultGarbage})
	if _, _, _, err := c.Query(ctxT(t), "up", at); err == nil {
		t.Error("garbage body parsed")
	}
	if _, body, _ := get(t, s.Handler(), "/api/v1/status/buildinfo"); body != GarbageBody {
		t.Errorf("garbage body %q", body)
	}

	s.SetFault(Fault{Mode: FaultHuge, Size: 1 << 20})
	resp, err := http.Get(s.URL() + "/api/v1/query?query=up")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 1<<20 || resp.ContentLength != 1<<20 {
		t.Errorf("huge body: %d bytes (Content-Length %d), %v", n, resp.ContentLength, err)
	}
	code, body, _ = get(t, s.Handler(), "/api/v1/query?query=up")
	if code != 200 || len(body) != 1<<20 || !strings.HasPrefix(body, `{"status":"success","data":{"resultType":"vector","result":[{"metric":`) {
		t.Errorf("huge body: %d, %d bytes, %.80q", code, len(body), body)
	}
	if _, _, _, err := c.Query(ctxT(t), "up", at); err == nil {
		t.Error("a truncated body parsed")
	}

	s.SetFault(Fault{Mode: FaultDelay, Delay: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_, _, _, err = c.Query(ctx, "up", at)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delay past the client's deadline: %v", err)
	}
	t0 := time.Now()
	if _, _, _, err := c.Query(ctxT(t), "up", at); err != nil || time.Since(t0) < 200*time.Millisecond {
		t.Errorf("delay: %v after %v", err, time.Since(t0))
	}

	s.SetFault(Fault{Mode: FaultNaN})
	v, _, _, err := c.Query(ctxT(t), Demo().Traffic, at)
	if err != nil {
		t.Fatal(err)
	}
	if vec := v.(model.Vector); len(vec) != 6 || !isNaN(vec[0].Value) {
		t.Errorf("NaN fault: %v", vec)
	}
	if s.Fault().Mode != FaultNaN {
		t.Errorf("Fault() = %+v", s.Fault())
	}

	s.SetFault(Fault{})
	if _, _, _, err := c.Query(ctxT(t), "up", at); err != nil {
		t.Errorf("after clearing the fault: %v", err)
	}
}

func isNaN(v model.SampleValue) bool { return v != v }

func TestCloseStopsServing(t *testing.T) {
	_, s, _ := startTestServer(t)
	u := s.URL()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if resp, err := http.Get(u + "/-/ready"); err == nil {
		resp.Body.Close()
		t.Error("still serving after Close")
	}
}
