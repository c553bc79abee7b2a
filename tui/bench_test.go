package tui

import (
	"io"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/signals"
)

func defaultStyles(tb testing.TB) *ui.Styles {
	th, err := themes.Get(themes.Default)
	if err != nil {
		tb.Fatal(err)
	}
	return ui.NewStyles(th, themes.Unicode)
}

// BenchmarkSignalsView200 is one frame of the signals pane with 200 services at
// 200x60 (58 lines: the header and footer take two): what every keypress and
// every clock tick costs.
func BenchmarkSignalsView200(b *testing.B) {
	p := signals.New(defaultStyles(b)).SetFocused(true).SetSize(200, 58).SetBoard(bigBoard(200).Services)
	p, _ = p.Update(keyMsg("j"))
	b.ReportAllocs()
	for b.Loop() {
		_ = p.View(200, 58)
	}
}

// BenchmarkSignalsSetBoard200 is the work done once when a Board of 200 services
// arrives: cleaning, formatting and painting every row for the current width.
func BenchmarkSignalsSetBoard200(b *testing.B) {
	services := bigBoard(200).Services
	p := signals.New(defaultStyles(b)).SetFocused(true).SetSize(200, 58)
	b.ReportAllocs()
	for b.Loop() {
		p = p.SetBoard(services)
	}
}

// BenchmarkBoardToFrame200 is a Board arriving and being drawn: the model's
// Update for the BoardMsg and one whole frame at 200x60.
func BenchmarkBoardToFrame200(b *testing.B) {
	def, _ := themes.Get(themes.Default)
	m := newModel(b, 200, 60, func(o *Options) { o.Theme = def })
	bd := bigBoard(200)
	b.ReportAllocs()
	for b.Loop() {
		m.Update(BoardMsg{Board: bd})
		_ = m.View()
	}
}

// BenchmarkFrame200 is one whole frame at 200x60 with 200 services, no new Board:
// the cost of a clock tick.
func BenchmarkFrame200(b *testing.B) {
	def, _ := themes.Get(themes.Default)
	m := newModel(b, 200, 60, func(o *Options) { o.Theme = def })
	board(m, bigBoard(200))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// countingWriter counts what the renderer writes and notes when it last did.
type countingWriter struct {
	mu   sync.Mutex
	n    int64
	last time.Time
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.n += int64(len(p))
	c.last = time.Now()
	c.mu.Unlock()
	return len(p), nil
}

func (c *countingWriter) state() (int64, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.last
}

func (c *countingWriter) reset() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = 0
	return n
}

// settle waits until the renderer has written something after since and then been
// quiet for a while, or until nothing at all comes.
func (c *countingWriter) settle(since time.Time) {
	const quiet, giveUp = 150 * time.Millisecond, 3 * time.Second
	start := time.Now()
	for {
		time.Sleep(10 * time.Millisecond)
		n, last := c.state()
		switch {
		case n > 0 && last.After(since) && time.Since(last) > quiet:
			return
		case time.Since(start) > giveUp:
			return
		}
	}
}

// oneValueChanged is b with one visible service's latency moved by a millisecond:
// the smallest refresh there is.
func oneValueChanged(b alerts.Board, i int) alerts.Board {
	b.Services = append([]alerts.ServiceRow(nil), b.Services...)
	row := b.Services[i]
	sv := row.Signals[sources.Latency.Index()]
	v := *sv.Value + 0.001
	sv.Value = &v
	row.Signals[sources.Latency.Index()] = sv
	row.LatencySeconds = &v
	b.Services[i] = row
	return b
}

// refreshProgram runs the real dashboard in a Bubble Tea program at 200x60 writing
// to a counter, with the clock frozen so only Boards change the screen.
func refreshProgram(tb testing.TB) (*tea.Program, *countingWriter, func()) {
	cw := &countingWriter{}
	def, _ := themes.Get(themes.Default)
	m := New(Options{Theme: def, Now: func() time.Time { return clock }, Location: time.UTC})
	p := tea.NewProgram(m,
		tea.WithOutput(cw),
		tea.WithInput(nil),
		tea.WithWindowSize(200, 60),
		tea.WithoutSignalHandler(),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		tea.WithColorProfile(colorprofile.ANSI256),
	)
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	return p, cw, func() {
		p.Quit()
		if err := <-done; err != nil {
			tb.Errorf("program: %v", err)
		}
	}
}

// TestRefreshBytes checks what a refresh changing one value costs on the wire: a
// bastion over a slow link must not be sent the whole screen every poll.
func TestRefreshBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real program for about a second")
	}
	p, cw, stop := refreshProgram(t)
	defer stop()
	b1 := bigBoard(200)
	since := time.Now()
	p.Send(BoardMsg{Board: b1})
	cw.settle(since)
	first := cw.reset()

	since = time.Now()
	p.Send(BoardMsg{Board: oneValueChanged(b1, 12)})
	cw.settle(since)
	refresh := cw.reset()
	t.Logf("first frame %d bytes, one-value refresh %d bytes", first, refresh)
	if refresh == 0 {
		t.Error("the changed value was not written")
	}
	if refresh > 2048 {
		t.Errorf("a one-value refresh wrote %d bytes, want at most 2048", refresh)
	}
}

// BenchmarkRefreshBytes reports the bytes written per one-value refresh at 200x60
// (bytes/refresh); each iteration waits for the renderer to go quiet, so run it
// with -benchtime=10x.
func BenchmarkRefreshBytes(b *testing.B) {
	p, cw, stop := refreshProgram(b)
	defer stop()
	boards := [2]alerts.Board{bigBoard(200), {}}
	boards[1] = oneValueChanged(boards[0], 12)
	since := time.Now()
	p.Send(BoardMsg{Board: boards[0]})
	cw.settle(since)
	cw.reset()
	var total int64
	i := 0
	for b.Loop() {
		i++
		since := time.Now()
		p.Send(BoardMsg{Board: boards[i%2]})
		cw.settle(since)
		total += cw.reset()
	}
	b.ReportMetric(float64(total)/float64(i), "bytes/refresh")
}

var _ io.Writer = (*countingWriter)(nil)
