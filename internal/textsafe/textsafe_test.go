package textsafe

import (
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "checkout-api", "checkout-api"},
		{"unicode kept", "Zahlungsdienst β 決済 ✓", "Zahlungsdienst β 決済 ✓"},
		{"newline and tab become spaces", "a\nb\tc", "a b c"},
		{"carriage return and backspace dropped", "ok\r\bFAIL", "okFAIL"},
		{"other C0 and DEL dropped", "a\x00b\x07c\x7fd\x0be", "abcde"},
		{"SGR colour", "\x1b[31mred\x1b[0m", "red"},
		{"CSI cursor move and erase", "x\x1b[2J\x1b[1;1Hy", "xy"},
		{"CSI private mode", "\x1b[?1049hz", "z"},
		{"CSI with intermediate", "\x1b[0 qz", "z"},
		{"CSI broken by control", "\x1b[12\x07z", "z"},
		{"OSC title with BEL", "\x1b]0;pwned\x07after", "after"},
		{"OSC clipboard with ST", "\x1b]52;c;cm0gLXJmIC8=\x1b\\after", "after"},
		{"OSC hyperlink", "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"OSC unterminated swallows rest", "name\x1b]2;title", "name"},
		{"OSC aborted by new escape", "\x1b]2;t\x1b[31mred", "red"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\ok", "ok"},
		{"APC", "\x1b_Gf=100;AAAA\x1b\\ok", "ok"},
		{"PM and SOS", "\x1b^pm\x1b\\a\x1bXsos\x1b\\b", "ab"},
		{"short escapes", "\x1b7a\x1b8b\x1bcc\x1b=d", "abcd"},
		{"nF escape", "\x1b(Ba\x1b#8b", "ab"},
		{"lone ESC at end", "abc\x1b", "abc"},
		{"ESC ESC", "\x1b\x1b[31mx", "x"},
		{"C1 CSI in UTF-8", "a\u009b31mb", "ab"},
		{"C1 OSC in UTF-8 ended by C1 ST", "a\u009d0;t\u009cb", "ab"},
		{"C1 controls dropped", "a\u0085b\u008ec", "abc"},
		{"raw C1 byte is invalid UTF-8", "a\x9b31mb", "a\uFFFD31mb"},
		{"invalid UTF-8", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"truncated rune", "a\xe2\x82", "a\uFFFD\uFFFD"},
		{"bidi override", "\u202eevil\u202c.sh", "evil.sh"},
		{"bidi isolates", "a\u2066b\u2067c\u2068d\u2069e", "abcde"},
		{"bidi embeddings", "\u202a\u202b\u202dx", "x"},
		{"bidi marks", "a\u200eb\u200fc\u061cd", "abcd"},
		{"zero-width joiner kept", "a\u200db", "a\u200db"},
		{"Arabic letters kept", "\u0627\u0644", "\u0627\u0644"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestCleanRuneClasses drops every rune of each unsafe class, wherever it stands,
// and keeps the runes just outside each class.
func TestCleanRuneClasses(t *testing.T) {
	classes := []struct {
		name     string
		from, to rune
	}{
		{"C0 controls", 0x00, 0x08},
		{"C0 controls after tab and newline", 0x0b, 0x1f},
		{"DEL", 0x7f, 0x7f},
		{"C1 controls", 0x80, 0x9f},
		{"bidi embeddings and overrides", 0x202a, 0x202e},
		{"bidi isolates", 0x2066, 0x2069},
		{"LRM and RLM", 0x200e, 0x200f},
		{"Arabic letter mark", 0x061c, 0x061c},
	}
	for _, c := range classes {
		t.Run(c.name, func(t *testing.T) {
			for r := c.from; r <= c.to; r++ {
				in := "a" + string(r) + "b"
				got := Clean(in)
				// ESC and the C1 string and CSI introducers also swallow what follows, as a
				// terminal would; every other control is dropped on its own.
				if got != "ab" && !((isC1(r) || r == esc) && got == "a") {
					t.Errorf("Clean(%q) = %q: %U kept", in, got, r)
				}
				if firstUnsafe(in) != 1 {
					t.Errorf("firstUnsafe(%q) = %d, want 1", in, firstUnsafe(in))
				}
			}
		})
	}
	for _, r := range []rune{0x20, 0x7e, 0xa0, 0x061b, 0x061d, 0x200d, 0x2010, 0x2029, 0x202f, 0x2065, 0x206a} {
		if in := "a" + string(r) + "b"; Clean(in) != in {
			t.Errorf("Clean(%q) = %q: %U is safe and must be kept", in, Clean(in), r)
		}
	}
}

func TestCleanDoesNotAllocateWhenClean(t *testing.T) {
	for _, s := range []string{"checkout-api", "決済サービス ▁▂▃", ""} {
		allocs := testing.AllocsPerRun(100, func() {
			if Clean(s) != s {
				t.Fatal("changed")
			}
		})
		if allocs != 0 {
			t.Errorf("Clean(%q): %v allocs, want 0", s, allocs)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[31mred\x1b[0m", "\x1b]52;c;Zm9v\x07", "\x1bP1$r\x1b\\",
		"a\u009b1mb", "\u202eabc", "\xff\xfe", "a\nb\tc\r", "\x1b", "\x1b]", "\xc2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Clean(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidi(r) {
				t.Fatalf("Clean(%q) = %q: contains %U", s, out, r)
			}
		}
		if again := Clean(out); again != out {
			t.Fatalf("not idempotent: Clean(%q) = %q, Clean of that = %q", s, out, again)
		}
	})
}

func BenchmarkCleanClean(b *testing.B) {
	s := "checkout-availability-eu-west-1"
	b.ReportAllocs()
	for b.Loop() {
		_ = Clean(s)
	}
}

func BenchmarkCleanHostile(b *testing.B) {
	s := "check\x1b]0;x\x07out\x1b[31m-api\u202e"
	b.ReportAllocs()
	for b.Loop() {
		_ = Clean(s)
	}
}

func TestCleanLines(t *testing.T) {
	in := "config.yaml:3: prometheus[0].\x1b]0;pwned\x07x: unknown key\nconfig.yaml:9: refresh: bad duration \"\x1b[2J\""
	want := "config.yaml:3: prometheus[0].x: unknown key\nconfig.yaml:9: refresh: bad duration \"\""
	if got := CleanLines(in); got != want {
		t.Errorf("CleanLines = %q, want %q", got, want)
	}
	if s := "one\ntwo"; CleanLines(s) != s {
		t.Errorf("clean lines changed: %q", CleanLines(s))
	}
}
