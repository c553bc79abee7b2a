package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/slo"
)

// The VictoriaMetrics test imports 26 hours of history for two services into a real
// VictoriaMetrics and reads it back through `vigil snapshot --at T --format json`.
// Every figure of the snapshot must equal VictoriaMetrics's own answer to the same
// query at T: VictoriaMetrics's rate() takes the increase from the last sample before
// the window to the last one in it, over the time between them, and never
// extrapolates to the window's edges as Prometheus does, so the expected numbers come
// from the engine asked, not from a closed form or from Prometheus.
//
// Samples are written every 30 s at 7 and 37 seconds past the minute, while T is on
// the minute, so no window starts or ends on a sample: the case where the two
// engines' rate() differ. Request rates change through the day (a slow wave, a burst
// of 5xx in the last 17 minutes for api, slow requests rising over the last two
// hours), so every window sees a different mix.
var (
	vmAt    = time.Date(2025, 6, 3, 14, 0, 0, 0, time.UTC) // T
	vmStart = vmAt.Add(-26 * time.Hour)
)

const (
	vmStep   = 30 * time.Second
	vmOffset = 7 * time.Second
)

// vmRates are the per-second rates of one service at t.
type vmRates struct {
	ok, bad         float64 // 2xx and 5xx requests
	fast, mid, slow float64 // requests under 100 ms, 100-300 ms, 300 ms-1 s; the rest are slower
	memory          float64 // resident bytes (a gauge)
}

func vmRatesAt(job string, t time.Time) vmRates {
	since := t.Sub(vmStart).Seconds()
	wave := 1 + 0.4*math.Sin(2*math.Pi*since/(50*60)) // a 50-minute wave
	toT := vmAt.Sub(t)
	r := vmRates{}
	switch job {
	case "api":
		r.ok = 20 * wave
		r.bad = 0.05 * wave
		if toT <= 17*time.Minute {
			r.bad += 1.5
		}
		r.memory = 1.2e9 + 3e8*math.Sin(2*math.Pi*since/(7*3600))
	case "checkout": // never fails: it has no 5xx series at all
		r.ok = 4 * (2 - wave)
		r.memory = 6e8
	}
	total := r.ok + r.bad
	slowShare := 0.01
	if toT <= 2*time.Hour {
		slowShare = 0.04 + 0.02*math.Sin(2*math.Pi*since/(20*60))
	}
	r.slow = total * slowShare
	r.mid = total * 0.15 * wave / 1.4
	r.fast = total - r.mid - r.slow - total*0.002 // 0.2 % slower than 1 s
	return r
}

// vmImportText writes every series in the text exposition format with millisecond
// timestamps, for /api/v1/import/prometheus. Counters integrate the rates step by step
// (whole requests are not needed: VictoriaMetrics stores floats).
func vmImportText() []byte {
	var b bytes.Buffer
	for _, job := range []string{"api", "checkout"} {
		var ok, bad, fast, mid, slow, all float64
		instances := map[string]int{"api": 2, "checkout": 1}[job]
		for at := vmStart.Add(vmOffset); !at.After(vmAt); at = at.Add(vmStep) {
			r := vmRatesAt(job, at)
			d := vmStep.Seconds()
			ok += r.ok * d
			bad += r.bad * d
			total := (r.ok + r.bad) * d
			all += total
			fast += r.fast * d
			mid += r.mid * d
			slow += r.slow * d
			ms := at.UnixMilli()
			line := func(series string, v float64) {
				fmt.Fprintf(&b, "%s %s %d\n", series, strconv.FormatFloat(v, 'g', -1, 64), ms)
			}
			line(`http_requests_total{job="`+job+`",code="200"}`, ok)
			if job == "api" {
				line(`http_requests_total{job="`+job+`",code="500"}`, bad)
			}
			line(`http_request_duration_seconds_bucket{job="`+job+`",le="0.1"}`, fast)
			line(`http_request_duration_seconds_bucket{job="`+job+`",le="0.3"}`, fast+mid)
			line(`http_request_duration_seconds_bucket{job="`+job+`",le="1"}`, fast+mid+slow)
			line(`http_request_duration_seconds_bucket{job="`+job+`",le="+Inf"}`, all)
			line(`http_request_duration_seconds_count{job="`+job+`"}`, all)
			line(`process_resident_memory_bytes{job="`+job+`"}`, r.memory)
			for i := range instances {
				line(`up{job="`+job+`",instance="`+job+`-`+strconv.Itoa(i)+`:9100"}`, 1)
			}
		}
	}
	return b.Bytes()
}

// The signals profile in the README's form, and an override for checkout.
const (
	vmLatency    = `histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))`
	vmTraffic    = `sum by (job) (rate(http_requests_total[5m]))`
	vmErrors     = `(sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) or sum by (job) (rate(http_requests_total[5m])) * 0) / sum by (job) (rate(http_requests_total[5m]))`
	vmSaturation = `max by (job) (process_resident_memory_bytes / 2e9)`
	vmCheckout   = `max(process_resident_memory_bytes{job="checkout"} / 1e9)`
)

const vmConfig = `refresh: 30s
timeout: 20s
prometheus:
  - name: vm
    url: %s
    alerts: false  # signals are under test here
signals:
  prometheus: vm
  by: job
  latency: '` + vmLatency + `'
  traffic: '` + vmTraffic + `'
  errors: '` + vmErrors + `'
  saturation: '` + vmSaturation + `'
  thresholds: {latency: 2s, errors: 50%%, saturation: 95%%}
services:
  - name: api
  - name: checkout
    saturation: '` + vmCheckout + `'
slos:
  - name: api-availability
    service: api
    objective: 99
    window: 1d
    errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))
    total: sum(rate(http_requests_total{job="api"}[{{.window}}]))
  - name: api-latency
    service: api
    objective: 97
    window: 6h
    latency: {histogram: http_request_duration_seconds, selector: '{job="api"}', threshold: 300ms}
  - name: checkout-latency
    service: checkout
    objective: 95
    window: 1d
    latency: {histogram: http_request_duration_seconds, selector: '{job="checkout"}', threshold: 1s}
`

// vmSnapshotJSON is the part of the snapshot JSON this test reads.
type vmSnapshotJSON struct {
	Sources []struct {
		Name     string `json:"name"`
		OK       bool   `json:"ok"`
		State    string `json:"state"`
		Error    string `json:"error"`
		Degraded bool   `json:"degraded"`
		Partial  bool   `json:"partial"`
	} `json:"sources"`
	Services []struct {
		Name            string            `json:"name"`
		State           string            `json:"state"`
		LatencySeconds  *float64          `json:"latency_seconds"`
		TrafficRPS      *float64          `json:"traffic_rps"`
		ErrorRatio      *float64          `json:"error_ratio"`
		SaturationRatio *float64          `json:"saturation_ratio"`
		TargetsUp       *int              `json:"targets_up"`
		TargetsTotal    *int              `json:"targets_total"`
		Errors          map[string]string `json:"errors"`
	} `json:"services"`
	SLOs []struct {
		Name              string              `json:"name"`
		State             string              `json:"state"`
		Alert             string              `json:"alert"`
		ErrorRatio        *float64            `json:"error_ratio"`
		BudgetRemaining   *float64            `json:"budget_remaining"`
		BurnRates         map[string]*float64 `json:"burn_rates"`
		ExhaustionSeconds *float64            `json:"exhaustion_seconds"`
		Partial           bool                `json:"partial"`
		Stale             bool                `json:"stale"`
		Error             string              `json:"error"`
	} `json:"slos"`
}

func TestSnapshotAgainstVictoriaMetrics(t *testing.T) {
	t.Parallel()
	v := testservers.VictoriaMetrics(t, testservers.VMOptions{})
	text := vmImportText()
	start := time.Now()
	v.Import(t, text)
	t.Logf("imported %d samples (%d KiB) in %v", bytes.Count(text, []byte("\n")), len(text)>>10, time.Since(start).Round(time.Millisecond))
	// Every series, with its oldest and newest sample, is searchable before vigil asks.
	v.WaitForSeries(t, `count(count_over_time(http_requests_total[26h])) == 3`, vmAt, 20*time.Second)
	v.WaitForSeries(t, `up{job="checkout"}`, vmAt, 20*time.Second)

	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, vmConfig, v.URL()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, stderr bytes.Buffer
	err := Snapshot(ctx, &out, SnapshotOptions{ConfigPath: cfgPath, Format: "json", At: vmAt.Format(time.RFC3339), Stderr: &stderr})
	if err != nil {
		t.Fatalf("snapshot: %v (exit %d)\nstderr: %s\n%s", err, exitCode(err), stderr.Bytes(), out.Bytes())
	}
	var got vmSnapshotJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("snapshot JSON: %v\n%s", err, out.Bytes())
	}
	if len(got.Sources) != 1 {
		t.Fatalf("sources %+v, want only vm", got.Sources)
	}
	if s := got.Sources[0]; s.Name != "vm" || !s.OK || s.State != "ok" || s.Error != "" || s.Degraded || s.Partial {
		t.Errorf("source %+v, want vm ok, whole and not degraded", s)
	}

	// VictoriaMetrics's own answer to a query at T, per service: one value per job, or
	// the single value of an override.
	ask := func(query string) map[string]float64 {
		t.Helper()
		m := map[string]float64{}
		for _, s := range v.Query(t, query, vmAt) {
			m[s.Labels["job"]] = s.Value
		}
		return m
	}
	latency, traffic, errorsRatio, saturation := ask(vmLatency), ask(vmTraffic), ask(vmErrors), ask(vmSaturation)
	checkoutSaturation := ask(vmCheckout)[""]
	checked := 0
	for _, svc := range got.Services {
		want := map[string]float64{
			"latency_seconds": latency[svc.Name], "traffic_rps": traffic[svc.Name],
			"error_ratio": errorsRatio[svc.Name], "saturation_ratio": saturation[svc.Name],
		}
		if svc.Name == "checkout" {
			want["saturation_ratio"] = checkoutSaturation
		}
		for field, gotV := range map[string]*float64{
			"latency_seconds": svc.LatencySeconds, "traffic_rps": svc.TrafficRPS,
			"error_ratio": svc.ErrorRatio, "saturation_ratio": svc.SaturationRatio,
		} {
			vmNear(t, svc.Name+" "+field, gotV, want[field])
			checked++
		}
		instances := map[string]int{"api": 2, "checkout": 1}[svc.Name]
		if svc.TargetsUp == nil || svc.TargetsTotal == nil || *svc.TargetsUp != instances || *svc.TargetsTotal != instances {
			t.Errorf("%s: targets %v/%v up, want %d/%d", svc.Name, svc.TargetsUp, svc.TargetsTotal, instances, instances)
		}
		if len(svc.Errors) > 0 {
			t.Errorf("%s: signal errors %v", svc.Name, svc.Errors)
		}
	}
	if len(got.Services) != 2 {
		t.Errorf("services %+v, want api and checkout", got.Services)
	}
	// The shapes are what the test means to exercise: checkout's errors are 0 through
	// `or ... * 0`, api's are not, and the two saturations come from different queries.
	if e := errorsRatio["checkout"]; e != 0 {
		t.Errorf("checkout errors per VictoriaMetrics = %v, want 0 (no 5xx series)", e)
	}
	if e := errorsRatio["api"]; !(e > 0.01) {
		t.Errorf("api errors per VictoriaMetrics = %v, want the burst", e)
	}

	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]slo.Definition{}
	for _, d := range cfg.SLODefs {
		defs[d.Name] = d
	}
	// ratio asks VictoriaMetrics for the SLO's own errors and total queries over w.
	ratio := func(d slo.Definition, w time.Duration) float64 {
		t.Helper()
		bad, total := d.Queries(slo.WindowName(w))
		b, tot := v.Query(t, bad, vmAt), v.Query(t, total, vmAt)
		if len(b) != 1 || len(tot) != 1 {
			t.Fatalf("%s over %s: VictoriaMetrics answered %v and %v, want one value each", d.Name, slo.WindowName(w), b, tot)
		}
		return b[0].Value / tot[0].Value
	}
	if len(got.SLOs) != len(defs) {
		t.Fatalf("%d SLOs in the snapshot, want %d:\n%s", len(got.SLOs), len(defs), out.Bytes())
	}
	for _, s := range got.SLOs {
		d, ok := defs[s.Name]
		if !ok {
			t.Errorf("unexpected SLO %q", s.Name)
			continue
		}
		if s.Stale || s.Error != "" || s.Partial {
			t.Errorf("%s: stale %v partial %v error %q, want fresh and whole", s.Name, s.Stale, s.Partial, s.Error)
		}
		budget := 1 - d.Objective
		r := ratio(d, d.Window)
		vmNear(t, s.Name+" error_ratio", s.ErrorRatio, r)
		vmNear(t, s.Name+" budget_remaining", s.BudgetRemaining, 1-r/budget)
		burn := map[string]float64{}
		for _, w := range slo.Windows {
			name := slo.WindowName(w)
			burn[name] = ratio(d, w) / budget
			vmNear(t, s.Name+" burn_rates."+name, s.BurnRates[name], burn[name])
			checked++
		}
		if left := 1 - r/budget; left > 0 && burn["1h"] > 1 {
			vmNear(t, s.Name+" exhaustion_seconds", s.ExhaustionSeconds, left*d.Window.Seconds()/burn["1h"])
			checked++
		}
		checked += 2
		t.Logf("%s: error ratio %.6g, budget left %.4g, burn 5m %.3g 1h %.3g 6h %.3g 1d %.3g",
			s.Name, r, 1-r/budget, burn["5m"], burn["1h"], burn["6h"], burn["1d"])
	}
	t.Logf("%d figures equal VictoriaMetrics's own answers", checked)
}

// vmNear fails unless got is present and within a relative 1e-6 of want.
func vmNear(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if math.IsNaN(want) || math.IsInf(want, 0) {
		t.Errorf("%s: VictoriaMetrics's own answer is %v; the test data should give a number", what, want)
		return
	}
	if got == nil {
		t.Errorf("%s = null, want %v (VictoriaMetrics's answer)", what, want)
		return
	}
	if d := math.Abs(*got - want); d > 1e-6*math.Abs(want) && d > 1e-12 {
		t.Errorf("%s = %v, VictoriaMetrics answers %v (relative difference %.3g)", what, *got, want, d/math.Abs(want))
	}
}

// TestCheckNamesTheEngine runs `vigil check` against a real Prometheus, a real
// VictoriaMetrics (its signal queries asked like Prometheus's) and a server without
// /api/v1/status/buildinfo, which is "engine unknown" and no failure.
func TestCheckNamesTheEngine(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, cfg string) (string, error) {
		t.Helper()
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
	// engineLine is the probe line up to the time it took, which varies.
	engineLine := func(name, url, engine string) string {
		return "prometheus " + name + " " + url + ": ok (" + engine
	}

	t.Run("Prometheus", func(t *testing.T) {
		t.Parallel()
		p := testservers.Prometheus(t, testservers.PromOptions{})
		p.WaitForSeries(t, `prometheus_build_info`, 20*time.Second)
		version := p.Query(t, `prometheus_build_info`, time.Now())[0].Labels["version"]
		out, err := check(t, "prometheus:\n  - name: prom\n    url: "+p.URL()+"\n")
		if want := engineLine("prom", p.URL(), "Prometheus "+version+", answered in "); version == "" || !strings.Contains(out, want) || err != nil {
			t.Errorf("err %v, output\n%s\nwant a line starting %q", err, out, want)
		}
	})

	t.Run("VictoriaMetrics", func(t *testing.T) {
		t.Parallel()
		v := testservers.VictoriaMetrics(t, testservers.VMOptions{Scrape: []testservers.ScrapeJob{{Job: "vm", Targets: []string{testservers.Self}}}})
		v.WaitForSeries(t, `count_over_time(up{job="vm"}[1m]) >= 3`, time.Time{}, 30*time.Second)
		out, err := check(t, `prometheus:
  - name: vm
    url: `+v.URL()+`
signals:
  prometheus: vm
  by: job
  traffic: sum by (job) (rate(vm_http_requests_total[1m]))
  saturation: max by (job) (process_resident_memory_bytes / 1e10)
services:
  - name: vm
`)
		for _, want := range []string{
			// The installed build may not know its version; a release build says v1.x.
			engineLine("vm", v.URL(), "VictoriaMetrics"),
			"prometheus vm traffic query: ok, matched 1 of 1 services\n",
			"prometheus vm saturation query: ok, matched 1 of 1 services\n",
			"prometheus vm health query: ok, matched 1 of 1 services\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in\n%s", want, out)
			}
		}
		if err != nil {
			t.Errorf("err %v, want success", err)
		}
		t.Logf("vigil check against VictoriaMetrics:\n%s", out)
	})

	t.Run("no buildinfo endpoint", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/v1/query" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}`)
		}))
		defer srv.Close()
		out, err := check(t, "prometheus:\n  - name: old\n    url: "+srv.URL+"\n    alerts: false\n")
		if want := engineLine("old", srv.URL, "engine unknown, answered in "); !strings.Contains(out, want) || err != nil {
			t.Errorf("err %v, output\n%s\nwant a line starting %q and success", err, out, want)
		}
	})
}

// TestPrometheusAndVictoriaMetricsOnTheSameData runs the same snapshot on Prometheus
// (the same samples backfilled with promtool) and on VictoriaMetrics, and pins down
// how far the engines differ, as the README says: gauges and states agree, and
// figures built on rate() differ by up to a few percent, because Prometheus
// extrapolates the increase between the first and last samples inside the window to
// the window's edges while VictoriaMetrics takes it from the last sample before the
// window. The shorter the window against the sample interval and the faster the rate
// changes, the larger the difference: about 1 % over 5 minutes here, 1e-4 over a day.
func TestPrometheusAndVictoriaMetricsOnTheSameData(t *testing.T) {
	t.Parallel()
	// promtool wants each series' samples together, in seconds: a stable sort by
	// series keeps their time order.
	lines := strings.Split(strings.TrimSpace(string(vmImportText())), "\n")
	slices.SortStableFunc(lines, func(a, b string) int {
		return strings.Compare(a[:strings.IndexByte(a, ' ')], b[:strings.IndexByte(b, ' ')])
	})
	var om bytes.Buffer
	for _, l := range lines {
		om.WriteString(l[:len(l)-3] + "\n") // milliseconds to seconds: every sample is on a whole second
	}
	om.WriteString("# EOF\n")
	p := testservers.Prometheus(t, testservers.PromOptions{NoScrape: true, Blocks: testservers.Backfill(t, om.Bytes())})
	v := testservers.VictoriaMetrics(t, testservers.VMOptions{})
	v.Import(t, vmImportText())
	v.WaitForSeries(t, `count(count_over_time(http_requests_total[26h])) == 3`, vmAt, 20*time.Second)

	snapshot := func(url string) vmSnapshotJSON {
		t.Helper()
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, fmt.Appendf(nil, vmConfig, url), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, stderr bytes.Buffer
		if err := Snapshot(ctx, &out, SnapshotOptions{ConfigPath: path, Format: "json", At: vmAt.Format(time.RFC3339), Stderr: &stderr}); err != nil {
			t.Fatalf("snapshot of %s: %v\n%s", url, err, stderr.Bytes())
		}
		var s vmSnapshotJSON
		if err := json.Unmarshal(out.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	prom, vm := snapshot(p.URL()), snapshot(v.URL())

	var maxRel float64
	differ := 0
	compare := func(what string, a, b *float64, tolerance float64) {
		t.Helper()
		if a == nil || b == nil {
			t.Errorf("%s: Prometheus %v, VictoriaMetrics %v, want both", what, a, b)
			return
		}
		rel := math.Abs(*a-*b) / math.Max(math.Abs(*b), 1e-12)
		maxRel = max(maxRel, rel)
		if rel > 1e-6 {
			differ++
		}
		if rel > tolerance {
			t.Errorf("%s: Prometheus %v, VictoriaMetrics %v: relative difference %.3g over %.3g", what, *a, *b, rel, tolerance)
		}
	}
	if len(prom.Services) != len(vm.Services) || len(prom.SLOs) != len(vm.SLOs) {
		t.Fatalf("Prometheus gave %d services and %d SLOs, VictoriaMetrics %d and %d", len(prom.Services), len(prom.SLOs), len(vm.Services), len(vm.SLOs))
	}
	for i, a := range prom.Services {
		b := vm.Services[i]
		if a.Name != b.Name || a.State != b.State {
			t.Errorf("services[%d]: Prometheus %s %s, VictoriaMetrics %s %s", i, a.Name, a.State, b.Name, b.State)
		}
		compare(a.Name+" saturation_ratio", a.SaturationRatio, b.SaturationRatio, 1e-9) // a gauge: no rate()
		compare(a.Name+" traffic_rps", a.TrafficRPS, b.TrafficRPS, 0.03)
		compare(a.Name+" latency_seconds", a.LatencySeconds, b.LatencySeconds, 0.03)
		if *a.ErrorRatio != 0 || *b.ErrorRatio != 0 {
			compare(a.Name+" error_ratio", a.ErrorRatio, b.ErrorRatio, 0.03)
		}
	}
	for i, a := range prom.SLOs {
		b := vm.SLOs[i]
		if a.Name != b.Name || a.State != b.State || a.Alert != b.Alert {
			t.Errorf("slos[%d]: Prometheus %s %s/%s, VictoriaMetrics %s %s/%s", i, a.Name, a.State, a.Alert, b.Name, b.State, b.Alert)
			continue
		}
		compare(a.Name+" budget_remaining", a.BudgetRemaining, b.BudgetRemaining, 0.01)
		for _, w := range slo.Windows {
			name := slo.WindowName(w)
			// The shorter the window, the more one sample interval weighs in it.
			tolerance := map[bool]float64{true: 0.05, false: 0.005}[w < 2*time.Hour]
			compare(a.Name+" burn_rates."+name, a.BurnRates[name], b.BurnRates[name], tolerance)
		}
	}
	if differ == 0 {
		t.Errorf("every figure is equal on both engines: the data no longer exercises rate()'s extrapolation")
	}
	t.Logf("%d figures differ between the engines, by at most %.3g relative", differ, maxRel)
}
