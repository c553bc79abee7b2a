package alerts

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// alertSources is a snapshot of one Alertmanager source per data.
func alertSources(data ...*sources.AlertsData) sources.Snapshot {
	snap := sources.Snapshot{At: t0}
	for i, d := range data {
		name := "am" + string(rune('1'+i))
		snap.Sources = append(snap.Sources, sources.SourceState{
			Health: sources.Health{Name: name, Kind: sources.KindAlertmanager, OK: true, Polled: true, LastSuccess: t0},
			Last:   &sources.Update{Source: name, Eval: t0, Data: sources.Data{Alerts: d}},
		})
	}
	return snap
}

// alert is an active alert that started an hour ago, with the given labels
// ("name", "value", ...).
func alert(fp string, kv ...string) sources.Alert {
	lbls := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		lbls[kv[i]] = kv[i+1]
	}
	return sources.Alert{Fingerprint: fp, Labels: lbls, State: "active", StartsAt: t0.Add(-time.Hour),
		Episodes: -1, Alertmanagers: []string{"am1"}}
}

func mustRule(t testing.TB, match, reason string) HideRule {
	t.Helper()
	r, err := ParseHideRule(match, reason)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTriageReasons(t *testing.T) {
	silenced := alert("s", "alertname", "DiskFull", "severity", "critical")
	silenced.State, silenced.SilencedBy = "suppressed", []string{"sil-1"}
	inhibited := alert("i", "alertname", "InstanceDown", "severity", "warning")
	inhibited.State, inhibited.InhibitedBy = "suppressed", []string{"root"}
	root := alert("root", "alertname", "ClusterDown", "severity", "critical")
	pending := alert("p", "alertname", "SlowQueries")
	pending.State = "pending"
	flapping := alert("f", "alertname", "Flappy", "severity", "warn")
	flapping.Episodes = 5
	flappingCrit := alert("fc", "alertname", "FlappyCrit", "severity", "P1")
	flappingCrit.Episodes = 9
	held := alert("h", "alertname", "JustNow", "severity", "major")
	held.StartsAt = t0.Add(-40 * time.Second)
	heldCrit := alert("hc", "alertname", "JustNowCrit", "severity", "Critical")
	heldCrit.StartsAt = t0.Add(-40 * time.Second)
	// Silenced and matching a user rule: the first reason, silenced, wins.
	silencedStaging := alert("ss", "alertname", "X", "env", "staging")
	silencedStaging.State, silencedStaging.SilencedBy = "suppressed", []string{"sil-1"}

	data := &sources.AlertsData{
		Alerts: []sources.Alert{
			silenced, inhibited, root, pending, flapping, flappingCrit, held, heldCrit, silencedStaging,
			alert("w", "alertname", "Watchdog", "severity", "none"),
			alert("r", "alertname", "Noisy", "env", "staging"),
			alert("info", "alertname", "Backup", "severity", "INFO"),
			alert("nolabel", "alertname", "NoSeverity"),
			alert("unknown", "alertname", "Weird", "severity", "purple"),
		},
		Silences: []sources.Silence{{ID: "sil-1", CreatedBy: "ada", Comment: "disk swap, CHG-42",
			EndsAt: t0.Add(2 * time.Hour), State: "active"}},
	}
	rules := Rules{Triage: Triage{Hide: []HideRule{mustRule(t, `{env="staging"}`, "staging is not paged")}}}
	b := Build(alertSources(data), rules, t0)

	type hidden struct{ id, reason, detail string }
	var got []hidden
	for _, it := range b.Hidden {
		got = append(got, hidden{it.ID, it.Reason, it.ReasonDetail})
	}
	until := t0.Add(2 * time.Hour).Format(time.RFC3339)
	want := []hidden{
		{"s", "silenced", "silence sil-1 by ada until " + until + ": disk swap, CHG-42"},
		{"ss", "silenced", "silence sil-1 by ada until " + until + ": disk swap, CHG-42"},
		{"i", "inhibited", "inhibited by ClusterDown (root)"},
		{"w", "heartbeat", `alertname "Watchdog" is a heartbeat (triage.heartbeats)`},
		{"r", "rule", `triage.hide[0] {env="staging"}: staging is not paged`},
		{"info", "severity", "severity info is below triage.min_severity warning"},
		{"p", "pending", "pending in Prometheus: not firing yet"},
		{"f", "flapping", "5 firing episodes in 1h (triage.flapping.episodes 4)"},
		{"h", "held", "started 40s ago; held until 2m old (triage.hold)"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("hidden:\n got %v\nwant %v", got, want)
	}
	wantCounts := map[string]int{"silenced": 2, "inhibited": 1, "heartbeat": 1, "rule": 1, "severity": 1,
		"pending": 1, "flapping": 1, "held": 1}
	if len(b.HiddenCounts) != len(wantCounts) {
		t.Errorf("counts %v, want %v", b.HiddenCounts, wantCounts)
	}
	for k, v := range wantCounts {
		if b.HiddenCounts[k] != v {
			t.Errorf("count %s = %d, want %d", k, b.HiddenCounts[k], v)
		}
	}

	// Shown: critical first (oldest first), then warnings; a flapping critical is
	// marked, a held critical is not held, no label and an unknown value are warnings.
	type shown struct {
		id       string
		sev      Severity
		flapping bool
	}
	var rows []shown
	for _, it := range b.Actionable {
		rows = append(rows, shown{it.ID, it.Severity, it.Flapping})
	}
	wantRows := []shown{
		{`{alertname="ClusterDown"}`, SeverityCritical, false},
		{`{alertname="FlappyCrit"}`, SeverityCritical, true},
		{`{alertname="JustNowCrit"}`, SeverityCritical, false},
		{`{alertname="NoSeverity"}`, SeverityWarning, false},
		{`{alertname="Weird"}`, SeverityWarning, false},
	}
	if !slices.Equal(rows, wantRows) {
		t.Errorf("actionable:\n got %v\nwant %v", rows, wantRows)
	}
}

func TestSeverityNormalisation(t *testing.T) {
	r := Triage{SeverityMap: map[string]Severity{"Disaster": SeverityCritical}, SeverityLabel: "priority"}.withDefaults()
	cases := map[string]Severity{
		"critical": SeverityCritical, "PAGE": SeverityCritical, " sev1 ": SeverityCritical, "emergency": SeverityCritical,
		"disaster": SeverityCritical, "warn": SeverityWarning, "Error": SeverityWarning, "p3": SeverityWarning,
		"informational": SeverityInfo, "none": SeverityInfo, "P5": SeverityInfo, "debug": SeverityInfo,
		"": SeverityWarning, "purple": SeverityWarning,
	}
	for v, want := range cases {
		if got := r.severityOf(map[string]string{"priority": v}); got != want {
			t.Errorf("%q: %s, want %s", v, got, want)
		}
	}
	if got := r.severityOf(map[string]string{"severity": "info"}); got != SeverityWarning {
		t.Errorf("the configured label is read, not severity: %s", got)
	}
}

func TestMinSeverityAndOffSwitches(t *testing.T) {
	a := alert("a", "alertname", "A", "severity", "warning")
	a.StartsAt, a.Episodes = t0.Add(-time.Second), 10
	i := alert("b", "alertname", "B", "severity", "info")
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{a, i}})

	b := Build(snap, Rules{Triage: Triage{MinSeverity: SeverityInfo, FlapEpisodes: -1, Hold: -1}}, t0)
	if len(b.Hidden) != 0 || len(b.Actionable) != 2 || b.Actionable[0].ID != `{alertname="A"}` {
		t.Errorf("min info, flapping and hold off: everything shown, warning first: %+v hidden %+v", b.Actionable, b.Hidden)
	}
	b = Build(snap, Rules{Triage: Triage{MinSeverity: SeverityCritical, Heartbeats: []string{}}}, t0)
	if len(b.Actionable) != 0 || b.HiddenCounts[ReasonSeverity] != 2 {
		t.Errorf("min critical hides warnings and info: %+v", b.HiddenCounts)
	}
}

func TestGrouping(t *testing.T) {
	older := alert("3", "alertname", "HighLatency", "service", "checkout", "instance", "b", "severity", "critical")
	older.StartsAt = t0.Add(-3 * time.Hour)
	older.Episodes = 6
	older.Alertmanagers = []string{"am2"}
	data := &sources.AlertsData{Alerts: []sources.Alert{
		alert("1", "alertname", "HighLatency", "service", "checkout", "instance", "a"),
		alert("2", "alertname", "HighLatency", "service", "search", "instance", "a"),
		older,
		alert("4", "alertname", "HighLatency", "instance", "c"),
	}}
	b := Build(alertSources(data), Rules{}, t0)
	if len(b.Hidden) != 0 || len(b.Actionable) != 3 {
		t.Fatalf("3 groups, none hidden: %+v %+v", b.Actionable, b.Hidden)
	}
	g := b.Actionable[0]
	if g.ID != `{alertname="HighLatency",service="checkout"}` || g.Count != 2 || !slices.Equal(g.Members, []string{"1", "3"}) ||
		g.Severity != SeverityCritical || !g.Since.Equal(older.StartsAt) || !g.Flapping ||
		!slices.Equal(g.Alertmanagers, []string{"am1", "am2"}) || g.Title != "HighLatency" {
		t.Errorf("the checkout group: %+v", g)
	}
	if len(g.Labels) != 2 || g.Labels["service"] != "checkout" || g.Labels["alertname"] != "HighLatency" {
		t.Errorf("a group of several carries its group labels only: %v", g.Labels)
	}
	// The rest are warnings of the same age: by key, so the order is total.
	if b.Actionable[1].ID != `{alertname="HighLatency",service="search"}` || b.Actionable[2].ID != `{alertname="HighLatency"}` {
		t.Errorf("order: %s, %s", b.Actionable[1].ID, b.Actionable[2].ID)
	}
	if one := b.Actionable[2]; one.Count != 1 || !slices.Equal(one.Members, []string{"4"}) || one.Labels["instance"] != "c" {
		t.Errorf("a one-alert row has the alert as its member and all its labels: %+v", one)
	}
}

func TestActionableOrderWithPagesAndAlerts(t *testing.T) {
	pd := &sources.PagesData{Incidents: []sources.Incident{
		{ID: "PHIGH", Number: 1, Title: "db down", Status: "triggered", Urgency: "high", CreatedAt: t0.Add(-time.Minute)},
		{ID: "PACK", Number: 2, Title: "acked", Status: "acknowledged", Urgency: "high", CreatedAt: t0.Add(-time.Hour)},
	}}
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{
		alert("w", "alertname", "Warn"),
		alert("c", "alertname", "Crit", "severity", "critical"),
	}})
	snap.Sources = append(snap.Sources, sources.SourceState{
		Health: sources.Health{Name: "pd", OK: true, Polled: true, LastSuccess: t0},
		Last:   &sources.Update{Eval: t0, Data: sources.Data{Pages: pd}}})
	b := Build(snap, Rules{}, t0)
	var ids []string
	for _, it := range b.Actionable {
		ids = append(ids, it.ID)
		if it.Members == nil {
			t.Errorf("%s: members must be [] in JSON, not null", it.ID)
		}
	}
	want := []string{"PHIGH", `{alertname="Crit"}`, "PACK", `{alertname="Warn"}`}
	if !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
}

func TestMergeAcrossAlertmanagers(t *testing.T) {
	// Silenced in one replica only: active wins, it is shown.
	one := alert("x", "alertname", "X")
	one.State, one.SilencedBy = "suppressed", []string{"sil-a"}
	other := alert("x", "alertname", "X")
	other.Alertmanagers, other.StartsAt = []string{"am2"}, t0.Add(-2*time.Hour)
	// Suppressed in both: silenced, with the union of silences.
	s1 := alert("y", "alertname", "Y")
	s1.State, s1.SilencedBy = "suppressed", []string{"sil-a"}
	s2 := alert("y", "alertname", "Y")
	s2.State, s2.SilencedBy, s2.Alertmanagers = "suppressed", []string{"sil-b"}, []string{"am2"}
	b := Build(alertSources(
		&sources.AlertsData{Alerts: []sources.Alert{one, s1}},
		&sources.AlertsData{Alerts: []sources.Alert{other, s2}},
	), Rules{}, t0)
	if len(b.Actionable) != 1 || !slices.Equal(b.Actionable[0].Members, []string{"x"}) ||
		!b.Actionable[0].Since.Equal(other.StartsAt) || !slices.Equal(b.Actionable[0].Alertmanagers, []string{"am1", "am2"}) {
		t.Errorf("a silence in one replica does not hide: %+v", b.Actionable)
	}
	if len(b.Hidden) != 1 || b.Hidden[0].Reason != ReasonSilenced || b.Hidden[0].ReasonDetail != "silence sil-a; silence sil-b" {
		t.Errorf("silenced in both: %+v", b.Hidden)
	}
	if len(one.SilencedBy) != 1 || len(s1.SilencedBy) != 1 {
		t.Error("the merge wrote to the snapshot's slices")
	}
}

func TestLiteralHideRuleIsParsedAndBadOneHidesNothing(t *testing.T) {
	snap := alertSources(&sources.AlertsData{Alerts: []sources.Alert{alert("a", "alertname", "A", "team", "db")}})
	rules := Rules{Triage: Triage{Hide: []HideRule{{Match: `{team=~"d.*"}`, Reason: "db team's own"}}}}
	if b := Build(snap, rules, t0); b.HiddenCounts[ReasonRule] != 1 {
		t.Errorf("a literal rule is parsed: %+v", b.HiddenCounts)
	}
	if rules.Triage.Hide[0].parsed {
		t.Error("Build wrote to the caller's rules")
	}
	bad := Rules{Triage: Triage{Hide: []HideRule{{Match: `{team=~"("}`, Reason: "broken"}}}}
	if b := Build(snap, bad, t0); len(b.Actionable) != 1 {
		t.Errorf("a rule that does not parse hides nothing: %+v", b.Hidden)
	}
	if _, err := ParseHideRule(`{}`, "all"); err == nil {
		t.Error("a rule with no matcher would hide every alert: it must be refused")
	}
	if _, err := ParseHideRule(`{team=~"("}`, "x"); err == nil {
		t.Error("a bad regex must be refused")
	}
}

func TestShortDuration(t *testing.T) {
	cases := map[time.Duration]string{40 * time.Second: "40s", 2 * time.Minute: "2m", 90 * time.Second: "1m30s",
		time.Hour: "1h", 90 * time.Minute: "1h30m", 72 * time.Hour: "3d"}
	for d, want := range cases {
		if got := shortDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

func TestHexKey(t *testing.T) {
	for fp, ok := range map[string]bool{"0123456789abcdef": true, "0123456789ABCDEF": false, "0123456789abcde": false,
		"0123456789abcdefa": false, "g123456789abcdef": false, "": false} {
		if _, got := hexKey(fp); got != ok {
			t.Errorf("%q: %v, want %v", fp, got, ok)
		}
	}
	x := newFPIndex(2)
	x.put("00000000000000ff", 1)
	x.put("FF", 2)
	if i, ok := x.get("00000000000000ff"); !ok || i != 1 {
		t.Errorf("hex: %d %v", i, ok)
	}
	if i, ok := x.get("FF"); !ok || i != 2 {
		t.Errorf("other: %d %v", i, ok)
	}
	if _, ok := x.get("00000000000000FF"); ok {
		t.Error("upper-case hex is another fingerprint")
	}
}

// TestHiddenOrderFarApart: starts too far apart to pack into one key take the
// comparison sort, and give the same order: reason, oldest, input order.
func TestHiddenOrderFarApart(t *testing.T) {
	far := alert("far", "alertname", "Info", "severity", "info")
	far.StartsAt = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	zero := alert("zero", "alertname", "Info", "severity", "info")
	zero.StartsAt = time.Time{}
	sil := alert("sil", "alertname", "X")
	sil.State, sil.SilencedBy = "suppressed", []string{"s"}
	same := alert("same", "alertname", "Info", "severity", "info")
	for _, in := range [][]sources.Alert{
		{far, zero, sil, same}, // centuries apart: compared
		{same, sil, alert("b", "alertname", "I", "severity", "info")}, // packed
	} {
		b := Build(alertSources(&sources.AlertsData{Alerts: in}), Rules{}, t0)
		var got []string
		for _, it := range b.Hidden {
			got = append(got, it.ID)
		}
		want := []string{"sil", "zero", "same", "far"}
		if len(in) == 3 {
			want = []string{"sil", "same", "b"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("hidden order %v, want %v", got, want)
		}
	}
}

func TestAppendQuotedIsStrconvs(t *testing.T) {
	for _, v := range []string{"", "checkout", `a"b`, `a\b`, "tab\there", "ünïcode", "\x7f", "\x00", "10.0.0.1:9100"} {
		if got, want := string(appendQuoted(nil, v)), strconv.Quote(v); got != want {
			t.Errorf("%q: %s, want %s", v, got, want)
		}
	}
}
