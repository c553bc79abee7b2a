package testservers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const backfillTimeout = 2 * time.Minute

// Backfill turns OpenMetrics text into TSDB blocks with promtool and returns the
// directory holding them, for PromOptions.Blocks. History that would take days to
// scrape is written in seconds, with values a test knows in closed form.
func Backfill(t testing.TB, openMetrics []byte) (blocksDir string) {
	t.Helper()
	bin := lookBinary(t, "promtool", "prometheus")
	dir := t.TempDir()
	in := filepath.Join(dir, "input.om")
	if err := os.WriteFile(in, openMetrics, 0o600); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	out := filepath.Join(dir, "blocks")
	ctx, cancel := context.WithTimeout(context.Background(), backfillTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "tsdb", "create-blocks-from", "openmetrics", "--quiet", in, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testservers: promtool create-blocks-from openmetrics: %v\n%s", err, b)
	}
	return out
}

// CounterSeries is one series of a generated counter family.
type CounterSeries struct {
	Labels string                    // label pairs without braces: job="bf",code="200"
	Value  func(t time.Time) float64 // the counter at t, in closed form; must not decrease
}

// OpenMetricsCounters writes the counter family `family` (samples named family_total)
// with one sample of every series at each step from start to end inclusive, in the
// OpenMetrics text promtool backfills from. Each series' samples are written together
// and in time order, as promtool appends them.
func OpenMetricsCounters(family string, start, end time.Time, step time.Duration, series ...CounterSeries) []byte {
	var b strings.Builder
	b.WriteString("# HELP " + family + " Synthetic counter for tests.\n")
	b.WriteString("# TYPE " + family + " counter\n")
	for _, s := range series {
		prefix := family + "_total{" + s.Labels + "} "
		for at := start; !at.After(end); at = at.Add(step) {
			b.WriteString(prefix)
			b.WriteString(strconv.FormatFloat(s.Value(at), 'g', -1, 64))
			b.WriteByte(' ')
			b.WriteString(strconv.FormatInt(at.Unix(), 10))
			b.WriteByte('\n')
		}
	}
	b.WriteString("# EOF\n")
	return []byte(b.String())
}
