// Package themes holds vigil's semantic colour roles, the built-in themes and the
// glyph sets. Panes ask for a role (crit, stale badge, selection), never for a
// colour, so a theme can change every colour without touching a pane, and the
// mono theme can show everything by text and shape alone.
package themes

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Theme maps each semantic role to a style. Only colours and text attributes are
// used: layout belongs to the panes.
type Theme struct {
	Name string

	OK     lipgloss.Style // a healthy value or state
	Warn   lipgloss.Style // close to its threshold, or an SLO ticket
	Crit   lipgloss.Style // over its threshold, or an SLO page
	NoData lipgloss.Style // no data, stale rows and other muted text
	Accent lipgloss.Style // the focused pane's title, the clock
	Header lipgloss.Style // column headers and the program name

	BadgeOK    lipgloss.Style // a source that answered its latest poll
	BadgeStale lipgloss.Style // a source whose data is older than its latest attempt

	Selection lipgloss.Style // laid over the row under the cursor
	Demo      lipgloss.Style // the DEMO badge: fake data must never pass for real
	Border    lipgloss.Style // boxes, separators, unfocused titles
}

// The built-in theme names.
const (
	Default      = "default"
	HighContrast = "high-contrast"
	Mono         = "mono"
)

// Names lists the built-in themes, the default first.
func Names() []string { return []string{Default, HighContrast, Mono} }

// Get returns the built-in theme called name; "" is the default theme.
func Get(name string) (Theme, error) {
	switch name {
	case "", Default:
		return defaultTheme(), nil
	case HighContrast:
		return highContrast(), nil
	case Mono:
		return mono(), nil
	}
	return Theme{}, fmt.Errorf("unknown theme %q (have %s)", name, strings.Join(Names(), ", "))
}

// ForProfile returns the theme to draw with on a terminal of colour profile p. A
// profile without colour (NO_COLOR, a dumb terminal, output that is not a terminal)
// gets the mono theme: a colour theme's background-coloured selection or badges
// would vanish there, while mono's reverse video and bold survive.
func ForProfile(t Theme, p colorprofile.Profile) Theme {
	if p != colorprofile.Unknown && p <= colorprofile.ASCII {
		return mono()
	}
	return t
}

func style() lipgloss.Style { return lipgloss.NewStyle() }

// defaultTheme is for dark terminals and uses only the 16 basic colours, so it looks
// the same over SSH on a bastion with TERM=xterm as it does locally. Muted text is
// faint rather than "bright black", which some palettes draw as the background.
func defaultTheme() Theme {
	return Theme{
		Name:       Default,
		OK:         style().Foreground(lipgloss.Green),
		Warn:       style().Foreground(lipgloss.Yellow),
		Crit:       style().Foreground(lipgloss.BrightRed).Bold(true),
		NoData:     style().Faint(true),
		Accent:     style().Foreground(lipgloss.Cyan).Bold(true),
		Header:     style().Bold(true),
		BadgeOK:    style().Foreground(lipgloss.Green),
		BadgeStale: style().Foreground(lipgloss.Yellow).Bold(true),
		Selection:  style().Reverse(true),
		Demo:       style().Foreground(lipgloss.Magenta).Reverse(true).Bold(true),
		Border:     style().Faint(true),
	}
}

// highContrast is for a screen shared in a war room: severities are solid blocks
// of colour, nothing is faint (projectors wash faint text out), everything that
// matters is bold.
func highContrast() Theme {
	return Theme{
		Name:       HighContrast,
		OK:         style().Foreground(lipgloss.BrightGreen).Bold(true),
		Warn:       style().Foreground(lipgloss.Black).Background(lipgloss.BrightYellow).Bold(true),
		Crit:       style().Foreground(lipgloss.BrightWhite).Background(lipgloss.Red).Bold(true),
		NoData:     style().Foreground(lipgloss.BrightWhite),
		Accent:     style().Foreground(lipgloss.BrightCyan).Bold(true),
		Header:     style().Bold(true).Underline(true),
		BadgeOK:    style().Foreground(lipgloss.BrightGreen).Bold(true),
		BadgeStale: style().Foreground(lipgloss.Black).Background(lipgloss.BrightYellow).Bold(true),
		Selection:  style().Reverse(true).Bold(true),
		Demo:       style().Foreground(lipgloss.Black).Background(lipgloss.BrightMagenta).Bold(true),
		Border:     style().Foreground(lipgloss.BrightWhite),
	}
}

// mono uses no colour at all: severity is carried by the text (!!, PAGE, stale) and
// by shape (bold, underline), the selection by reverse video.
func mono() Theme {
	return Theme{
		Name:       Mono,
		OK:         style(),
		Warn:       style().Bold(true),
		Crit:       style().Bold(true).Underline(true),
		NoData:     style().Faint(true),
		Accent:     style().Bold(true),
		Header:     style().Bold(true),
		BadgeOK:    style(),
		BadgeStale: style().Bold(true),
		Selection:  style().Reverse(true),
		Demo:       style().Reverse(true).Bold(true),
		Border:     style(),
	}
}
