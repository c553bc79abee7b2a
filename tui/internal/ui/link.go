package ui

import (
	"net/url"
	"strings"

	"github.com/vigil-sre/vigil/internal/textsafe"
)

// LinkURL is u made safe to follow and to put inside an OSC 8 hyperlink: cleaned of
// anything that could drive the terminal, with spaces and every byte outside
// printable ASCII percent-encoded (OSC 8 carries URIs in 32–126 only), and "" unless
// it is an absolute http(s) address. A runbook or generator URL comes from outside:
// a `javascript:` or `file:` link is shown as text, never made clickable.
func LinkURL(u string) string {
	u = strings.TrimSpace(textsafe.Clean(u))
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(u))
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c >= 0x7f {
			const hex = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Hyperlink makes text (painted or not) an OSC 8 link to target, which must come
// from LinkURL: ESC ] 8 ; ; url ST text ESC ] 8 ; ; ST. Terminals without
// hyperlinks ignore the sequences and show the text.
func Hyperlink(target, text string) string {
	return "\x1b]8;;" + target + "\x1b\\" + text + "\x1b]8;;\x1b\\"
}
