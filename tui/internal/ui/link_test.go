package ui

import "testing"

func TestLinkURL(t *testing.T) {
	cases := map[string]string{
		"https://runbooks.example/HighLatency":                    "https://runbooks.example/HighLatency",
		"  http://prom:9090/graph?g0.expr=rate(x[5m]) > 2  ":      "http://prom:9090/graph?g0.expr=rate(x[5m])%20>%202",
		"https://wiki.example/Störung":                            "https://wiki.example/St%C3%B6rung",
		"http://prom\x1b]0;x\x07:9090/\x1b]8;;https://evil\x1b\\": "http://prom:9090/",
		"https://a.example/\u202egnp.exe":                         "https://a.example/gnp.exe",
		"javascript:alert(1)":                                     "",
		"file:///etc/passwd":                                      "",
		"runbooks/HighLatency.md":                                 "",
		"https://":                                                "",
	}
	for in, want := range cases {
		if got := LinkURL(in); got != want {
			t.Errorf("LinkURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := Hyperlink("https://a.example/", "text"), "\x1b]8;;https://a.example/\x1b\\text\x1b]8;;\x1b\\"; got != want {
		t.Errorf("Hyperlink: %q, want %q", got, want)
	}
}
