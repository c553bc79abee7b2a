package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
)

// TestSnapshotNeverGreenByMistake runs `vigil snapshot` against a real Prometheus
// with a dead target, a half-dead one, a saturation query Prometheus rejects at run
// time, and one broken SLO among good ones. The failing query must mark only what it
// feeds, the dead service must read down, and the exit code must be 1.
func TestSnapshotNeverGreenByMistake(t *testing.T) {
	p := testservers.Prometheus(t, testservers.PromOptions{Scrape: []testservers.ScrapeJob{
		{Job: "ghost", Targets: []string{testservers.DeadAddr(t)}},
		{Job: "mixed", Targets: []string{testservers.Self, testservers.DeadAddr(t)}},
	}})
	p.WaitForSeries(t, `count(up{job="mixed"}) == 2`, 30*time.Second)
	p.WaitForSeries(t, `count_over_time(up{job="prometheus"}[1m]) >= 6`, 30*time.Second)

	cfg := `
prometheus:
  - name: prod
    url: ` + p.URL() + `
signals:
  prometheus: prod
  by: job
  traffic: sum by (job) (rate(prometheus_http_requests_total[1m]))
  errors: (sum by (job) (rate(prometheus_http_requests_total{code=~"5.."}[1m])) or sum by (job) (rate(prometheus_http_requests_total[1m])) * 0) / sum by (job) (rate(prometheus_http_requests_total[1m]))
  saturation: max by (job) (process_resident_memory_bytes / on() group_left() up)
services:
  - name: prometheus
  - name: ghost
  - name: mixed
slos:
  - name: good
    service: prometheus
    objective: 99
    window: 1d
    errors: sum(rate(prometheus_http_requests_total{code=~"5.."}[{{.window}}]))
    total: sum(rate(prometheus_http_requests_total[{{.window}}]))
  - name: broken
    service: prometheus
    objective: 99
    window: 1d
    errors: sum(rate(prometheus_http_requests_total[{{.window}}]) / on() group_left() up)
    total: sum(rate(prometheus_http_requests_total[{{.window}}]))
`
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := Snapshot(ctx, &out, SnapshotOptions{ConfigPath: path, Format: "json", Stderr: &stderr})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("exit = %v, want 1 for a degraded source; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "source prod degraded: saturation query failed") {
		t.Errorf("stderr does not name the failing query:\n%s", stderr.String())
	}

	var doc struct {
		Sources []struct {
			State    string `json:"state"`
			OK       bool   `json:"ok"`
			Failures []struct {
				What, Query, Error string
			} `json:"failures"`
		} `json:"sources"`
		Services []struct {
			Name         string            `json:"name"`
			State        string            `json:"state"`
			Traffic      *float64          `json:"traffic_rps"`
			Errors       *float64          `json:"error_ratio"`
			Saturation   *float64          `json:"saturation_ratio"`
			Stale        bool              `json:"stale"`
			TargetsUp    *int              `json:"targets_up"`
			TargetsTotal *int              `json:"targets_total"`
			Failed       map[string]string `json:"errors"`
		} `json:"services"`
		SLOs []struct {
			Name   string   `json:"name"`
			Budget *float64 `json:"budget_remaining"`
			Stale  bool     `json:"stale"`
			Error  string   `json:"error"`
		} `json:"slos"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	src := doc.Sources[0]
	if src.State != "degraded" || !src.OK || len(src.Failures) == 0 || src.Failures[0].What != "saturation query" {
		t.Errorf("source = %+v, want degraded naming the saturation query", src)
	}
	by := map[string]int{}
	for i, s := range doc.Services {
		by[s.Name] = i
	}
	if doc.Services[0].Name != "ghost" || doc.Services[0].State != "down" || !doc.Services[0].Stale {
		t.Errorf("first row = %+v, want ghost down (values not current)", doc.Services[0])
	}
	mixed := doc.Services[by["mixed"]]
	if mixed.TargetsUp == nil || *mixed.TargetsUp != 1 || *mixed.TargetsTotal != 2 {
		t.Errorf("mixed = %+v, want 1/2 up", mixed)
	}
	prom := doc.Services[by["prometheus"]]
	if prom.Saturation != nil || !strings.Contains(prom.Failed["saturation"], "execution") || prom.State != "err" {
		t.Errorf("prometheus = %+v, want saturation err", prom)
	}
	if prom.Traffic == nil || prom.Errors == nil || *prom.Errors != 0 {
		t.Errorf("prometheus traffic/errors = %v/%v: the other signals stay fresh, errors 0 with no 5xx", prom.Traffic, prom.Errors)
	}
	for _, s := range doc.SLOs {
		switch s.Name {
		case "good":
			if s.Budget == nil || s.Stale || s.Error != "" {
				t.Errorf("good = %+v, want fresh numbers", s)
			}
		case "broken":
			if s.Budget != nil || s.Stale || !strings.Contains(s.Error, "execution") {
				t.Errorf("broken = %+v, want its own error, no numbers, not stale", s)
			}
		}
	}
}
