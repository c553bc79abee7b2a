package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// longQuery is a valid PromQL query of n bytes (n odd).
func longQuery(n int) string {
	return strings.Repeat("a+", n/2) + "a"
}

func TestLimitsAndLoadTimeChecks(t *testing.T) {
	long := longQuery(MaxQueryBytes + 1)
	tooLong := fmt.Sprintf("query is %d bytes, more than the 16 KiB limit", len(long))
	many := func(n int) string {
		var b strings.Builder
		b.WriteString(base + "services:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - name: svc%d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "refresh below 1s",
			in:   base + "refresh: 500ms\n",
			want: "config.yaml:4: refresh: must be at least 1s, got 500ms",
		},
		{
			name: "timeout longer than refresh",
			in:   base + "refresh: 5s\ntimeout: 6s\n",
			want: "config.yaml:5: timeout: must not be longer than refresh (5s): a poll must end before the next is due",
		},
		{
			name: "queries too long, every kind",
			in: base + "signals:\n  latency: " + long + "\n  health: " + long + "\n" +
				"services:\n  - name: api\n    errors: " + long + "\n" +
				"slos:\n  - name: a\n    objective: 99\n    window: 1d\n    good: " + long + "\n    total: " + long + "\n" +
				"  - name: b\n    objective: 99\n    window: 1d\n    latency: {histogram: h, threshold: 1s, selector: '" + long + "'}\n" +
				"triage:\n  hide:\n    - match: '" + long + "'\n",
			want: "config.yaml:5: signals.latency: " + tooLong + "\n" +
				"config.yaml:6: signals.health: " + tooLong + "\n" +
				"config.yaml:9: services[0].errors: " + tooLong + "\n" +
				"config.yaml:14: slos[0].good: " + tooLong + "\n" +
				"config.yaml:15: slos[0].total: " + tooLong + "\n" +
				"config.yaml:19: slos[1].latency.selector: " + tooLong + "\n" +
				"config.yaml:22: triage.hide[0].match: " + tooLong,
		},
		{
			name: "100,000 services",
			in:   many(100_000),
			want: "config.yaml:4: services: 100000 services are more than vigil's limit of 50000",
		},
		{
			name: "a list past the limit",
			in:   base + "pagerduty:\n  token_env: PD\n  services: [" + strings.Repeat("P,", maxEntries) + "P]\n",
			want: "config.yaml:6: pagerduty.services: 50001 entries are more than vigil's limit of 50000 for a list",
		},
		{
			name: "a mapping past the limit",
			in:   base + "    http_headers:\n" + headers(maxEntries+1),
			want: "config.yaml:4: prometheus[0].http_headers: 50001 entries are more than vigil's limit of 50000 for a mapping",
		},
		{
			name: "proxy scheme",
			in:   base + "    proxy_url: file:///etc/passwd\n",
			want: `config.yaml:4: prometheus[0].proxy_url: must be an http://, https:// or socks5:// URL, got "file:///etc/passwd"`,
		},
		{
			name: "proxy scheme, with credentials",
			in:   base + "    proxy_url: ftp://user:Canary-Pr0xy@proxy:21\n",
			want: `config.yaml:4: prometheus[0].proxy_url: must be an http://, https:// or socks5:// URL, got "ftp://user:xxxxx@proxy:21"`,
		},
		{
			name: "proxy URL that does not parse, with credentials",
			in:   base + "    proxy_url: http://user:Canary/Pr0xy@proxy:port\n",
			want: `config.yaml:4: prometheus[0].proxy_url: not a valid URL: "http://user:xxxxx@proxy:port"`,
		},
		{
			name: "oauth2 proxy and token URL",
			in:   base + "    oauth2: {client_id: c, token_url: 'file:///t', proxy_url: 'gopher://p'}\n",
			want: `config.yaml:4: prometheus[0].oauth2.token_url: must be an http:// or https:// URL, got "file:///t"` + "\n" +
				`config.yaml:4: prometheus[0].oauth2.proxy_url: must be an http://, https:// or socks5:// URL, got "gopher://p"`,
		},
		{
			name: "header values with CR or LF, and a bad header name",
			in: base + "    http_headers:\n" +
				"      X-Scope-OrgID:\n        values: [\"t1\\r\\nX-Evil: 1\"]\n        secrets: [\"s\\n\"]\n" +
				"      X-Tab: {values: [\"a\\tb\", \"a\\x00b\"]}\n" +
				"      \"X Bad\": {values: [v]}\n" +
				"    proxy_url: http://proxy:3128\n" +
				"    proxy_connect_header:\n      Proxy-Authorization: [\"Basic x\\ny\"]\n",
			want: `config.yaml:6: prometheus[0].http_headers.X-Scope-OrgID.values[0]: contains a line break (CR or LF): a header value must be one line` + "\n" +
				`config.yaml:7: prometheus[0].http_headers.X-Scope-OrgID.secrets[0]: contains a line break (CR or LF): a header value must be one line` + "\n" +
				`config.yaml:8: prometheus[0].http_headers.X-Tab.values[1]: contains a control character` + "\n" +
				`config.yaml:9: prometheus[0].http_headers.X Bad: not a valid header name` + "\n" +
				`config.yaml:12: prometheus[0].proxy_connect_header.Proxy-Authorization[0]: contains a line break (CR or LF): a header value must be one line`,
		},
		{
			name: "health is PromQL",
			in:   base + "signals:\n  health: min by (job) (up\n",
			want: "config.yaml:5: signals.health: bad PromQL: 1:17: parse error: unclosed left parenthesis",
		},
		{
			name: "health must be a vector",
			in:   base + "signals:\n  health: up[5m]\n",
			want: "config.yaml:5: signals.health: must return an instant vector or a scalar, not a matrix",
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
		})
	}
}

func TestRefreshDefaultsAndWarning(t *testing.T) {
	for _, tt := range []struct {
		in               string
		refresh, timeout time.Duration
		warnings         []string
	}{
		{in: "", refresh: 15 * time.Second, timeout: 10 * time.Second},
		{in: "refresh: 5s\n", refresh: 5 * time.Second, timeout: 5 * time.Second},
		{in: "refresh: 1s\ntimeout: 1s\n", refresh: time.Second, timeout: time.Second, warnings: []string{
			"config.yaml:4: refresh: 1s asks every source 60 times a minute; 5s or more spares Prometheus and PagerDuty's rate limit",
		}},
		{in: "refresh: 2s\n", refresh: 2 * time.Second, timeout: 2 * time.Second, warnings: []string{
			"config.yaml:4: refresh: 2s asks every source 30 times a minute; 5s or more spares Prometheus and PagerDuty's rate limit",
		}},
	} {
		c, err := Parse("config.yaml", []byte(base+tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if time.Duration(c.Refresh) != tt.refresh || time.Duration(c.Timeout) != tt.timeout {
			t.Errorf("%q: refresh, timeout = %v, %v; want %v, %v", tt.in, c.Refresh, c.Timeout, tt.refresh, tt.timeout)
		}
		if !reflect.DeepEqual(c.Warnings, tt.warnings) {
			t.Errorf("%q: warnings = %q, want %q", tt.in, c.Warnings, tt.warnings)
		}
		// Validating again does not repeat a warning.
		if err := c.Validate(); err != nil || len(c.Warnings) != len(tt.warnings) {
			t.Errorf("%q: Validate again = %v, warnings %q", tt.in, err, c.Warnings)
		}
	}
}

// A service may have no queries at all (it is there for its SLOs), and an SLO's service
// need not be listed.
func TestSLOOnlyServices(t *testing.T) {
	in := base + "services:\n  - name: api\n" +
		"slos:\n  - {name: a, service: api, objective: 99.9, window: 30d, latency: {histogram: h, threshold: 1s}}\n" +
		"  - {name: b, service: unlisted, objective: 99.9, window: 30d, latency: {histogram: h, threshold: 1s}}\n"
	c, err := Parse("config.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services) != 1 || c.Services[0].Prometheus != "prod" || len(c.SLODefs) != 2 || c.SLODefs[1].Service != "unlisted" {
		t.Errorf("services %+v, SLOs %+v", c.Services, c.SLODefs)
	}
}

func TestLimitsLeaveRoom(t *testing.T) {
	// A query of exactly MaxQueryBytes is fine.
	q := longQuery(MaxQueryBytes - 1)
	if _, err := Parse("config.yaml", []byte(base+"signals:\n  traffic: "+q+"\n")); err != nil {
		t.Errorf("a %d-byte query: %v", len(q), err)
	}
	// Proxies net/http can use.
	for _, p := range []string{"http://proxy:3128", "https://u:p@proxy", "socks5://proxy:1080", "socks5h://proxy:1080"} {
		if _, err := Parse("config.yaml", []byte(base+"    proxy_url: "+p+"\n")); err != nil {
			t.Errorf("proxy_url %s: %v", p, err)
		}
	}
	// 10,000 services, each with a query of its own, read quickly: the first run of
	// another issue needs that many.
	var b strings.Builder
	b.WriteString(base + "signals:\n  traffic: sum by (job) (rate(http_requests_total[5m]))\nservices:\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "  - name: svc%d\n    errors: sum(rate(errors_total{job=\"svc%d\"}[5m]))\n", i, i)
	}
	start := time.Now()
	c, err := Parse("config.yaml", []byte(b.String()))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services) != 10_000 || c.Refresh != model.Duration(15*time.Second) {
		t.Errorf("read %d services", len(c.Services))
	}
	if took > 10*time.Second {
		t.Errorf("10,000 services took %v to read", took)
	}
	t.Logf("10,000 services with a query each: %v", took)
}

// The walk's budget is for what aliases add: a large file written out in full is read
// (and refused for what it is), an alias bomb is stopped.
func TestAliasBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("prometheus:\n  - name: p0\n    url: http://x\n    http_headers: &h\n      H0: &v {values: [a, a, a, a, a, a, a, a, a, a]}\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "      H%d: *v\n", i)
	}
	for i := 1; i < 2000; i++ {
		fmt.Fprintf(&b, "  - {name: p%d, url: http://x, http_headers: *h}\n", i)
	}
	_, err := Parse("config.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), ": aliases expand to more than 200000 values") {
		t.Errorf("an alias bomb: %v", err)
	}
}

func headers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      X-H%d: {values: [v]}\n", i)
	}
	return b.String()
}

// A file of many mistakes reports the first hundred and says more follow.
func TestManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(base + "services:\n")
	for i := range 150 {
		fmt.Fprintf(&b, "  - {name: s%d, traffic: 'sum('}\n", i)
	}
	_, err := Parse("config.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	last := "config.yaml:105: more errors from here on; the first 100 are above"
	if len(lines) != maxErrors+1 || lines[len(lines)-1] != last || lines[0] != "config.yaml:5: services[0].traffic: bad PromQL: 1:5: parse error: unclosed left parenthesis" {
		t.Errorf("%d lines, first %q, last %q; want %d, the first error, %q", len(lines), lines[0], lines[len(lines)-1], maxErrors+1, last)
	}
	// The walk stops as early: many unknown keys.
	b.Reset()
	b.WriteString(base)
	for i := range 150 {
		fmt.Fprintf(&b, "k%d: x\n", i)
	}
	_, err = Parse("config.yaml", []byte(b.String()))
	if lines := strings.Split(err.Error(), "\n"); len(lines) != maxErrors+1 || lines[maxErrors] != "config.yaml:104: more errors from here on; the first 100 are above" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
