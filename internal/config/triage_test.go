package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

func TestTriageSettings(t *testing.T) {
	defaults := Triage{Flapping: Flapping{Episodes: 4, Window: model.Duration(time.Hour)}, Hold: model.Duration(2 * time.Minute)}
	tests := []struct {
		name string
		in   string
		want Triage
	}{
		{name: "left out", in: base, want: defaults},
		{
			name: "every key",
			in: base + "triage:\n" +
				"  min_severity: info\n" +
				"  severity_label: priority\n" +
				"  severity_map: {P0: critical, urgent: critical, fyi: info}\n" +
				"  heartbeats: [AlwaysFiring]\n" +
				"  hide: [{match: 'env=staging', reason: staging pages nobody}]\n" +
				"  flapping: {episodes: 3, window: 30m}\n" +
				"  hold: 5m\n" +
				"  group_by: [alertname, cluster]\n",
			want: Triage{
				MinSeverity: "info", SeverityLabel: "priority",
				SeverityMap: map[string]string{"P0": "critical", "urgent": "critical", "fyi": "info"},
				Heartbeats:  []string{"AlwaysFiring"},
				Hide:        []HideRule{{Match: "env=staging", Reason: "staging pages nobody"}},
				Flapping:    Flapping{Episodes: 3, Window: model.Duration(30 * time.Minute)},
				Hold:        model.Duration(5 * time.Minute),
				GroupBy:     []string{"alertname", "cluster"},
			},
		},
		{
			// An explicit empty list is no heartbeats, not the defaults; 0 turns
			// holding and flapping off.
			name: "zeros mean off",
			in:   base + "triage:\n  heartbeats: []\n  hold: 0s\n  flapping: {episodes: 0}\n",
			want: Triage{Heartbeats: []string{}, Flapping: Flapping{Window: model.Duration(time.Hour)}},
		},
		{
			name: "null keys are left out",
			in:   base + "triage:\n  heartbeats:\n  hold:\n  flapping:\n",
			want: defaults,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("config.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Triage, tt.want) {
				t.Errorf("triage = %#v\nwant     %#v", c.Triage, tt.want)
			}
			if (c.Triage.Heartbeats == nil) != (tt.want.Heartbeats == nil) {
				t.Errorf("heartbeats nil = %v, want %v", c.Triage.Heartbeats == nil, tt.want.Heartbeats == nil)
			}
		})
	}
}

func TestNotifySettings(t *testing.T) {
	minute := model.Duration(time.Minute)
	tests := []struct {
		in   string
		want Notify
	}{
		{"", Notify{MinSeverity: "critical", Cooldown: minute}},
		{"notify: false\n", Notify{Off: true, MinSeverity: "critical", Cooldown: minute}},
		{"notify: true\n", Notify{MinSeverity: "critical", Cooldown: minute}},
		{"notify:\n", Notify{MinSeverity: "critical", Cooldown: minute}},
		{"notify: {min_severity: warning}\n", Notify{MinSeverity: "warning", Cooldown: minute}},
		{"notify: {min_severity: info, cooldown: 5m}\n", Notify{MinSeverity: "info", Cooldown: 5 * minute}},
	}
	for _, tt := range tests {
		c, err := Parse("config.yaml", []byte(base+tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if c.Notify != tt.want {
			t.Errorf("%q: notify = %+v, want %+v", tt.in, c.Notify, tt.want)
		}
	}
}

// TestReadsAlerts: a Prometheus's own alerts are read when its entry says so, and by
// default only when no Alertmanager is configured.
func TestReadsAlerts(t *testing.T) {
	const am = "alertmanager:\n  - name: am\n    url: http://127.0.0.1:9093\n"
	tests := []struct {
		name string
		in   string
		want []bool // per prometheus entry
	}{
		{"no alertmanager: every prometheus", "prometheus:\n  - {name: a, url: 'http://127.0.0.1:1'}\n  - {name: b, url: 'http://127.0.0.1:2'}\n", []bool{true, true}},
		{"no alertmanager, opted out", "prometheus:\n  - {name: a, url: 'http://127.0.0.1:1', alerts: false}\n  - {name: b, url: 'http://127.0.0.1:2'}\n", []bool{false, true}},
		{"alertmanager: none by default", "prometheus:\n  - {name: a, url: 'http://127.0.0.1:1'}\n" + am, []bool{false}},
		{"alertmanager, opted in", "prometheus:\n  - {name: a, url: 'http://127.0.0.1:1', alerts: true}\n  - {name: b, url: 'http://127.0.0.1:2'}\n" + am, []bool{true, false}},
	}
	for _, tt := range tests {
		c, err := Parse("config.yaml", []byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []bool
		for i := range c.Prometheus {
			got = append(got, c.ReadsAlerts(&c.Prometheus[i]))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: reads alerts %v, want %v", tt.name, got, tt.want)
		}
	}
}
