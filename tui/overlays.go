package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/tui/internal/ui"
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
