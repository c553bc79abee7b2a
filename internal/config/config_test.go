package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
)

// base is a valid config that error cases extend; its prometheus entry is on line 2.
const base = `prometheus:
  - name: prod
    url: http://127.0.0.1:9090
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // every error, one a line
	}{
		{
			name: "unknown top-level key",
			in:   base + "refrsh: 15s\n",
			want: "config.yaml:4: refrsh: unknown key",
		},
		{
			name: "unknown key in an entry",
			in:   "refresh: 15s\nprometheus:\n  - name: prod\n    urll: http://127.0.0.1:9090\n",
			want: "config.yaml:4: prometheus[0].urll: unknown key",
		},
		{
			name: "unknown key inside an inlined HTTP client field",
			in:   base + "    basic_auth:\n      usernam: vigil\n",
			want: "config.yaml:5: prometheus[0].basic_auth.usernam: unknown key",
		},
		{
			name: "unknown key inside an http header",
			in:   base + "    http_headers:\n      X-Scope-OrgID: {valuez: [t1]}\n",
			want: "config.yaml:5: prometheus[0].http_headers.X-Scope-OrgID.valuez: unknown key",
		},
		{
			name: "every unknown key, in line order",
			in:   "bogus: 1\n" + base + "    tls_config: {ca_fil: x}\nalso: 2\n",
			want: "config.yaml:1: bogus: unknown key\n" +
				"config.yaml:5: prometheus[0].tls_config.ca_fil: unknown key\n" +
				"config.yaml:6: also: unknown key",
		},
		{
			name: "duplicate key",
			in:   "refresh: 15s\n" + base + "refresh: 30s\n",
			want: "config.yaml:5: refresh: duplicate key (first at line 1)",
		},
		{
			name: "bad duration",
			in:   base + "refresh: 15x\n",
			want: `config.yaml:4: refresh: bad duration "15x"`,
		},
		{
			name: "wrong kind of value",
			in:   base + "services: {name: api}\n",
			want: "config.yaml:4: services: expected a list, got a mapping",
		},
		{
			name: "not a number",
			in:   base + "signals:\n  thresholds: {errors: lots}\n",
			want: `config.yaml:5: signals.thresholds.errors: expected a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none, got "lots"`,
		},
		{
			name: "zero refresh",
			in:   base + "refresh: 0s\n",
			want: "config.yaml:4: refresh: must be at least 1s, got 0s",
		},
		{
			name: "HTTP client validation names the entry",
			in:   base + "    basic_auth: {username: u, password: p}\n    authorization: {credentials: t}\n",
			want: "config.yaml:2: prometheus[0]: at most one of basic_auth, oauth2 & authorization must be configured",
		},
		{
			name: "TLS validation names tls_config",
			in:   base + "    tls_config: {ca: x, ca_file: y}\n",
			want: "config.yaml:4: prometheus[0].tls_config: at most one of ca, ca_file & ca_ref must be configured",
		},
		{
			name: "leaf unmarshaler error",
			in:   base + "    tls_config: {min_version: TLS9}\n",
			want: "config.yaml:4: prometheus[0].tls_config.min_version: unknown TLS version: TLS9",
		},
		{
			name: "url missing and not http",
			in:   "prometheus:\n  - name: a\n  - name: b\n    url: ftp://example.com\n",
			want: "config.yaml:2: prometheus[0].url: required\n" +
				`config.yaml:4: prometheus[1].url: must be an http:// or https:// URL, got "ftp://example.com"`,
		},
		{
			name: "duplicate prometheus name",
			in:   base + "  - name: prod\n    url: http://127.0.0.2:9090\n",
			want: `config.yaml:4: prometheus[1].name: duplicate name "prod" (first at line 2)`,
		},
		{
			name: "duplicate alertmanager name",
			in:   "alertmanager:\n  - {name: am, url: http://a:9093}\n  - {name: am, url: http://b:9093}\n",
			want: `config.yaml:3: alertmanager[1].name: duplicate name "am" (first at line 2)`,
		},
		{
			name: "duplicate service name",
			in:   base + "signals:\n  traffic: sum by (job) (rate(x[5m]))\nservices:\n  - name: api\n  - name: web\n  - name: api\n",
			want: `config.yaml:9: services[2].name: duplicate name "api" (first at line 7)`,
		},
		{
			name: "unknown prometheus reference",
			in: base + "signals:\n  prometheus: staging\n  traffic: sum by (job) (rate(x[5m]))\n" +
				"services:\n  - name: api\n    prometheus: prd\n    traffic: sum(rate(x[5m]))\n",
			want: `config.yaml:5: signals.prometheus: unknown prometheus "staging" (configured: prod)` + "\n" +
				`config.yaml:9: services[0].prometheus: unknown prometheus "prd" (configured: prod)`,
		},
		{
			name: "queries without any prometheus",
			in:   "signals:\n  traffic: sum by (job) (rate(x[5m]))\n",
			want: "config.yaml:1: signals.prometheus: no prometheus configured",
		},
		{
			name: "objective as a fraction",
			in:   base + slo1 + "    objective: 0.999\n",
			want: "config.yaml:9: slos[0].objective: 0.999 would mean 0.999 %; objectives are percentages: did you mean 99.9?",
		},
		{
			name: "objective as a fraction, 0.5",
			in:   base + slo1 + "    objective: 0.5\n",
			want: "config.yaml:9: slos[0].objective: 0.5 would mean 0.5 %; objectives are percentages: did you mean 50?",
		},
		{
			name: "thresholds",
			in: base + "signals:\n  traffic: sum by (job) (rate(x[5m]))\n  thresholds: {errors: 1.5, saturation: 0, latency: 0s}\n" +
				"services:\n  - name: api\n    thresholds: {errors: -0.1}\n",
			want: "config.yaml:6: signals.thresholds.errors: 1.5 would mean 150 % of requests; write 1.5% (or 0.015)\n" +
				"config.yaml:6: signals.thresholds.saturation: must be above 0\n" +
				"config.yaml:6: signals.thresholds.latency: must be above 0\n" +
				"config.yaml:9: services[0].thresholds.errors: must be above 0",
		},
		{
			name: "bad PromQL",
			in:   base + "signals:\n  errors: sum(rate(http_requests_total[5m])\n",
			want: "config.yaml:5: signals.errors: bad PromQL: 1:34: parse error: unclosed left parenthesis",
		},
		{
			name: "range vector where a number is needed",
			in:   base + "services:\n  - name: api\n    traffic: rate(x[5m])[10m:1m]\n",
			want: "config.yaml:6: services[0].traffic: must return an instant vector or a scalar, not a matrix",
		},
		{
			name: "objective 100",
			in:   base + slo1 + "    objective: 100\n",
			want: "config.yaml:9: slos[0].objective: must be below 100",
		},
		{
			name: "objective 0",
			in:   base + slo1 + "    objective: 0\n",
			want: "config.yaml:9: slos[0].objective: must be above 0",
		},
		{
			name: "objective missing",
			in:   base + slo1,
			want: "config.yaml:5: slos[0].objective: required (a percentage such as 99.9)",
		},
		{
			name: "ratio query without the window placeholder",
			in:   base + "slos:\n  - name: a\n    objective: 99\n    window: 30d\n    errors: sum(rate(e[5m]))\n    total: sum(rate(t[{{.window}}]))\n",
			want: "config.yaml:8: slos[0].errors: must use {{.window}} as its range, e.g. [{{.window}}]",
		},
		{
			name: "SLI forms",
			in: base + "slos:\n" +
				"  - {name: a, objective: 99, window: 1d}\n" +
				"  - {name: b, objective: 99, window: 1d, errors: 'sum(e[{{.window}}])', good: 'sum(g[{{.window}}])', total: t}\n" +
				"  - {name: c, objective: 99, window: 1d, errors: 'sum(rate(e[{{.window}}]))'}\n" +
				"  - {name: d, objective: 99, window: 1d, latency: {histogram: h_bucket_, threshold: 0s}, total: t}\n" +
				"  - {name: e, objective: 99, window: 0s, latency: {histogram: 'a-b', selector: 'job=', threshold: 1s}}\n",
			want: "config.yaml:5: slos[0]: no SLI: set errors and total, good and total, or latency\n" +
				"config.yaml:6: slos[1].good: set errors or good, not both\n" +
				"config.yaml:7: slos[2].total: required with errors or good\n" +
				"config.yaml:8: slos[3].total: not used with latency\n" +
				"config.yaml:8: slos[3].latency.threshold: must be above 0\n" +
				"config.yaml:9: slos[4].window: must be above 0\n" +
				`config.yaml:9: slos[4].latency.histogram: must be a metric name without _bucket, got "a-b"` + "\n" +
				`config.yaml:9: slos[4].latency.selector: bad selector: 1:4: parse error: unexpected "="`,
		},
		{
			name: "duplicate SLO name",
			in: base + "slos:\n" +
				"  - {name: a, objective: 99, window: 1d, latency: {histogram: h, threshold: 1s}}\n" +
				"  - {name: a, objective: 99, window: 1d, latency: {histogram: h, threshold: 1s}}\n",
			want: `config.yaml:6: slos[1].name: duplicate SLO name "a" (first at config.yaml:5)`,
		},
		{
			name: "import without a file",
			in:   base + "slos:\n  - import:\n",
			want: "config.yaml:5: slos[0].import: must name a file",
		},
		{
			name: "import with other keys",
			in:   base + "slos:\n  - import: slos/openslo.yaml\n    name: a\n    objective: 99\n",
			want: "config.yaml:6: slos[0].name: not allowed with import: an imported file defines the whole SLO\n" +
				"config.yaml:7: slos[0].objective: not allowed with import: an imported file defines the whole SLO",
		},
		{
			name: "bad matcher in triage.hide",
			in:   base + "triage:\n  hide:\n    - match: '{alertname=~\"(\"}'\n    - match: '{}'\n",
			want: "config.yaml:6: triage.hide[0].match: bad matcher: error parsing regexp: missing closing ): `^(?:()$`\n" +
				"config.yaml:7: triage.hide[1].match: no matchers: it would hide every alert",
		},
		{
			name: "triage settings",
			in: base + "triage:\n" +
				"  severity_label: ''\n" +
				"  severity_map: {P0: critical, sev9: fatal}\n" +
				"  heartbeats: [Watchdog, '', Watchdog]\n" +
				"  flapping: {episodes: 1, window: 30s}\n" +
				"  group_by: [alertname, alertname]\n",
			want: "config.yaml:5: triage.severity_label: must name a label; leave it out for the default, severity\n" +
				`config.yaml:6: triage.severity_map.sev9: must be one of critical, warning, info, got "fatal"` + "\n" +
				`config.yaml:7: triage.heartbeats[1]: must be an alertname, got ""` + "\n" +
				`config.yaml:7: triage.heartbeats[2]: "Watchdog" listed twice (first at line 7)` + "\n" +
				"config.yaml:8: triage.flapping.episodes: 1 would hide every alert that fired at all; write at least 2, or 0 to turn flapping off\n" +
				"config.yaml:8: triage.flapping.window: must be at least 1m, got 30s\n" +
				`config.yaml:9: triage.group_by[1]: "alertname" listed twice (first at line 9)`,
		},
		{
			name: "triage keys of the wrong shape",
			in: base + "triage:\n" +
				"  heartbeats: Watchdog\n" +
				"  flapping: {episodes: -2, window: 90500ms, count: 3}\n" +
				"  hold: soon\n" +
				"  group_by: []\n",
			want: `config.yaml:5: triage.heartbeats: expected a list, got "Watchdog"` + "\n" +
				"config.yaml:6: triage.flapping.count: unknown key\n" +
				`config.yaml:7: triage.hold: bad duration "soon"`,
		},
		{
			name: "flapping and group_by values",
			in:   base + "triage:\n  flapping: {episodes: -2, window: 90500ms}\n  group_by: []\n",
			want: "config.yaml:5: triage.flapping.episodes: must be 0 (flapping off) or at least 2, got -2\n" +
				"config.yaml:5: triage.flapping.window: must be whole seconds, got 1m30s500ms\n" +
				"config.yaml:6: triage.group_by: must name at least one label; leave it out for the default, alertname and service",
		},
		{
			name: "notify of the wrong shape",
			in:   base + "notify: off\n",
			want: `config.yaml:4: notify: expected false (no notifications), true, or a mapping of min_severity and cooldown, got "off"`,
		},
		{
			name: "notify settings",
			in:   base + "notify:\n  min_severity: page\n  cooldown: 0s\n",
			want: "config.yaml:5: notify.min_severity: must be one of critical, warning, info, got \"page\"\n" +
				"config.yaml:6: notify.cooldown: must be at least 1s, got 0s; notify: false turns notifications off",
		},
		{
			name: "unknown notify key",
			in:   base + "notify:\n  bell: true\n",
			want: "config.yaml:5: notify.bell: unknown key",
		},
		{
			name: "prometheus alerts",
			in:   base + "    alerts: maybe\n",
			want: "config.yaml:4: prometheus[0].alerts: expected true or false, got a value (not shown: it may be a secret)",
		},
		{
			name: "triage severity",
			in:   base + "triage: {min_severity: page}\n",
			want: `config.yaml:4: triage.min_severity: must be one of critical, warning, info, got "page"`,
		},
		{
			name: "pagerduty",
			in:   base + "pagerduty:\n  token_env: PD\n  token_file: pd-token\n  region: ap\n",
			want: "config.yaml:4: pagerduty: set exactly one of token_env or token_file\n" +
				"config.yaml:4: pagerduty.from: " + fromRequired + "\n" +
				"config.yaml:4: pagerduty: " + scopeRequired + "\n" +
				`config.yaml:7: pagerduty.region: must be us or eu, got "ap"`,
		},
		{
			name: "YAML syntax error",
			in:   base + "services:\n  - name: [api\n",
			want: "config.yaml:5: bad YAML: did not find expected ',' or ']'",
		},
		{
			name: "YAML syntax error on the first line",
			in:   "refresh: 15s: 30s\n",
			want: "config.yaml:1: bad YAML: mapping values are not allowed in this context",
		},
		{
			name: "unknown anchor",
			in:   base + "    basic_auth: *creds\n",
			want: "config.yaml:4: bad YAML: unknown anchor 'creds' referenced",
		},
		{
			name: "alias to an ancestor",
			in:   "prometheus: &p\n  - name: a\n    url: http://a\n    basic_auth: *p\n",
			want: "config.yaml:1: prometheus[0].basic_auth: alias refers to a value that contains it",
		},
		{
			name: "empty file",
			in:   "",
			want: "config.yaml: file is empty",
		},
		{
			name: "only comments",
			in:   "# nothing yet\n",
			want: "config.yaml: file is empty",
		},
		{
			name: "top level is a list",
			in:   "- prometheus\n",
			want: `config.yaml:1: expected a mapping of settings (prometheus, services, slos, ...), got a list`,
		},
		{
			name: "two documents",
			in:   base + "---\nrefresh: 1m\n",
			want: "config.yaml:5: a second YAML document: the config is one document",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("config.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want errors:\n%s", tt.want)
			}
			if c != nil {
				t.Errorf("Parse returned a config with its error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "config.yaml" {
				t.Errorf("errors.As(*Error) = %v, %+v", ce != nil, ce)
			}
		})
	}
}

// slo1 is an SLO entry, starting on line 5 after base, that is missing its objective.
const slo1 = `slos:
  - name: a
    window: 30d
    errors: sum(rate(e[{{.window}}]))
    total: sum(rate(t[{{.window}}]))
`

func TestDesignExample(t *testing.T) {
	c, err := Load("testdata/design.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Refresh != model.Duration(15*time.Second) || c.Timeout != model.Duration(10*time.Second) {
		t.Errorf("refresh, timeout = %v, %v; want 15s, 10s", c.Refresh, c.Timeout)
	}
	p, ok := c.PrometheusByName("prod")
	if !ok || p.URL != "http://127.0.0.1:9090" || !p.HTTP.FollowRedirects || !p.HTTP.EnableHTTP2 {
		t.Errorf("prometheus prod = %+v, %v", p, ok)
	}
	if _, ok := c.PrometheusByName("staging"); ok {
		t.Errorf("PrometheusByName(staging) found an entry")
	}
	if a, ok := c.AlertmanagerByName("prod"); !ok || a.URL != "http://127.0.0.1:9093" {
		t.Errorf("alertmanager prod = %+v, %v", a, ok)
	}
	wantPD := &PagerDuty{TokenEnv: "PAGERDUTY_TOKEN", From: "oncall@example.com", Region: "us", Services: []string{"PABC123"}, RequestsPerMinute: 60}
	if !reflect.DeepEqual(c.PagerDuty, wantPD) {
		t.Errorf("pagerduty = %+v, want %+v", c.PagerDuty, wantPD)
	}
	if s := c.Signals; s.Prometheus != "prod" || s.By != "job" ||
		s.Traffic != "sum by (job) (rate(http_requests_total[5m]))" {
		t.Errorf("signals = %+v", s)
	}
	if len(c.Services) != 2 {
		t.Fatalf("services = %+v", c.Services)
	}
	api, checkout := c.Services[0], c.Services[1]
	if api.Name != "api" || api.Prometheus != "prod" || api.Latency != "" || api.Thresholds != nil {
		t.Errorf("services[0] = %+v", api)
	}
	if checkout.Name != "checkout" || checkout.Saturation != `max(process_resident_memory_bytes{job="checkout"} / 1e9)` {
		t.Errorf("services[1] = %+v", checkout)
	}
	th := checkout.Thresholds
	if th == nil || *th.Latency != (Threshold{Value: 0.3}) || *th.Errors != (Threshold{Value: 0.01}) || *th.Saturation != (Threshold{Value: 0.8}) {
		t.Errorf("services[1].thresholds = %+v", th)
	}
	wantSLO := slo.Definition{
		Name:      "checkout-availability",
		Service:   "checkout",
		Objective: 0.999,
		Window:    30 * 24 * time.Hour,
		SLI: slo.SLI{
			Errors: `sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))`,
			Total:  `sum(rate(http_requests_total{job="checkout"}[{{.window}}]))`,
		},
		Origin: "testdata/design.yaml:32",
	}
	if len(c.SLODefs) != 1 || !reflect.DeepEqual(c.SLODefs[0], wantSLO) {
		t.Errorf("SLODefs = %+v\nwant [%+v]", c.SLODefs, wantSLO)
	}
	if got := c.SLOPrometheus; !reflect.DeepEqual(got, map[string]string{"checkout-availability": "prod"}) {
		t.Errorf("SLOPrometheus = %v", got)
	}
	wantTriage := Triage{MinSeverity: "warning", Hide: []HideRule{{Match: `{alertname="Watchdog"}`, Reason: "heartbeat, never actionable"}},
		Flapping: Flapping{Episodes: 4, Window: model.Duration(time.Hour)}, Hold: model.Duration(2 * time.Minute)}
	if !reflect.DeepEqual(c.Triage, wantTriage) {
		t.Errorf("triage = %+v", c.Triage)
	}
	if c.File != "testdata/design.yaml" {
		t.Errorf("File = %q", c.File)
	}
}

func TestHTTPClientFields(t *testing.T) {
	c, err := Parse("testdata/http.yaml", mustRead(t, "testdata/http.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout != model.Duration(5*time.Second) || c.Refresh != model.Duration(15*time.Second) {
		t.Errorf("timeout, refresh = %v, %v", c.Timeout, c.Refresh)
	}
	mimir := c.Prometheus[0].HTTP
	if ba := mimir.BasicAuth; ba == nil || ba.Username != "vigil" || ba.PasswordFile != filepath.Join("testdata", "secrets", "mimir-password") {
		t.Errorf("basic_auth = %+v", ba)
	}
	tls := mimir.TLSConfig
	if tls.CAFile != filepath.Join("testdata", "certs", "ca.pem") || tls.ServerName != "mimir.internal" || tls.MinVersion.String() != "TLS12" {
		t.Errorf("tls_config = %+v", tls)
	}
	if u := mimir.ProxyURL.URL; u == nil || u.String() != "http://proxy.example.com:3128" {
		t.Errorf("proxy_url = %v", u)
	}
	if h := mimir.HTTPHeaders; h == nil || !reflect.DeepEqual(h.Headers["X-Scope-OrgID"].Values, []string{"tenant-1"}) {
		t.Errorf("http_headers = %+v", h)
	}
	if !mimir.FollowRedirects || !mimir.EnableHTTP2 {
		t.Errorf("mimir follow_redirects, enable_http2 = %v, %v; want the defaults, true", mimir.FollowRedirects, mimir.EnableHTTP2)
	}
	thanos := c.Prometheus[1].HTTP
	if a := thanos.Authorization; a == nil || a.Type != "Bearer" || a.CredentialsFile != "/etc/vigil/thanos-token" {
		t.Errorf("thanos authorization = %+v", a)
	}
	if thanos.FollowRedirects || !thanos.EnableHTTP2 {
		t.Errorf("thanos follow_redirects, enable_http2 = %v, %v; want false, true", thanos.FollowRedirects, thanos.EnableHTTP2)
	}
	if a := c.Alertmanager[0].HTTP.Authorization; a == nil || a.Type != "Bearer" || string(a.Credentials) != "s3cret" {
		t.Errorf("alertmanager authorization = %+v", a)
	}
	if s := c.Signals; s.Prometheus != "thanos" || s.By != "service" || *s.Thresholds.Latency != (Threshold{Value: 0.25}) {
		t.Errorf("signals = %+v", s)
	}
	if c.Services[0].Prometheus != "thanos" || c.Services[1].Prometheus != "mimir" {
		t.Errorf("services prometheus = %q, %q; want the profile's, then its own", c.Services[0].Prometheus, c.Services[1].Prometheus)
	}
	wantDefs := []slo.Definition{
		{
			Name: "search-latency", Service: "search", Objective: 0.99, Window: 7 * 24 * time.Hour,
			SLI:    slo.SLI{Latency: &slo.LatencySLI{Histogram: "http_request_duration_seconds", Selector: `{service="search"}`, Threshold: 500 * time.Millisecond}},
			Origin: "testdata/http.yaml:42",
		},
		{
			Name: "api-good", Objective: 0.995, Window: 28 * 24 * time.Hour,
			SLI: slo.SLI{
				Good:  `sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))`,
				Total: `sum(rate(http_requests_total[{{.window}}]))`,
			},
			Origin: "testdata/http.yaml:51",
		},
	}
	if !reflect.DeepEqual(c.SLODefs, wantDefs) {
		t.Errorf("SLODefs = %+v\nwant %+v", c.SLODefs, wantDefs)
	}
	if got := c.SLOPrometheus; !reflect.DeepEqual(got, map[string]string{"search-latency": "mimir", "api-good": "mimir"}) {
		t.Errorf("SLOPrometheus = %v", got)
	}
	if pd := c.PagerDuty; pd.Region != "eu" || pd.TokenFile != filepath.Join("testdata", "secrets", "pd-token") {
		t.Errorf("pagerduty = %+v", pd)
	}
}

func TestLoadResolvesAgainstConfigDir(t *testing.T) {
	// Load reads every file the config names, relative to the config's directory; the
	// files testdata/http.yaml names are not there.
	_, err := Load("testdata/http.yaml")
	abs, _ := filepath.Abs("testdata")
	want := fmt.Sprintf("testdata/http.yaml:8: prometheus[0].basic_auth.password_file: cannot read %[1]s/secrets/mimir-password: no such file or directory\n"+
		"testdata/http.yaml:10: prometheus[0].tls_config.ca_file: cannot read %[1]s/certs/ca.pem: no such file or directory\n"+
		"testdata/http.yaml:21: prometheus[1].authorization.credentials_file: cannot read /etc/vigil/thanos-token: no such file or directory\n"+
		"testdata/http.yaml:57: pagerduty.token_file: cannot read %[1]s/secrets/pd-token: no such file or directory", abs)
	if err == nil || err.Error() != want {
		t.Errorf("Load with missing files = %v\nwant %s", err, want)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "pd-token"), "token\n", 0o600)
	write(t, filepath.Join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n", 0o644)
	write(t, filepath.Join(dir, "config.yaml"), base+"  - name: tls\n    url: https://x\n    tls_config: {ca_file: ca.pem}\npagerduty: {token_file: pd-token, read_only: true, scope: account}\n", 0o644)
	c, err := Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Prometheus[1].HTTP.TLSConfig.CAFile, filepath.Join(dir, "ca.pem"); got != want {
		t.Errorf("ca_file = %q, want %q", got, want)
	}
	if got, want := c.PagerDuty.TokenFile, filepath.Join(dir, "pd-token"); got != want {
		t.Errorf("token_file = %q, want %q", got, want)
	}
}

func TestTokenFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no group and other permission bits")
	}
	dir := t.TempDir()
	token := filepath.Join(dir, "pd-token")
	write(t, token, "token\n", 0o644)
	file := filepath.Join(dir, "config.yaml")
	write(t, file, base+"pagerduty:\n  token_file: pd-token\n  read_only: true\n  scope: account\n", 0o644)

	_, err := Load(file)
	want := fmt.Sprintf("%s:5: pagerduty.token_file: %s is accessible by group or others (mode 0644): chmod 600 %s", file, token, token)
	if err == nil || err.Error() != want {
		t.Errorf("Load = %v\nwant %s", err, want)
	}
	// Parse reads no secrets, so it does not look at the file either.
	if _, err := Parse(file, mustRead(t, file)); err != nil {
		t.Errorf("Parse = %v", err)
	}
	if err := os.Chmod(token, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file); err != nil {
		t.Errorf("Load with mode 0600 = %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load = %v, want a not-exist error", err)
	}
}

func TestImports(t *testing.T) {
	var asked []string
	imported := func(path string) ([]slo.Definition, []slo.Skipped, error) {
		asked = append(asked, path)
		switch filepath.Base(path) {
		case "pyrra.yaml":
			return []slo.Definition{
					{Name: "api-availability", Objective: 0.99, Window: 28 * 24 * time.Hour, Origin: "slos/pyrra.yaml (pyrra)"},
					{Name: "checkout-availability", Objective: 0.99, Window: 28 * 24 * time.Hour, Origin: "slos/pyrra.yaml (pyrra)"},
				},
				[]slo.Skipped{{File: "slos/pyrra.yaml", Line: 12, Name: "x", Reason: "timeslices budgeting method is not supported"}},
				nil
		}
		return nil, nil, fmt.Errorf("open %s: no such file or directory", path)
	}
	in := base + `slos:
  - name: checkout-availability
    objective: 99.9
    window: 30d
    latency: {histogram: h, threshold: 1s}
  - import: slos/pyrra.yaml
  - import: /abs/missing.yaml
`
	_, err := parse("etc/vigil/config.yaml", "etc/vigil", []byte(in), options{importFile: imported})
	want := `etc/vigil/config.yaml:9: slos[1].import: duplicate SLO name "checkout-availability" (first at etc/vigil/config.yaml:5)` + "\n" +
		`etc/vigil/config.yaml:10: slos[2].import: open /abs/missing.yaml: no such file or directory`
	if err == nil || err.Error() != want {
		t.Errorf("errors:\n%v\nwant:\n%s", err, want)
	}
	if wantAsked := []string{filepath.Join("etc", "vigil", "slos", "pyrra.yaml"), "/abs/missing.yaml"}; !reflect.DeepEqual(asked, wantAsked) {
		t.Errorf("imported %q, want %q", asked, wantAsked)
	}

	in = base + "slos:\n  - import: slos/pyrra.yaml\n"
	c, err := parse("config.yaml", ".", []byte(in), options{importFile: imported})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SLODefs) != 2 || c.SLODefs[1].Name != "checkout-availability" || len(c.SLOSkipped) != 1 {
		t.Errorf("SLODefs = %+v, SLOSkipped = %+v", c.SLODefs, c.SLOSkipped)
	}
	if got := c.SLOPrometheus; !reflect.DeepEqual(got, map[string]string{"api-availability": "prod", "checkout-availability": "prod"}) {
		t.Errorf("SLOPrometheus = %v", got)
	}
	// Validate again must not import twice into the same lists.
	if err := c.validate(options{importFile: imported}); err != nil || len(c.SLODefs) != 2 || len(c.SLOSkipped) != 1 {
		t.Errorf("second validate: %v, %d defs, %d skipped", err, len(c.SLODefs), len(c.SLOSkipped))
	}
}

func TestDefaults(t *testing.T) {
	in := `prometheus:
  - {name: first, url: "http://a:9090"}
  - {name: second, url: "http://b:9090"}
refresh:
services:
  - name: api
    traffic: sum(rate(x[5m]))
slos:
  - {name: s, objective: 99, window: 1d, latency: {histogram: h, threshold: 1s}}
pagerduty: {token_env: PD, from: oncall@example.com, user_id: PU1}
`
	c, err := Parse("config.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if c.Refresh != model.Duration(15*time.Second) {
		t.Errorf("refresh written without a value = %v, want the default 15s", c.Refresh)
	}
	if c.Services[0].Prometheus != "first" || c.SLOs[0].Prometheus != "first" || c.SLOPrometheus["s"] != "first" {
		t.Errorf("prometheus defaults: service %q, slo %q", c.Services[0].Prometheus, c.SLOs[0].Prometheus)
	}
	if c.PagerDuty.Region != "us" {
		t.Errorf("region = %q", c.PagerDuty.Region)
	}
	if c.Signals != nil {
		t.Errorf("signals = %+v, want nil", c.Signals)
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	in := `prometheus:
  - name: a
    url: http://a:9090
    basic_auth: &auth {username: vigil, password: pw}
    http_headers: &tenant
      X-Scope-OrgID: {values: [t1]}
  - name: b
    url: http://b:9090
    basic_auth:
      <<: *auth
      username: other
    http_headers: *tenant
`
	c, err := Parse("config.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Prometheus[1].HTTP
	if b.BasicAuth.Username != "other" || b.BasicAuth.Password != "pw" {
		t.Errorf("merged basic_auth = %+v", b.BasicAuth)
	}
	if b.HTTPHeaders.Headers["X-Scope-OrgID"].Values[0] != "t1" {
		t.Errorf("aliased http_headers = %+v", b.HTTPHeaders)
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	c := &Config{
		Prometheus: []Prometheus{{Name: "p", URL: "http://p:9090"}, {Name: "p", URL: "http://q:9090"}},
		SLOs:       []SLO{{Name: "x", Objective: 100, Window: model.Duration(time.Hour), Latency: &LatencySLI{Histogram: "h", Threshold: model.Duration(time.Second)}}},
	}
	err := c.Validate()
	want := `prometheus[1].name: duplicate name "p" (first at prometheus[0].name)` + "\n" + "slos[0].objective: must be below 100"
	if err == nil || err.Error() != want {
		t.Errorf("Validate = %v\nwant %s", err, want)
	}
	if c.Refresh != model.Duration(15*time.Second) {
		t.Errorf("refresh = %v, want the default", c.Refresh)
	}
}

func TestDefaultPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the home directory comes from USERPROFILE on Windows")
	}
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	t.Setenv("HOME", "/home/op")
	if got, want := DefaultPath(), filepath.Join("/xdg", "vigil", "config.yaml"); got != want {
		t.Errorf("DefaultPath = %q, want %q", got, want)
	}
	for _, xdg := range []string{"", "relative"} {
		t.Setenv("XDG_CONFIG_HOME", xdg)
		if got, want := DefaultPath(), filepath.Join("/home/op", ".config", "vigil", "config.yaml"); got != want {
			t.Errorf("XDG_CONFIG_HOME=%q: DefaultPath = %q, want %q", xdg, got, want)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "c.yaml", Line: 3, Path: "a.b", Msg: "m"}, "c.yaml:3: a.b: m"},
		{Error{File: "c.yaml", Msg: "m"}, "c.yaml: m"},
		{Error{Line: 3, Path: "a", Msg: "m"}, "line 3: a: m"},
		{Error{Path: "a", Msg: "m"}, "a: m"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
		if strings.Contains(tt.e.Error(), "\n") {
			t.Errorf("%+v: more than one line", tt.e)
		}
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; the tests need it exact.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
