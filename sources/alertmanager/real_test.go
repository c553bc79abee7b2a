package alertmanager

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
)

// Two real Alertmanagers, not clustered: each holds its own silences, as an HA pair
// does when its gossip is broken.
func pair(t *testing.T, opts testservers.AMOptions) (a, b *testservers.AMServer, g *Group) {
	t.Helper()
	a = testservers.Alertmanager(t, opts)
	b = testservers.Alertmanager(t, opts)
	return a, b, group(t, a.URL(), b.URL())
}

func TestSilencedInBothReadsSilenced(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{})
	for _, s := range []*testservers.AMServer{a, b} {
		s.Push(t, alert("DiskFull", "job", "db"), alert("Other", "job", "db"))
	}
	// One silence made over the API, the other with amtool, as an operator would.
	idA := a.Silence(t, map[string]string{"alertname": "DiskFull"}, "disk swap")
	idB := b.AmtoolSilence(t, "disk swap", "alertname=DiskFull")

	d := poll(t, g)
	got, ok := find(d, "DiskFull")
	if !ok {
		t.Fatalf("DiskFull missing from %+v", d.Alerts.Alerts)
	}
	if got.State != StateSuppressed || !slices.Equal(got.SilencedBy, []string{idA, idB}) || len(got.InhibitedBy) != 0 {
		t.Errorf("DiskFull: state %q silenced by %v inhibited by %v, want suppressed by [%s %s]", got.State, got.SilencedBy, got.InhibitedBy, idA, idB)
	}
	if !slices.Equal(got.Alertmanagers, []string{"a", "b"}) || got.Episodes != -1 || got.Annotations["summary"] != "DiskFull is up" {
		t.Errorf("DiskFull: alertmanagers %v episodes %d annotations %v", got.Alertmanagers, got.Episodes, got.Annotations)
	}
	if other, _ := find(d, "Other"); other.State != StateActive {
		t.Errorf("Other: state %q, want active", other.State)
	}
	if len(d.Alerts.Alerts) != 2 {
		t.Errorf("%d merged alerts, want 2", len(d.Alerts.Alerts))
	}
	if len(d.Alerts.Silences) != 2 || len(d.Warnings) != 0 {
		t.Fatalf("silences %+v warnings %v", d.Alerts.Silences, d.Warnings)
	}
	for _, s := range d.Alerts.Silences {
		want := []string{"a"}
		if s.ID == idB {
			want = []string{"b"}
		}
		if !slices.Equal(s.Sources, want) || s.State != "active" || s.Comment != "disk swap" || s.CreatedBy != "test" ||
			len(s.Matchers) != 1 || s.Matchers[0] != (sources.Matcher{Name: "alertname", Value: "DiskFull", IsEqual: true}) {
			t.Errorf("silence %+v", s)
		}
	}
	if d.Alerts.Requests != 4 {
		t.Errorf("requests %d, want 2 per Alertmanager", d.Alerts.Requests)
	}
}

func TestSilencedInOneReplicaReadsActive(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{})
	early := time.Now().Add(-time.Hour).Truncate(time.Second)
	pa, pb := alert("HighLatency", "job", "api"), alert("HighLatency", "job", "api")
	pa.StartsAt = early
	a.Push(t, pa)
	b.Push(t, pb)
	id := b.Silence(t, map[string]string{"alertname": "HighLatency"}, "only on b")

	d := poll(t, g)
	got, ok := find(d, "HighLatency")
	if !ok {
		t.Fatalf("HighLatency missing from %+v", d.Alerts.Alerts)
	}
	// The union names b's silence; the state says it does not hide the alert.
	if got.State != StateActive || !slices.Equal(got.SilencedBy, []string{id}) {
		t.Errorf("state %q silenced by %v, want active with [%s]", got.State, got.SilencedBy, id)
	}
	if !got.StartsAt.Equal(early) {
		t.Errorf("startsAt %s, want the earliest %s", got.StartsAt, early)
	}
}

const inhibitConfig = testservers.DefaultAMConfig + `inhibit_rules:
  - source_matchers: ['alertname="ClusterDown"']
    target_matchers: ['alertname="PodDown"']
    equal: [cluster]
`

func TestInhibitedInBothReadsInhibited(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{Config: inhibitConfig})
	for _, s := range []*testservers.AMServer{a, b} {
		s.Push(t, alert("ClusterDown", "cluster", "eu"), alert("PodDown", "cluster", "eu"), alert("PodDown", "cluster", "us"))
	}
	d := waitFor(t, g, "PodDown inhibited", func(d sources.Data) bool {
		for _, a := range d.Alerts.Alerts {
			if a.Labels["alertname"] == "PodDown" && a.Labels["cluster"] == "eu" && a.State == StateSuppressed {
				return true
			}
		}
		return false
	})
	var source string
	for _, a := range d.Alerts.Alerts {
		if a.Labels["alertname"] == "ClusterDown" {
			source = a.Fingerprint
		}
	}
	for _, a := range d.Alerts.Alerts {
		switch {
		case a.Labels["alertname"] == "PodDown" && a.Labels["cluster"] == "eu":
			if len(a.SilencedBy) != 0 || !slices.Equal(a.InhibitedBy, []string{source}) || !slices.Equal(a.Alertmanagers, []string{"a", "b"}) {
				t.Errorf("inhibited PodDown: silenced by %v inhibited by %v (want [%s]) from %v", a.SilencedBy, a.InhibitedBy, source, a.Alertmanagers)
			}
		case a.State != StateActive:
			t.Errorf("%v: state %q, want active", a.Labels, a.State)
		}
	}
}

func TestOneAlertmanagerDownIsNamed(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{})
	a.Push(t, alert("OnlyOnA"))
	b.Push(t, alert("OnlyOnB"))
	b.Stop()

	d := poll(t, g)
	if _, ok := find(d, "OnlyOnA"); !ok || len(d.Alerts.Alerts) != 1 {
		t.Errorf("alerts %+v, want a's alert", d.Alerts.Alerts)
	}
	m := d.Alerts.Members
	if len(m) != 2 || m[0] != (sources.Member{Name: "a"}) || m[1].Name != "b" ||
		!strings.HasPrefix(m[1].Err, "alertmanager b: ") || !strings.Contains(m[1].Err, "connection refused") || len(d.Warnings) != 0 {
		t.Errorf("members %q warnings %q, want b down, naming why", m, d.Warnings)
	}

	a.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := g.Poll(ctx, time.Now())
	if err == nil || !strings.Contains(err.Error(), "alertmanager a: ") || !strings.Contains(err.Error(), "alertmanager b: ") {
		t.Errorf("both down: err %v, want both named", err)
	}
}

func TestCreateAndExpireSilenceOnEveryAlertmanager(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{})
	for _, s := range []*testservers.AMServer{a, b} {
		s.Push(t, alert("Noisy", "job", "batch"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	now := time.Now()
	ids, err := g.CreateSilence(ctx, []sources.Matcher{{Name: "job", Value: "bat.*", IsRegex: true, IsEqual: true}}, now, now.Add(time.Hour), "oncall@example.com", "known noisy batch")
	if err != nil || len(ids) != 2 || ids["a"] == "" || ids["b"] == "" {
		t.Fatalf("CreateSilence = %v, %v; want an ID from a and b", ids, err)
	}
	if a.SilenceState(t, ids["a"]) != "active" || b.SilenceState(t, ids["b"]) != "active" {
		t.Fatalf("silences %v not active on both", ids)
	}
	if q := a.AmtoolSilenceIDs(t); !slices.Equal(q, []string{ids["a"]}) {
		t.Errorf("amtool silence query on a: %v, want [%s]", q, ids["a"])
	}
	d := poll(t, g)
	if got, _ := find(d, "Noisy"); got.State != StateSuppressed || len(got.SilencedBy) != 2 {
		t.Errorf("after CreateSilence: state %q silenced by %v", got.State, got.SilencedBy)
	}
	for _, s := range d.Alerts.Silences {
		if s.Comment != "known noisy batch" || s.CreatedBy != "oncall@example.com" || s.Matchers[0] != (sources.Matcher{Name: "job", Value: "bat.*", IsRegex: true, IsEqual: true}) {
			t.Errorf("silence as read back: %+v", s)
		}
	}

	// Expiring a's copy leaves b's: the alert is active again, as a replica unsilenced.
	if err := g.ExpireSilence(ctx, ids["a"]); err != nil {
		t.Fatalf("ExpireSilence(a's): %v", err)
	}
	if a.SilenceState(t, ids["a"]) != "expired" || b.SilenceState(t, ids["b"]) != "active" {
		t.Errorf("after expiring a's: a %q b %q", a.SilenceState(t, ids["a"]), b.SilenceState(t, ids["b"]))
	}
	if got, _ := find(poll(t, g), "Noisy"); got.State != StateActive {
		t.Errorf("silenced only on b: state %q, want active", got.State)
	}
	if err := g.ExpireSilence(ctx, ids["b"]); err != nil {
		t.Fatalf("ExpireSilence(b's): %v", err)
	}
	if b.SilenceState(t, ids["b"]) != "expired" {
		t.Errorf("b's silence not expired")
	}
	if err := g.ExpireSilence(ctx, ids["b"]); err != nil {
		t.Errorf("expiring an expired silence: %v", err)
	}
	err = g.ExpireSilence(ctx, "00000000-0000-0000-0000-000000000000")
	if err == nil || !strings.Contains(err.Error(), "no alertmanager holds it") {
		t.Errorf("expiring an unknown silence: %v", err)
	}
}

func TestCreateSilenceNamesTheAlertmanagerThatRefused(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{})
	b.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	now := time.Now()
	ids, err := g.CreateSilence(ctx, []sources.Matcher{{Name: "alertname", Value: "X", IsEqual: true}}, now, now.Add(time.Hour), "me", "why")
	if err == nil || !strings.Contains(err.Error(), "alertmanager b: create silence: connection refused") || strings.Contains(err.Error(), "alertmanager a") {
		t.Errorf("err %v, want b named", err)
	}
	if len(ids) != 1 || a.SilenceState(t, ids["a"]) != "active" {
		t.Errorf("ids %v: a should hold the silence", ids)
	}
	// Alertmanager's own words on a silence it refuses: a regex that does not compile.
	_, err = g.CreateSilence(ctx, []sources.Matcher{{Name: "job", Value: "(", IsRegex: true, IsEqual: true}}, now, now.Add(time.Hour), "me", "why")
	if err == nil || !strings.Contains(err.Error(), "alertmanager a: create silence: HTTP 400") {
		t.Errorf("bad regex: err %v, want a's HTTP 400 with its message", err)
	}
	t.Logf("bad regex: %v", err)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	a, b, g := pair(t, testservers.AMOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := g.Check(ctx)
	if err != nil || v["a"] == "" || v["a"] != v["b"] {
		t.Fatalf("Check = %v, %v", v, err)
	}
	b.Stop()
	v, err = g.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "alertmanager b: status: connection refused") || len(v) != 1 {
		t.Errorf("b down: Check = %v, %v", v, err)
	}
	wrong := group(t, a.URL()+"/prefix")
	if _, err := wrong.Check(ctx); err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.Contains(err.Error(), "API root") {
		t.Errorf("wrong path: %v", err)
	}
}
