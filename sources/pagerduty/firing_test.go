package pagerduty

import (
	"maps"
	"slices"
	"testing"
)

// firingText is what Alertmanager's PagerDuty integration writes, by its default
// template, into the `firing` detail for two alerts.
const firingText = `Labels:
 - alertname = HighLatency
 - instance = a:9090
 - service = checkout
Annotations:
 - summary = p99 = 450ms over 300ms
Source: http://prometheus:9090/graph?g0.expr=x
Labels:
 - alertname = HighLatency
 - instance = b:9090
 - service = checkout
Annotations:
Source: http://prometheus:9090/graph?g0.expr=y
`

func TestParseFiring(t *testing.T) {
	got := ParseFiring(firingText)
	want := []map[string]string{
		{"alertname": "HighLatency", "instance": "a:9090", "service": "checkout"},
		{"alertname": "HighLatency", "instance": "b:9090", "service": "checkout"},
	}
	if !slices.EqualFunc(got, want, maps.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, text := range []string{"", "custom template: HighLatency on checkout", "Labels:\nAnnotations:\n - a = b\n"} {
		if got := ParseFiring(text); len(got) != 0 {
			t.Errorf("%q: no label sets, got %v", text, got)
		}
	}
	if got := ParseFiring("Labels:\r\n - a = b = c\r\n"); len(got) != 1 || got[0]["a"] != "b = c" {
		t.Errorf("CRLF lines and a value holding ' = ': %v", got)
	}
}

// FuzzParseFiring: PagerDuty alert details are outside input; reading them never
// panics, and what comes out is well formed.
func FuzzParseFiring(f *testing.F) {
	f.Add(firingText)
	f.Add("Labels:\n - = x\n - a = \n")
	f.Add("Labels:\r\n\r\n - a = b")
	f.Fuzz(func(t *testing.T, text string) {
		for _, ls := range ParseFiring(text) {
			if len(ls) == 0 {
				t.Fatalf("%q: an empty label set", text)
			}
			for name := range ls {
				if name == "" {
					t.Fatalf("%q: a label with no name", text)
				}
			}
		}
	})
}
