package notify

import (
	"strings"

	"github.com/vigil-sre/vigil/internal/textsafe"
)

// Protocol is how a terminal is asked to notify.
type Protocol int

const (
	// Bell is BEL: every terminal has it, and most flag the tab or window.
	Bell Protocol = iota
	// OSC9 is ESC ] 9 ; text BEL: iTerm2, WezTerm, Windows Terminal.
	OSC9
	// OSC777 is ESC ] 777 ; notify ; title ; body BEL: rxvt-unicode, foot, Ghostty.
	OSC777
)

// Terminal is what vigil knows of the terminal it draws on, from its environment.
type Terminal struct {
	Protocol Protocol
	// Tmux: inside tmux, which passes a notification on to the terminal around it
	// only wrapped as a DCS passthrough (and only with allow-passthrough on).
	Tmux bool
	// Dumb: TERM=dumb, a terminal that understands no escape sequence at all.
	Dumb bool
}

// Detect reads the terminal from the environment (getenv is os.Getenv outside
// tests). Terminals say who they are in TERM_PROGRAM or TERM, and most also set a
// variable of their own that survives into tmux, where TERM_PROGRAM and TERM name
// tmux instead.
func Detect(getenv func(string) string) Terminal {
	t := Terminal{Tmux: getenv("TMUX") != "", Dumb: getenv("TERM") == "dumb"}
	prog, term := strings.ToLower(getenv("TERM_PROGRAM")), strings.ToLower(getenv("TERM"))
	switch {
	case t.Dumb:
		t.Protocol = Bell
	case prog == "iterm.app" || prog == "wezterm" || getenv("ITERM_SESSION_ID") != "" ||
		getenv("WEZTERM_PANE") != "" || getenv("WT_SESSION") != "" || strings.HasPrefix(term, "wezterm"):
		t.Protocol = OSC9
	case prog == "ghostty" || getenv("GHOSTTY_RESOURCES_DIR") != "" || term == "xterm-ghostty" ||
		strings.HasPrefix(term, "foot") || strings.HasPrefix(term, "rxvt"):
		t.Protocol = OSC777
	default:
		t.Protocol = Bell
	}
	return t
}

// Sequence is the bytes that deliver note on t. The text is cleaned of anything
// that could end the sequence early or drive the terminal; in OSC 777 the title
// cannot hold the ';' that ends it. Inside tmux the notification is wrapped for
// passthrough (ESC P tmux; … ESC \, the ESCs inside doubled) and followed by a
// plain BEL, which tmux handles itself: with passthrough off (tmux's default) the
// wrapped sequence is dropped, and the bell still flags the window.
func Sequence(t Terminal, note Note) string {
	title := strings.TrimSpace(textsafe.Clean(note.Title))
	body := strings.TrimSpace(textsafe.Clean(note.Body))
	var seq string
	switch t.Protocol {
	case OSC9:
		text := body
		if title != "" {
			text = title + ": " + body
		}
		seq = "\x1b]9;" + text + "\a"
	case OSC777:
		seq = "\x1b]777;notify;" + strings.ReplaceAll(title, ";", ",") + ";" + body + "\a"
	default:
		return "\a"
	}
	if t.Tmux {
		return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\" + "\a"
	}
	return seq
}
