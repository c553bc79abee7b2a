package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
)

var at = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func f(v float64) *alerts.Number { return alerts.Num(v) }

func ip(n int) *int { return &n }

func sample() alerts.Board {
	last := at.Add(-2 * time.Minute)
	return alerts.Board{
		GeneratedAt: at,
		Sources: []alerts.SourceStatus{
			{Name: "prod", Kind: "prometheus", OK: true, State: "degraded", Error: "saturation query: execution: many-to-many matching", Degraded: true, LastSuccess: &at, AgeSeconds: f(4)},
			{Name: "eu", Kind: "prometheus", State: "stale", Error: "connection refused", Stale: true, LastSuccess: &last, AgeSeconds: f(120)},
		},
		Services: []alerts.ServiceRow{
			{Name: "checkout", State: alerts.StateCrit, LatencySeconds: f(0.452), TrafficRPS: f(38.5), ErrorRatio: f(0.00003),
				Errors: map[string]string{"saturation": "execution: many-to-many matching"}, TargetsUp: ip(2), TargetsTotal: ip(3)},
			{Name: "evil\x1b]0;pwned\x07|svc", State: alerts.StateNoData, Stale: true},
		},
		SLOs: []alerts.SLOStatus{{
			Name: "checkout-availability", Service: "checkout", Objective: 0.999, Window: "30d", State: "page",
			BudgetRemaining: f(0.6), ExhaustionSeconds: f(25 * 3600), CoverageSeconds: f(3 * 86400), Partial: true,
			BurnRates: map[string]*alerts.Number{"1h": f(16), "6h": f(4.5), "1d": f(2.5), "3d": f(1.2)},
		}},
		Actionable: []alerts.Item{
			{Kind: "slo", ID: "slo:checkout-availability", Severity: "page", Title: "burning", Since: at},
			{Kind: "alert", ID: `{alertname="HighLatency",service="checkout"}`, Severity: "warning", Title: "HighLatency",
				Labels: map[string]string{"alertname": "HighLatency", "service": "checkout"}, Count: 3,
				Members: []string{"a", "b", "c"}, Flapping: true, Since: last},
		},
		HiddenCounts: map[string]int{"silenced": 812, "severity": 355},
		Silences: []alerts.Silence{{ID: "9c1e", State: "active", Matchers: `{alertname="NodeDown"}`, EndsAt: at.Add(time.Hour),
			CreatedBy: "lin", Comment: "kernel upgrade"}},
	}
}

func TestText(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, "text", sample()); err != nil {
		t.Fatal(err)
	}
	want := `vigil snapshot at 2026-11-26T03:00:00Z

SOURCES
source  kind        state     age  error
prod    prometheus  degraded  4s   saturation query: execution: many-to-many matching
eu      prometheus  stale     2m   connection refused

SERVICES
service   state           targets  latency  traffic  errors  saturation
checkout  crit            2/3 up   452ms    38/s     <0.01%  err
evil|svc  nodata (stale)  –        –        –        –       –

FAILED QUERIES
service   signal      error
checkout  saturation  execution: many-to-many matching

SLOS
slo                    service   objective  state  budget left  burn 1h  burn 6h  burn 1d  burn 3d  exhausted in  note
checkout-availability  checkout  99.9% 30d  PAGE   60%          16.0x    4.5x     2.5x     1.2x     25h           partial 3d/30d

NEEDS A HUMAN
severity  kind   title        service   alerts  note      since
page      slo    burning                0                 2026-11-26T03:00:00Z
warning   alert  HighLatency  checkout  3       flapping  2026-11-26T02:58:00Z

HIDDEN
reason    alerts
silenced  812
severity  355

SILENCES
silence  state   matchers                ends                  by   comment
9c1e     active  {alertname="NodeDown"}  2026-11-26T04:00:00Z  lin  kernel upgrade

`
	if got := out.String(); got != want {
		t.Errorf("text report:\n%s\nwant:\n%s", got, want)
	}
}

func TestMarkdownEscapesPipesAndStripsEscapes(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, "markdown", sample()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"## Services\n| service | state | targets | latency | traffic | errors | saturation |\n| --- | --- | --- | --- | --- | --- | --- |\n",
		`| evil\|svc | nodata (stale) | – | – | – | – | – |`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("escape sequence reached the report: %q", got)
	}
}

func TestJSONNullsNotZeros(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services []map[string]any `json:"services"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	evil := doc.Services[1]
	for _, k := range []string{"latency_seconds", "traffic_rps", "error_ratio", "saturation_ratio"} {
		if v, ok := evil[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if doc.Services[0]["error_ratio"] != 0.00003 || doc.Services[0]["state"] != "crit" {
		t.Errorf("checkout = %v", doc.Services[0])
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("raw ESC in JSON output")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", sample()); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("err = %v", err)
	}
}

func TestTextPagesAndOnCall(t *testing.T) {
	b := sample()
	b.Pages = []alerts.Page{{ID: "P1", Number: 1042, Title: "checkout burning \x1b[31m", Status: "triggered", Urgency: "high",
		Service: "checkout", Assignees: []string{"Ada"}, CreatedAt: at.Add(-7 * time.Minute)}}
	b.OnCall = []alerts.OnCall{{Policy: "Checkout", Level: 1, Person: "Ada"}}
	var out bytes.Buffer
	if err := Write(&out, "text", b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PAGES\npage   status     urgency  title              service   assigned  age\n#1042  TRIGGERED  high     checkout burning   checkout  Ada       7m",
		"ON CALL\npolicy    level  on call  until\nCheckout  1      Ada      –"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
}
