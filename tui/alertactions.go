package tui

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

// The alerts and silences panes' keys: the hidden view, explanations, and silences
// made and expired from the keyboard.

// alertKey handles h (hidden alerts), x (explain) and S (silence) on the focused
// alerts pane, S in an alert's detail, and E (expire) on the silences pane, and reports whether the key was
// one of them.
func (m *Model) alertKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if d, ok := m.top().(alertOverlay); ok && is(msg, keys.Silence) {
		m.silenceForm(d.d.Item()) // over the detail: esc comes back to it
		return nil, true
	}
	if m.top() != nil {
		return nil, false
	}
	switch p := m.panes[m.focus].(type) {
	case pagesPane:
		if !is(msg, keys.Explain) {
			return nil, false
		}
		if pg, ok := p.p.Selected(); ok {
			m.explain(explainPage(&m.board, pg))
		}
		return nil, true
	case slosPane:
		if !is(msg, keys.Explain) {
			return nil, false
		}
		if s, ok := p.p.Selected(); ok {
			m.explain(explainSLO(&m.board, s))
		}
		return nil, true
	case alertsPane:
		switch {
		case is(msg, keys.Hidden):
			p.p = p.p.ToggleHidden().SetBoard(&m.board)
			m.panes[m.focus] = p
			m.layout()
		case is(msg, keys.Explain):
			if why := p.p.Explain(); why != "" {
				m.explain(why)
			}
		case is(msg, keys.Silence):
			if it, ok := p.p.Selected(); ok {
				m.silenceForm(it)
			}
		default:
			return nil, false
		}
		return nil, true
	case silencesPane:
		if !is(msg, keys.Expire) {
			return nil, false
		}
		sil, ok := p.p.Selected()
		if !ok {
			return nil, true
		}
		if m.opts.Silences == nil {
			m.say(m.noSilences())
			return nil, true
		}
		id, ids := sil.ID, slices.Clone(sil.IDs) // captured at the key press
		if len(ids) == 0 {
			ids = []string{id}
		}
		m.confirm("Expire silence "+id+" "+textsafe.Clean(sil.Matchers)+"?", func() tea.Cmd {
			return m.runSilence(id, "expire…", func(ctx context.Context) error {
				// Every copy: unclustered Alertmanagers each hold one under its own ID.
				var errs []error
				for _, id := range ids {
					errs = append(errs, m.opts.Silences.ExpireSilence(ctx, id))
				}
				return errors.Join(errs...)
			})
		})
		return nil, true
	}
	return nil, false
}

// SilenceActions are the silence writes, posted to every Alertmanager by the
// source behind them. nil: read-only.
type SilenceActions interface {
	CreateSilence(ctx context.Context, matchers string, d time.Duration, createdBy, comment string) error
	ExpireSilence(ctx context.Context, id string) error
}

// noSilences says why a silence cannot be made or expired: alerts read from
// Prometheus alone have no Alertmanager to hold one, which is not read-only mode.
func (m *Model) noSilences() string {
	if m.opts.NoSilences {
		return "no Alertmanager configured: silences need one"
	}
	return m.readOnly()
}

// instanceLike are labels a silence leaves out by default: they name one machine or
// pod, and the silence should hold for the whole group, as Alertmanager's own UI
// suggests.
var instanceLike = []string{"instance", "pod", "container", "node", "host", "hostname", "ip", "endpoint", "pod_name"}

// silenceForm asks for a silence of the group under the cursor in three steps: the
// matchers (prefilled with its labels, instance-like ones left out), the duration
// (1h), and the comment (required), then posts it to every Alertmanager.
func (m *Model) silenceForm(it alerts.Item) {
	if m.opts.Silences == nil {
		m.say(m.noSilences())
		return
	}
	var ms []string
	for _, k := range slices.Sorted(maps.Keys(it.Labels)) {
		if slices.Contains(instanceLike, k) {
			continue
		}
		ms = append(ms, k+"="+strconv.Quote(it.Labels[k]))
	}
	matchers := "{" + strings.Join(ms, ",") + "}"
	// One prompt, three steps: each submit turns it into the next.
	in := &inputOverlay{prompt: "Silence alerts matching (edit to widen or narrow):", value: matchers}
	in.submit = func(text string) (string, tea.Cmd) {
		matchers := strings.TrimSpace(text)
		if matchers == "{}" || matchers == "" {
			return "a silence needs at least one matcher", nil
		}
		in.prompt, in.value, in.keep = "Silence "+matchers+" for how long (15m, 1h, 4h, …):", "1h", true
		in.submit = func(text string) (string, tea.Cmd) {
			d, err := time.ParseDuration(strings.TrimSpace(text))
			if err != nil || d < time.Minute || d > 30*24*time.Hour {
				return "a duration from 1m to 720h, like 1h", nil
			}
			in.prompt, in.value, in.keep = "Silence "+matchers+" for "+text+": why? (required, shown to whoever finds it)", "", true
			in.submit = func(comment string) (string, tea.Cmd) {
				if strings.TrimSpace(comment) == "" {
					return "a silence needs a comment", nil
				}
				user := m.opts.User
				return "", m.runSilence("", "silence…", func(ctx context.Context) error {
					return m.opts.Silences.CreateSilence(ctx, matchers, d, user, comment)
				})
			}
			return "", nil
		}
		return "", nil
	}
	m.push(in)
}

// runSilence runs a silence write in a command; its answer comes back as an
// actionDoneMsg, and the footer says how it went.
func (m *Model) runSilence(id, what string, call func(context.Context) error) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		var ids []string
		if id != "" {
			ids = []string{id}
		}
		return actionDoneMsg{ids: ids, what: strings.TrimSuffix(what, "…"), err: call(ctx)}
	}
}

// explainPage is x on a page row: the Board's own words for its item in the list.
func explainPage(b *alerts.Board, pg alerts.Page) string {
	head := "#" + strconv.Itoa(pg.Number) + " " + textsafe.Clean(pg.Title) + ": "
	for _, it := range b.Actionable {
		if it.Kind == "page" && it.ID == pg.ID {
			return head + alerts.Explain(it)
		}
	}
	return head + "shown: open PagerDuty page, " + pg.Status
}

// explainSLO is x on an SLO row: why it is in the list needing a human, or why not.
func explainSLO(b *alerts.Board, s alerts.SLOStatus) string {
	head := textsafe.Clean(s.Name) + ": "
	for _, it := range b.Actionable {
		if it.Kind == "slo" && it.ID == "slo:"+s.Name {
			return head + alerts.Explain(it)
		}
	}
	switch s.State {
	case alerts.SLONoData:
		why := "its burn rates are unknown"
		if s.Error != "" {
			why += ": " + textsafe.Clean(s.Error)
		}
		return head + "not in the list: " + why + " (the row says so; it is never read as within budget)"
	case alerts.SLOOK:
		return head + "not in the list: no burn-rate condition is over its threshold in both of its windows"
	}
	return head + "shown: burning its error budget fast enough for a " + string(s.State) + " (multi-window burn rate)"
}
