package testservers

import (
	"strings"
	"testing"
)

func TestAlertmanagerTakesAlertsAndSilences(t *testing.T) {
	t.Parallel()
	a := Alertmanager(t, AMOptions{})
	if !strings.HasPrefix(a.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", a.URL())
	}
	a.Push(t, PushAlert{Labels: map[string]string{"alertname": "Test", "job": "api"}})
	if n := a.AlertCount(t); n != 1 {
		t.Fatalf("after one push: %d alerts, want 1", n)
	}
	id := a.Silence(t, map[string]string{"alertname": "Test"}, "testing")
	if got := a.SilenceState(t, id); got != "active" {
		t.Fatalf("silence %s state %q, want active", id, got)
	}
	if got := a.SilenceState(t, "00000000-0000-0000-0000-000000000000"); got != "" {
		t.Fatalf("unknown silence state %q, want empty", got)
	}
	a.Stop()
	a.Stop() // idempotent
}

func TestAmtoolSilences(t *testing.T) {
	t.Parallel()
	a := Alertmanager(t, AMOptions{})
	id := a.AmtoolSilence(t, "from amtool", "alertname=Test", "job=~api.*")
	if got := a.SilenceState(t, id); got != "active" {
		t.Fatalf("amtool's silence %s: state %q, want active", id, got)
	}
	if ids := a.AmtoolSilenceIDs(t); len(ids) != 1 || ids[0] != id {
		t.Fatalf("amtool silence query: %v, want [%s]", ids, id)
	}
}
