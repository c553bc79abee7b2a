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

func f(v float64) *float64 { return &v }

func sample() alerts.Board {
	last := at.Add(-2 * time.Minute)
	return alerts.Board{
		GeneratedAt: at,
		Sources: []alerts.SourceStatus{
			{Name: "prod", Kind: "prometheus", OK: true, LastSuccess: &at, AgeSeconds: f(4)},
			{Name: "eu", Kind: "prometheus", Error: "connection refused", Stale: true, LastSuccess: &last, AgeSeconds: f(120)},
		},
		Services: []alerts.ServiceRow{
			{Name: "checkout", State: alerts.StateCrit, LatencySeconds: f(0.452), TrafficRPS: f(38.5), ErrorRatio: f(0.0502), SaturationRatio: f(0.63)},
			{Name: "evil\x1b]0;pwned\x07|svc", State: alerts.StateNoData, Stale: true},
		},
		SLOs: []alerts.SLOStatus{{
			Name: "checkout-availability", Service: "checkout", Objective: 0.999, Window: "30d", State: "page",
			BudgetRemaining: f(0.6), ExhaustionSeconds: f(27 * 3600),
			BurnRates: map[string]*float64{"1h": f(16), "6h": f(4.5), "1d": f(2.5), "3d": f(1.2)},
		}},
		Actionable: []alerts.Item{{Kind: "slo", ID: "slo/checkout-availability", Severity: "page", Title: "burning", Since: at}},
	}
}

func TestText(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, "text", sample()); err != nil {
		t.Fatal(err)
	}
	want := `vigil snapshot at 2026-11-26T03:00:00Z

SOURCES
source  kind        state  age  error
prod    prometheus  ok     4s
eu      prometheus  stale  2m   connection refused

SERVICES
service   state           latency  traffic  errors  saturation
checkout  crit            452ms    38.50/s  5.02%   63.00%
evil|svc  nodata (stale)  -        -        -       -

SLOS
slo                    service   objective  state  budget left  burn 1h  burn 6h  burn 1d  burn 3d  exhausted in
checkout-availability  checkout  99.9% 30d  PAGE   60.00%       16.0x    4.5x     2.5x     1.2x     1d3h

NEEDS A HUMAN
severity  kind  title    since
page      slo   burning  2026-11-26T03:00:00Z

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
		"## Services\n| service | state | latency | traffic | errors | saturation |\n| --- | --- | --- | --- | --- | --- |\n",
		`| evil\|svc | nodata (stale) | - | - | - | - |`,
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
	if doc.Services[0]["error_ratio"] != 0.0502 || doc.Services[0]["state"] != "crit" {
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

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		4 * time.Second: "4s", 90 * time.Second: "1m30s", 2 * time.Minute: "2m",
		25 * time.Hour: "1d1h", 27 * time.Hour: "1d3h", 3 * time.Hour: "3h", 3*time.Hour + 20*time.Minute: "3h20m",
		14 * 24 * time.Hour: "14d",
	} {
		if got := human(d); got != want {
			t.Errorf("human(%v) = %q, want %q", d, got, want)
		}
	}
}
