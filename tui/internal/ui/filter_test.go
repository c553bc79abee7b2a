package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestFilterTitle(t *testing.T) {
	q := `{service="checkout"}`
	cases := []struct {
		n, total, first, last, w int
		want                     string
	}{
		{12, 340, 0, 12, 80, `3 ALERTS 12 of 340 {service="checkout"}`},
		{40, 340, 3, 21, 80, `3 ALERTS 4-21/40 of 340 {service="checkout"}`},
		{12, 340, 0, 12, 38, `3 ALRT 12 of 340 {service="checkout"}`}, // the name is shortened to keep the filter
		{12, 340, 0, 12, 30, `3 ALERTS 12 of 340`},                    // then the filter goes
		{12, 340, 0, 12, 16, `3 ALRT 12 of 340`},
		{12, 340, 0, 12, 12, `3 12 of 340`}, // the count stays while anything does
		{0, 340, 0, 0, 80, `3 ALERTS 0 of 340 {service="checkout"}`},
	}
	for _, c := range cases {
		if got := FilterTitle("3", "ALERTS", "ALRT", c.n, c.total, c.first, c.last, true, q, c.w); got != c.want {
			t.Errorf("FilterTitle(%d of %d, %d-%d, w %d) = %q, want %q", c.n, c.total, c.first, c.last, c.w, got, c.want)
		}
	}
	if got := FilterTitle("3", "ALERTS", "ALRT", 0, 0, 0, 0, false, q, 80); got != `3 ALERTS {service="checkout"}` {
		t.Errorf("before the first poll: %q", got)
	}
}

func TestOverrun(t *testing.T) {
	line := " 1 SERVICES 6   LATENCY  TRAFFIC   ERRORS"
	cases := []struct{ title, want string }{
		// Fits its column of 16.
		{" 1 SVCS 2 of 6", " 1 SVCS 2 of 6  LATENCY  TRAFFIC   ERRORS"},
		// Ends inside LATENCY: the label goes whole.
		{" 1 SERVICES 2 of 6", " 1 SERVICES 2 of 6   TRAFFIC   ERRORS"},
		// Ends on the space after LATENCY.
		{` 1 SERVICES 2 of 6 "ab"`, ` 1 SERVICES 2 of 6 "ab"  TRAFFIC   ERRORS`},
		// Ends on the last space before ERRORS.
		{` 1 SERVICES 2 of 6 "a long search"`, ` 1 SERVICES 2 of 6 "a long search" ERRORS`},
		{` 1 SERVICES 2 of 6 "longer than the whole line is"`, ` 1 SERVICES 2 of 6 "longer than the whole line is"`},
	}
	for _, c := range cases {
		if got := Overrun(line, c.title, 16); got != c.want {
			t.Errorf("Overrun(%q)\n got %q\nwant %q", c.title, got, c.want)
		}
	}
	// Painted, the cells are the same and every escape sequence stays whole.
	sgr := func(s string) string { return "\x1b[1m" + s + "\x1b[0m" }
	painted := sgr(" 1 SERVICES 6") + "   " + sgr("LATENCY") + "  " + sgr("TRAFFIC") + "   " + sgr("ERRORS")
	got := Overrun(painted, sgr(" 1 SERVICES 2 of 6"), 16)
	if plain := ansi.Strip(got); plain != " 1 SERVICES 2 of 6   TRAFFIC   ERRORS" {
		t.Errorf("painted: %q", plain)
	}
	if strings.Count(got, "\x1b[1m") != strings.Count(got, "\x1b[0m") || strings.Contains(regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(got, ""), "\x1b") {
		t.Errorf("painted: an escape sequence was cut: %q", got)
	}
}
