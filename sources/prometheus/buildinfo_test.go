package prometheus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
)

func TestEngineName(t *testing.T) {
	for _, tc := range []struct {
		what string
		info buildinfo
		want string
		vm   bool
	}{
		{"Prometheus", buildinfo{Version: "2.42.0", Revision: "225c61122d88b01d1f0eaaee0e05b6f3e0567ac0", GoVersion: "go1.19.5", Fields: 6}, "Prometheus 2.42.0", false},
		{"a distribution's Prometheus", buildinfo{Version: "2.42.0+ds", Revision: "2.42.0+ds-5", GoVersion: "go1.19.8", Fields: 6}, "Prometheus 2.42.0+ds", false},
		{"Prometheus 3", buildinfo{Version: "3.1.0", Revision: "x", GoVersion: "go1.23.4", Fields: 6}, "Prometheus 3.1.0", false},
		{"Grafana Mimir", buildinfo{Application: "Grafana Mimir", Version: "2.10.0", Revision: "b8ba7a5", GoVersion: "go1.21.1", Fields: 6}, "Grafana Mimir 2.10.0", false},
		{"VictoriaMetrics before v1.95: {} and its header", buildinfo{VMHeader: true}, "VictoriaMetrics", true},
		{"VictoriaMetrics since: the fixed 2.24.0 and its header", buildinfo{Version: "2.24.0", Fields: 1, VMHeader: true}, "VictoriaMetrics", true},
		{"VictoriaMetrics behind a proxy that drops headers", buildinfo{Version: "2.24.0", Fields: 1}, "VictoriaMetrics", true},
		{"Thanos, version 0.x", buildinfo{Version: "0.32.5", Revision: "x", GoVersion: "go1.21", Fields: 6}, "Prometheus API, version 0.32.5", false},
		{"a real Prometheus 2.24.0 has a revision", buildinfo{Version: "2.24.0", Revision: "02e92236", GoVersion: "go1.15.6", Fields: 6}, "Prometheus 2.24.0", false},
		{"no Go version", buildinfo{Version: "2.50.0", Fields: 2}, "Prometheus API, version 2.50.0", false},
		{"{} from anything else", buildinfo{}, "", false},
		{"fields but no version", buildinfo{Revision: "x", Fields: 3}, "", false},
	} {
		name, vm := engineName(tc.info)
		if name != tc.want || vm != tc.vm {
			t.Errorf("%s: engineName(%+v) = %q, %v; want %q, %v", tc.what, tc.info, name, vm, tc.want, tc.vm)
		}
	}
}

// engineOf asks Engine of a source at url.
func engineOf(t *testing.T, url string) (string, error) {
	t.Helper()
	src, err := New(Options{Name: "p", URL: url, HTTP: promconfig.DefaultHTTPClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return src.Engine(ctx)
}

func TestEngineOfRealPrometheus(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{})
	p.WaitForSeries(t, `prometheus_build_info`, 20*time.Second)
	// The version the server exposes about itself as a metric, read independently.
	info := p.Query(t, `prometheus_build_info`, time.Now())
	version := info[0].Labels["version"]
	if version == "" {
		t.Fatalf("prometheus_build_info has no version: %v", info)
	}
	got, err := engineOf(t, p.URL())
	if err != nil || got != "Prometheus "+version {
		t.Errorf("Engine = %q, %v; want %q", got, err, "Prometheus "+version)
	}
}

func TestEngineOfRealVictoriaMetrics(t *testing.T) {
	t.Parallel()
	v := testservers.VictoriaMetrics(t, testservers.VMOptions{})
	// What the server says of its own version, read independently: a distribution
	// build may leave it empty.
	resp, err := http.Get(v.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`(?m)^vm_app_version\{.*short_version="([^"]*)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no vm_app_version in /metrics:\n%.500s", body)
	}
	want := "VictoriaMetrics, version not reported"
	if len(m[1]) > 0 {
		want = "VictoriaMetrics " + string(m[1])
	}
	got, err := engineOf(t, v.URL())
	if err != nil || got != want {
		t.Errorf("Engine = %q, %v; want %q", got, err, want)
	}
	t.Logf("installed VictoriaMetrics: %q", got)
}

// TestEngineOfOtherServers covers answers no installed server gives: a version in
// VictoriaMetrics's /metrics, Mimir's application under a /prometheus prefix, a server
// without the endpoint, and answers that are not build information at all.
func TestEngineOfOtherServers(t *testing.T) {
	t.Parallel()
	serve := func(t *testing.T, h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	t.Run("VictoriaMetrics with its version in /metrics", func(t *testing.T) {
		url := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Server-Hostname", "vm-0")
			switch r.URL.Path {
			case "/api/v1/status/buildinfo":
				io.WriteString(w, `{"status":"success","data":{"version":"2.24.0"}}`)
			case "/metrics":
				io.WriteString(w, "vm_app_start_timestamp 1.7e9\nvm_app_version{version=\"victoria-metrics-20240115-tags-v1.96.0-0-g1234\", short_version=\"v1.96.0\"} 1\n")
			default:
				http.NotFound(w, r)
			}
		})
		if got, err := engineOf(t, url); got != "VictoriaMetrics v1.96.0" || err != nil {
			t.Errorf("Engine = %q, %v", got, err)
		}
	})
	t.Run("Mimir under /prometheus", func(t *testing.T) {
		url := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/prometheus/api/v1/status/buildinfo" {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, `{"status":"success","data":{"application":"Grafana Mimir","version":"2.10.0","revision":"b8ba7a5","branch":"release-2.10","goVersion":"go1.21.1","features":{"ruler_config_api":"true"}}}`)
		})
		if got, err := engineOf(t, url+"/prometheus/"); got != "Grafana Mimir 2.10.0" || err != nil {
			t.Errorf("Engine = %q, %v", got, err)
		}
	})
	for _, tc := range []struct {
		what    string
		handler http.HandlerFunc
		reason  string
	}{
		{"no endpoint", http.NotFound, "HTTP 404"},
		{"an empty answer without VictoriaMetrics's header", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{}}`)
		}, "no build information"},
		{"a query answer", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		}, "no build information"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html>login</html>")
		}, "not a buildinfo answer"},
		{"a version that is not a string", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{"version":2}}`)
		}, "no build information"},
		{"an endless answer", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{"version":"`)
			chunk := strings.Repeat("9", 4096)
			for range 1000 { // 4 MB, far over the cap
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		}, "answer over 64 KiB"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			got, err := engineOf(t, serve(t, tc.handler))
			if got != "" || !errors.Is(err, errNoBuildinfo) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("Engine = %q, %v; want no name and an error saying %q", got, err, tc.reason)
			}
		})
	}
	t.Run("escape sequences in the version", func(t *testing.T) {
		url := serve(t, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{"version":"2.0\u001b[31m\u202e","revision":"x","goVersion":"go1"}}`)
		})
		got, err := engineOf(t, url)
		if err != nil || strings.ContainsAny(got, "\x1b\u202e") || !strings.HasPrefix(got, "Prometheus 2.0") {
			t.Errorf("Engine = %q, %v; want the version without control or bidi characters", got, err)
		}
	})
}
