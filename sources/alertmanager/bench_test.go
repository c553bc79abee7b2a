package alertmanager

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"
)

// alertsBody is Alertmanager's answer with n alerts, half of them silenced.
func alertsBody(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		state, by := "active", ""
		if i%2 == 0 {
			state, by = "suppressed", `"s1"`
		}
		fmt.Fprintf(&b, `{"fingerprint":"%016x","labels":{"alertname":"A%d","instance":"host-%d:9100","job":"node","severity":"warning"},`+
			`"annotations":{"summary":"host %d is down"},"receivers":[{"name":"none"}],"startsAt":"2026-01-01T00:00:00Z",`+
			`"endsAt":"2026-01-01T01:00:00Z","updatedAt":"2026-01-01T00:00:00Z","generatorURL":"http://prom/graph",`+
			`"status":{"state":"%s","silencedBy":[%s],"inhibitedBy":[]}}`, i, i%50, i, i, state, by)
	}
	b.WriteString("]")
	return b.String()
}

// BenchmarkPollTwoAlertmanagers10k is a poll of an HA pair holding the same 10,000
// alerts: two requests each, decoded with Alertmanager's types, merged by fingerprint.
//
//	go test -run XXX -bench PollTwo -benchmem ./sources/alertmanager/
func BenchmarkPollTwoAlertmanagers10k(b *testing.B) {
	body := alertsBody(10_000)
	var ams []*Source
	for _, name := range []string{"a", "b"} {
		srv, _ := hostileAM(b, text(body), text(`[]`))
		s, err := New(Options{Name: name, URL: srv.URL, HTTP: promconfig.DefaultHTTPClientConfig})
		if err != nil {
			b.Fatal(err)
		}
		ams = append(ams, s)
	}
	g, err := NewGroup("g", ams)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(2 * len(body)))
	b.ResetTimer()
	for b.Loop() {
		d, err := g.Poll(context.Background(), time.Now())
		if err != nil || len(d.Alerts.Alerts) != 10_000 || d.Alerts.Requests != 4 {
			b.Fatalf("poll: %v", err)
		}
	}
}
