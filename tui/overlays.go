package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/alertdetail"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/pagedetail"
	"github.com/vigil-sre/vigil/tui/slodetail"
)

// overlay is a view over the panes: the help, a detail, and (to come) a confirm
// prompt, a one-line input or a filter. The root keeps them on a stack: the top one
// gets keys first and draws over the body, and Back (esc) pops it.
type overlay interface {
	// modal overlays take every key but quit and back (the help); others let the
	// root's global keys (refresh, pane, freeze, zoom) through first.
	modal() bool
	update(m *Model, msg tea.Msg) (overlay, tea.Cmd)
	view(m *Model, w, h int) string
	// hints are the footer's key hints while it is on top.
	hints() []binding
	setBoard(b *alerts.Board) overlay
	setSize(w, h int) overlay
	setStyles(st *ui.Styles) overlay
	// refresh is r while it is on top: the command that reloads what it shows.
	refresh(m *Model) (overlay, tea.Cmd)
}

// helpOverlay is the key and marker help, drawn from the keymap.
type helpOverlay struct{}

func (helpOverlay) modal() bool { return true }
func (h helpOverlay) update(_ *Model, msg tea.Msg) (overlay, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && is(k, keys.Help) {
		return nil, nil // ? closes it too
	}
	return h, nil
}
func (helpOverlay) view(m *Model, w, h int) string      { return m.helpView(w, h) }
func (helpOverlay) hints() []binding                    { return []binding{closeHint} }
func (h helpOverlay) setBoard(*alerts.Board) overlay    { return h }
func (h helpOverlay) setSize(int, int) overlay          { return h }
func (h helpOverlay) setStyles(*ui.Styles) overlay      { return h }
func (h helpOverlay) refresh(*Model) (overlay, tea.Cmd) { return h, nil }

// closeHint is Back as the help overlay names it.
var closeHint = func() binding {
	b := keys.Back
	b.SetHelp("esc", "close")
	return b
}()

// detailOverlay is one SLO's detail.
type detailOverlay struct{ d slodetail.Detail }

func (detailOverlay) modal() bool { return false }
func (o detailOverlay) update(_ *Model, msg tea.Msg) (overlay, tea.Cmd) {
	var cmd tea.Cmd
	o.d, cmd = o.d.Update(msg)
	return o, cmd
}
func (o detailOverlay) view(_ *Model, w, h int) string { return o.d.View(w, h) }
func (o detailOverlay) hints() []binding {
	scroll := keys.Move
	scroll.SetHelp("j/k", "scroll")
	return []binding{keys.Back, scroll, keys.Copy, keys.Refresh}
}
func (o detailOverlay) setSize(w, h int) overlay        { o.d = o.d.SetSize(w, h); return o }
func (o detailOverlay) setStyles(st *ui.Styles) overlay { o.d = o.d.SetStyles(st); return o }
func (o detailOverlay) setBoard(b *alerts.Board) overlay {
	for i := range b.SLOs {
		if b.SLOs[i].Name == o.d.Name() {
			o.d = o.d.SetSLO(b.SLOs[i])
			break
		}
	}
	return o
}
func (o detailOverlay) refresh(m *Model) (overlay, tea.Cmd) {
	m.seq++
	var cmd tea.Cmd
	o.d, cmd = o.d.Reload(m.opts.History, m.seq)
	return o, cmd
}

// confirmOverlay asks before a write: y or enter does it, n or esc does not.
type confirmOverlay struct {
	question string
	yes      func() tea.Cmd
}

func (*confirmOverlay) modal() bool { return true }
func (c *confirmOverlay) update(m *Model, msg tea.Msg) (overlay, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	switch k.String() {
	case "y", "enter":
		return nil, c.yes()
	case "n":
		return nil, nil
	}
	return c, nil
}
func (c *confirmOverlay) view(m *Model, w, h int) string {
	return m.promptBox(w, h, []string{c.question, "", "y / enter: yes     n / esc: no"})
}
func (*confirmOverlay) hints() []binding {
	yes := keys.Enter
	yes.SetHelp("y", "yes")
	no := keys.Back
	no.SetHelp("n/esc", "no")
	return []binding{yes, no}
}
func (c *confirmOverlay) setBoard(*alerts.Board) overlay    { return c }
func (c *confirmOverlay) setSize(int, int) overlay          { return c }
func (c *confirmOverlay) setStyles(*ui.Styles) overlay      { return c }
func (c *confirmOverlay) refresh(*Model) (overlay, tea.Cmd) { return c, nil }

// inputOverlay reads one line (a note, a snooze duration, a level); enter submits,
// esc cancels. submit returns a complaint to show, or the command to run.
type inputOverlay struct {
	prompt   string
	value    string
	complain string
	submit   func(string) (complaint string, cmd tea.Cmd)
	// keep: submit turned this prompt into the next step of a form (a new prompt,
	// value and submit), so it stays open.
	keep bool
}

// maxInput bounds what can be typed: a note is a line, not a document.
const maxInput = 1000

func (*inputOverlay) modal() bool { return true }
func (in *inputOverlay) update(m *Model, msg tea.Msg) (overlay, tea.Cmd) {
	var text string
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "enter":
			in.keep = false
			complaint, cmd := in.submit(in.value)
			if complaint != "" {
				in.complain = complaint
				return in, nil
			}
			if in.keep {
				in.complain = ""
				return in, cmd
			}
			return nil, cmd
		case "backspace":
			if r := []rune(in.value); len(r) > 0 {
				in.value = string(r[:len(r)-1])
			}
			return in, nil
		case "ctrl+u":
			in.value = ""
			return in, nil
		}
		text = msg.Text
	case tea.PasteMsg:
		text = msg.Content
	}
	// Typed or pasted text is one line, with nothing that could drive a terminal.
	text = textsafe.Clean(strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(text))
	if len([]rune(in.value))+len([]rune(text)) <= maxInput {
		in.value += text
	}
	return in, nil
}
func (in *inputOverlay) view(m *Model, w, h int) string {
	lines := []string{in.prompt, "", "> " + in.value + "_"}
	if in.complain != "" {
		lines = append(lines, "", m.st.Glyphs.Warning+" "+in.complain)
	}
	return m.promptBox(w, h, append(lines, "", "enter: do it     esc: cancel"))
}
func (*inputOverlay) hints() []binding {
	do := keys.Enter
	do.SetHelp("enter", "do it")
	no := keys.Back
	no.SetHelp("esc", "cancel")
	return []binding{do, no}
}
func (in *inputOverlay) setBoard(*alerts.Board) overlay    { return in }
func (in *inputOverlay) setSize(int, int) overlay          { return in }
func (in *inputOverlay) setStyles(*ui.Styles) overlay      { return in }
func (in *inputOverlay) refresh(*Model) (overlay, tea.Cmd) { return in, nil }

// pageOverlay is a page in context.
type pageOverlay struct{ d pagedetail.Detail }

func openPage(m *Model, p alerts.Page) (overlay, tea.Cmd) {
	m.seq++
	d, cmd := pagedetail.Open(m.st, p, &m.board, m.opts.PageDetail, m.seq, m.links())
	return pageOverlay{d: d}, cmd
}

func (pageOverlay) modal() bool { return false }
func (o pageOverlay) update(_ *Model, msg tea.Msg) (overlay, tea.Cmd) {
	var cmd tea.Cmd
	o.d, cmd = o.d.Update(msg)
	return o, cmd
}
func (o pageOverlay) view(_ *Model, w, h int) string { return o.d.View(w, h) }
func (o pageOverlay) hints() []binding {
	scroll := keys.Move
	scroll.SetHelp("j/k", "scroll")
	return []binding{keys.Back, keys.Ack, keys.Resolve, keys.Snooze, keys.Note, keys.Escalate, keys.Open, scroll}
}
func (o pageOverlay) setBoard(b *alerts.Board) overlay { o.d = o.d.SetBoard(b); return o }
func (o pageOverlay) setSize(w, h int) overlay         { o.d = o.d.SetSize(w, h); return o }
func (o pageOverlay) setStyles(st *ui.Styles) overlay  { o.d = o.d.SetStyles(st); return o }
func (o pageOverlay) refresh(m *Model) (overlay, tea.Cmd) {
	m.seq++
	var cmd tea.Cmd
	o.d, cmd = o.d.Reload(m.opts.PageDetail, m.seq)
	return o, cmd
}

// alertOverlay is an alerts-pane row opened: its alerts in full.
type alertOverlay struct{ d alertdetail.Detail }

func (alertOverlay) modal() bool { return false }
func (o alertOverlay) update(_ *Model, msg tea.Msg) (overlay, tea.Cmd) {
	var cmd tea.Cmd
	o.d, cmd = o.d.Update(msg)
	return o, cmd
}
func (o alertOverlay) view(_ *Model, w, h int) string { return o.d.View(w, h) }
func (o alertOverlay) hints() []binding {
	scroll := keys.Move
	scroll.SetHelp("j/k", "scroll")
	silence := keys.Silence
	silence.SetHelp("S", "silence")
	return []binding{keys.Back, scroll, silence}
}
func (o alertOverlay) setBoard(b *alerts.Board) overlay  { o.d = o.d.SetBoard(b); return o }
func (o alertOverlay) setSize(w, h int) overlay          { o.d = o.d.SetSize(w, h); return o }
func (o alertOverlay) setStyles(st *ui.Styles) overlay   { o.d = o.d.SetStyles(st); return o }
func (o alertOverlay) refresh(*Model) (overlay, tea.Cmd) { return o, nil }

// whyOverlay is an explanation (x) too long for the footer line, wrapped in a box:
// the deciding part of it is often at its end. Any key closes it.
type whyOverlay struct{ text string }

func (*whyOverlay) modal() bool { return true }
func (o *whyOverlay) update(_ *Model, msg tea.Msg) (overlay, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return nil, nil
	}
	return o, nil
}
func (o *whyOverlay) view(m *Model, w, h int) string {
	inner := max(min(w-4, 100), 20)
	lines := []string{"WHY"}
	for _, part := range strings.Split(textsafe.Clean(o.text), "; ") {
		lines = append(lines, "")
		lines = append(lines, strings.Split(ansi.Wrap(part, inner, ""), "\n")...)
	}
	return m.box(min(inner+4, w), h, lines)
}
func (*whyOverlay) hints() []binding                    { return []binding{closeHint} }
func (o *whyOverlay) setBoard(*alerts.Board) overlay    { return o }
func (o *whyOverlay) setSize(int, int) overlay          { return o }
func (o *whyOverlay) setStyles(*ui.Styles) overlay      { return o }
func (o *whyOverlay) refresh(*Model) (overlay, tea.Cmd) { return o, nil }

// explain shows why a row is shown or hidden: on the footer line when it fits, else
// in a box, one clause a paragraph.
func (m *Model) explain(why string) {
	if ui.Width(why) <= m.w-2 {
		m.say(why)
		return
	}
	m.push(&whyOverlay{text: why})
}
