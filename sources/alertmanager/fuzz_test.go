package alertmanager

import (
	"strings"
	"testing"

	"github.com/prometheus/common/model"
)

// Any answer decodes to alerts whose every used field is set, or to an error: never a
// panic.
func FuzzDecodeAlerts(f *testing.F) {
	for _, s := range []string{`[]`, `null`, `[null]`, `[` + okAlert + `]`, `[{"fingerprint":"x","labels":null}]`, `{"a":1}`,
		strings.Replace(`[`+okAlert+`]`, `"silencedBy":[]`, `"silencedBy":null`, 1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		alerts, err := decodeAlerts(body, "a")
		if err != nil {
			return
		}
		for _, a := range alerts {
			if a.Fingerprint == "" || a.Labels == nil || a.Annotations == nil || a.State == "" {
				t.Fatalf("decoded an incomplete alert %+v", a)
			}
		}
		_ = merge([]answer{{am: "a", alerts: alerts}, {am: "b", alerts: alerts}})
	})
}

func FuzzDecodeSilences(f *testing.F) {
	for _, s := range []string{`[]`, `null`, `[null]`, `[{"id":"s","status":{"state":"active"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T01:00:00Z","matchers":[{"name":"a","value":"b","isRegex":false}]}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sils, err := decodeSilences(body, "a")
		if err != nil {
			return
		}
		for _, s := range sils {
			if s.ID == "" || s.State == "" {
				t.Fatalf("decoded an incomplete silence %+v", s)
			}
		}
		_ = merge([]answer{{am: "a", silences: sils}, {am: "b", silences: sils}})
	})
}

func FuzzDecodePromAlerts(f *testing.F) {
	for _, s := range []string{`null`, `{"status":"success","data":{"alerts":[]}}`, `{"status":"success","data":{"alerts":[{"labels":{"a":"b"},"state":"firing","activeAt":"2026-01-01T00:00:00Z"}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		alerts, err := decodePromAlerts(body, model.LabelSet{"cluster": "eu"})
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, a := range alerts {
			if seen[a.Fingerprint] || a.Labels == nil {
				t.Fatalf("alert %+v twice or without labels", a)
			}
			seen[a.Fingerprint] = true
		}
	})
}
