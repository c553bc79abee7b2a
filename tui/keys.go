package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// binding is one entry of the keymap: the keys and the footer's short hint (the
// bubbles Binding), and the wording of the help overlay, which has room to spell
// the keys out ("j/k, ↑/↓").
type binding struct {
	key.Binding
	helpKeys string // "" when the help overlay does not list it
	helpDoes string
}

func bind(keys []string, hint, does, helpKeys, helpDoes string) binding {
	return binding{
		Binding:  key.NewBinding(key.WithKeys(keys...), key.WithHelp(hint, does)),
		helpKeys: helpKeys,
		helpDoes: helpDoes,
	}
}

// keyMap is every key the dashboard knows, once. Dispatch matches against it, the
// footer's hints and the help overlay are drawn from it, and a test checks that no
// key is bound twice. Keys not built yet (present mode P) are reserved
// here, disabled, so nothing takes them by accident.
type keyMap struct {
	Move, Ends, PaneCycle, PaneJump binding
	Enter, Back, Copy, Filter       binding
	Freeze, Zoom, Refresh           binding
	Help, Quit                      binding

	// The pages pane and a page's detail.
	Ack, Resolve, Snooze, Note, Escalate, Open, AckMine, Mine binding

	// The alerts and silences panes.
	Hidden, Explain, Silence, Expire binding

	reserved []binding
}

// keys is the dashboard's keymap. The list keys (j/k, g/G, page up/down) are handled
// by ui.List; Move and Ends describe them for the footer and the help.
var keys = keyMap{
	Move: bind([]string{"j", "k", "down", "up", "pgdown", "pgup", "ctrl+f", "ctrl+b"},
		"j/k", "move", "j/k, ↑/↓", "move"),
	Ends:      bind([]string{"g", "G", "home", "end"}, "g/G", "top/bottom", "g / G", "top / bottom"),
	PaneCycle: bind([]string{"tab", "shift+tab"}, "tab", "pane", "tab / shift+tab", "next / previous pane"),
	PaneJump:  bind([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "jump to pane", "", ""),
	Enter:     bind([]string{"enter"}, "enter", "detail", "enter / esc", "detail (SLO, page, alert) / back"),
	Back:      bind([]string{"esc"}, "esc", "back", "", ""),
	Copy:      bind([]string{"c"}, "c", "copy queries", "c", "copy the SLO's queries (detail)"),
	Filter:    bind([]string{"/"}, "/", "filter", "/", `filter by text or {label="value"}; esc clears`),
	Freeze:    bind([]string{"f"}, "f", "freeze", "f", "freeze / unfreeze the row order"),
	Zoom:      bind([]string{"z"}, "z", "zoom", "z", "zoom the focused pane"),
	Refresh:   bind([]string{"r"}, "r", "refresh", "r", "refresh now"),
	Help:      bind([]string{"?"}, "?", "help", "?", "this help"),
	Quit:      bind([]string{"q", "ctrl+c"}, "q", "quit", "q, ctrl+c", "quit"),
	Ack:       bind([]string{"a"}, "a", "ack", "a / R", "acknowledge / resolve the page"),
	Resolve:   bind([]string{"R"}, "R", "resolve", "", ""),
	Snooze:    bind([]string{"s"}, "s", "snooze", "s / n / e", "snooze / note / escalate the page"),
	Note:      bind([]string{"n"}, "n", "note", "", ""),
	Escalate:  bind([]string{"e"}, "e", "escalate", "", ""),
	Open:      bind([]string{"o"}, "o", "copy link", "o", "copy the page's address (OSC 52) and show it"),
	AckMine:   bind([]string{"A"}, "A", "ack mine", "A", "acknowledge every page of mine (asks once)"),
	Mine:      bind([]string{"m"}, "m", "mine", "m", "only my pages / all"),
	Hidden:    bind([]string{"h"}, "h", "hidden", "h", "the hidden alerts, with their reasons / the alerts"),
	Explain:   bind([]string{"x"}, "x", "why", "x", "why the row is shown or hidden, naming the rule"),
	Silence:   bind([]string{"S"}, "S", "silence", "S / E", "silence the alert group / expire the silence (asks first)"),
	Expire:    bind([]string{"E"}, "E", "expire", "", ""),
	reserved: []binding{
		reserve("P", "present mode"),
	},
}

func reserve(k, does string) binding {
	b := bind([]string{k}, k, does, "", "")
	b.SetEnabled(false)
	return b
}

// all lists every binding, reserved ones included, in help order.
func (k keyMap) all() []binding {
	out := []binding{k.Move, k.Ends, k.PaneCycle, k.PaneJump, k.Enter, k.Back, k.Filter, k.Copy,
		k.Freeze, k.Zoom, k.Refresh, k.Help, k.Quit,
		k.Ack, k.Resolve, k.Snooze, k.Note, k.Escalate, k.Open, k.AckMine, k.Mine, k.Hidden, k.Explain, k.Silence, k.Expire}
	return append(out, k.reserved...)
}

// is reports whether msg is one of b's keys. A disabled binding matches nothing.
func is(msg tea.KeyPressMsg, b binding) bool { return key.Matches(msg, b.Binding) }

// paneNumber is the pane a digit key jumps to, 0-based; -1 for any other key.
func paneNumber(msg tea.KeyPressMsg) int {
	if !is(msg, keys.PaneJump) {
		return -1
	}
	return int(msg.String()[0] - '1')
}
