// Package hostile is a Prometheus HTTP API that misbehaves on purpose, one way per
// Mode, for tests that prove no answer can crash vigil, hang it, exhaust its memory
// or reach the operator's terminal unescaped. It listens on 127.0.0.1 only, and every
// answer it streams is bounded.
package hostile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Mode is one way of misbehaving.
type Mode string

const (
	NullData       Mode = "null data"            // {"status":"success","data":null}
	NoData         Mode = "no data field"        // {"status":"success"}
	NullBody       Mode = "null body"            // null
	NullResult     Mode = "result [null]"        // a result list holding null
	NullValues     Mode = "values [null]"        // a series whose points are null
	NullMetric     Mode = "null metric"          // a series with "metric":null
	WrongType      Mode = "wrong result type"    // a matrix for an instant query, a vector for a range
	ErrorNoMessage Mode = "error with no fields" // {"status":"error"}
	EndlessBody    Mode = "endless body"         // an answer that never ends (bounded by MaxMiB)
	EndlessString  Mode = "endless string"       // a label value that never ends (bounded by MaxMiB)
	SlowBody       Mode = "slow body"            // a valid answer trickled a byte at a time
	RateLimited    Mode = "429 Retry-After"      // 429 with Retry-After in seconds
	Unavailable    Mode = "503 Retry-After date" // 503 with Retry-After as an HTTP date
	ManySeries     Mode = "many series"          // Series series, one per instance, all of service "a"
	NonFinite      Mode = "NaN/+Inf/-Inf values" // every value NaN, +Inf or -Inf
	EscapeLabels   Mode = "escape and bidi text in labels"
	EscapeError    Mode = "escape and bidi text in error messages"
)

// Modes lists every mode, for table tests.
var Modes = []Mode{
	NullData, NoData, NullBody, NullResult, NullValues, NullMetric, WrongType, ErrorNoMessage,
	EndlessBody, EndlessString, SlowBody, RateLimited, Unavailable, ManySeries, NonFinite, EscapeLabels, EscapeError,
}

// Unsafe is the text the escape modes put in labels and error messages: an SGR colour,
// an OSC window title, a C1 CSI (U+009B) and a right-to-left override (U+202E).
const Unsafe = "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u009b2J \u202egnp.exe"

// Server is the misbehaving API. Set its fields before the first request.
type Server struct {
	Mode       Mode
	Label      string        // the service label of the series it returns; default "job"
	Service    string        // the service the series belong to; default "a"
	Series     int           // series for ManySeries; default 100,000
	MaxMiB     int           // where EndlessBody gives up; default 64
	RetryAfter time.Duration // for RateLimited and Unavailable; default 120s
	Trickle    time.Duration // the pause between bytes of SlowBody; default 50ms

	requests atomic.Int64
}

// Start serves s on 127.0.0.1 until the test ends and returns its URL.
func Start(t testing.TB, s *Server) string {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Requests is how many requests the server has received.
func (s *Server) Requests() int64 { return s.requests.Load() }

func (s *Server) label() string   { return or(s.Label, "job") }
func (s *Server) service() string { return or(s.Service, "a") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	ranged := strings.HasSuffix(r.URL.Path, "/query_range")
	switch {
	case strings.HasSuffix(r.URL.Path, "/status/flags"):
		fmt.Fprint(w, `{"status":"success","data":{}}`)
		return
	case !ranged && !strings.HasSuffix(r.URL.Path, "/query"):
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch s.Mode {
	case NullData:
		fmt.Fprint(w, `{"status":"success","data":null}`)
	case NoData:
		fmt.Fprint(w, `{"status":"success"}`)
	case NullBody:
		fmt.Fprint(w, `null`)
	case NullResult:
		fmt.Fprint(w, envelope(ranged, `null`))
	case NullValues:
		if ranged {
			fmt.Fprint(w, envelope(true, s.metric(s.service())+`,"values":[null]}`))
		} else {
			fmt.Fprint(w, envelope(false, s.metric(s.service())+`,"value":null}`))
		}
	case NullMetric:
		if ranged {
			fmt.Fprint(w, envelope(true, `{"metric":null,"values":[[1700000000,"1"]]}`))
		} else {
			fmt.Fprint(w, envelope(false, `{"metric":null,"value":[1700000000,"1"]}`))
		}
	case WrongType:
		fmt.Fprint(w, envelope(!ranged, s.sample(!ranged, s.service(), "1")))
	case ErrorNoMessage:
		fmt.Fprint(w, `{"status":"error"}`)
	case EndlessBody:
		s.endless(w, r, `{"status":"success","data":{"resultType":"vector","result":[`, strings.Repeat(" ", 64<<10))
	case EndlessString:
		s.endless(w, r, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"`, strings.Repeat("a", 64<<10))
	case SlowBody:
		s.slow(w, r, envelope(ranged, s.sample(ranged, s.service(), "1")))
	case RateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(int(s.retryAfter().Seconds())))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "slow down\n")
	case Unavailable:
		w.Header().Set("Retry-After", time.Now().Add(s.retryAfter()).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "maintenance\n")
	case ManySeries:
		s.many(w, ranged)
	case NonFinite:
		var b strings.Builder
		for i, v := range []string{"NaN", "+Inf", "-Inf"} {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s.sample(ranged, s.service(), v))
		}
		fmt.Fprint(w, envelope(ranged, b.String()))
	case EscapeLabels:
		fmt.Fprint(w, envelope(ranged, s.sample(ranged, s.service()+Unsafe, "1")+","+s.sample(ranged, s.service(), "1")))
	case EscapeError:
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, `{"status":"error","errorType":%s,"error":%s}`, quote("execution"+Unsafe), quote("query failed: "+Unsafe))
	default:
		http.Error(w, "hostile: unknown mode "+string(s.Mode), http.StatusInternalServerError)
	}
}

// quote is s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (s *Server) retryAfter() time.Duration {
	if s.RetryAfter <= 0 {
		return 120 * time.Second
	}
	return s.RetryAfter
}

// envelope is a successful answer whose result list holds elems.
func envelope(ranged bool, elems string) string {
	typ := "vector"
	if ranged {
		typ = "matrix"
	}
	return `{"status":"success","data":{"resultType":"` + typ + `","result":[` + elems + `]}}`
}

func (s *Server) metric(service string) string {
	return `{"metric":{` + quote(s.label()) + `:` + quote(service) + `}`
}

// sample is one element of a result: an instant sample or a series of three points.
func (s *Server) sample(ranged bool, service, value string) string {
	v := quote(value)
	if ranged {
		return s.metric(service) + `,"values":[[1699999880,` + v + `],[1699999940,` + v + `],[1700000000,` + v + `]]}`
	}
	return s.metric(service) + `,"value":[1700000000,` + v + `]}`
}

// endless sends start, then chunk again and again until MaxMiB are sent or the client
// goes away.
func (s *Server) endless(w http.ResponseWriter, r *http.Request, start, chunk string) {
	limit := s.MaxMiB
	if limit <= 0 {
		limit = 64
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(start)
	for sent := 0; sent < limit<<20; sent += len(chunk) {
		if r.Context().Err() != nil {
			return
		}
		if _, err := bw.WriteString(chunk); err != nil {
			return
		}
	}
	bw.Flush()
}

// slow sends body one byte per Trickle, until done or the client goes away.
func (s *Server) slow(w http.ResponseWriter, r *http.Request, body string) {
	pause := s.Trickle
	if pause <= 0 {
		pause = 50 * time.Millisecond
	}
	flusher, _ := w.(http.Flusher)
	for i := range len(body) {
		if _, err := w.Write([]byte{body[i]}); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(pause):
		}
	}
}

// many streams Series series of one service, one per instance.
func (s *Server) many(w http.ResponseWriter, ranged bool) {
	n := s.Series
	if n <= 0 {
		n = 100_000
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	typ := "vector"
	if ranged {
		typ = "matrix"
	}
	fmt.Fprintf(bw, `{"status":"success","data":{"resultType":"%s","result":[`, typ)
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"metric":{%s:%s,"instance":"host-%d:9100"},`, quote(s.label()), quote(s.service()), i)
		if ranged {
			// Distinct timestamps per series: the worst case for merging.
			fmt.Fprintf(bw, `"values":[[%d,"1"],[%d,"2"]]}`, 1699999000+i%997, 1699999500+i%991)
		} else {
			fmt.Fprintf(bw, `"value":[1700000000,"%d"]}`, i%100)
		}
	}
	fmt.Fprint(bw, `]}}`)
	bw.Flush()
}
