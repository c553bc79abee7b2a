package prometheus

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// manyToMany is the saturation query of the issue: with several `up` series the
// right-hand side is not unique, and Prometheus refuses it at evaluation time.
const manyToMany = `max by (job) (process_resident_memory_bytes / on() group_left() up)`

// TestAgainstPrometheusWithDeadTargets shares one real Prometheus scraping itself as
// job "prometheus", a target that does not exist as job "ghost", and itself plus a
// dead target as job "mixed".
func TestAgainstPrometheusWithDeadTargets(t *testing.T) {
	t.Parallel()
	p := testservers.Prometheus(t, testservers.PromOptions{Scrape: []testservers.ScrapeJob{
		{Job: "ghost", Targets: []string{testservers.DeadAddr(t)}},
		{Job: "mixed", Targets: []string{testservers.Self, testservers.DeadAddr(t)}},
	}})
	p.WaitForSeries(t, `count(up{job="mixed"}) == 2`, 30*time.Second)
	p.WaitForSeries(t, `count_over_time(up{job="prometheus"}[1m]) >= 6`, 30*time.Second)
	t.Run("target health from up", func(t *testing.T) { testTargetHealth(t, p) })
	t.Run("a custom health query", func(t *testing.T) { testCustomHealth(t, p) })
	t.Run("a failing signal query marks only its signal", func(t *testing.T) { testSignalIsolated(t, p) })
	t.Run("a failing health query marks only health", func(t *testing.T) { testHealthIsolated(t, p) })
	t.Run("a broken SLO among good ones", func(t *testing.T) { testBrokenSLO(t, p) })
	t.Run("a by label no answer has", func(t *testing.T) { testMistypedBy(t, p) })
	t.Run("a latency threshold that is no bucket", func(t *testing.T) { testNoBucket(t, p) })
}

func pollSource(t *testing.T, src *Source, at time.Time) sources.Data {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	data, err := src.Poll(ctx, at)
	if err != nil {
		t.Fatalf("poll at %s: %v", at.Format(time.RFC3339), err)
	}
	return data
}

func newSource(t *testing.T, p *testservers.PromServer, opts Options) *Source {
	t.Helper()
	opts.Name, opts.URL, opts.HTTP = "self", p.URL(), promconfig.DefaultHTTPClientConfig
	src, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func servicesSpec(profile map[sources.Signal]string, names ...string) *SignalSpec {
	spec := &SignalSpec{By: "job", Profile: profile}
	for _, n := range names {
		spec.Services = append(spec.Services, ServiceSpec{Name: n})
	}
	return spec
}

func testTargetHealth(t *testing.T, p *testservers.PromServer) {
	src := newSource(t, p, Options{Signals: servicesSpec(selfProfile, "prometheus", "ghost", "mixed", "nothing")})
	data := pollSource(t, src, recentPast())
	want := map[string]sources.TargetHealth{
		"prometheus": {Known: true, Up: 1, Total: 1, Share: 1},
		"ghost":      {Known: true, Up: 0, Total: 1, Share: 0},
		"mixed":      {Known: true, Up: 1, Total: 2, Share: 0.5},
		"nothing":    {}, // no up series at all
	}
	for name, w := range want {
		if got := data.Signals.Services[name].Targets; got != w {
			t.Errorf("%s targets = %+v, want %+v", name, got, w)
		}
	}
	if data.Signals.Requests != 5 || len(data.Signals.Failures) != 0 {
		t.Errorf("requests %d (want 4 range, 1 health), failures %+v", data.Signals.Requests, data.Signals.Failures)
	}
}

func testCustomHealth(t *testing.T, p *testservers.PromServer) {
	spec := servicesSpec(map[sources.Signal]string{sources.Traffic: selfProfile[sources.Traffic]}, "mixed", "nothing")
	spec.Health = `avg by (job) (up)`
	data := pollSource(t, newSource(t, p, Options{Signals: spec}), recentPast())
	if got := data.Signals.Services["mixed"].Targets; got != (sources.TargetHealth{Known: true, Share: 0.5}) {
		t.Errorf("mixed targets = %+v, want a share of 0.5 and no counts", got)
	}
	if got := data.Signals.Services["nothing"].Targets; got.Known {
		t.Errorf("nothing targets = %+v, want unknown", got)
	}
}

func testSignalIsolated(t *testing.T, p *testservers.PromServer) {
	profile := maps.Clone(selfProfile)
	profile[sources.Saturation] = manyToMany
	spec := servicesSpec(profile, "prometheus")
	// A service overriding saturation does not take it from the failing query.
	spec.Services = append(spec.Services, ServiceSpec{Name: "own", Overrides: map[sources.Signal]string{
		sources.Saturation: selfOverrides[sources.Saturation]}})
	src := newSource(t, p, Options{Signals: spec})
	data := pollSource(t, src, recentPast())

	prom := data.Signals.Services["prometheus"]
	sat := prom.Values[sources.Saturation]
	if sat.Valid || !strings.Contains(sat.Err, "execution: ") || !strings.Contains(sat.Err, "found duplicate series for the match group") {
		t.Errorf("prometheus saturation = %+v, want Err naming the duplicate series (a many-to-many match)", sat)
	}
	if pts := prom.Series[sources.Saturation]; len(pts) != 0 {
		t.Errorf("prometheus saturation sparkline = %v, want none from a failing query", pts)
	}
	for _, sig := range []sources.Signal{sources.Latency, sources.Traffic} {
		if r := prom.Values[sig]; !r.Valid || r.Err != "" || len(prom.Series[sig]) == 0 {
			t.Errorf("prometheus %s = %+v (sparkline %d points), want fresh", sig, r, len(prom.Series[sig]))
		}
	}
	if r := data.Signals.Services["own"].Values[sources.Saturation]; !r.Valid || r.Err != "" {
		t.Errorf("own saturation (an override) = %+v, want fresh", r)
	}
	if r := data.Signals.Services["own"].Values[sources.Traffic]; r.Valid || r.Err != "" {
		t.Errorf("own traffic = %+v, want no data (no job own), not an error", r)
	}
	if got := data.Signals.Services["prometheus"].Targets; !got.Known || got.Up != 1 {
		t.Errorf("prometheus targets = %+v, want known", got)
	}
	f := data.Signals.Failures
	if len(f) != 1 || f[0].What != "saturation query" || f[0].Query != manyToMany || f[0].Err != sat.Err {
		t.Errorf("failures = %+v, want one naming the saturation query", f)
	}
}

func testHealthIsolated(t *testing.T, p *testservers.PromServer) {
	spec := servicesSpec(map[sources.Signal]string{sources.Traffic: selfProfile[sources.Traffic]}, "prometheus")
	spec.Health = `avg by (job) (up) / on() group_left() up`
	data := pollSource(t, newSource(t, p, Options{Signals: spec}), recentPast())
	prom := data.Signals.Services["prometheus"]
	if prom.Targets.Known || !strings.Contains(prom.Targets.Err, "found duplicate series") {
		t.Errorf("targets = %+v, want the health query's error", prom.Targets)
	}
	if r := prom.Values[sources.Traffic]; !r.Valid {
		t.Errorf("traffic = %+v, want fresh", r)
	}
	if f := data.Signals.Failures; len(f) != 1 || f[0].What != "health query" {
		t.Errorf("failures = %+v, want the health query", f)
	}
}

// One SLO whose total Prometheus refuses to evaluate, between two good ones: only it
// is failed, the others are fresh on every poll, and it is asked alone again at most
// once per back-off period (1m, then 2m), counted in requests.
func testBrokenSLO(t *testing.T, p *testservers.PromServer) {
	good := func(name string) slo.Definition {
		return slo.Definition{Name: name, Objective: 0.99, Window: 30 * 24 * time.Hour, SLI: slo.SLI{
			Errors: `sum(rate(prometheus_http_requests_total{handler="/metrics"}[{{.window}}]))`,
			Total:  `sum(rate(prometheus_http_requests_total[{{.window}}]))`,
		}}
	}
	broken := good("broken")
	broken.SLI.Total = `sum(rate(prometheus_http_requests_total[{{.window}}])) * on() group_left() up`
	// Long windows once an hour, so every request counted below is a short window,
	// a probe of the broken SLO, or the first poll's retention and coverage.
	src := newSource(t, p, Options{SLOs: []slo.Definition{good("good-a"), broken, good("good-b")}, LongWindowEvery: time.Hour})
	at := recentPast()
	coverageFailed := 0
	for _, step := range []struct {
		after time.Duration
		want  int
		why   string
	}{
		{0, 12, "5 short, 1d+3d, 30d, retention, coverage; all 7 combined fail, so 3 SLOs asked alone"},
		{15 * time.Second, 7, "the combined queries rebuilt without the broken SLO: 5 short, 2 long"},
		{30 * time.Second, 5, "5 short"},
		{61 * time.Second, 6, "5 short, the broken SLO asked again after 1m"},
		{90 * time.Second, 5, "5 short"},
		{150 * time.Second, 5, "5 short: the back-off doubled to 2m"},
		{181 * time.Second, 6, "5 short, the broken SLO asked again after 2m more"},
	} {
		data := pollSource(t, src, at.Add(step.after))
		d := data.SLOs
		if step.after == 0 {
			// The coverage check asks the broken total only at steps hours apart, which
			// on a server minutes old rarely reach the `up` series that break it. When
			// they do, the check fails with it and is asked again, without the broken
			// SLO, at the next poll.
			if _, ok := d.Coverage["good-a"]; !ok {
				coverageFailed = 1
			}
		}
		if step.after == 15*time.Second {
			step.want += coverageFailed
		}
		if d.Requests != step.want {
			t.Errorf("+%s: %d requests, want %d (%s)", step.after, d.Requests, step.want, step.why)
		}
		if d.Err != "" || len(d.Failed) != 1 {
			t.Fatalf("+%s: SLO part %+v, want only broken failed", step.after, d)
		}
		f := d.Failed["broken"]
		if !strings.Contains(f.Err, "found duplicate series") || f.Stale {
			t.Errorf("+%s: broken = %+v, want its error, not stale (it never had numbers)", step.after, f)
		}
		if _, ok := d.Counts["broken"]; ok {
			t.Errorf("+%s: counts for broken %v, want none", step.after, d.Counts["broken"])
		}
		for _, name := range []string{"good-a", "good-b"} {
			c, ok := d.Counts[name][5*time.Minute]
			if !ok || !(c.Total > 0) {
				t.Errorf("+%s: %s 5m counts %+v (%v), want fresh", step.after, name, c, ok)
			}
			if _, ok := d.Counts[name][30*24*time.Hour]; !ok {
				t.Errorf("+%s: %s has no 30d counts", step.after, name)
			}
		}
		var whats []string
		for _, qf := range d.Failures {
			whats = append(whats, qf.What)
		}
		if !slices.Contains(whats, "SLO broken queries") {
			t.Errorf("+%s: failures %v, want the broken SLO named", step.after, whats)
		}
		if len(whats) == 0 || whats[0] != "SLO broken queries" {
			t.Errorf("+%s: failures %v, want the broken SLO first", step.after, whats)
		}
		if step.after > 0 && len(whats) != 1 {
			t.Errorf("+%s: failures %v, want only the broken SLO once it is left out", step.after, whats)
		}
		if _, ok := d.Coverage["good-a"]; step.after > 0 && !ok {
			t.Errorf("+%s: coverage %v, want good-a's once the broken SLO is left out of the check", step.after, d.Coverage)
		}
	}
}

// An SLO that had numbers and then breaks keeps them, marked stale; the SLO beside
// it stays fresh.
func TestBrokenSLOKeepsItsLastNumbers(t *testing.T) {
	t.Parallel()
	var bad atomic.Bool
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if bad.Load() && strings.Contains(r.Form.Get("query"), `"slo", "b"`) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}`)
			return
		}
		// Every answer holds 5m counts of both SLOs; each query reads what it asked.
		var series []string
		for _, name := range []string{"a", "b"} {
			for part, v := range map[string]string{"errors": "1", "total": "10"} {
				series = append(series, fmt.Sprintf(`{"metric":{"slo":%q,"part":%q,"window":"5m"},"value":[1700000000,%q]}`, name, part, v))
			}
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[%s]}}`, strings.Join(series, ","))
	})
	def := func(name string) slo.Definition {
		return slo.Definition{Name: name, Objective: 0.99, Window: 30 * 24 * time.Hour,
			SLI: slo.SLI{Errors: `e[{{.window}}]`, Total: `t[{{.window}}]`}}
	}
	src, err := New(Options{Name: "fake", URL: url, HTTP: promconfig.DefaultHTTPClientConfig, SLOs: []slo.Definition{def("a"), def("b")}})
	if err != nil {
		t.Fatal(err)
	}
	want := slo.Counts{Errors: 1, Total: 10}
	first, err := poll(t, src, 5*time.Second)
	if err != nil || first.SLOs.Counts["b"][5*time.Minute] != want || len(first.SLOs.Failed) != 0 {
		t.Fatalf("first poll: %v, %+v", err, first.SLOs)
	}
	bad.Store(true)
	data, err := poll(t, src, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := data.SLOs
	if f := d.Failed["b"]; len(d.Failed) != 1 || !f.Stale || f.Err != "execution: many-to-many matching not allowed" {
		t.Errorf("failed = %+v, want b only, stale, with its reason", d.Failed)
	}
	if d.Counts["b"][5*time.Minute] != want {
		t.Errorf("b counts = %v, want the earlier poll's", d.Counts["b"])
	}
	if d.Counts["a"][5*time.Minute] != want {
		t.Errorf("a counts = %v, want fresh", d.Counts["a"])
	}
}

// An SLO broken from the start breaks the first coverage check too; the check is
// asked again at the next poll without it, not an hour later.
func TestCoverageAskedAgainWithoutABrokenSLO(t *testing.T) {
	t.Parallel()
	var coverageAsked atomic.Int32
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		q := r.Form.Get("query")
		if strings.Contains(q, "count_over_time") {
			coverageAsked.Add(1)
		}
		if strings.Contains(q, `"slo", "b"`) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"parse error"}`)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"slo":"a"},"value":[1700000000,"24"]}]}}`)
	})
	def := func(name string) slo.Definition {
		return slo.Definition{Name: name, Objective: 0.99, Window: 7 * 24 * time.Hour,
			SLI: slo.SLI{Errors: `e[{{.window}}]`, Total: `t[{{.window}}]`}}
	}
	src, err := New(Options{Name: "fake", URL: url, HTTP: promconfig.DefaultHTTPClientConfig, SLOs: []slo.Definition{def("a"), def("b")}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := poll(t, src, 5*time.Second)
	if err != nil || len(first.SLOs.Coverage) != 0 || first.SLOs.Failed["b"].Err == "" {
		t.Fatalf("first poll: %v, coverage %v, failed %v; want no coverage and b failed", err, first.SLOs.Coverage, first.SLOs.Failed)
	}
	second, err := poll(t, src, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// 24 steps of an hour with data (the step of a 7d window).
	if got := second.SLOs.Coverage; got["a"] != 24*time.Hour || len(got) != 1 || coverageAsked.Load() != 2 {
		t.Errorf("second poll: coverage %v after %d checks, want a: 24h after 2", got, coverageAsked.Load())
	}
}

// testMistypedBy: with `by: jobb` every query answers and no service is in any
// answer; that must read as a failure naming the label, not as a board of no data.
func testMistypedBy(t *testing.T, p *testservers.PromServer) {
	spec := servicesSpec(selfProfile, "prometheus", "mixed")
	spec.By = "jobb"
	data := pollSource(t, newSource(t, p, Options{Signals: spec}), recentPast())
	if len(data.Signals.Failures) != 1 || !strings.Contains(data.Signals.Failures[0].Err, `is "jobb" the label`) {
		t.Errorf("failures = %+v, want one naming the by label", data.Signals.Failures)
	}
	spec.By = "job"
	if data := pollSource(t, newSource(t, p, Options{Signals: spec}), recentPast()); len(data.Signals.Failures) != 0 {
		t.Errorf("with the right label: failures %+v", data.Signals.Failures)
	}
}

// testNoBucket: a latency SLI whose threshold is not a bucket boundary has requests
// and no bucket to count them against; it reads as that error, not as no data.
func testNoBucket(t *testing.T, p *testservers.PromServer) {
	def := func(name string, threshold time.Duration) slo.Definition {
		return slo.Definition{Name: name, Objective: 0.99, Window: 24 * time.Hour, SLI: slo.SLI{Latency: &slo.LatencySLI{
			Histogram: "prometheus_http_request_duration_seconds", Selector: `{job="prometheus"}`, Threshold: threshold}}}
	}
	src := newSource(t, p, Options{SLOs: []slo.Definition{def("odd", 300*time.Millisecond), def("even", 400*time.Millisecond)}})
	data := pollSource(t, src, recentPast())
	f, ok := data.SLOs.Failed["odd"]
	if !ok || !strings.Contains(f.Err, "le=0.3: the threshold must be one of the histogram's bucket boundaries") || f.Stale {
		t.Errorf("odd = %+v (%v), want the bucket error", f, ok)
	}
	if _, bad := data.SLOs.Failed["even"]; bad || len(data.SLOs.Counts["even"]) == 0 {
		t.Errorf("even: failed %v, counts %v", data.SLOs.Failed["even"], data.SLOs.Counts["even"])
	}
}
