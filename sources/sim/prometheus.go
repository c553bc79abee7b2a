package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/annotations"
)

// Version is the Prometheus version the simulator reports in buildinfo: the
// release whose engine evaluates its queries.
const Version = "3.16.0"

// Engine limits, Prometheus's defaults.
const (
	queryTimeout   = 2 * time.Minute
	maxSamples     = 50_000_000
	lookbackDelta  = 5 * time.Minute
	maxPoints      = 11000
	evalInterval   = time.Minute // the default step of a subquery without one
	retentionLabel = "90d"
)

// PrometheusServer serves the Prometheus HTTP API over a Scenario: /api/v1/query,
// /api/v1/query_range (GET, or POST form-encoded as client_golang sends them),
// /api/v1/status/buildinfo, /api/v1/status/runtimeinfo, /api/v1/status/flags,
// /-/ready and /-/healthy. Responses and errors are byte-for-byte in Prometheus's
// format. It is safe for concurrent use.
type PrometheusServer struct {
	sc      *Scenario
	clock   func() time.Time
	engine  *promql.Engine
	started time.Time
	handler http.Handler

	requests atomic.Int64
	queries  atomic.Int64
	fault    atomic.Pointer[Fault]

	mu  sync.Mutex // guards srv and url
	srv *http.Server
	url string
}

// NewPrometheus builds the server without listening: serve Handler with httptest.
// clock is the simulated now: the default evaluation time and the newest sample.
func NewPrometheus(sc *Scenario, clock func() time.Time) *PrometheusServer {
	s := &PrometheusServer{
		sc:      sc,
		clock:   clock,
		started: clock(),
		engine: promql.NewEngine(promql.EngineOpts{
			MaxSamples:               maxSamples,
			Timeout:                  queryTimeout,
			LookbackDelta:            lookbackDelta,
			NoStepSubqueryIntervalFn: func(int64) int64 { return evalInterval.Milliseconds() },
			EnableAtModifier:         true,
			EnableNegativeOffset:     true,
		}),
	}
	s.handler = s.routes()
	return s
}

// StartPrometheus serves the simulator on a free loopback port until Close.
func StartPrometheus(sc *Scenario, clock func() time.Time) (*PrometheusServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("simulated prometheus: listen: %w", err)
	}
	s := NewPrometheus(sc, clock)
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.srv, s.url = srv, "http://"+ln.Addr().String()
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }() // returns ErrServerClosed on Close
	return s, nil
}

// URL is the base URL of a started server ("http://127.0.0.1:port"), "" otherwise.
func (s *PrometheusServer) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops a started server and the requests it is serving.
func (s *PrometheusServer) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Handler serves the API, for httptest and for embedding.
func (s *PrometheusServer) Handler() http.Handler { return s.handler }

// Requests is how many HTTP requests the server has received, on any path.
func (s *PrometheusServer) Requests() int64 { return s.requests.Load() }

// Queries is how many of those were /api/v1/query or /api/v1/query_range.
func (s *PrometheusServer) Queries() int64 { return s.queries.Load() }

func (s *PrometheusServer) routes() http.Handler {
	mux := http.NewServeMux()
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		mux.HandleFunc(m+" /api/v1/query", s.api(s.query, true))
		mux.HandleFunc(m+" /api/v1/query_range", s.api(s.queryRange, true))
	}
	mux.HandleFunc("GET /api/v1/status/buildinfo", s.api(s.buildInfo, false))
	mux.HandleFunc("GET /api/v1/status/runtimeinfo", s.api(s.runtimeInfo, false))
	mux.HandleFunc("GET /api/v1/status/flags", s.api(s.flags, false))
	mux.HandleFunc("GET /-/ready", text("Prometheus Server is Ready.\n"))
	mux.HandleFunc("GET /-/healthy", text("Prometheus Server is Healthy.\n"))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		mux.ServeHTTP(w, r)
	})
}

func text(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}
}

// apiError is a failed API call: Prometheus's error type and message.
type apiError struct {
	typ string
	err error
}

const (
	errBadData  = "bad_data"
	errExec     = "execution"
	errTimeout  = "timeout"
	errCanceled = "canceled"
	errInternal = "internal"
)

func (e *apiError) status() int {
	switch e.typ {
	case errBadData:
		return http.StatusBadRequest
	case errExec:
		return http.StatusUnprocessableEntity
	case errTimeout:
		return http.StatusServiceUnavailable
	case errCanceled:
		return 499 // what Prometheus answers a client that went away
	}
	return http.StatusInternalServerError
}

// result is a successful API call: the data and, for queries, the annotations.
type result struct {
	data     any // a *queryData or anything encoding/json takes
	warnings annotations.Annotations
	query    string
}

type queryData struct {
	value parser.Value
}

type apiFunc func(*http.Request) (result, *apiError)

func (s *PrometheusServer) api(f apiFunc, isQuery bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if isQuery {
			s.queries.Add(1)
		}
		fault := s.Fault()
		if fault.intercept(w, r) {
			return
		}
		res, aerr := f(r)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		if qd, ok := res.data.(*queryData); ok && fault.Mode == FaultNaN {
			qd.value = nanify(qd.value)
		}
		writeSuccess(w, res)
	}
}

func invalidParam(name string, err error) *apiError {
	return &apiError{errBadData, fmt.Errorf("invalid parameter %q: %w", name, err)}
}

func (s *PrometheusServer) query(r *http.Request) (result, *apiError) {
	ts := s.clock()
	if v := r.FormValue("time"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return result{}, invalidParam("time", fmt.Errorf("invalid time value for 'time': %w", err))
		}
		ts = t
	}
	ctx, cancel, aerr := withTimeout(r)
	if aerr != nil {
		return result{}, aerr
	}
	defer cancel()
	qs := r.FormValue("query")
	q, err := s.engine.NewInstantQuery(ctx, s.sc.Queryable(s.clock), s.opts(), qs, ts)
	return s.exec(ctx, q, qs, err)
}

func (s *PrometheusServer) queryRange(r *http.Request) (result, *apiError) {
	start, err := parseTime(r.FormValue("start"))
	if err != nil {
		return result{}, invalidParam("start", err)
	}
	end, err := parseTime(r.FormValue("end"))
	if err != nil {
		return result{}, invalidParam("end", err)
	}
	if end.Before(start) {
		return result{}, invalidParam("end", errors.New("end timestamp must not be before start time"))
	}
	step, err := parseDuration(r.FormValue("step"))
	if err != nil {
		return result{}, invalidParam("step", err)
	}
	if step <= 0 {
		return result{}, invalidParam("step", errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer"))
	}
	if end.Sub(start)/step > maxPoints {
		return result{}, &apiError{errBadData, errors.New("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")}
	}
	ctx, cancel, aerr := withTimeout(r)
	if aerr != nil {
		return result{}, aerr
	}
	defer cancel()
	qs := r.FormValue("query")
	q, err := s.engine.NewRangeQuery(ctx, s.sc.Queryable(s.clock), s.opts(), qs, start, end, step)
	return s.exec(ctx, q, qs, err)
}

func (s *PrometheusServer) opts() promql.QueryOpts {
	return promql.NewPrometheusQueryOpts(false, 0, nil)
}

func withTimeout(r *http.Request) (context.Context, context.CancelFunc, *apiError) {
	v := r.FormValue("timeout")
	if v == "" {
		ctx, cancel := context.WithCancel(r.Context())
		return ctx, cancel, nil
	}
	d, err := parseDuration(v)
	if err != nil {
		return nil, nil, invalidParam("timeout", err)
	}
	if d <= 0 {
		return nil, nil, invalidParam("timeout", fmt.Errorf("timeout must be positive, got %s", d))
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	return ctx, cancel, nil
}

func (s *PrometheusServer) exec(ctx context.Context, q promql.Query, qs string, err error) (result, *apiError) {
	if err != nil {
		var (
			timeout  promql.ErrQueryTimeout
			canceled promql.ErrQueryCanceled
		)
		if errors.As(err, &timeout) || errors.As(err, &canceled) {
			return result{}, execError(err)
		}
		return result{}, invalidParam("query", err)
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return result{}, execError(res.Err)
	}
	// The result is encoded after Close recycles its memory: detach it first.
	return result{data: &queryData{value: detach(res.Value)}, warnings: res.Warnings, query: qs}, nil
}

func execError(err error) *apiError {
	var (
		canceled promql.ErrQueryCanceled
		timeout  promql.ErrQueryTimeout
		storage  promql.ErrStorage
	)
	switch {
	case errors.As(err, &canceled), errors.Is(err, context.Canceled):
		return &apiError{errCanceled, err}
	case errors.As(err, &timeout):
		return &apiError{errTimeout, err}
	case errors.Is(err, context.DeadlineExceeded):
		// The deadline passed while the engine was reading series rather than at one
		// of its own checks ("expanding series: context deadline exceeded"): which of
		// the two notices first is a matter of timing. Prometheus's engine turns a
		// deadline into a timeout at its checks, and a client must see the same answer
		// whenever the deadline falls, so the simulator answers it the same way.
		return &apiError{errTimeout, promql.ErrQueryTimeout("expression evaluation")}
	case errors.As(err, &storage):
		return &apiError{errInternal, err}
	}
	return &apiError{errExec, err}
}

// detach copies a result out of the engine's pooled memory.
func detach(v parser.Value) parser.Value {
	switch v := v.(type) {
	case promql.Vector:
		return append(promql.Vector(nil), v...)
	case promql.Matrix:
		out := make(promql.Matrix, len(v))
		for i, s := range v {
			out[i] = promql.Series{Metric: s.Metric, Floats: append([]promql.FPoint(nil), s.Floats...),
				Histograms: append([]promql.HPoint(nil), s.Histograms...)}
		}
		return out
	}
	return v
}

// nanify replaces every float of a result with NaN, for FaultNaN.
func nanify(v parser.Value) parser.Value {
	switch v := v.(type) {
	case promql.Vector:
		for i := range v {
			v[i].F = math.NaN()
		}
	case promql.Matrix:
		for i := range v {
			for j := range v[i].Floats {
				v[i].Floats[j].F = math.NaN()
			}
		}
	case promql.Scalar:
		v.V = math.NaN()
		return v
	}
	return v
}
