package alerts

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// randomInput is a seeded, bounded snapshot: up to three Alertmanagers reporting
// overlapping alerts in every state, silences, open pages (some with label sets,
// some with Alertmanager subjects), and random triage rules.
func randomInput(rng *rand.Rand) (sources.Snapshot, Rules) {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	names := []string{"HighLatency", "DiskFull", "Watchdog", "InstanceDown", "Flappy"}
	nsrc := 1 + rng.IntN(3)
	data := make([]*sources.AlertsData, nsrc)
	for i := range data {
		data[i] = &sources.AlertsData{}
	}
	var labelSets []map[string]string
	for i := range rng.IntN(60) {
		lbls := map[string]string{"alertname": pick(names...), "instance": fmt.Sprint(i % 7)}
		if rng.IntN(3) > 0 {
			lbls["service"] = pick("api", "checkout", "search")
		}
		if rng.IntN(4) > 0 {
			lbls["severity"] = pick("critical", "warning", "info", "P2", "bogus", "")
		}
		if rng.IntN(5) == 0 {
			lbls["env"] = pick("prod", "staging")
		}
		if rng.IntN(4) == 0 {
			labelSets = append(labelSets, lbls)
		}
		// Clashes on purpose (the same alert twice); both kinds of fingerprint.
		fp := fmt.Sprintf("fp%03d", rng.IntN(80))
		if rng.IntN(2) == 0 {
			fp = fmt.Sprintf("%016x", rng.IntN(80))
		}
		for s := range data {
			if s > 0 && rng.IntN(2) == 0 || slices.ContainsFunc(data[s].Alerts, func(a sources.Alert) bool { return a.Fingerprint == fp }) {
				continue // a source lists each fingerprint once (sources.AlertsData)
			}
			a := sources.Alert{Fingerprint: fp, Labels: lbls, StartsAt: t0.Add(-time.Duration(rng.IntN(600)) * time.Second),
				State: pick("active", "suppressed", "unprocessed", "firing", "pending"), Episodes: rng.IntN(8) - 1,
				Alertmanagers: []string{fmt.Sprint("am", s)}}
			if a.State == "suppressed" && rng.IntN(2) == 0 {
				a.SilencedBy = []string{pick("s1", "s2", "gone")}
			} else if a.State == "suppressed" && rng.IntN(2) == 0 {
				a.InhibitedBy = []string{pick(fmt.Sprintf("fp%03d", rng.IntN(80)), fmt.Sprintf("%016x", rng.IntN(80)))}
			}
			data[s].Alerts = append(data[s].Alerts, a)
		}
	}
	data[0].Silences = []sources.Silence{{ID: "s1", CreatedBy: "ada", Comment: "x"}, {ID: "s2"}}
	snap := alertSources(data...)
	pd := &sources.PagesData{}
	var rules Rules
	for i := range rng.IntN(4) {
		id := fmt.Sprint("P", i)
		in := sources.Incident{ID: id, Number: i, Status: pick("triggered", "acknowledged"), Urgency: pick("high", "low"),
			Title: "[FIRING:2] " + pick(names...) + " (" + pick("api", "checkout") + ")", CreatedAt: t0}
		if len(labelSets) > 0 && rng.IntN(2) == 0 {
			in.AlertLabels, in.AlertsKnown = labelSets[rng.IntN(len(labelSets)):], true
		}
		pd.Incidents = append(pd.Incidents, in)
	}
	snap.Sources = append(snap.Sources, sources.SourceState{
		Health: sources.Health{Name: "pd", OK: true, Polled: true}, Last: &sources.Update{Data: sources.Data{Pages: pd}}})
	if rng.IntN(2) == 0 {
		rules.Triage.Hide = []HideRule{{Match: pick(`{env="staging"}`, `{alertname=~"Disk.*"}`, `{service!="api"}`, `{bad`), Reason: "r"}}
	}
	rules.Triage.MinSeverity = Severity(pick("", "critical", "warning", "info"))
	rules.Triage.GroupBy = [][]string{nil, {"alertname"}, {}, {"instance", "service"}}[rng.IntN(4)]
	rules.Triage.Hold = time.Duration(rng.IntN(3)-1) * 5 * time.Minute
	rules.Triage.FlapEpisodes = rng.IntN(6) - 1
	return snap, rules
}

// TestConservation: for any input, the actionable rows' members and the hidden
// alerts are exactly the merged input's fingerprints, each once.
func TestConservation(t *testing.T) {
	// The generator must reach every path the property is about: each reason, the
	// page join and groups of several.
	reached := map[string]int{}
	defer func() {
		for _, want := range append(HiddenReasons[:], "joined", "grouped") {
			if reached[want] == 0 {
				t.Errorf("no input reached %s", want)
			}
		}
	}()
	for seed := range uint64(2000) {
		rng := rand.New(rand.NewPCG(seed, 10))
		snap, rules := randomInput(rng)
		b := Build(snap, rules, t0)

		input := map[string]bool{}
		for _, st := range snap.Sources {
			if st.Last.Data.Alerts != nil {
				for _, a := range st.Last.Data.Alerts.Alerts {
					input[a.Fingerprint] = true
				}
			}
		}
		seen := map[string]string{}
		see := func(fp, where string) {
			if prev, dup := seen[fp]; dup {
				t.Fatalf("seed %d: %s is in %s and in %s", seed, fp, prev, where)
			}
			seen[fp] = where
		}
		for _, it := range b.Actionable {
			if it.Kind != "slo" && len(it.Members) != it.Count {
				t.Fatalf("seed %d: %s counts %d but has %d members", seed, it.ID, it.Count, len(it.Members))
			}
			for _, fp := range it.Members {
				see(fp, "actionable "+it.ID)
			}
			behind(t, seed, it)
			switch {
			case it.Kind == "page" && it.Count > 0:
				reached["joined"]++
			case it.Kind == "alert" && it.Count > 1:
				reached["grouped"]++
			}
		}
		counts := map[string]int{}
		for _, it := range b.Hidden {
			if !slices.Contains(HiddenReasons[:], it.Reason) || it.ReasonDetail == "" {
				t.Fatalf("seed %d: %s hidden with reason %q, detail %q", seed, it.ID, it.Reason, it.ReasonDetail)
			}
			counts[it.Reason]++
			reached[it.Reason]++
			see(it.ID, "hidden")
			behind(t, seed, it)
		}
		if len(seen) != len(input) {
			t.Fatalf("seed %d: %d alerts in, %d out", seed, len(input), len(seen))
		}
		for fp := range input {
			if _, ok := seen[fp]; !ok {
				t.Fatalf("seed %d: %s went missing", seed, fp)
			}
		}
		for r, n := range counts {
			if b.HiddenCounts[r] != n {
				t.Fatalf("seed %d: footer says %d %s, the list has %d", seed, b.HiddenCounts[r], r, n)
			}
		}
		if again := Build(snap, rules, t0); !slices.EqualFunc(again.Actionable, b.Actionable, sameRow) {
			t.Fatalf("seed %d: Build is not deterministic", seed)
		}
	}
}

// behind checks that a row's Alerts are the alerts its Members name, in order: what
// the detail view shows is what the row counts.
func behind(t *testing.T, seed uint64, it Item) {
	t.Helper()
	if len(it.Alerts) != len(it.Members) {
		t.Fatalf("seed %d: %s has %d members but %d alerts", seed, it.ID, len(it.Members), len(it.Alerts))
	}
	for i, a := range it.Alerts {
		if a == nil || a.Fingerprint != it.Members[i] {
			t.Fatalf("seed %d: %s member %d is %s, its alert %v", seed, it.ID, i, it.Members[i], a)
		}
	}
}

func sameRow(x, y Item) bool {
	return x.ID == y.ID && x.Count == y.Count && slices.Equal(x.Members, y.Members) && x.Severity == y.Severity
}

// FuzzHideRule: whatever a user writes as a rule's match, loading it either fails
// with an error or yields a rule that Build applies without panicking, and the
// alerts still all come out.
func FuzzHideRule(f *testing.F) {
	for _, s := range []string{`{env="staging"}`, `{alertname=~"Disk.*",severity!="critical"}`, `foo="bar"`,
		`{a!~"(x|y)"}`, `{`, `{a="\"}`, `{a=~"("}`, `{}`, `{a="b",}`, "{\x00=\"\"}", `{a="🙂"}`} {
		f.Add(s)
	}
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{
		alert("1", "alertname", "A", "env", "staging"), alert("2", "alertname", "B", "severity", "critical"),
		alert("3"),
	}})
	f.Fuzz(func(t *testing.T, match string) {
		rule, err := ParseHideRule(match, "fuzz")
		if err != nil {
			rule = HideRule{Match: match, Reason: "fuzz"} // the literal path: parsed in Build
		}
		b := Build(snap, Rules{Triage: Triage{Hide: []HideRule{rule}}}, t0)
		n := len(b.Hidden)
		for _, it := range b.Actionable {
			n += len(it.Members)
		}
		if n != 3 {
			t.Fatalf("%q: %d alerts out of 3", match, n)
		}
	})
}
