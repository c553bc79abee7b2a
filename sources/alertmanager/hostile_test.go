package alertmanager

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/sources"
)

const okAlert = `{"fingerprint":"f1","labels":{"alertname":"A"},"annotations":{},"receivers":[],
"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T01:00:00Z","updatedAt":"2026-01-01T00:00:00Z",
"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}`

// hostileAM answers /api/v2/alerts with alerts and /api/v2/silences with silences,
// counting requests.
func hostileAM(t testing.TB, alerts, silences func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch r.URL.Path {
		case "/api/v2/alerts":
			alerts(w)
		case "/api/v2/silences":
			silences(w)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func text(s string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { _, _ = w.Write([]byte(s)) }
}

func TestHostileAnswersAreErrors(t *testing.T) {
	t.Parallel()
	huge := func(w http.ResponseWriter) {
		// A valid-looking list far past the cap, streamed without a length.
		_, _ = w.Write([]byte("["))
		chunk := []byte(okAlert + ",")
		for range (2 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(okAlert + "]"))
	}
	cases := []struct {
		name             string
		alerts, silences func(http.ResponseWriter)
		want             string
	}{
		{"null alerts", text(`null`), text(`[]`), "alerts: bad answer: alerts: null"},
		{"null silences", text(`[]`), text(`null`), "silences: bad answer: silences: null"},
		{"[null] alerts", text(`[null]`), text(`[]`), "alert 0 is null"},
		{"[null] silences", text(`[]`), text(`[null]`), "silence 0 is null"},
		{"null labels", text(`[` + strings.Replace(okAlert, `{"alertname":"A"}`, `null`, 1) + `]`), text(`[]`), "alert f1 has no labels"},
		{"null status", text(`[` + strings.Replace(okAlert, `"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}`, `"status":null`, 1) + `]`), text(`[]`), "alert f1 has no status"},
		{"null state", text(`[` + strings.Replace(okAlert, `"state":"active"`, `"state":null`, 1) + `]`), text(`[]`), "alert f1 has no status"},
		{"unknown state", text(`[` + strings.Replace(okAlert, `"state":"active"`, `"state":"\u001b[31mweird"`, 1) + `]`), text(`[]`), `unknown state "weird"`},
		{"null fingerprint", text(`[` + strings.Replace(okAlert, `"f1"`, `null`, 1) + `]`), text(`[]`), "alert 0 has no fingerprint"},
		{"null startsAt", text(`[` + strings.Replace(okAlert, `"startsAt":"2026-01-01T00:00:00Z"`, `"startsAt":null`, 1) + `]`), text(`[]`), "alert f1 has no startsAt"},
		{"null matcher", text(`[]`), text(`[{"id":"s1","status":{"state":"active"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T01:00:00Z","matchers":[null],"createdBy":"x","comment":"y","updatedAt":"2026-01-01T00:00:00Z"}]`), "silence s1: matcher 0 is incomplete"},
		{"silence without status", text(`[]`), text(`[{"id":"s1","startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T01:00:00Z","matchers":[]}]`), "silence s1 has no status"},
		{"not JSON", text(`<html>hello</html>`), text(`[]`), "not Alertmanager's JSON"},
		{"an object", text(`{"status":"success"}`), text(`[]`), "not Alertmanager's JSON"},
		{"bad date", text(`[` + strings.Replace(okAlert, `"2026-01-01T00:00:00Z"`, `"yesterday"`, 1) + `]`), text(`[]`), "alerts: "},
		{"huge body", huge, text(`[]`), "answer larger than 1 MiB"},
		{"HTML error page", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>bad gateway</body></html>"))
		}, text(`[]`), "alerts: HTTP 502"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := hostileAM(t, c.alerts, c.silences)
			src, err := New(Options{Name: "h", URL: srv.URL, HTTP: promconfig.DefaultHTTPClientConfig, MaxBodyBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			d, err := src.Poll(ctx, time.Now())
			if err == nil {
				t.Fatalf("no error; data %+v", d.Alerts)
			}
			if !strings.HasPrefix(err.Error(), "alertmanager h: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %q, want it to name h and say %q", err, c.want)
			}
			if strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("err %q carries control characters", err)
			}
		})
	}
}

func TestRetryAfterReachesTheHub(t *testing.T) {
	t.Parallel()
	srv, _ := hostileAM(t, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}, text(`[]`))
	src, err := New(Options{Name: "h", URL: srv.URL, HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGroup("g", []*Source{src})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Poll(context.Background(), time.Now())
	var ra sources.RetryAfter
	if !errors.As(err, &ra) || ra.RetryAfter() != 2*time.Minute {
		t.Fatalf("err %v: want a RetryAfter of 2m", err)
	}
}

func TestRequestsPerPoll(t *testing.T) {
	t.Parallel()
	var srcs []*Source
	var counters []*atomic.Int64
	for _, name := range []string{"a", "b", "c"} {
		srv, n := hostileAM(t, text(`[`+okAlert+`]`), text(`[]`))
		s, err := New(Options{Name: name, URL: srv.URL + "/", HTTP: promconfig.DefaultHTTPClientConfig})
		if err != nil {
			t.Fatal(err)
		}
		srcs, counters = append(srcs, s), append(counters, n)
	}
	g, err := NewGroup("g", srcs)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		d := poll(t, g)
		if d.Alerts.Requests != 6 || len(d.Alerts.Alerts) != 1 || len(d.Alerts.Alerts[0].Alertmanagers) != 3 {
			t.Fatalf("requests %d alerts %+v", d.Alerts.Requests, d.Alerts.Alerts)
		}
	}
	for i, n := range counters {
		if n.Load() != 6 {
			t.Errorf("alertmanager %d got %d requests in 3 polls, want 6", i, n.Load())
		}
	}
}

func TestOptionsChecked(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{URL: "http://127.0.0.1:9093"}, {Name: "x", URL: "127.0.0.1:9093"}, {Name: "x", URL: "ftp://h"}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
	s, _ := New(Options{Name: "x", URL: "http://127.0.0.1:9093"})
	for _, c := range []struct {
		name string
		ams  []*Source
	}{{"", []*Source{s}}, {"g", nil}, {"g", []*Source{s, s}}, {"g", []*Source{nil}}} {
		if _, err := NewGroup(c.name, c.ams); err == nil {
			t.Errorf("NewGroup(%q, %d): no error", c.name, len(c.ams))
		}
	}
}

func TestSlowAlertmanagerTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv, _ := hostileAM(t, func(w http.ResponseWriter) {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	}, text(`[]`))
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
	src, err := New(Options{Name: "slow", URL: srv.URL, HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = src.Poll(ctx, time.Now())
	if err == nil || !strings.Contains(err.Error(), "alertmanager slow: alerts: timeout") {
		t.Errorf("err %v, want a timeout naming slow", err)
	}
}

// Asked about a past instant (`vigil snapshot --at`), the answer says that its alerts
// are now's: Alertmanager has no history.
func TestAlertsAskedAboutThePastSaySo(t *testing.T) {
	t.Parallel()
	srv, _ := hostileAM(t, text("["+okAlert+"]"), text(`[]`))
	src, err := New(Options{Name: "a", URL: srv.URL, HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGroup("alertmanager", []*Source{src})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := g.Poll(ctx, time.Now())
	if err != nil || len(d.Warnings) != 0 {
		t.Fatalf("now: %v %v", err, d.Warnings)
	}
	then := time.Now().Add(-2 * time.Hour)
	d, err = g.Poll(ctx, then)
	if err != nil || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "alertmanager has no history: these alerts are as of ") ||
		!strings.Contains(d.Warnings[0], "not "+then.UTC().Format(time.RFC3339)) {
		t.Errorf("2h ago: %v %q", err, d.Warnings)
	}
}
