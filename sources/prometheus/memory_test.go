package prometheus

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/hostile"
	"github.com/vigil-sre/vigil/sources"
)

// TestPeakMemory measures the peak resident memory of reading one large answer, for
// docs/performance.md. The peak is per process, so each case runs alone:
//
//	VIGIL_PEAK_RSS=big go test -count=1 -run TestPeakMemory ./sources/prometheus
//
// with big (about 32 MiB of valid answer: 20,000 series with 1.5 KiB labels),
// points (one series of a million points), series (100,000 series, beyond the cap),
// endless (a label value that never ends, cut at the 32 MiB cap).
func TestPeakMemory(t *testing.T) {
	which := os.Getenv("VIGIL_PEAK_RSS")
	if which == "" {
		t.Skip("set VIGIL_PEAK_RSS to big, points, series or endless to measure")
	}
	var h http.Handler
	switch which {
	case "big":
		h = streamed(func(w *bufio.Writer) {
			pad := strings.Repeat("x", 1500)
			for i := range 20_000 {
				if i > 0 {
					w.WriteByte(',')
				}
				fmt.Fprintf(w, `{"metric":{"job":"a","instance":"%d-%s"},"values":[[1700000000,"1"],[1700000060,"2"]]}`, i, pad)
			}
		})
	case "points":
		h = streamed(func(w *bufio.Writer) {
			w.WriteString(`{"metric":{"job":"a"},"values":[`)
			for i := range 1_000_000 {
				if i > 0 {
					w.WriteByte(',')
				}
				fmt.Fprintf(w, `[%d,"1"]`, 1_600_000_000+i)
			}
			w.WriteString(`]}`)
		})
	case "series":
		h = &hostile.Server{Mode: hostile.ManySeries, Series: 100_000}
	case "endless":
		h = &hostile.Server{Mode: hostile.EndlessBody, MaxMiB: 40}
	default:
		t.Fatalf("VIGIL_PEAK_RSS=%s: want big, points, series or endless", which)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	src := oneSignal(t, srv.URL, nil)
	runtime.GC()
	// Writing 5 to clear_refs resets the peak to the current resident size, so the
	// figure is what reading the answer added to a running process.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak: %v", err)
	}
	base := procStatus(t, "VmRSS")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	v, _, _, err := src.api.QueryRange(ctx, "q", rangeOf(time.Unix(1_700_000_000, 0)))
	var n int
	if err == nil {
		var series map[string][]sources.Point
		series, err = rangeSeriesContext(ctx, v, byJob, combineFor(sources.Latency))
		n = len(series["a"])
	}
	t.Logf("%s: %s, %d points for a; err %v; resident before %d KiB, peak %d KiB",
		which, time.Since(start).Round(time.Millisecond), n, err, base, procStatus(t, "VmHWM"))
}

// streamed answers a range query with the series that body writes, without holding
// the answer in memory.
func streamed(body func(*bufio.Writer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := bufio.NewWriterSize(w, 64<<10)
		bw.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[`)
		body(bw)
		bw.WriteString(`]}}`)
		bw.Flush()
	})
}

// procStatus reads one "Vm..." line of /proc/self/status, in KiB.
func procStatus(t *testing.T, field string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
