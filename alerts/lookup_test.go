package alerts

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

func TestDetailLookups(t *testing.T) {
	named := alert("fp-s", "alertname", "DiskFull", "service", "db", "severity", "critical")
	named.State, named.SilencedBy = "suppressed", []string{"sil-named", "sil-gone"}
	inhibited := alert("fp-i", "alertname", "InstanceDown", "service", "db")
	inhibited.State, inhibited.InhibitedBy = "suppressed", []string{"fp-root", "fp-unknown"}
	root := alert("fp-root", "alertname", "ClusterDown", "severity", "critical")
	shown := alert("fp-a", "alertname", "HighLatency", "service", "checkout", "severity", "critical")
	snap := alertSources(&sources.AlertsData{
		Alerts: []sources.Alert{named, inhibited, root, shown},
		Silences: []sources.Silence{
			{ID: "sil-named", State: "active", CreatedBy: "ada", Comment: "disk swap", EndsAt: t0.Add(time.Hour),
				Matchers: []sources.Matcher{{Name: "alertname", Value: "DiskFull", IsEqual: true}}},
			{ID: "sil-pending", State: "pending", CreatedBy: "lin", StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(2 * time.Hour),
				Matchers: []sources.Matcher{{Name: "service", Value: "db|checkout", IsRegex: true, IsEqual: true}}},
			{ID: "sil-other", State: "active", EndsAt: t0.Add(time.Hour),
				Matchers: []sources.Matcher{{Name: "service", Value: "web", IsEqual: true}}},
		},
	})
	b := Build(snap, Rules{}, t0)

	found := b.FindAlerts([]string{"fp-root", "fp-s", "nope", "fp-i"})
	if a := found["fp-root"]; a == nil || a.Labels["alertname"] != "ClusterDown" {
		t.Fatalf("fp-root: %v", a)
	}
	if a := found["fp-s"]; a == nil || a.State != "suppressed" {
		t.Fatalf("a hidden alert is found too: %v", a)
	}
	if a, ok := found["nope"]; ok {
		t.Fatalf("an unknown fingerprint found %v", a)
	}
	if len(found) != 3 {
		t.Fatalf("found %d alerts, want 3", len(found))
	}

	byID := func(id string) Silence {
		k := slices.IndexFunc(b.Silences, func(s Silence) bool { return s.ID == id })
		if k < 0 {
			t.Fatalf("the Board lacks silence %s", id)
		}
		return b.Silences[k]
	}
	got := b.SilencesTouching(found["fp-s"])
	want := []SilenceTouch{
		{Silence: byID("sil-named"), Named: true, Matches: true, Known: true},
		{Silence: Silence{ID: "sil-gone"}, Named: true},
		{Silence: byID("sil-pending"), Matches: true, Known: true},
	}
	if !slices.EqualFunc(got, want, func(x, y SilenceTouch) bool {
		return x.ID == y.ID && x.Named == y.Named && x.Matches == y.Matches && x.Known == y.Known && x.CreatedBy == y.CreatedBy
	}) {
		t.Errorf("silences touching fp-s:\n got %+v\nwant %+v", got, want)
	}
	if got := b.SilencesTouching(found["fp-root"]); len(got) != 0 {
		t.Errorf("no silence selects ClusterDown: %+v", got)
	}

	// A Board made without Build (a test's) parses its silences on use.
	made := Board{Silences: []Silence{{ID: "x", Matchers: `{alertname="ClusterDown"}`}, {ID: "y", Matchers: "{not a matcher"}}}
	if got := made.SilencesTouching(found["fp-root"]); len(got) != 1 || got[0].ID != "x" || !got[0].Matches {
		t.Errorf("silences of a Board made without Build: %+v", got)
	}
}
