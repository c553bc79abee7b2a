package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// TestCheckRunsEverySignalQuery runs `vigil check` against a real Prometheus scraping
// itself (job "prometheus") and a dead target (job "ghost"): every signal and health
// query is asked and judged by the services it matched.
func TestCheckRunsEverySignalQuery(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{Scrape: []testservers.ScrapeJob{
		{Job: "ghost", Targets: []string{testservers.DeadAddr(t)}},
	}})
	p.WaitForSeries(t, `count(up) == 2`, 30*time.Second)
	p.WaitForSeries(t, `count_over_time(up{job="prometheus"}[1m]) >= 6`, 30*time.Second)

	run := func(t *testing.T, signals string) (string, error) {
		t.Helper()
		cfg := "prometheus:\n  - name: self\n    url: " + p.URL() + "\n" + signals
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := Check(ctx, &out, path)
		return out.String(), err
	}
	const traffic = `sum by (job) (rate(prometheus_http_requests_total[1m]))`
	// The server answered its own readiness probe with 503 while starting, so a healthy
	// service without 5xx series is played by a code nothing has: 9xx.

	t.Run("by a label the metrics do not have", func(t *testing.T) {
		out, err := run(t, `signals:
  prometheus: self
  by: service
  traffic: sum by (service) (rate(prometheus_http_requests_total[1m]))
  saturation: max by (job, instance) (process_resident_memory_bytes)
services:
  - name: prometheus
  - name: ghost
`)
		for _, want := range []string{
			// sum by (service) of series without it: one series with no labels at all.
			`prometheus self traffic query: FAIL matched 0 of 2 services (label "service" not in the result; labels seen: none)`,
			`prometheus self saturation query: FAIL matched 0 of 2 services (label "service" not in the result; labels seen: instance, job)`,
			`prometheus self health query: FAIL matched 0 of 2 services (label "service" not in the result; labels seen: part)`,
		} {
			if !strings.Contains(out, want+"\n") {
				t.Errorf("no line %q in\n%s", want, out)
			}
		}
		if err == nil || exitCode(err) != 1 {
			t.Errorf("err %v (exit %d), want exit 1", err, exitCode(err))
		}
	})

	t.Run("a miscased service, a query that fails, an errors query without zeros", func(t *testing.T) {
		out, err := run(t, `signals:
  prometheus: self
  by: job
  traffic: `+traffic+`
  errors: sum by (job) (rate(prometheus_http_requests_total{code=~"5.."}[1m])) / sum by (job) (rate(prometheus_http_requests_total[1m]))
  saturation: max by (job) (process_resident_memory_bytes / on() group_left() up)
services:
  - name: Prometheus
  - name: ghost
`)
		for _, want := range []string{
			`prometheus self traffic query: FAIL matched 0 of 2 services (service "Prometheus" not found; did you mean "prometheus"?)`,
			`prometheus self saturation query: FAIL execution: found duplicate series for the match group`,
			`prometheus self health query: WARN matched 1 of 2 services (service "Prometheus" not found; did you mean "prometheus"?)`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("no line %q in\n%s", want, out)
			}
		}
		if err == nil || exitCode(err) != 1 {
			t.Errorf("err %v, want exit 1 for the failing saturation query", err)
		}
	})

	t.Run("all good, and advice for errors", func(t *testing.T) {
		out, err := run(t, `signals:
  prometheus: self
  by: job
  traffic: `+traffic+`
  errors: sum by (job) (rate(prometheus_http_requests_total{code=~"9.."}[1m])) / sum by (job) (rate(prometheus_http_requests_total[1m]))
services:
  - name: prometheus
`)
		for _, want := range []string{
			"prometheus self traffic query: ok, matched 1 of 1 services\n",
			"prometheus self health query: ok, matched 1 of 1 services\n",
			`prometheus self errors query: WARN matched 0 of 1 services (no series; errors matches fewer services than traffic (0 < 1)`,
			`(sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) or sum by (job) (rate(http_requests_total[5m])) * 0) / sum by (job) (rate(http_requests_total[5m]))`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in\n%s", want, out)
			}
		}
		if err != nil {
			t.Errorf("warnings only: err %v, want success", err)
		}
	})

	t.Run("the errors query that yields 0", func(t *testing.T) {
		out, err := run(t, `signals:
  prometheus: self
  by: job
  traffic: `+traffic+`
  errors: (sum by (job) (rate(prometheus_http_requests_total{code=~"9.."}[1m])) or sum by (job) (rate(prometheus_http_requests_total[1m])) * 0) / sum by (job) (rate(prometheus_http_requests_total[1m]))
services:
  - name: prometheus
`)
		if !strings.Contains(out, "prometheus self errors query: ok, matched 1 of 1 services\n") || err != nil {
			t.Errorf("err %v, output\n%s", err, out)
		}
	})
}

// exitCode is the process exit code an error from a command maps to.
func exitCode(err error) int {
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return -1
	}
	return 0
}
