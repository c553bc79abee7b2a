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

	if a := b.AlertByFingerprint("fp-root"); a == nil || a.Labels["alertname"] != "ClusterDown" {
		t.Fatalf("fp-root: %v", a)
	}
	if a := b.AlertByFingerprint("fp-s"); a == nil || a.State != "suppressed" {
		t.Fatalf("a hidden alert is found too: %v", a)
	}
	if a := b.AlertByFingerprint("nope"); a != nil {
		t.Fatalf("an unknown fingerprint found %v", a)
	}

	byID := func(id string) Silence {
		k := slices.IndexFunc(b.Silences, func(s Silence) bool { return s.ID == id })
		if k < 0 {
			t.Fatalf("the Board lacks silence %s", id)
		}
		return b.Silences[k]
	}
	got := b.SilencesTouching(b.AlertByFingerprint("fp-s"))
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
	if got := b.SilencesTouching(b.AlertByFingerprint("fp-root")); len(got) != 0 {
		t.Errorf("no silence selects ClusterDown: %+v", got)
	}

	ins := b.InhibitorsOf(b.AlertByFingerprint("fp-i"))
	if want := []Inhibitor{{"fp-root", "ClusterDown"}, {"fp-unknown", ""}}; !slices.Equal(ins, want) {
		t.Errorf("inhibitors %+v, want %+v", ins, want)
	}

	if (Silence{Matchers: "{not a matcher"}).Selects(map[string]string{}) {
		t.Error("matchers that do not parse select nothing")
	}
}
