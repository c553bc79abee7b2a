package themes

// Glyphs is the set of characters the panes draw with. Every marker is readable as
// text, so severity never depends on colour; the ASCII set is for terminals and
// fonts without Unicode (--ascii).
type Glyphs struct {
	Name string

	Spark    []rune // sparkline levels, lowest first
	BarFull  rune   // the spent and the remaining part of a budget bar
	BarEmpty rune

	// Row markers, each exactly two cells wide.
	Crit, Warn, OK, NoData string

	Dash     string // a value with no data: never drawn as 0
	Ellipsis string // ends a truncated name
	Cursor   string // the row under the cursor, and the focused pane
	Warning  string // precedes a caveat such as an exceeded retention
	Axis     string // the vertical axis of a chart
	Yes, No  string // a burn-rate condition firing or not
}

// Unicode is the default glyph set.
var Unicode = Glyphs{
	Name:     "unicode",
	Spark:    []rune("▁▂▃▄▅▆▇█"),
	BarFull:  '█',
	BarEmpty: '░',
	Crit:     "!!",
	Warn:     "! ",
	OK:       "● ",
	NoData:   "? ",
	Dash:     "–",
	Ellipsis: "…",
	Cursor:   "▸",
	Warning:  "⚠",
	Axis:     "│",
	Yes:      "✓",
	No:       "✗",
}

// ASCII draws with 7-bit characters only.
var ASCII = Glyphs{
	Name:     "ascii",
	Spark:    []rune(" .:-=+*#"),
	BarFull:  '#',
	BarEmpty: '.',
	Crit:     "!!",
	Warn:     "! ",
	OK:       "o ",
	NoData:   "? ",
	Dash:     "-",
	Ellipsis: "~",
	Cursor:   ">",
	Warning:  "!",
	Axis:     "|",
	Yes:      "yes",
	No:       "no",
}

// GlyphsFor returns the ASCII set when ascii is true and the Unicode set otherwise.
func GlyphsFor(ascii bool) Glyphs {
	if ascii {
		return ASCII
	}
	return Unicode
}
