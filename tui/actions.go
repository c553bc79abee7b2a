package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

// Actions are the writes the dashboard can ask for, by the source that owns the
// incident and its ID. A nil Actions is a read-only dashboard: the write keys say
// why they do nothing. The screen never does I/O itself: each call runs in a command.
type Actions interface {
	Acknowledge(ctx context.Context, source string, ids ...string) error
	Resolve(ctx context.Context, source string, ids ...string) error
	Snooze(ctx context.Context, source, id string, d time.Duration) error
	Note(ctx context.Context, source, id, text string) error
	Escalate(ctx context.Context, source, id string, level int) error
}

// actionTimeout bounds one write, retries included.
const actionTimeout = 30 * time.Second

// target is the incident a write acts on, captured when the key was pressed: the
// list may re-order before the confirmation, the ID does not.
type target struct {
	source, id string
	number     int
	title      string
}

func targetOf(p alerts.Page) target {
	return target{source: p.Source, id: p.ID, number: p.Number, title: textsafe.Clean(p.Title)}
}

func (t target) String() string { return "#" + strconv.Itoa(t.number) + " " + t.title }

// write is one write under way: what it does, in words, and how the next Board shows
// it has landed.
type write struct {
	what     string                       // "ack…", "resolve…": the row's pending word
	landed   func(alerts.Page, bool) bool // the page as the Board has it (and whether it is there); nil: done when answered
	answered bool                         // the API said yes; waiting for a Board that agrees
	at       time.Time                    // when it was asked
}

// pendingFor is how long a row may wait for a Board that agrees with an answered
// write before it goes back to what PagerDuty says, with a word in the footer: a
// pending mark must not hide a page's real status for long.
const pendingFor = 90 * time.Second

// actionDoneMsg is a write's answer.
type actionDoneMsg struct {
	ids  []string
	what string
	err  error
}

// selectedPage is the page under the cursor: in the page detail on top, else in the
// focused pages pane.
func (m *Model) selectedPage() (alerts.Page, bool) {
	if top := m.top(); top != nil {
		if d, ok := top.(pageOverlay); ok {
			return d.d.Page(), true
		}
		return alerts.Page{}, false
	}
	if p, ok := m.panes[m.focus].(pagesPane); ok {
		return p.p.Selected()
	}
	return alerts.Page{}, false
}

// pageKey handles the page write keys (a R s n e o A) and m. It reports whether the
// key was one of them.
func (m *Model) pageKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case is(msg, keys.Mine):
		for i, p := range m.panes {
			if pp, ok := p.(pagesPane); ok {
				var done bool
				pp.p, done = pp.p.ToggleMine()
				m.panes[i] = pp
				if !done {
					m.say("m needs pagerduty.user_id in the config")
				}
				m.layout()
			}
		}
		return nil, true
	case is(msg, keys.AckMine):
		return m.ackMine(), true
	}
	wk := []binding{keys.Ack, keys.Resolve, keys.Snooze, keys.Note, keys.Escalate, keys.Open}
	if !slices.ContainsFunc(wk, func(b binding) bool { return is(msg, b) }) {
		return nil, false
	}
	p, ok := m.selectedPage()
	if !ok {
		return nil, false
	}
	t := targetOf(p)
	if is(msg, keys.Open) {
		// A dashboard over SSH has no browser to open: the address goes to the
		// clipboard (OSC 52) and the footer.
		u := textsafe.Clean(p.URL)
		m.say(u + " (copied)")
		return tea.SetClipboard(u), true
	}
	if m.opts.Actions == nil {
		m.say(m.readOnly())
		return nil, true
	}
	switch {
	case is(msg, keys.Ack):
		m.confirm("Acknowledge "+t.String()+"?", func() tea.Cmd {
			return m.run(t, write{what: "ack…", landed: func(p alerts.Page, there bool) bool { return !there || p.Status == "acknowledged" }},
				func(ctx context.Context) error { return m.opts.Actions.Acknowledge(ctx, t.source, t.id) })
		})
	case is(msg, keys.Resolve):
		m.confirm("Resolve "+t.String()+"?", func() tea.Cmd {
			return m.run(t, write{what: "resolve…", landed: func(_ alerts.Page, there bool) bool { return !there }},
				func(ctx context.Context) error { return m.opts.Actions.Resolve(ctx, t.source, t.id) })
		})
	case is(msg, keys.Snooze) && p.Status != "acknowledged":
		// PagerDuty snoozes acknowledged incidents only: say so before asking.
		m.say("snooze needs an acknowledged page: press a first")
	case is(msg, keys.Snooze):
		m.push(&inputOverlay{prompt: "Snooze " + t.String() + " for (15m, 1h, 4h or any duration):", value: "1h",
			submit: func(s string) (string, tea.Cmd) {
				d, err := time.ParseDuration(strings.TrimSpace(s))
				if err != nil || d < time.Minute || d > 7*24*time.Hour {
					return "a duration from 1m to 168h, like 15m, 1h or 4h", nil
				}
				return "", m.run(t, write{what: "snooze…", landed: func(p alerts.Page, there bool) bool { return !there || p.Status == "acknowledged" }},
					func(ctx context.Context) error { return m.opts.Actions.Snooze(ctx, t.source, t.id, d) })
			}})
	case is(msg, keys.Note):
		m.push(&inputOverlay{prompt: "Note on " + t.String() + ":", submit: func(s string) (string, tea.Cmd) {
			if strings.TrimSpace(s) == "" {
				return "a note cannot be empty", nil
			}
			return "", m.run(t, write{what: "note…", landed: nil},
				func(ctx context.Context) error { return m.opts.Actions.Note(ctx, t.source, t.id, s) })
		}})
	case is(msg, keys.Escalate):
		// PagerDuty's incident list does not say the current level, so none is
		// proposed, and the row is done when PagerDuty answers: a Board cannot show it.
		prompt := "Escalate " + t.String() + " to level (1, 2, …):"
		value := ""
		if p.EscalationLevel > 0 {
			value = strconv.Itoa(p.EscalationLevel + 1)
		}
		m.push(&inputOverlay{prompt: prompt, value: value,
			submit: func(s string) (string, tea.Cmd) {
				level, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || level < 1 || level > 20 {
					return "a level of the escalation policy, 1 or more", nil
				}
				if level == p.EscalationLevel {
					return "it is at level " + strconv.Itoa(level) + " already", nil
				}
				return "", m.run(t, write{what: "escalate…"},
					func(ctx context.Context) error { return m.opts.Actions.Escalate(ctx, t.source, t.id, level) })
			}})
	}
	return nil, true
}

// ackMine acknowledges every triggered page assigned to me, after one confirmation
// that lists them.
func (m *Model) ackMine() tea.Cmd {
	if m.opts.Actions == nil {
		m.say(m.readOnly())
		return nil
	}
	if m.opts.Me == "" {
		m.say("A needs pagerduty.user_id in the config")
		return nil
	}
	bySource := map[string][]target{}
	var names []string
	for _, p := range m.board.Pages {
		if p.Status == "triggered" && slices.Contains(p.AssigneeIDs, m.opts.Me) {
			t := targetOf(p)
			bySource[t.source] = append(bySource[t.source], t)
			names = append(names, "#"+strconv.Itoa(p.Number))
		}
	}
	if len(names) == 0 {
		m.say("no triggered page is assigned to you")
		return nil
	}
	m.confirm(fmt.Sprintf("Acknowledge %d pages assigned to you: %s?", len(names), strings.Join(names, " ")), func() tea.Cmd {
		var cmds []tea.Cmd
		for src, ts := range bySource {
			ids := make([]string, len(ts))
			for i, t := range ts {
				ids[i] = t.id
			}
			cmds = append(cmds, m.runMany(ids, write{what: "ack…", landed: func(p alerts.Page, there bool) bool { return !there || p.Status == "acknowledged" }},
				func(ctx context.Context) error { return m.opts.Actions.Acknowledge(ctx, src, ids...) }))
		}
		return tea.Batch(cmds...)
	})
	return nil
}

func (m *Model) readOnly() string {
	why := m.opts.ReadOnlyReason
	if why == "" {
		why = "writes are off"
	}
	return "read-only: " + why
}

// confirm opens a yes/no overlay; yes runs do.
func (m *Model) confirm(question string, do func() tea.Cmd) {
	m.push(&confirmOverlay{question: question, yes: do})
}

func (m *Model) run(t target, w write, call func(context.Context) error) tea.Cmd {
	return m.runMany([]string{t.id}, w, call)
}

// runMany marks ids pending and runs call in a command; its answer comes back as an
// actionDoneMsg. A row stays pending until the API has answered and the next Board
// agrees; on failure it reverts and the footer says why.
func (m *Model) runMany(ids []string, w write, call func(context.Context) error) tea.Cmd {
	if m.pending == nil {
		m.pending = map[string]write{}
	}
	w.at = m.now
	for _, id := range ids {
		m.pending[id] = w
	}
	for i, p := range m.panes {
		if pp, ok := p.(pagesPane); ok {
			pp.p = pp.p.Pin() // from now on the cursor follows the page written to
			m.panes[i] = pp
		}
	}
	m.showPending()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return actionDoneMsg{ids: ids, what: strings.TrimSuffix(w.what, "…"), err: call(ctx)}
	}
}

// actionDone takes a write's answer.
func (m *Model) actionDone(msg actionDoneMsg) {
	for _, id := range msg.ids {
		w, ok := m.pending[id]
		if !ok {
			continue
		}
		if msg.err != nil || w.landed == nil {
			delete(m.pending, id)
		} else {
			w.answered = true
			m.pending[id] = w
		}
	}
	if msg.err != nil {
		m.say(msg.what + " failed: " + textsafe.Clean(msg.err.Error()))
	} else {
		m.say(msg.what + " done")
	}
	m.showPending()
}

// settle drops the pending marks the new Board agrees with.
func (m *Model) settle() {
	if len(m.pending) == 0 {
		return
	}
	pages := map[string]alerts.Page{}
	for _, p := range m.board.Pages {
		pages[p.ID] = p
	}
	for id, w := range m.pending {
		p, there := pages[id]
		switch {
		case w.answered && w.landed(p, there):
			delete(m.pending, id)
		case m.now.Sub(w.at) > pendingFor:
			delete(m.pending, id)
			m.say(strings.TrimSuffix(w.what, "…") + " on " + id + " not seen on PagerDuty yet: showing what it says")
		}
	}
	m.showPending()
}

func (m *Model) showPending() {
	words := map[string]string{}
	for id, w := range m.pending {
		words[id] = w.what
	}
	for i, p := range m.panes {
		if pp, ok := p.(pagesPane); ok {
			pp.p = pp.p.SetPending(words)
			m.panes[i] = pp
		}
	}
}

// say puts a line in the footer for a few seconds. It is cleaned here, once for
// every caller: notices carry error texts and label values from outside.
func (m *Model) say(s string) {
	m.notice, m.noticeUntil = textsafe.Clean(s), m.opts.Now().Add(noticeShown)
}
