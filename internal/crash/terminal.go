package crash

import (
	"os"

	"github.com/charmbracelet/x/term"
)

// resetSequences undo everything the dashboard may have turned on, in the order a
// terminal needs: leave the alternate screen (which also restores the main
// screen's cursor position), show the cursor, reset colours and attributes, and
// turn off mouse reporting, focus events, bracketed paste, and the kitty and
// xterm keyboard enhancements. A terminal ignores the ones it does not know.
const resetSequences = "\x1b[?1049l" + // alternate screen off
	"\x1b[?25h" + // cursor visible
	"\x1b[0m" + // attributes off
	"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l" + // mouse reporting off
	"\x1b[?1004l" + // focus events off
	"\x1b[?2004l" + // bracketed paste off
	"\x1b[<u" + // kitty keyboard: pop the flags pushed
	"\x1b[>4;0m" // xterm modifyOtherKeys off

// terminal is the state of the controlling terminal as vigil found it, so it can
// be put back however vigil ends.
type terminal struct {
	in, out *os.File
	state   *term.State // cooked mode as found; nil when in is not a terminal
	outTTY  bool
}

func saveTerminal(in, out *os.File) terminal {
	t := terminal{in: in, out: out}
	if in != nil && term.IsTerminal(in.Fd()) {
		if st, err := term.GetState(in.Fd()); err == nil {
			t.state = st
		}
	}
	t.outTTY = out != nil && term.IsTerminal(out.Fd())
	return t
}

// restore puts the terminal modes back as found and, when the screen may have been
// drawn on, writes the reset sequences. Writing them to a pipe would only add noise
// to a script's output, so they go to a terminal only.
func (t terminal) restore(drawn bool) {
	if t.state != nil {
		_ = term.Restore(t.in.Fd(), t.state)
	}
	if drawn && t.outTTY {
		_, _ = t.out.WriteString(resetSequences)
	}
}

// IsTerminal reports whether f is a terminal (not a pipe, a file or /dev/null).
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}
