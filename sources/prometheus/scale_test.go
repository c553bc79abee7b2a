package prometheus

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
)

// The scale tests run against a real Prometheus holding many jobs (backfilled with
// testservers.ManyJobs: four series each, 40 minutes at one-minute steps), so that
// what a poll costs is what Prometheus really does.
var scaleEnd = time.Date(2026, 6, 1, 12, 40, 0, 0, time.UTC)

// scaleProfile reads the four signals from the ManyJobs series. The saturation query
// divides two buckets, ignoring le: a binary operation matched on the job label.
var scaleProfile = map[sources.Signal]string{
	sources.Latency:    `histogram_quantile(0.9, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))`,
	sources.Traffic:    `sum by (job) (rate(http_requests_total[5m]))`,
	sources.Errors:     `sum by (job) (rate(http_requests_total{code="500"}[5m])) / sum by (job) (rate(http_requests_total[5m]))`,
	sources.Saturation: `max by (job) (rate(http_request_duration_seconds_bucket{le="0.25"}[5m]) / ignoring(le) rate(http_request_duration_seconds_bucket{le="+Inf"}[5m]))`,
}

var (
	scaleMu      sync.Mutex
	scaleServers = map[int]*testservers.PromServer{}
)

// manyJobsProm is a Prometheus holding `jobs` ManyJobs jobs, shared by the tests and
// benchmarks of one run.
func manyJobsProm(tb testing.TB, jobs int) *testservers.PromServer {
	tb.Helper()
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if p := scaleServers[jobs]; p != nil {
		return p
	}
	om := testservers.ManyJobs(jobs, scaleEnd.Add(-40*time.Minute), scaleEnd, time.Minute)
	p := testservers.Prometheus(tb, testservers.PromOptions{NoScrape: true, Blocks: testservers.Backfill(tb, om)})
	// The server lives as long as the first test that asked for it; later ones in
	// the same run (benchmarks, -count) start their own.
	scaleServers[jobs] = p
	tb.Cleanup(func() {
		scaleMu.Lock()
		delete(scaleServers, jobs)
		scaleMu.Unlock()
	})
	return p
}

// meteredProxy forwards to target and counts the bytes of the answers.
func meteredProxy(tb testing.TB, target string) (string, *atomic.Int64) {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	var n atomic.Int64
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		r.Body = &countingBody{ReadCloser: r.Body, n: &n}
		return nil
	}
	srv := httptest.NewServer(rp)
	tb.Cleanup(srv.Close)
	return srv.URL, &n
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// scaleServices is n configured services: every (jobs/n)-th job, and two that do
// not exist.
func scaleServices(jobs, n int) []ServiceSpec {
	var out []ServiceSpec
	for i := range n {
		out = append(out, ServiceSpec{Name: testservers.ManyJobsName(i * jobs / n)})
	}
	return append(out, ServiceSpec{Name: "absent-1"}, ServiceSpec{Name: "job-x"})
}

func scaleSource(tb testing.TB, url string, services []ServiceSpec, all bool) *Source {
	tb.Helper()
	src, err := New(Options{Name: "scale", URL: url, HTTP: promconfig.DefaultHTTPClientConfig,
		Signals: &SignalSpec{By: "job", Profile: scaleProfile, Services: services, AllServices: all}})
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

// TestRestrictedSignalsEqualPromQL: on a Prometheus of 10,000 jobs, the restricted
// queries (200 services in one chunk, 2,000 in three) give every configured service
// the value the unrestricted query gives it, at the first poll and at a later one
// that asks only the new steps; the later poll reads a fraction of the bytes. (The
// 10,000 services of the figures are BenchmarkScalePoll's: under the race detector
// they take half a minute.)
func TestRestrictedSignalsEqualPromQL(t *testing.T) {
	t.Parallel()
	const jobs = 10_000
	p := manyJobsProm(t, jobs)
	for _, n := range []int{200, 2000} {
		t.Run(fmt.Sprintf("services=%d", n), func(t *testing.T) {
			proxy, bytes := meteredProxy(t, p.URL())
			services := scaleServices(jobs, n)
			src := scaleSource(t, proxy, services, false)
			var read []int64
			for _, at := range []time.Time{scaleEnd.Add(-10 * time.Minute), scaleEnd.Add(-10*time.Minute + 15*time.Second)} {
				before := bytes.Load()
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				start := time.Now()
				data, err := src.Poll(ctx, at)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%d services, poll at %s: %s, %d requests, %d bytes", n, at.Format(time.TimeOnly),
					time.Since(start).Round(time.Millisecond), data.Signals.Requests, bytes.Load()-before)
				read = append(read, bytes.Load()-before)
				if len(data.Signals.Failures) > 0 || len(data.Warnings) > 0 {
					t.Fatalf("failures %+v, warnings %q", data.Signals.Failures, data.Warnings)
				}
				for sig, q := range scaleProfile {
					want := map[string]float64{}
					for _, smp := range p.Query(t, q, at) {
						want[smp.Labels["job"]] = smp.Value
					}
					for _, svc := range services {
						r := data.Signals.Services[svc.Name].Values[sig]
						w, ok := want[svc.Name]
						if ok != r.Valid || (ok && !near(r.Value, w)) {
							t.Fatalf("%s %s at %s = %+v, PromQL says %v (%v)", svc.Name, sig, at, r, w, ok)
						}
						if pts := data.Signals.Services[svc.Name].Series[sig]; ok && (len(pts) < 20 || !pts[len(pts)-1].T.Equal(at)) {
							t.Fatalf("%s %s: sparkline of %d points ending %v", svc.Name, sig, len(pts), pts[len(pts)-1].T)
						}
					}
				}
				if th := data.Signals.Services[services[0].Name].Targets; th.Known {
					t.Errorf("targets %+v for a backfilled job without up series", th)
				}
			}
			if read[1]*4 > read[0] {
				t.Errorf("the second poll read %d bytes, the first %d: want the new steps only", read[1], read[0])
			}
		})
	}
}

// BenchmarkScalePoll is the `snapshot` of a board of 200 or 10,000 services on a
// Prometheus of 10,000 jobs (a new source, one poll), and the steady-state refresh
// 15 s later; it reports the bytes read from Prometheus.
//
//	go test -run '^$' -bench BenchmarkScalePoll -benchtime 5x ./sources/prometheus
func BenchmarkScalePoll(b *testing.B) {
	const jobs = 10_000
	p := manyJobsProm(b, jobs)
	at := scaleEnd.Add(-10 * time.Minute)
	for _, n := range []int{200, jobs} {
		for _, all := range []bool{false, true} {
			if all && n != 200 {
				continue
			}
			name := fmt.Sprintf("services=%d", n)
			if all {
				name = "services=all"
			}
			b.Run(name+"/first", func(b *testing.B) {
				proxy, bytes := meteredProxy(b, p.URL())
				services := scaleServices(jobs, n)
				for b.Loop() {
					src := scaleSource(b, proxy, services, all)
					if _, err := src.Poll(context.Background(), at); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(bytes.Load())/float64(b.N), "bytes/poll")
			})
			b.Run(name+"/refresh", func(b *testing.B) {
				proxy, bytes := meteredProxy(b, p.URL())
				src := scaleSource(b, proxy, scaleServices(jobs, n), all)
				if _, err := src.Poll(context.Background(), at); err != nil {
					b.Fatal(err)
				}
				bytes.Store(0)
				i := 0
				for b.Loop() {
					i++
					if _, err := src.Poll(context.Background(), at.Add(time.Duration(i%40)*15*time.Second)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(bytes.Load())/float64(b.N), "bytes/poll")
			})
		}
	}
}

// TestScalePeakMemory measures the wall time and the peak resident memory of a
// `snapshot` (a new source, one poll) of 200 or 10,000 services on a Prometheus of
// 10,000 jobs, for docs/performance.md. The peak is per process, so each runs alone:
//
//	VIGIL_SCALE_RSS=200 go test -count=1 -run TestScalePeakMemory ./sources/prometheus
func TestScalePeakMemory(t *testing.T) {
	var n int
	switch os.Getenv("VIGIL_SCALE_RSS") {
	case "":
		t.Skip("set VIGIL_SCALE_RSS to 200 or 10000 to measure")
	case "200":
		n = 200
	case "10000":
		n = 10_000
	default:
		t.Fatal("VIGIL_SCALE_RSS: want 200 or 10000")
	}
	p := manyJobsProm(t, 10_000)
	services := scaleServices(10_000, n)
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak: %v", err)
	}
	base := procStatus(t, "VmRSS")
	start := time.Now()
	src := scaleSource(t, p.URL(), services, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	data, err := src.Poll(ctx, scaleEnd.Add(-10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d services: %s, %d requests; resident before %d KiB, peak %d KiB", n,
		time.Since(start).Round(time.Millisecond), data.Signals.Requests, base, procStatus(t, "VmHWM"))
}
