// Package tui is the dashboard: the root Bubble Tea model that lays out the header,
// the golden-signals pane, the SLO pane, the SLO detail, the help overlay and the
// footer, and routes keys to them. It renders Boards; it never polls anything.
package tui

import (
	"context"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/alertlist"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/notify"
	"github.com/vigil-sre/vigil/tui/pagedetail"
	"github.com/vigil-sre/vigil/tui/pages"
	"github.com/vigil-sre/vigil/tui/signals"
	"github.com/vigil-sre/vigil/tui/silencelist"
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

	// NoSignals and NoSLOs leave out the services and SLO panes: the config has no
	// services (nor a signals profile) or no SLOs.
	NoSignals, NoSLOs bool
	// NoSilences leaves out the silences pane: alerts are read from Prometheus only,
	// and no Alertmanager holds silences.
	NoSilences bool

	// Pages shows the pages pane: a PagerDuty source is configured.
	Pages bool
	// Alerts shows the alerts and silences panes: an Alertmanager source is
	// configured.
	Alerts bool
	// Silences writes silences to every Alertmanager; nil is read-only for them.
	Silences SilenceActions
	// User is who a silence is created by (the config's pagerduty.from, else the
	// login name).
	User string
	// Me is the PagerDuty user ID that "only mine" (m, A) means; "" turns them off.
	Me string
	// Actions writes to PagerDuty; nil is read-only, and ReadOnlyReason says why
	// ("--read-only", "pagerduty.read_only").
	Actions        Actions
	ReadOnlyReason string
	// PageDetail reads an incident's alerts, log entries and notes, in a command.
	PageDetail pagedetail.FetchFunc

	// Notify is when the terminal calls the operator back: a new actionable item at
	// or above a severity (zero value: on, critical, at most once a minute).
	Notify Notify
	// NoHyperlinks draws URLs as text only; ASCII glyphs and TERM=dumb do too.
	NoHyperlinks bool
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

// The panes, in the order of their numbers.
const (
	paneSignals = iota
	paneSLOs
)

// Model is the root model: the header, the panes with a focus index, the overlay
// stack and the footer.
type Model struct {
	opts  Options
	base  themes.Theme // as configured; the colour profile may override it
	st    *ui.Styles
	w, h  int
	now   time.Time
	board alerts.Board

	panes  []pane
	focus  int
	stack  []overlay // the top is last
	zoom   bool
	frozen bool
	seq    int // numbers detail openings, so a late answer to an old one is dropped

	refreshing bool
	refreshAt  time.Time

	notice      string // a confirmation in the footer, until noticeUntil
	noticeUntil time.Time

	focusChosen bool // the operator moved the focus: boards no longer move it

	pending map[string]write // incident ID -> a write under way

	notifier *notify.Notifier
	term     notify.Terminal // what the terminal can do, from its environment

	// widths remembers the width of the lines the side-by-side body last joined: a
	// pane repaints only what changed, so most lines of a frame are the same strings
	// as the last one, and measuring a painted line (escape sequences, graphemes)
	// costs far more than looking it up.
	widths map[string]int

	laidBody int // the body height the panes were last laid out for
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
	m := &Model{opts: opts, base: opts.Theme, st: st, now: opts.Now(),
		notifier: notify.New(notify.Config(opts.Notify)), term: notify.Detect(os.Getenv)}
	// A pane for what is not configured would only say so, taking the room of the
	// panes that matter (an alerts-only setup has no services and no SLOs); with
	// nothing configured at all, the services pane says what to configure.
	if !opts.NoSignals || (opts.NoSLOs && !opts.Pages && !opts.Alerts) {
		m.panes = append(m.panes, signalsPane{signals.New(st)})
	}
	if !opts.NoSLOs {
		m.panes = append(m.panes, slosPane{slos.New(st)})
	}
	if opts.Pages {
		m.panes = append(m.panes, pagesPane{p: pages.New(st, opts.Me), now: func() time.Time { return m.now }})
	}
	if opts.Alerts {
		m.panes = append(m.panes, alertsPane{p: alertlist.New(st, len(m.panes)+1), now: func() time.Time { return m.now }})
		if !opts.NoSilences {
			m.panes = append(m.panes, silencesPane{p: silencelist.New(st, len(m.panes)+1), now: func() time.Time { return m.now }})
		}
	}
	m.panes[0] = m.panes[0].setFocused(true)
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
		return m, m.notify(m.notifier.Observe(&m.board, m.now))
	case tickMsg:
		m.now = m.opts.Now()
		if m.bodyH() != m.laidBody { // the expiring strip came or went with the clock
			m.layout()
		}
		if m.refreshing && m.now.Sub(m.refreshAt) > refreshShown {
			m.refreshing = false
		}
		return m, tea.Batch(tick(), m.notify(m.notifier.Due(m.now)))
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
	case tea.ColorProfileMsg:
		m.setStyles(ui.NewStyles(themes.ForProfile(m.base, msg.Profile), m.opts.Glyphs))
	case actionDoneMsg:
		m.actionDone(msg)
	case pagedetail.DetailMsg:
		for i := len(m.stack) - 1; i >= 0; i-- {
			if d, ok := m.stack[i].(pageOverlay); ok {
				var cmd tea.Cmd
				m.stack[i], cmd = d.update(m, msg)
				return m, cmd
			}
		}
	case ui.NoticeMsg:
		m.say(string(msg))
	case slodetail.HistoryMsg:
		// A history answer goes to the detail that asked; an old one is dropped there.
		for i := len(m.stack) - 1; i >= 0; i-- {
			if d, ok := m.stack[i].(detailOverlay); ok {
				var cmd tea.Cmd
				m.stack[i], cmd = d.update(m, msg)
				return m, cmd
			}
		}
	case tea.PasteMsg:
		if top := m.top(); typing(top) {
			return m, m.replaceTop(top.update(m, msg))
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
	for i := range m.panes {
		m.panes[i] = m.panes[i].setBoard(&m.board)
	}
	for i := range m.stack {
		m.stack[i] = m.stack[i].setBoard(&m.board)
	}
	m.settle()
	if !m.focusChosen {
		// Start where there is something to see: an SLO-only setup has no service
		// rows, and focus on an empty pane hides the SLOs' keys.
		first := -1
		for i, p := range m.panes {
			if p.rows() > 0 {
				first = i
				break
			}
		}
		if first >= 0 && first != m.focus {
			m.setFocus(first)
		}
	}
	m.layout()
}

func (m *Model) setStyles(st *ui.Styles) {
	m.st = st
	for i := range m.panes {
		m.panes[i] = m.panes[i].setStyles(st)
	}
	for i := range m.stack {
		m.stack[i] = m.stack[i].setStyles(st)
	}
}

// top is the overlay on top of the stack, or nil.
func (m *Model) top() overlay {
	if len(m.stack) == 0 {
		return nil
	}
	return m.stack[len(m.stack)-1]
}

// replaceTop puts o in place of the top overlay; a nil o pops it.
func (m *Model) replaceTop(o overlay, cmd tea.Cmd) tea.Cmd {
	if len(m.stack) == 0 {
		return cmd
	}
	if o == nil {
		m.stack = m.stack[:len(m.stack)-1]
		m.layout()
		return cmd
	}
	m.stack[len(m.stack)-1] = o
	return cmd
}

func (m *Model) push(o overlay) {
	m.stack = append(m.stack, o)
	m.layout()
}

// key routes a key: the filter line and / first (filter.go); quit always; a modal
// overlay (the help) takes everything else; then the keys that work everywhere (help,
// refresh, panes, freeze, zoom); then the top overlay, with back popping it; then the
// focused pane.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.filterKey(msg); ok {
		return cmd
	}
	top := m.top()
	if typing(top) {
		// While a note or a duration is typed, q is a letter: only ctrl+c quits.
		if msg.String() == "ctrl+c" {
			return tea.Quit
		}
	} else if is(msg, keys.Quit) {
		return tea.Quit
	}
	if top != nil && top.modal() {
		if is(msg, keys.Back) {
			return m.replaceTop(nil, nil)
		}
		return m.replaceTop(top.update(m, msg))
	}
	switch {
	case is(msg, keys.Help):
		m.push(helpOverlay{})
		return nil
	case is(msg, keys.Refresh):
		m.refreshing, m.refreshAt = true, m.now
		var cmds []tea.Cmd
		if f := m.opts.Refresh; f != nil {
			cmds = append(cmds, func() tea.Msg { f(); return nil })
		}
		if top != nil {
			cmds = append(cmds, m.replaceTop(top.refresh(m)))
		}
		return tea.Batch(cmds...)
	case is(msg, keys.PaneCycle):
		m.focusChosen = true
		step := 1
		if msg.String() == "shift+tab" {
			step = len(m.panes) - 1
		}
		m.setFocus((m.focus + step) % len(m.panes))
		return nil
	case paneNumber(msg) >= 0:
		if n := paneNumber(msg); n < len(m.panes) {
			m.focusChosen = true
			m.setFocus(n)
		}
		return nil
	case is(msg, keys.Freeze):
		m.frozen = !m.frozen
		for i := range m.panes {
			m.panes[i] = m.panes[i].setFrozen(m.frozen)
		}
		return nil
	case is(msg, keys.Zoom):
		m.zoom = !m.zoom
		m.layout()
		return nil
	}
	if cmd, ok := m.pageKey(msg); ok {
		return cmd
	}
	if cmd, ok := m.alertKey(msg); ok {
		return cmd
	}
	if top != nil {
		if is(msg, keys.Back) {
			return m.replaceTop(nil, nil)
		}
		return m.replaceTop(top.update(m, msg))
	}
	switch {
	case is(msg, keys.Back) && m.zoom:
		m.zoom = false
		m.layout()
	case is(msg, keys.Enter):
		o, cmd := m.panes[m.focus].open(m)
		if o != nil {
			m.push(o)
		}
		return cmd
	default:
		var cmd tea.Cmd
		m.panes[m.focus], cmd = m.panes[m.focus].update(msg)
		return cmd
	}
	return nil
}

// setFocus moves the keys to pane i, closing the overlays, which cover the panes.
func (m *Model) setFocus(i int) {
	m.stack = nil
	m.focus = i
	for j := range m.panes {
		m.panes[j] = m.panes[j].setFocused(j == i)
	}
	m.layout()
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
