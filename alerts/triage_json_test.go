package alerts

import (
	"encoding/json"
	"testing"

	"github.com/vigil-sre/vigil/sources"
)

// TestTriageJSON pins the snapshot fields of issue 10 section 5.
func TestTriageJSON(t *testing.T) {
	s := alert("0123456789abcdef", "alertname", "DiskFull", "severity", "critical")
	s.State, s.SilencedBy = "suppressed", []string{"sil-1"}
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{s, alert("fedcba9876543210", "alertname", "Slow")}})
	raw, err := json.Marshal(Build(snap, Rules{}, t0))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Actionable   []map[string]any `json:"actionable"`
		Hidden       []map[string]any `json:"hidden"`
		HiddenCounts map[string]int   `json:"hidden_counts"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := `{"alertmanagers":["am1"],"count":1,"flapping":false,"id":"0123456789abcdef","kind":"alert",` +
		`"labels":{"alertname":"DiskFull","severity":"critical"},"members":["0123456789abcdef"],"reason":"silenced",` +
		`"reason_detail":"silence sil-1","severity":"critical","since":"2026-11-26T02:00:00Z","title":"DiskFull"}`
	if h, _ := json.Marshal(got.Hidden[0]); string(h) != want {
		t.Errorf("hidden item:\n got %s\nwant %s", h, want)
	}
	want = `{"alertmanagers":["am1"],"count":1,"flapping":false,"id":"{alertname=\"Slow\"}","kind":"alert",` +
		`"labels":{"alertname":"Slow"},"members":["fedcba9876543210"],"severity":"warning","since":"2026-11-26T02:00:00Z","title":"Slow"}`
	if a, _ := json.Marshal(got.Actionable[0]); string(a) != want {
		t.Errorf("actionable item:\n got %s\nwant %s", a, want)
	}
	if len(got.HiddenCounts) != 1 || got.HiddenCounts["silenced"] != 1 {
		t.Errorf("hidden_counts: %v", got.HiddenCounts)
	}
	empty, _ := json.Marshal(Build(sources.Snapshot{}, Rules{}, t0))
	var e map[string]any
	_ = json.Unmarshal(empty, &e)
	if c, ok := e["hidden_counts"].(map[string]any); !ok || len(c) != 0 {
		t.Errorf("no alerts: hidden_counts is {}, got %v", e["hidden_counts"])
	}
}
