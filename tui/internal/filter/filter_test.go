package filter

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
)

// board is a fixed board with rows of every kind, hostile ones included.
func board() alerts.Board {
	at := time.Date(2025, 3, 14, 3, 0, 0, 0, time.UTC)
	return alerts.Board{
		Services: []alerts.ServiceRow{
			{Name: "checkout", State: alerts.StateCrit},
			{Name: "cart", State: alerts.StateOK},
			{Name: "ledger-writer", State: alerts.StateDown},
			{Name: "Search", State: alerts.StateWarn},
			{Name: "evil\x1b]0;pwned\x07", State: alerts.StateNoData},
		},
		SLOs: []alerts.SLOStatus{
			{Name: "checkout-availability", Service: "checkout", State: alerts.SLOPage},
			{Name: "search-latency", Service: "search", State: alerts.SLOOK},
			{Name: "api-availability", Service: "api", State: alerts.SLOTicket},
		},
		Pages: []alerts.Page{
			{ID: "P1", Number: 1042, Title: "[FIRING:1] CheckoutDown (checkout)", Status: "triggered", Urgency: "high", Priority: "P1", Service: "checkout", Assignees: []string{"Ada"}},
			{ID: "P2", Number: 1039, Title: "Search latency", Status: "acknowledged", Urgency: "low", Service: "search"},
		},
		Actionable: []alerts.Item{
			{Kind: "page", ID: "P1", Title: "CheckoutDown", Severity: alerts.SeverityCritical},
			{Kind: "alert", ID: `{alertname="HighLatency",service="checkout"}`, Title: "HighLatency", Severity: alerts.SeverityCritical,
				Labels: map[string]string{"alertname": "HighLatency", "service": "checkout"}, Count: 3, Since: at},
			{Kind: "alert", ID: "f9", Title: "DiskFilling", Severity: alerts.SeverityWarning,
				Labels: map[string]string{"alertname": "DiskFilling", "service": "db", "severity": "warning", "instance": "db-3:9100"}, Count: 1},
		},
		Hidden: []alerts.Item{
			{Kind: "alert", ID: "f1", Title: "Watchdog", Severity: alerts.SeverityInfo, Reason: "heartbeat", Labels: map[string]string{"alertname": "Watchdog"}},
			{Kind: "alert", ID: "f2", Title: "NodeDown", Severity: alerts.SeverityCritical, Reason: "silenced",
				Labels: map[string]string{"alertname": "NodeDown", "severity": "p1", "service": "checkout"}},
		},
		Silences: []alerts.Silence{
			{ID: "4f2a", Matchers: `{alertname="NodeDown"}`, State: "active", CreatedBy: "lin", Comment: "kernel upgrade"},
			{ID: "77b1", Matchers: `{service=~"checkout|cart",state="x"}`, State: "pending", CreatedBy: "ada", Comment: "deploy 4.2"},
		},
	}
}

// keep is the IDs (or names) of what q keeps of each kind of row.
func keep(t *testing.T, in string) map[string][]string {
	t.Helper()
	q, err := Parse(in)
	if err != nil {
		t.Fatalf("Parse(%q): %v", in, err)
	}
	b := board()
	out := map[string][]string{}
	for _, s := range Apply(q, b.Services, Service) {
		out["services"] = append(out["services"], s.Name)
	}
	for _, s := range Apply(q, b.SLOs, SLO) {
		out["slos"] = append(out["slos"], s.Name)
	}
	for _, p := range Apply(q, b.Pages, Page) {
		out["pages"] = append(out["pages"], p.ID)
	}
	for _, it := range Apply(q, b.Actionable, Alert) {
		out["alerts"] = append(out["alerts"], it.ID)
	}
	for _, it := range Apply(q, b.Hidden, Alert) {
		out["hidden"] = append(out["hidden"], it.ID)
	}
	for _, s := range Apply(q, b.Silences, Silence) {
		out["silences"] = append(out["silences"], s.ID)
	}
	return out
}

func TestFreeText(t *testing.T) {
	cases := []struct {
		in   string
		kind string
		want []string
	}{
		{"search", "services", []string{"Search"}}, // any case
		{"SEARCH", "slos", []string{"search-latency"}},
		{"down", "services", []string{"ledger-writer"}}, // the state is a word too
		{"check", "services", []string{"checkout"}},
		{"checkout page", "slos", []string{"checkout-availability"}}, // every word, in any field
		{"ada", "pages", []string{"P1"}},                             // assignees
		{"#1039", "pages", []string{"P2"}},
		{"db-3", "alerts", []string{"f9"}}, // a label's value
		{"crit", "alerts", []string{"P1", `{alertname="HighLatency",service="checkout"}`}},
		{"silenced", "hidden", []string{"f2"}}, // the reason
		{"kernel", "silences", []string{"4f2a"}},
		{"cart", "silences", []string{"77b1"}},
		{"nothing-like-this", "services", nil},
	}
	for _, c := range cases {
		if got := keep(t, c.in)[c.kind]; !slices.Equal(got, c.want) {
			t.Errorf("%q on %s: %q, want %q", c.in, c.kind, got, c.want)
		}
	}
}

func TestMatchers(t *testing.T) {
	cases := []struct {
		in   string
		kind string
		want []string
	}{
		{`{service="checkout",severity=~"crit.*"}`, "alerts", []string{`{alertname="HighLatency",service="checkout"}`}},
		{`severity=~"crit.*"`, "hidden", []string{"f2"}}, // the label says p1, the row critical: either finds it
		{`severity="p1"`, "hidden", []string{"f2"}},
		{`{severity="critical"}`, "alerts", []string{"P1", `{alertname="HighLatency",service="checkout"}`}},
		{`{team!="db"}`, "alerts", []string{"P1", `{alertname="HighLatency",service="checkout"}`, "f9"}}, // a missing label is ""
		{`{instance=~"db-.*"}`, "alerts", []string{"f9"}},
		{`{state=~"crit|down"}`, "services", []string{"checkout", "ledger-writer"}},
		{`service="search"`, "services", nil},
		{`{service="checkout"}`, "slos", []string{"checkout-availability"}},
		{`{slo=~".*availability"}`, "slos", []string{"checkout-availability", "api-availability"}},
		{`{state="ticket"}`, "slos", []string{"api-availability"}},
		{`{urgency="high",status="triggered"}`, "pages", []string{"P1"}},
		{`{priority="P1"}`, "pages", []string{"P1"}},
		{`{title=~".*Latency.*"}`, "pages", nil}, // anchored and case-sensitive, as Alertmanager's
		{`{title=~"latency"}`, "pages", nil},
		{`{title=~".*latency"}`, "pages", []string{"P2"}},
		{`{alertname="NodeDown"}`, "silences", []string{"4f2a"}},
		{`{service="checkout|cart"}`, "silences", []string{"77b1"}}, // a matcher's value as written
		{`{createdBy="ada"}`, "silences", []string{"77b1"}},
		{`{state="active"}`, "silences", []string{"4f2a"}}, // the silence's state, not its matcher on state
		{`{comment=~"kernel.*"}`, "silences", []string{"4f2a"}},
	}
	for _, c := range cases {
		got := keep(t, c.in)[c.kind]
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s on %s: %q, want %q", c.in, c.kind, got, c.want)
		}
	}
}

// A severity matcher tests the severity the row is drawn with as well as the label:
// a SEV1 alert triaged critical is found by either, and a negative matcher drops it
// by either.
func TestSeverityIsTriagedAndLabelled(t *testing.T) {
	sev1 := alerts.Item{Kind: "alert", ID: "sev1", Title: "PaymentsDown", Severity: alerts.SeverityCritical,
		Labels: map[string]string{"alertname": "PaymentsDown", "severity": "SEV1"}}
	warn := alerts.Item{Kind: "alert", ID: "warn", Title: "DiskFilling", Severity: alerts.SeverityWarning,
		Labels: map[string]string{"alertname": "DiskFilling", "severity": "warning"}}
	group := alerts.Item{Kind: "alert", ID: "group", Title: "HighLatency", Severity: alerts.SeverityCritical,
		Labels: map[string]string{"alertname": "HighLatency"}} // grouped: no severity label
	rows := []alerts.Item{sev1, warn, group}
	for in, want := range map[string][]string{
		`severity=critical`:                              {"sev1", "group"},
		`{severity="critical"}`:                          {"sev1", "group"},
		`severity="SEV1"`:                                {"sev1"},
		`severity=~"SEV.*|warning"`:                      {"sev1", "warn"},
		`severity!="critical"`:                           {"warn"},
		`severity!="SEV1"`:                               {"warn", "group"},
		`severity!~"crit.*|warn.*"`:                      nil,
		`{alertname="PaymentsDown",severity="critical"}`: {"sev1"},
		`severity="info"`:                                nil,
	} {
		q, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		var got []string
		for _, it := range Apply(q, rows, Alert) {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, in := range []string{"", "   ", "{}", "{", "{ }"} {
		q, err := Parse(in)
		if err != nil || q.Active() {
			t.Errorf("Parse(%q) = %v, %v: want no filter", in, q, err)
		}
	}
	for in, want := range map[string]string{
		`service=checkout`:                      `{service="checkout"}`,
		` {service="checkout", severity=~crit}`: `{service="checkout",severity=~"crit"}`,
		`Check Out`:                             `"Check Out"`,
		"a=b\x1b[31m":                           `{a="b"}`,         // shown safe
		`error: rate=5`:                         `"error: rate=5"`, // not a matcher's shape: free text
	} {
		q, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if got := q.String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", in, got, want)
		}
	}
	for in, msg := range map[string]string{
		`{se`:                 "bad matcher format: se",
		`{state=~"(crit"}`:    "missing closing )",
		`{a="b",c}`:           "bad matcher format: c",
		`service="unclosed`:   "unescaped double quote",
		`{"quoted name"="x"}`: "bad matcher format",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Parse(%q): %v, want the parser's %q", in, err, msg)
		}
	}
}

// FuzzFilter feeds any input to the parser and the matcher over the fixed board: no
// panic, an error or a query, and what a query keeps is a subset of each list in its
// original order.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"", "check", `{service="checkout",severity=~"crit.*"}`, `{state=~"(`, `a!~"b"`, "{", "}",
		`{a="\"",b=~"\\"}`, "\x1b]0;x\x07", `{createdBy="ada"}`, "é ß", `x=~".*{1000}"`} {
		f.Add(s)
	}
	b := board()
	f.Fuzz(func(t *testing.T, in string) {
		q, err := Parse(in)
		if err != nil {
			if err.Error() == "" || q.Active() {
				t.Fatalf("Parse(%q): an error without a message, or with a query", in)
			}
			return
		}
		if strings.ContainsRune(q.String(), '\x1b') {
			t.Fatalf("Parse(%q).String() = %q: not safe to draw", in, q.String())
		}
		subset(t, b.Services, Apply(q, b.Services, Service), func(s alerts.ServiceRow) string { return s.Name })
		subset(t, b.SLOs, Apply(q, b.SLOs, SLO), func(s alerts.SLOStatus) string { return s.Name })
		subset(t, b.Pages, Apply(q, b.Pages, Page), func(p alerts.Page) string { return p.ID })
		subset(t, b.Actionable, Apply(q, b.Actionable, Alert), func(it alerts.Item) string { return it.ID })
		subset(t, b.Hidden, Apply(q, b.Hidden, Alert), func(it alerts.Item) string { return it.ID })
		subset(t, b.Silences, Apply(q, b.Silences, Silence), func(s alerts.Silence) string { return s.ID })
	})
}

// subset checks that got is all of all's rows that it holds, in all's order.
func subset[T any](t *testing.T, all, got []T, id func(T) string) {
	t.Helper()
	j := 0
	for _, g := range got {
		for j < len(all) && id(all[j]) != id(g) {
			j++
		}
		if j == len(all) {
			t.Fatalf("kept %q, not in the list or out of order", id(g))
		}
		j++
	}
}
