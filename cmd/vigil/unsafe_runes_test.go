package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// unsafeRune reports C0/C1 controls (but newline and tab), ESC and the bidi
// formatting characters: nothing vigil prints may carry them.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// TestOutputCarriesNoControlOrBidiRunes: names in the config and a server's error
// text hold a C1 CSI (U+009B), a right-to-left override (U+202E), an isolate and the
// bidi marks. No output stream of check or snapshot (json, text, markdown) may carry
// them raw: text is cleaned, JSON escapes them.
func TestOutputCarriesNoControlOrBidiRunes(t *testing.T) {
	bin := buildVigil(t)
	const hostile = "x\u009b2J\u202egnp.exe\u2066y\u2069\u200e\u200f\u061cz\u0085"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, "parse error "+hostile)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	// YAML refuses raw control characters in the file, but reads its escapes
	// ("\u009b") inside double quotes, which %q writes.
	q := func(s string) string { return fmt.Sprintf("%q", s+hostile) }
	body := fmt.Sprintf(`prometheus:
  - name: %[1]s
    url: %[2]s
services:
  - {name: %[3]s, traffic: vector(1)}
slos:
  - name: %[4]s
    service: %[3]s
    objective: 99.9
    window: 7d
    errors: sum(rate(e[{{.window}}]))
    total: sum(rate(t[{{.window}}]))
`, q("prom"), srv.URL, q("api"), q("slo"))
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range commands(cfg) {
		streams := runBinary(t, "unsafe runes", bin, filepath.Join(dir, "vigil.log"), args...)
		if !strings.Contains(streams["stdout"]+streams["stderr"], "gnp.exe") {
			t.Errorf("vigil %s: the hostile names are not in the output at all; the test sees nothing:\n%s%s",
				strings.Join(args[2:], " "), streams["stdout"], streams["stderr"])
		}
		for name, text := range streams {
			if !utf8.ValidString(text) {
				t.Errorf("vigil %s: %s is not valid UTF-8", strings.Join(args[2:], " "), name)
			}
			for i, r := range text {
				if unsafeRune(r) {
					line := text[strings.LastIndexByte(text[:i], '\n')+1:]
					if j := strings.IndexByte(line, '\n'); j >= 0 {
						line = line[:j]
					}
					t.Errorf("vigil %s: %s carries %U: %q", strings.Join(args[2:], " "), name, r, line)
					break
				}
			}
		}
	}
}
