package slodetail

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/tui/internal/ui"
)

func TestWrap(t *testing.T) {
	q := `sum(rate(http_requests_total{job="checkout",code=~"5.."}[30d])) / sum(rate(http_requests_total{job="checkout"}[30d]))`
	for _, w := range []int{1, 5, 20, 40, 79, 200} {
		lines := Wrap(q, w)
		for _, l := range lines {
			if ui.Width(l) > w {
				t.Errorf("w=%d: line %q is wider", w, l)
			}
		}
		// Only spaces are lost at the breaks: the query is still the same PromQL.
		joined := strings.ReplaceAll(strings.Join(lines, ""), " ", "")
		if joined != strings.ReplaceAll(q, " ", "") {
			t.Errorf("w=%d: wrapping changed the query: %q", w, lines)
		}
	}
	got := Wrap(`sum(rate(x{job="a b c d e f"}[5m]))`, 20)
	for _, l := range got[:len(got)-1] {
		if strings.Count(l, `"`)%2 == 1 && !strings.HasSuffix(l, `"`) && w(l) < 20 {
			t.Errorf("broke inside a string literal where it need not: %q", got)
		}
	}
	if got := Wrap("short", 80); len(got) != 1 || got[0] != "short" {
		t.Errorf("Wrap(short) = %q", got)
	}
	if got := Wrap("決済", 1); len(got) != 2 || !utf8.ValidString(got[0]) {
		t.Errorf("Wrap of wide runes at width 1 = %q", got)
	}
}

func w(s string) int { return ui.Width(s) }

func FuzzWrap(f *testing.F) {
	f.Add(`sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))`, 20)
	f.Add(`a "b c" 'd e' `+"`f g`", 3)
	f.Add("決済 サービス", 2)
	f.Fuzz(func(t *testing.T, q string, w int) {
		if w < 2 || w > 300 || !utf8.ValidString(q) || strings.ContainsAny(q, "\x00\x1b\n\t") {
			t.Skip()
		}
		lines := Wrap(q, w)
		if strings.ReplaceAll(strings.Join(lines, ""), " ", "") != strings.ReplaceAll(q, " ", "") {
			t.Fatalf("Wrap(%q, %d) = %q lost text", q, w, lines)
		}
		for _, l := range lines {
			if ui.Width(l) > w && utf8.RuneCountInString(l) > 1 {
				t.Fatalf("Wrap(%q, %d): line %q is %d wide", q, w, l, ui.Width(l))
			}
		}
	})
}
