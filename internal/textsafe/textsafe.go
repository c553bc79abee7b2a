// Package textsafe makes text that came from outside (alert labels, service names,
// error messages, queries) safe to draw on the operator's terminal: nothing in it
// can move the cursor, change colours, set the window title, write the clipboard or
// reorder the line.
package textsafe

import (
	"strings"
	"unicode/utf8"
)

const (
	esc = 0x1b
	bel = 0x07
	del = 0x7f
)

// Clean returns s with every escape sequence (CSI, OSC, DCS, SOS, PM, APC and the
// short ESC forms, in their 7-bit and C1 spellings), every C0 and C1 control
// character and every bidi formatting character (embeddings, overrides, isolates
// and marks) removed,
// newlines and tabs turned into spaces, and invalid UTF-8 replaced by U+FFFD.
// Text that is already clean is returned as it is, without allocating.
func Clean(s string) string {
	i := firstUnsafe(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c < del:
			b.WriteByte(c)
			i++
		case c == '\n' || c == '\t':
			b.WriteByte(' ')
			i++
		case c == esc:
			i = skipEscape(s, i+1)
		case c < utf8.RuneSelf: // other C0 controls and DEL
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				b.WriteRune(utf8.RuneError)
			case r == 0x9b: // C1 CSI
				i = skipCSI(s, i+n)
				continue
			case isC1String(r):
				i = skipString(s, i+n)
				continue
			case isC1(r), isBidi(r):
				// dropped
			default:
				b.WriteString(s[i : i+n])
			}
			i += n
		}
	}
	return b.String()
}

// firstUnsafe is the index of the first byte Clean must act on, or len(s).
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < del {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || isC1(r) || isBidi(r) {
			return i
		}
		i += n
	}
	return len(s)
}

// isC1 reports the C1 control characters U+0080–U+009F. Some terminals act on their
// UTF-8 spelling, so they are never passed through.
func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// isC1String reports the C1 introducers of string sequences: DCS, SOS, OSC, PM, APC.
func isC1String(r rune) bool {
	return r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f
}

// isBidi reports the bidi formatting characters: the explicit embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069) and the implicit marks (LRM U+200E,
// RLM U+200F, ALM U+061C). All of them reorder or re-attach the text around them,
// so a label could make another, or a URL, look different from what it is.
func isBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape returns the index just past the escape sequence whose ESC was at i-1.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f: // nF: intermediates then one final byte
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] < del {
			i++
		}
		return i
	case c >= 0x30 && c < del: // Fp, Fe, Fs: one byte
		return i + 1
	}
	// A lone ESC: drop it and let the next byte be judged on its own.
	return i
}

// skipCSI returns the index just past a control sequence whose introducer ends at
// i-1: parameter bytes, intermediate bytes, one final byte. A byte that cannot be
// part of the sequence ends it there, as terminals do, and is judged on its own.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] < del {
		i++
	}
	return i
}

// skipString returns the index just past a string sequence (OSC, DCS, SOS, PM,
// APC) whose introducer ends at i-1. It ends at BEL, ESC \ or C1 ST; an
// unterminated one runs to the end of s, because a terminal would swallow it too.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == bel:
			return i + 1
		case s[i] == esc:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			// Terminals abort the string at ESC and start a new sequence.
			return skipEscape(s, i+1)
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // C1 ST in UTF-8
			return i + 2
		}
		i++
	}
	return i
}

// CleanLines is Clean for text of several lines, such as a list of config errors:
// each line is cleaned and the line breaks are kept.
func CleanLines(s string) string {
	if firstUnsafe(s) == len(s) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Clean(l)
	}
	return strings.Join(lines, "\n")
}
