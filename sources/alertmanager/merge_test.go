package alertmanager

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/prometheus/alertmanager/api/v2/models"

	"github.com/vigil-sre/vigil/sources"
)

func TestMergeStates(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	al := func(state string, silenced, inhibited []string, start time.Time) sources.Alert {
		return sources.Alert{Fingerprint: "f", Labels: map[string]string{"alertname": "A"}, State: state,
			SilencedBy: silenced, InhibitedBy: inhibited, StartsAt: start, Episodes: -1}
	}
	cases := []struct {
		name                string
		a, b                sources.Alert
		state               string
		silenced, inhibited []string
		start               time.Time
	}{
		{"both active", al("active", nil, nil, t0), al("active", nil, nil, t0.Add(time.Minute)), "active", []string{}, []string{}, t0},
		{"silenced in one only", al("suppressed", []string{"s1"}, nil, t0.Add(time.Minute)), al("active", nil, nil, t0), "active", []string{"s1"}, []string{}, t0},
		{"inhibited in one only", al("active", nil, nil, t0), al("suppressed", nil, []string{"x"}, t0), "active", []string{}, []string{"x"}, t0},
		{"silenced in both", al("suppressed", []string{"s1"}, nil, t0), al("suppressed", []string{"s2", "s1"}, nil, t0), "suppressed", []string{"s1", "s2"}, []string{}, t0},
		{"silenced in one, inhibited in the other", al("suppressed", nil, []string{"x"}, t0), al("suppressed", []string{"s2"}, nil, t0), "suppressed", []string{"s2"}, []string{"x"}, t0},
		{"inhibited in both", al("suppressed", nil, []string{"x"}, t0), al("suppressed", nil, []string{"y"}, t0), "suppressed", []string{}, []string{"x", "y"}, t0},
		{"unprocessed and suppressed", al("unprocessed", nil, nil, t0), al("suppressed", []string{"s"}, nil, t0), "unprocessed", []string{"s"}, []string{}, t0},
	}
	for _, c := range cases {
		got := merge([]answer{{am: "a", alerts: []sources.Alert{c.a}}, {am: "b", alerts: []sources.Alert{c.b}}})
		if len(got.Alerts) != 1 {
			t.Fatalf("%s: %d alerts", c.name, len(got.Alerts))
		}
		m := got.Alerts[0]
		if m.State != c.state || !reflect.DeepEqual(m.SilencedBy, c.silenced) || !reflect.DeepEqual(m.InhibitedBy, c.inhibited) ||
			!m.StartsAt.Equal(c.start) || !reflect.DeepEqual(m.Alertmanagers, []string{"a", "b"}) {
			t.Errorf("%s: got %s silenced %v inhibited %v start %s from %v; want %s %v %v %s", c.name,
				m.State, m.SilencedBy, m.InhibitedBy, m.StartsAt, m.Alertmanagers, c.state, c.silenced, c.inhibited, c.start)
		}
	}
}

func TestMergeKeepsAlertsOfOneReplicaAndSilencesByID(t *testing.T) {
	t.Parallel()
	got := merge([]answer{
		{am: "a", alerts: []sources.Alert{{Fingerprint: "2", State: "active"}}, silences: []sources.Silence{
			{ID: "s", State: "expired", Comment: "old copy"}, {ID: "t", State: "active"}}},
		{am: "b", alerts: []sources.Alert{{Fingerprint: "1", State: "suppressed", SilencedBy: []string{"s"}}}, silences: []sources.Silence{
			{ID: "s", State: "active", Comment: "live copy"}}},
	})
	if len(got.Alerts) != 2 || got.Alerts[0].Fingerprint != "1" || got.Alerts[1].Fingerprint != "2" ||
		got.Alerts[0].State != "suppressed" || !reflect.DeepEqual(got.Alerts[0].Alertmanagers, []string{"b"}) {
		t.Errorf("alerts %+v", got.Alerts)
	}
	want := []sources.Silence{
		{ID: "s", State: "active", Comment: "live copy", Sources: []string{"a", "b"}, IDs: []string{"s"}},
		{ID: "t", State: "active", Sources: []string{"a"}, IDs: []string{"t"}},
	}
	if !reflect.DeepEqual(got.Silences, want) {
		t.Errorf("silences %+v\nwant %+v", got.Silences, want)
	}
}

// Unclustered Alertmanagers each hold vigil's silence under an ID of their own: the
// copies are one silence with both IDs; a look-alike in the same Alertmanager, or one
// that differs in comment, end or matchers, is not a copy.
func TestMergeJoinsCopiesOfOneSilence(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	ms := []sources.Matcher{{Name: "alertname", Value: "DiskFull", IsEqual: true}, {Name: "service", Value: "checkout", IsEqual: true}}
	reversed := []sources.Matcher{ms[1], ms[0]}
	sil := func(id, state, comment string, end time.Time, ms []sources.Matcher) sources.Silence {
		return sources.Silence{ID: id, State: state, Comment: comment, CreatedBy: "ada", EndsAt: end, Matchers: ms}
	}
	got := merge([]answer{
		{am: "a", silences: []sources.Silence{sil("a1", "active", "disk swap", end, ms), sil("a2", "active", "disk swap", end, ms)}},
		{am: "b", silences: []sources.Silence{sil("b1", "active", "disk swap", end, reversed),
			sil("b2", "active", "other", end, ms), sil("b3", "active", "disk swap", end.Add(time.Millisecond), ms)}},
	}).Silences
	var ids [][]string
	for _, s := range got {
		ids = append(ids, s.IDs)
	}
	want := [][]string{{"a1", "b1"}, {"a2"}, {"b2"}, {"b3"}}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("silence IDs %v, want %v", ids, want)
	}
	if got[0].ID != "a1" || !reflect.DeepEqual(got[0].Sources, []string{"a", "b"}) {
		t.Errorf("the joined silence: %+v", got[0])
	}
}

// wireAlert must read what Alertmanager's own type writes.
func TestWireAlertMatchesModels(t *testing.T) {
	t.Parallel()
	fp, state := "0123456789abcdef", "suppressed"
	start := strfmt.DateTime(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC))
	end := strfmt.DateTime(time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC))
	m := models.GettableAlert{
		Annotations: models.LabelSet{"summary": "s"}, EndsAt: &end, Fingerprint: &fp, StartsAt: &start, UpdatedAt: &start,
		Receivers: []*models.ReceiverReference{},
		Status:    &models.AlertStatus{State: &state, SilencedBy: []string{"x"}, InhibitedBy: []string{"y"}, MutedBy: []string{}},
		Alert:     models.Alert{Labels: models.LabelSet{"alertname": "A"}, GeneratorURL: "http://prom/graph"},
	}
	body, err := json.Marshal(models.GettableAlerts{&m})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAlerts(body, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := []sources.Alert{{Fingerprint: fp, Labels: map[string]string{"alertname": "A"}, Annotations: map[string]string{"summary": "s"},
		StartsAt: time.Time(start), EndsAt: time.Time(end), GeneratorURL: "http://prom/graph", State: state,
		SilencedBy: []string{"x"}, InhibitedBy: []string{"y"}, Alertmanagers: []string{"a"}, Episodes: -1}}
	if len(got) != 1 || !got[0].StartsAt.Equal(want[0].StartsAt) || !got[0].EndsAt.Equal(want[0].EndsAt) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	got[0].StartsAt, got[0].EndsAt = want[0].StartsAt, want[0].EndsAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
