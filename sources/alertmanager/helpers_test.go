package alertmanager

import (
	"context"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
)

// group builds a Group over servers named a, b, ... in order.
func group(t *testing.T, urls ...string) *Group {
	t.Helper()
	ams := make([]*Source, len(urls))
	for i, u := range urls {
		s, err := New(Options{Name: string(rune('a' + i)), URL: u, HTTP: promconfig.DefaultHTTPClientConfig})
		if err != nil {
			t.Fatal(err)
		}
		ams[i] = s
	}
	g, err := NewGroup("alerts", ams)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func poll(t *testing.T, src sources.Source) sources.Data {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := src.Poll(ctx, time.Now())
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	if d.Alerts == nil {
		t.Fatal("poll: no AlertsData")
	}
	return d
}

// find returns the merged alert whose alertname is name.
func find(d sources.Data, name string) (sources.Alert, bool) {
	for _, a := range d.Alerts.Alerts {
		if a.Labels["alertname"] == name {
			return a, true
		}
	}
	return sources.Alert{}, false
}

// waitFor polls src until ok accepts the answer, failing after 20s: Alertmanager
// applies inhibitions asynchronously, a moment after the alerts arrive.
func waitFor(t *testing.T, src sources.Source, what string, ok func(sources.Data) bool) sources.Data {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var d sources.Data
	for time.Now().Before(deadline) {
		d = poll(t, src)
		if ok(d) {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not seen after 20s; last answer %+v", what, d.Alerts.Alerts)
	return d
}

func alert(name string, labels ...string) testservers.PushAlert {
	l := map[string]string{"alertname": name}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return testservers.PushAlert{Labels: l, Annotations: map[string]string{"summary": name + " is up"}}
}
