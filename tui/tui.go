// Package tui is the dashboard: the root Bubble Tea model that lays out the header,
// the golden-signals pane, the SLO pane, the SLO detail, the help overlay and the
// footer, and routes keys to them. It renders Boards; it never polls anything.
package tui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/signals"
	"github.com/vigil-sre/vigil/tui/slodetail"
	"github.com/vigil-sre/vigil/tui/slos"
)

// Options configures the dashboard.
type Options struct {
	Theme  themes.Theme  // zero: the default theme
	Glyphs themes.Glyphs // zero: Unicode, or ASCII when ASCII is set
	ASCII  bool

	// Now is the clock of the header and of source ages; nil is time.Now. Tests fix it.
	Now func() time.Time
	// Location is the zone the clock is shown in; nil is the local zone.
	Location *time.Location

	// Refresh asks the hub to poll now. It must not block.
	Refresh func()
	// History reads an SLO's budget remaining over its window for the detail view.
	// It is called in a command, never on the UI goroutine; nil shows no chart.
	History func(ctx context.Context, slo string) ([]sources.Point, error)

	Demo    bool // the data is simulated: a DEMO badge is always shown
	Version string
}

// BoardMsg delivers a new Board. Send it with Program.Send whenever sources update.
type BoardMsg struct {
	Board alerts.Board
}

type tickMsg time.Time

// refreshShown is how long "refreshing…" stays up when no Board answers sooner.
const refreshShown = 3 * time.Second

// noticeShown is how long a confirmation stays in the footer.
const noticeShown = 3 * time.Second

type pane int

const (
	paneSignals pane = iota
	paneSLOs
)

// Model is the root model.
type Model struct {
	opts  Options
	base  themes.Theme // as configured; the colour profile may override it
	st    *ui.Styles
	w, h  int
	now   time.Time
	board alerts.Board

	focus  pane
	zoom   bool
	help   bool
	frozen bool

	detailOpen bool
	detail     slodetail.Detail
	seq        int

	refreshing bool
	refreshAt  time.Time

	notice      string // a confirmation in the footer, until noticeUntil
	noticeUntil time.Time

	focusChosen bool // the operator moved the focus: boards no longer move it

	sig signals.Pane
	slo slos.Pane
}

// New returns the dashboard model; run it with tea.NewProgram.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Theme.Name == "" {
		opts.Theme, _ = themes.Get(themes.Default)
	}
	if opts.Glyphs.Name == "" {
		opts.Glyphs = themes.GlyphsFor(opts.ASCII)
	}
	st := ui.NewStyles(opts.Theme, opts.Glyphs)
	m := &Model{opts: opts, base: opts.Theme, st: st, now: opts.Now()}
	m.sig = signals.New(st).SetFocused(true)
	m.slo = slos.New(st)
	return m
}

// Init starts the clock.
func (m *Model) Init() tea.Cmd { return tick() }

// tick fires on the next whole second, so the clock changes when the second does.
func tick() tea.Cmd {
	return tea.Every(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles Boards, the clock, the window size, the colour profile and keys.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case BoardMsg:
		m.setBoard(msg.Board)
	case tickMsg:
		m.now = m.opts.Now()
		if m.refreshing && m.now.Sub(m.refreshAt) > refreshShown {
			m.refreshing = false
		}
		return m, tick()
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
	case tea.ColorProfileMsg:
		m.setStyles(ui.NewStyles(themes.ForProfile(m.base, msg.Profile), m.opts.Glyphs))
	case ui.NoticeMsg:
		m.notice, m.noticeUntil = string(msg), m.opts.Now().Add(noticeShown)
	case slodetail.HistoryMsg:
		if m.detailOpen {
			var cmd tea.Cmd
			m.detail, cmd = m.detail.Update(msg)
			return m, cmd
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) setBoard(b alerts.Board) {
	m.board = b
	m.now = m.opts.Now()
	m.refreshing = false
	m.sig = m.sig.SetBoard(b.Services)
	m.slo = m.slo.SetBoard(b.SLOs)
	if !m.focusChosen {
		// Start where there is something to see: an SLO-only setup has no service
		// rows, and focus on an empty pane hides the SLOs' keys.
		switch {
		case m.sig.Len() == 0 && m.slo.Len() > 0 && m.focus != paneSLOs:
			m.setFocus(paneSLOs)
		case m.sig.Len() > 0 && m.focus != paneSignals:
			m.setFocus(paneSignals)
		}
	}
	if m.detailOpen {
		if s, ok := m.slo.Find(m.detail.Name()); ok {
			m.detail = m.detail.SetSLO(s)
		}
	}
	m.layout()
}

func (m *Model) setStyles(st *ui.Styles) {
	m.st = st
	m.sig = m.sig.SetStyles(st)
	m.slo = m.slo.SetStyles(st)
	m.detail = m.detail.SetStyles(st)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	switch k {
	case "ctrl+c", "q":
		return tea.Quit
	}
	if m.help {
		if k == "esc" || k == "?" {
			m.help = false
		}
		return nil
	}
	switch k {
	case "?":
		m.help = true
		return nil
	case "r":
		m.refreshing, m.refreshAt = true, m.now
		var cmds []tea.Cmd
		if f := m.opts.Refresh; f != nil {
			cmds = append(cmds, func() tea.Msg { f(); return nil })
		}
		if m.detailOpen {
			m.seq++
			var cmd tea.Cmd
			m.detail, cmd = m.detail.Reload(m.opts.History, m.seq)
			cmds = append(cmds, cmd)
		}
		return tea.Batch(cmds...)
	case "tab", "shift+tab":
		// Two panes: forward and back are the same move until pages and alerts come.
		m.focusChosen = true
		m.setFocus(1 - m.focus)
		return nil
	case "1":
		m.focusChosen = true
		m.setFocus(paneSignals)
		return nil
	case "2":
		m.focusChosen = true
		m.setFocus(paneSLOs)
		return nil
	case "f":
		m.frozen = !m.frozen
		m.sig = m.sig.SetFrozen(m.frozen)
		m.slo = m.slo.SetFrozen(m.frozen)
		return nil
	case "z":
		m.zoom = !m.zoom
		m.layout()
		return nil
	}
	if m.detailOpen {
		if k == "esc" {
			m.detailOpen = false
			return nil
		}
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return cmd
	}
	switch {
	case k == "esc" && m.zoom:
		m.zoom = false
		m.layout()
	case k == "enter" && m.focus == paneSLOs:
		s, ok := m.slo.Selected()
		if !ok {
			return nil
		}
		m.seq++
		var cmd tea.Cmd
		m.detail, cmd = slodetail.Open(m.st, s, m.opts.History, m.seq)
		m.detailOpen = true
		m.layout()
		return cmd
	case m.focus == paneSignals:
		m.sig, _ = m.sig.Update(msg)
	default:
		m.slo, _ = m.slo.Update(msg)
	}
	return nil
}

// setFocus moves the keys to pane p, closing the SLO detail, which covers both.
func (m *Model) setFocus(p pane) {
	m.detailOpen = false
	m.focus = p
	m.sig = m.sig.SetFocused(p == paneSignals)
	m.slo = m.slo.SetFocused(p == paneSLOs)
	m.layout()
}

// bodyH is the height between the header and the footer.
func (m *Model) bodyH() int {
	if m.h >= 8 && m.problems() != "" {
		return max(m.h-3, 0)
	}
	return max(m.h-2, 0)
}

// split shares the body between the panes, stacked: signals on top, SLOs below.
// When both fit, each gets what its rows need, with a blank line between them if
// there is room and the spare lines at the bottom; otherwise the SLO pane keeps up
// to a third of the body (SLOs are few and each matters) and the signals pane,
// which scrolls, takes the rest. Zoom gives the focused pane everything.
func (m *Model) split(body int) (sigH, sloH int) {
	if m.zoom {
		if m.focus == paneSignals {
			return body, 0
		}
		return 0, body
	}
	sigNeed, sloNeed := m.sig.Need(), m.slo.Need()
	if sigNeed+sloNeed <= body {
		sigH = min(sigNeed+1, body-sloNeed)
		return sigH, body - sigH
	}
	minSLO := min(sloNeed, max(4, body/3))
	sloH = min(sloNeed, max(minSLO, body-sigNeed))
	sloH = min(sloH, body)
	return body - sloH, sloH
}

// layout tells the panes their sizes, so they paint their rows once per Board or
// resize instead of once per frame.
func (m *Model) layout() {
	if m.w <= 0 || m.h <= 0 {
		return
	}
	body := m.bodyH()
	sigH, sloH := m.split(body)
	m.sig = m.sig.SetSize(m.w, sigH)
	m.slo = m.slo.SetSize(m.w, sloH)
	if m.detailOpen {
		m.detail = m.detail.SetSize(m.w, body)
	}
}

// View draws the whole screen in the alternate screen buffer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "vigil"
	if m.opts.Demo {
		v.WindowTitle = "vigil DEMO"
	}
	return v
}

// render is the screen as text: exactly the window's height in lines, none wider
// than its width.
func (m *Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(m.w * m.h * 2)
	head, _ := m.header()
	b.WriteString(head)
	if p := m.problems(); p != "" && m.h >= 8 {
		b.WriteByte('\n')
		b.WriteString(p)
	}
	body := m.bodyH()
	if body > 0 {
		b.WriteByte('\n')
		switch {
		case m.help:
			b.WriteString(m.helpView(m.w, body))
		case m.detailOpen:
			b.WriteString(m.detail.View(m.w, body))
		default:
			sigH, sloH := m.split(body)
			if sigH > 0 {
				b.WriteString(m.sig.View(m.w, sigH))
			}
			if sigH > 0 && sloH > 0 {
				b.WriteByte('\n')
			}
			if sloH > 0 {
				b.WriteString(m.slo.View(m.w, sloH))
			}
		}
	}
	if m.h > 1 {
		b.WriteByte('\n')
		b.WriteString(m.footer())
	}
	return b.String()
}

// Theme is the named built-in theme, or the colourless one when noColor is set
// (--no-color, NO_COLOR): the screen then reads by text markers and reverse video.
// It lives here so that only the tui package knows about themes.
func Theme(name string, noColor bool) (themes.Theme, error) {
	t, err := themes.Get(name)
	if err != nil {
		return t, err
	}
	if noColor {
		return themes.Get(themes.Mono)
	}
	return t, nil
}
