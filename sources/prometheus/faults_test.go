package prometheus

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/sources"
)

// endOf is the end of the range a query_range request asks, in Unix seconds: the
// instant whose point is the current value.
func endOf(r *http.Request) string {
	_ = r.ParseForm()
	return r.Form.Get("end")
}

// fakeAPI serves /api/v1/query and /api/v1/query_range with fixed bodies, for the
// failures a real Prometheus will not produce on demand.
func fakeAPI(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func oneSignal(t testing.TB, url string, mod func(*Options)) *Source {
	t.Helper()
	opts := Options{
		Name: "fake",
		URL:  url,
		HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &SignalSpec{
			By:       "job",
			Profile:  map[sources.Signal]string{sources.Latency: "latency_query"},
			Services: []ServiceSpec{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}},
		},
	}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func poll(t *testing.T, s *Source, timeout time.Duration) (sources.Data, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.Poll(ctx, time.Unix(1_700_000_000, 0))
}

func TestPollFailuresAreShortAndSpecific(t *testing.T) {
	t.Parallel()
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}()
	okVector := `{"status":"success","data":{"resultType":"vector","result":[]}}`
	tests := []struct {
		name    string
		url     string
		handler http.HandlerFunc
		mod     func(*Options)
		timeout time.Duration
		want    string // the whole error, or its start when it ends in "..."
	}{
		{name: "down", url: closed, want: "health query: connection refused"},
		{name: "HTTP 500", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, want: "health query: HTTP 500: boom"},
		{name: "HTTP 502 with a page of HTML", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>")
		}, want: "health query: HTTP 502"},
		{name: "HTTP 503 query timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`)
		}, want: "health query: HTTP 503: timeout: query timed out in expression evaluation"},
		{name: "bad PromQL", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:8: parse error: unexpected <EOF>"}`)
		}, want: `health query: bad_data: invalid parameter "query": 1:8: parse error: unexpected <EOF>`},
		{name: "garbage body", handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "this is not JSON")
		}, want: "health query: bad response: invalid character 'h' in literal true (expecting 'r')"},
		{name: "body over the cap, chunked", mod: func(o *Options) { o.MaxBodyBytes = 1024 }, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[`)
			for i := range 100 {
				fmt.Fprintf(w, `{"metric":{"job":"j%d"},"value":[1700000000,"1"]},`, i)
			}
			fmt.Fprint(w, `{"metric":{"job":"a"},"value":[1700000000,"1"]}]}}`)
		}, want: "health query: response over 1 KiB cap"},
		{name: "body over the cap, announced", mod: func(o *Options) { o.MaxBodyBytes = 1024 }, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			fmt.Fprint(w, strings.Repeat(" ", 5000))
		}, want: "health query: response over 1 KiB cap"},
		{name: "slow server", timeout: 300 * time.Millisecond, handler: func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm() // the server notices a client hanging up only once the body is read
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, want: "health query: timeout after 300ms"},
		{name: "a matrix where a vector belongs", handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
		}, want: "health query: bad response: want a vector, got a matrix"},
		{name: "only the sparkline fails", handler: func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/query_range") {
				http.Error(w, "range queries disabled", http.StatusNotImplemented)
				return
			}
			fmt.Fprint(w, okVector)
		}, want: "latency query: HTTP 501: range queries disabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := tc.url
			if tc.handler != nil {
				url = fakeAPI(t, tc.handler)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			start := time.Now()
			data, err := poll(t, oneSignal(t, url, tc.mod), timeout)
			if err == nil {
				t.Fatalf("no error; data %+v", data)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %q\nwant %q", err, tc.want)
			}
			if data.Signals != nil {
				t.Errorf("data returned with the error: %+v", data.Signals)
			}
			if d := time.Since(start); d > timeout+2*time.Second {
				t.Errorf("poll took %s", d)
			}
		})
	}
}

// A body of exactly the cap is still a valid answer.
func TestBodyAtTheCapPasses(t *testing.T) {
	t.Parallel()
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/query_range") {
			body := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[` + endOf(r) + `,"2"]]}]}}`
			fmt.Fprint(w, body+strings.Repeat(" ", 1024-len(body)))
			return
		}
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	})
	data, err := poll(t, oneSignal(t, url, func(o *Options) { o.MaxBodyBytes = 1024 }), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := data.Signals.Services["a"].Values[sources.Latency]; got != (sources.Reading{Value: 2, Valid: true}) {
		t.Errorf("a latency = %+v, want 2", got)
	}
}

func TestNaNAndInfAreNoData(t *testing.T) {
	t.Parallel()
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/query_range") {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
			return
		}
		end := endOf(r)
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[
			{"metric":{"job":"a"},"values":[[1699999940,"NaN"],[%[1]s,"NaN"]]},
			{"metric":{"job":"b"},"values":[[%[1]s,"+Inf"]]},
			{"metric":{"job":"b2"},"values":[[%[1]s,"-Inf"]]},
			{"metric":{"job":"c"},"values":[[1699999880,"1"],[1699999940,"+Inf"],[%[1]s,"1.5"]]},
			{"metric":{"job":"d"},"values":[[%[1]s,"-0.25"]]},
			{"metric":{"job":"d"},"values":[[%[1]s,"-0.5"]]},
			{"metric":{"job":"stranger"},"values":[[%[1]s,"9"]]}]}}`, end)
	})
	at := time.Unix(1700000000, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, err := oneSignal(t, url, nil).Poll(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	svcs := data.Signals.Services
	if len(svcs) != 4 {
		t.Errorf("services %v: want exactly the four configured", keys(svcs))
	}
	for name, want := range map[string]sources.Reading{
		"a": {}, "b": {}, "c": {Value: 1.5, Valid: true},
		// Two series for one service (a query not aggregated by job) keep the larger.
		"d": {Value: -0.25, Valid: true},
	} {
		if got := svcs[name].Values[sources.Latency]; got != want {
			t.Errorf("%s latency = %+v, want %+v", name, got, want)
		}
		for _, sig := range sources.AllSignals {
			if _, ok := svcs[name].Values[sig]; !ok {
				t.Errorf("%s has no %s reading at all; want Valid:false", name, sig)
			}
		}
	}
	if pts := svcs["a"].Series[sources.Latency]; len(pts) != 0 {
		t.Errorf("a sparkline = %v, want none (all NaN)", pts)
	}
	want := []sources.Point{{T: time.Unix(1699999880, 0).UTC(), V: 1}, {T: at.UTC(), V: 1.5}}
	if got := svcs["c"].Series[sources.Latency]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("c sparkline = %v, want %v (+Inf dropped)", got, want)
	}
	if _, ok := svcs["stranger"]; ok {
		t.Error("a service that is not configured appeared")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The HTTP client settings reach the wire: a Mimir tenant header and basic auth.
func TestHTTPClientConfigIsUsed(t *testing.T) {
	t.Parallel()
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "ops" || pass != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Header.Get("X-Scope-OrgID") != "tenant-1" {
			http.Error(w, "no org id", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}`)
	})
	mk := func(password string) *Source {
		cfg := promconfig.DefaultHTTPClientConfig
		cfg.BasicAuth = &promconfig.BasicAuth{Username: "ops", Password: promconfig.Secret(password)}
		cfg.HTTPHeaders = &promconfig.Headers{Headers: map[string]promconfig.Header{"X-Scope-OrgID": {Values: []string{"tenant-1"}}}}
		s, err := New(Options{Name: "mimir", URL: url, HTTP: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := mk("s3cret").Check(ctx); err != nil {
		t.Errorf("Check with the right credentials: %v", err)
	}
	err := mk("wrong").Check(ctx)
	const want = "HTTP 401 unauthorized (check basic_auth, authorization or http_headers)"
	if err == nil || err.Error() != want {
		t.Errorf("Check with a wrong password: %v, want %q", err, want)
	}
}

func TestCheckFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"forbidden", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, "HTTP 403 forbidden (check basic_auth, authorization or http_headers)"},
		{"not an API", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, "HTTP 404 not found: 404 page not found (is the url the API root, e.g. with /prometheus for Mimir?)"},
		{"wrong answer", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		}, "unexpected answer to vector(1): "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Options{Name: "p", URL: fakeAPI(t, tc.handler), HTTP: promconfig.DefaultHTTPClientConfig})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Check(ctx); err == nil || err.Error() != tc.want {
				t.Errorf("Check: %v\nwant %q", err, tc.want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{URL: "http://x"}, "prometheus: name must be set"},
		{Options{Name: "p", URL: "127.0.0.1:9090"}, `prometheus p: url "127.0.0.1:9090": want http(s)://host[:port][/path]`},
		{Options{Name: "p", URL: "http://x", Signals: &SignalSpec{Profile: map[sources.Signal]string{sources.Traffic: "up"}}},
			"prometheus p: signals: by must name the label holding the service name"},
		{Options{Name: "p", URL: "http://x", Signals: &SignalSpec{Services: []ServiceSpec{{Name: "a"}, {Name: "a"}}}},
			`prometheus p: signals: service "a" listed twice`},
		{Options{Name: "p", URL: "http://x", SparkWindow: time.Minute, SparkStep: time.Hour},
			"prometheus p: spark step 1h0m0s is longer than the spark window 1m0s"},
	} {
		if _, err := New(tc.opts); err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}
