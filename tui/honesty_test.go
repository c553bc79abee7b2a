package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/tui/slodetail"
)

// rowOf is the screen line of the service or SLO called name.
func rowOf(t *testing.T, m *Model, name string) string {
	t.Helper()
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	t.Fatalf("no row for %s:\n%s", name, screen(m))
	return ""
}

func TestNoThresholdIsNeverDrawnOK(t *testing.T) {
	m := newModel(t, 100, 20)
	b := healthyBoard()
	r := svc("batch", 12, 5, 0.5, 1.7, [4]float64{}, 0) // every threshold none
	for i := range r.Signals {
		r.Signals[i].State = alerts.StateNone
	}
	r.State = alerts.StateNone
	b.Services = append(b.Services, r)
	board(m, b)
	line := rowOf(t, m, "batch")
	if strings.Contains(line, m.st.Glyphs.OK) {
		t.Errorf("an unjudged row carries the ok marker: %q", line)
	}
	if !strings.Contains(line, "12.0s") || !strings.Contains(line, "170%") {
		t.Errorf("its values are still shown: %q", line)
	}
}

func TestFailedQueryDownAndDegradedRows(t *testing.T) {
	m := newModel(t, 100, 30)
	board(m, troubledBoard())
	lines := strings.Split(screen(m), "\n")
	first := ""
	for _, l := range lines {
		if strings.Contains(l, "!!") || strings.Contains(l, "! ") {
			first = l
			break
		}
	}
	if !strings.Contains(first, "ledger-writer DOWN 0/2 up") {
		t.Errorf("a dead service is not the first row, in words: %q", first)
	}
	if l := rowOf(t, m, "search-indexer"); !strings.Contains(l, "2/3 up") {
		t.Errorf("degraded row: %q", l)
	}
	if l := rowOf(t, m, "api-gateway"); !strings.HasSuffix(strings.TrimRight(l, " "), "err") {
		t.Errorf("the failed saturation query reads err: %q", l)
	}
	if h := lines[0] + lines[1]; !strings.Contains(h, "prod degraded (saturation query)") {
		t.Errorf("the badge names the failing query: %q", h)
	}
}

func TestRetryBadge(t *testing.T) {
	now := clock
	m := newModel(t, 160, 20, func(o *Options) { o.Now = func() time.Time { return now } })
	b := troubledBoard()
	board(m, b)
	if h := screen(m); !strings.Contains(h, "eu stale 2m retry in 12s · r now") {
		t.Errorf("no retry countdown:\n%s", h)
	}
	now = clock.Add(5 * time.Second)
	m.Update(tickMsg(now))
	if h := screen(m); !strings.Contains(h, "retry in 7s · r now") {
		t.Errorf("the countdown does not count:\n%s", h)
	}
	b.Sources[1].RateLimited = true
	b.Sources[1].RetryAt = after(2*time.Minute - 2*time.Second + 5*time.Second)
	board(m, b)
	if h := screen(m); !strings.Contains(h, "rate-limited, retry in 1m58s") || strings.Contains(h, "r now") {
		t.Errorf("a rate-limited source must say so and not offer r:\n%s", h)
	}
}

func TestFocusStartsOnAPaneWithRows(t *testing.T) {
	m := newModel(t, 100, 24)
	b := troubledBoard()
	b.Services = nil
	board(m, b)
	if m.focus != paneSLOs {
		t.Fatalf("an SLO-only board keeps the focus on the empty signals pane")
	}
	press(t, m, "enter")
	if !strings.Contains(screen(m), "BURN-RATE CONDITIONS") {
		t.Error("enter does not open the first SLO")
	}
	board(m, b)
	if !strings.Contains(screen(m), "BURN-RATE CONDITIONS") {
		t.Error("a new Board closed the detail")
	}
}

func TestCopyNoticeLastsThreeSeconds(t *testing.T) {
	now := clock
	m := newModel(t, 80, 24, func(o *Options) { o.Now = func() time.Time { return now } })
	board(m, troubledBoard())
	press(t, m, "2", "enter", "c", "j")
	footer := func() string { l := strings.Split(screen(m), "\n"); return l[len(l)-1] }
	if !strings.Contains(footer(), "copied 2 queries") {
		t.Fatalf("footer %q", footer())
	}
	now = clock.Add(4 * time.Second)
	m.Update(tickMsg(now))
	if strings.Contains(footer(), "copied") {
		t.Errorf("the notice outlived 3 s: %q", footer())
	}
}

func TestBurnBesideShowsTheOrder(t *testing.T) {
	cases := []struct {
		burn, factor float64
		want         string
	}{
		{1.4449, 1.44, "1.445x"},
		{1.43, 1.44, "1.43x"},
		{16, 14.4, "16.0x"},
		{14.4, 14.4, "14.4x"},
		{0.2, 1, "0.20x"},
	}
	for _, c := range cases {
		if got := slodetail.BurnBeside(c.burn, c.factor); got != c.want {
			t.Errorf("BurnBeside(%v, %v) = %q, want %q", c.burn, c.factor, got, c.want)
		}
	}
}

func TestSLONamesKeepTheirLengthAt80(t *testing.T) {
	m := newModel(t, 80, 24)
	b := healthyBoard()
	b.SLOs = append(b.SLOs, slo("alerting-pipeline-availability", "ok", 0.999, 0.5, [4]float64{0.1, 0.1, 0.1, 0.1}, -1))
	board(m, b)
	var line string
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "alerting-") {
			line = l
		}
	}
	if strings.Contains(line, "99.9%") || !strings.Contains(line, "alerting-pipeline-availabili") {
		t.Errorf("the objective must go before the name is cut: %q", line)
	}
}

// An alerts-only setup shows the alerts and silences panes and no empty services or
// SLO pane; a setup with nothing at all still shows the services pane, saying so.
func TestPanesOnlyForWhatIsConfigured(t *testing.T) {
	m := newModel(t, 100, 24, func(o *Options) { o.NoSignals, o.NoSLOs, o.Alerts = true, true, true })
	board(m, troubledBoard())
	s := screen(m)
	if strings.Contains(s, "SERVICES") || strings.Contains(s, "SLOS") || !strings.Contains(s, "1 ALERTS") || !strings.Contains(s, "2 SILENCES") {
		t.Errorf("alerts-only screen:\n%s", s)
	}
	m = newModel(t, 100, 24, func(o *Options) { o.NoSignals, o.NoSLOs = true, true })
	board(m, troubledBoard())
	if s := screen(m); !strings.Contains(s, "SERVICES") {
		t.Errorf("with nothing configured the screen has no pane:\n%s", s)
	}
}
