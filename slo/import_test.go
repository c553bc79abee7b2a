package slo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func slothRec(service, slo string) *Recording {
	id := service + "-" + slo
	r := &Recording{Generator: "sloth", ErrorRatio: map[time.Duration]string{}}
	for _, w := range []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"} {
		d := map[string]time.Duration{"5m": 5 * time.Minute, "30m": 30 * time.Minute, "1h": time.Hour,
			"2h": 2 * time.Hour, "6h": 6 * time.Hour, "1d": day, "3d": 3 * day}[w]
		r.ErrorRatio[d] = fmt.Sprintf(`slo:sli_error:ratio_rate%s{sloth_id=%q,sloth_service=%q,sloth_slo=%q}`, w, id, service, slo)
	}
	return r
}

func TestImportFile(t *testing.T) {
	const (
		openslo = "testdata/openslo.yaml"
		sloth   = "testdata/sloth.yaml"
		pyrra   = "testdata/pyrra.yaml"
	)
	paymentsSLI := SLI{
		Errors: `sum(rate(payments_failed_total{env="prod"}[{{.window}}] offset 1m))`,
		Total:  `sum(rate(payments_total{env="prod"}[{{.window}}] offset 1m))`,
	}
	for _, tc := range []struct {
		file    string
		defs    []Definition
		skipped []string
	}{
		{file: openslo, defs: []Definition{
			{
				Name: "checkout-availability", Service: "checkout", Objective: 0.999, Window: 28 * day,
				SLI: SLI{
					Errors: `sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))`,
					Total:  `sum(rate(http_requests_total{job="checkout"}[{{.window}}]))`,
				},
				Origin: openslo + ":34 (openslo)",
			},
			{
				Name: "search-availability", Service: "search", Objective: 0.995, Window: 7 * day,
				SLI: SLI{
					Good:  `sum(rate(search_requests_total{code!~"5.."}[{{.window}}]))`,
					Total: `sum(rate(search_requests_total[{{.window}}]))`,
				},
				Origin: openslo + ":50 (openslo)",
			},
			{
				Name: "payments/strict", Service: "payments", Objective: 0.999, Window: 30 * day,
				SLI: paymentsSLI, Origin: openslo + ":104 (openslo)",
			},
			{
				Name: "payments/2", Service: "payments", Objective: 0.99, Window: 30 * day,
				SLI: paymentsSLI, Origin: openslo + ":106 (openslo)",
			},
			{
				Name: "wifi", Service: "home", Objective: 0.95, Window: 7 * day,
				SLI:    SLI{ErrorRatio: `1 - (avg_over_time(wifi:up:ratio[{{.window}}]))`},
				Origin: openslo + ":108 (openslo)",
			},
		}},
		{file: sloth, defs: []Definition{
			{
				Name: "myservice-requests-availability", Service: "myservice", Objective: 0.999, Window: 30 * day,
				SLI: SLI{
					Errors: `sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))`,
					Total:  `sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))`,
				},
				Origin:    sloth + ":7 (sloth)",
				Recording: slothRec("myservice", "requests-availability"),
			},
			{
				Name: "myservice-wifi-up", Service: "myservice", Objective: 0.95, Window: 30 * day,
				SLI:       SLI{ErrorRatio: `1 - avg_over_time(wifi_up[{{.window}}])`},
				Origin:    sloth + ":19 (sloth)",
				Recording: slothRec("myservice", "wifi-up"),
			},
			{
				Name: "k8s-apiserver-requests-availability", Service: "k8s-apiserver", Objective: 0.9995, Window: 30 * day,
				SLI: SLI{
					Errors: `sum(rate(apiserver_request_total{code=~"(5..|429)"}[{{.window}}]))`,
					Total:  `sum(rate(apiserver_request_total[{{.window}}]))`,
				},
				Origin:    sloth + ":37 (sloth)",
				Recording: slothRec("k8s-apiserver", "requests-availability"),
			},
		}},
		{file: pyrra, defs: []Definition{
			{
				Name: "coredns-response-errors", Service: "coredns", Objective: 0.9999, Window: 28 * day,
				SLI: SLI{
					Errors: `sum(rate(coredns_dns_responses_total{job="coredns",rcode="SERVFAIL"}[{{.window}}]))`,
					Total:  `sum(rate(coredns_dns_responses_total{job="coredns"}[{{.window}}]))`,
				},
				Origin: pyrra + ":3 (pyrra)",
				Recording: &Recording{Generator: "pyrra", ErrorRatio: map[time.Duration]string{
					5 * time.Minute:  `coredns_dns_responses:burnrate5m{slo="coredns-response-errors"}`,
					30 * time.Minute: `coredns_dns_responses:burnrate30m{slo="coredns-response-errors"}`,
					time.Hour:        `coredns_dns_responses:burnrate1h{slo="coredns-response-errors"}`,
					2 * time.Hour:    `coredns_dns_responses:burnrate2h{slo="coredns-response-errors"}`,
					6 * time.Hour:    `coredns_dns_responses:burnrate6h{slo="coredns-response-errors"}`,
					day:              `coredns_dns_responses:burnrate1d{slo="coredns-response-errors"}`,
				}},
			},
			{
				Name: "apiserver-read-latency", Service: "kube-apiserver", Objective: 0.99, Window: 14 * day,
				SLI: SLI{Latency: &LatencySLI{
					Histogram: "apiserver_request_duration_seconds",
					Selector:  `{job="apiserver",verb=~"LIST|GET"}`,
					Threshold: time.Second,
				}},
				Origin: pyrra + ":18 (pyrra)",
				Recording: &Recording{Generator: "pyrra", ErrorRatio: map[time.Duration]string{
					30 * time.Minute: `apiserver_request_duration_seconds:burnrate30m{slo="apiserver-read-latency"}`,
					time.Hour:        `apiserver_request_duration_seconds:burnrate1h{slo="apiserver-read-latency"}`,
				}},
			},
			{
				Name: "caddy-latency", Service: "", Objective: 0.995, Window: 30 * day,
				SLI: SLI{
					Good:  `sum(rate(caddy_http_request_duration_seconds_bucket{handler="reverse_proxy",le="0.25"}[{{.window}}]))`,
					Total: `sum(rate(caddy_http_request_duration_seconds_count{handler="reverse_proxy",code!~"5.."}[{{.window}}]))`,
				},
				Origin: pyrra + ":35 (pyrra)",
				Recording: &Recording{Generator: "pyrra", ErrorRatio: map[time.Duration]string{
					5 * time.Minute: `caddy_http_request_duration_seconds:burnrate5m{slo="caddy-latency"}`,
				}},
			},
		}},
		{file: "testdata/unsupported-kind.yaml", skipped: []string{
			`1: checkout: skipped: apiVersion "apps/v1" kind "Deployment" is not an OpenSLO, Sloth or Pyrra SLO`,
			`8: old-style: skipped: OpenSLO openslo/v1alpha is not supported, only openslo/v1`,
			`15: made-up: skipped: OpenSLO kind "Composite" is not supported`,
			`20: (unnamed): skipped: Sloth spec version "prometheus/v2" is not supported, only prometheus/v1`,
			`24: (unnamed): skipped: not a mapping: not an OpenSLO, Sloth or Pyrra document`,
			`25: (unnamed): skipped: not a mapping: not an OpenSLO, Sloth or Pyrra document`,
		}},
		{file: "testdata/unsupported-openslo-threshold.yaml", skipped: []string{
			`30: latency-p99: skipped: threshold metrics are not supported, only ratioMetric`,
		}},
		{file: "testdata/unsupported-openslo-timeslices.yaml", skipped: []string{
			`1: uptime: skipped: timeslices budgeting method is not supported, only occurrences`,
		}},
		{file: "testdata/unsupported-openslo-calendar.yaml", skipped: []string{
			`1: monthly: skipped: calendar-aligned time windows are not supported, only rolling ones`,
			`17: rolling-month: skipped: time window 1M: months, quarters and years are not supported, only m, h, d and w`,
		}},
		{file: "testdata/unsupported-openslo-datadog.yaml", skipped: []string{
			`1: foo-slo: skipped: metric source type Datadog is not supported, only Prometheus`,
		}},
		{file: "testdata/unsupported-openslo-query.yaml", skipped: []string{
			`1: rate-5m: skipped: query "sum(rate(http_requests_total{code=~\"5..\"}[5m]))" is neither a counter selector nor written with [{{.window}}]`,
		}},
		{file: "testdata/unsupported-openslo-gauge.yaml", skipped: []string{
			`1: queue-gauge: skipped: ratioMetric with counter: false (gauges) is not supported; write the query with [{{.window}}]`,
		}},
		{file: "testdata/unsupported-sloth-plugin.yaml", skipped: []string{
			`4: myservice-requests-availability: skipped: sloth SLI plugins are not supported (plugin "sloth-common/kubernetes/apiserver/availability")`,
			`11: myservice-perfect: skipped: objective 100% leaves no error budget to burn`,
		}},
		{file: "testdata/unsupported-pyrra-boolgauge.yaml", skipped: []string{
			`1: probe-success: skipped: bool_gauge indicators are not supported`,
		}},
		{file: "testdata/unsupported-pyrra-native.yaml", skipped: []string{
			`1: native-latency: skipped: latencyNative (native histogram) indicators are not supported`,
		}},
		{file: "testdata/unsupported-pyrra-grouping.yaml", skipped: []string{
			`1: per-handler: skipped: grouping (one SLO per label value) is not supported`,
		}},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			defs, skipped, err := ImportFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(defs) != len(tc.defs) {
				t.Errorf("%d definitions, want %d", len(defs), len(tc.defs))
			}
			for i := range min(len(defs), len(tc.defs)) {
				if !reflect.DeepEqual(defs[i], tc.defs[i]) {
					t.Errorf("definition %d:\n got %s\nwant %s", i, dump(defs[i]), dump(tc.defs[i]))
				}
			}
			var got []string
			for _, s := range skipped {
				got = append(got, strings.TrimPrefix(s.String(), tc.file+":"))
			}
			if !reflect.DeepEqual(got, tc.skipped) {
				t.Errorf("skipped:\n got %q\nwant %q", got, tc.skipped)
			}
		})
	}
}

func dump(d Definition) string {
	s := fmt.Sprintf("%+v", d)
	if d.SLI.Latency != nil {
		s += fmt.Sprintf(" latency=%+v", *d.SLI.Latency)
	}
	if d.Recording != nil {
		s += fmt.Sprintf(" recording=%+v", *d.Recording)
	}
	return s
}

func TestImportSkippedFields(t *testing.T) {
	_, skipped, err := ImportFile("testdata/unsupported-pyrra-grouping.yaml")
	want := []Skipped{{
		File: "testdata/unsupported-pyrra-grouping.yaml", Line: 1, Name: "per-handler",
		Reason: "grouping (one SLO per label value) is not supported",
	}}
	if err != nil || !reflect.DeepEqual(skipped, want) {
		t.Errorf("got %+v, %v; want %+v", skipped, err, want)
	}
}

func TestImportErrors(t *testing.T) {
	if _, _, err := ImportFile("testdata/malformed.yaml"); err == nil ||
		err.Error() != "testdata/malformed.yaml:7: did not find expected ',' or ']'" {
		t.Errorf("malformed.yaml: %v", err)
	}
	if _, _, err := ImportFile("testdata/absent.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}

	pyrra := func(spec string) string {
		return "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: p\nspec:\n" + spec
	}
	ratio := "  indicator:\n    ratio:\n      errors: {metric: 'e_total{code=\"500\"}'}\n      total: {metric: e_total}\n"
	sloth := func(slo string) string {
		return "version: prometheus/v1\nservice: s\nslos:\n  - name: a\n" + slo
	}
	events := "    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))\n"
	openslo := func(spec string) string {
		return "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: o\nspec:\n  service: s\n" +
			"  indicatorRef: i\n" + spec +
			"---\napiVersion: openslo/v1\nkind: SLI\nmetadata:\n  name: i\nspec:\n  ratioMetric:\n" +
			"    bad: {metricSource: {type: Prometheus, spec: {query: e_total}}}\n" +
			"    total: {metricSource: {type: Prometheus, spec: {query: t_total}}}\n"
	}
	window := "  timeWindow: [{duration: 30d, isRolling: true}]\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"pyrra target", pyrra("  target: lots\n  window: 4w\n" + ratio), `f.yaml:1: p: spec.target: "lots" is not a number`},
		{"pyrra target range", pyrra("  target: '0'\n  window: 4w\n" + ratio), `f.yaml:1: p: spec.target: 0 is not strictly between 0 and 100`},
		{"pyrra window", pyrra("  target: '99'\n  window: 4 weeks\n" + ratio), `f.yaml:1: p: spec.window: "4 weeks" is not a positive duration`},
		{"pyrra no indicator", pyrra("  target: '99'\n  window: 4w\n"), `f.yaml:1: p: spec.indicator: exactly one of ratio, latency, latencyNative or bool_gauge must be set`},
		{"pyrra bad selector", pyrra("  target: '99'\n  window: 4w\n  indicator:\n    ratio:\n      errors: {metric: 'sum(e)'}\n      total: {metric: e}\n"),
			`f.yaml:1: p: spec.indicator.ratio.errors.metric: "sum(e)" is not a metric selector: unexpected "(e)" after the selector`},
		{"pyrra latency without le", pyrra("  target: '99'\n  window: 4w\n  indicator:\n    latency:\n      success: {metric: h_bucket}\n      total: {metric: h_count}\n"),
			`f.yaml:1: p: spec.indicator.latency.success.metric: needs one le="…" matcher with a positive finite bound`},
		{"pyrra type error", pyrra("  target: '99'\n  window: [4w]\n" + ratio), "f.yaml:7: p: cannot unmarshal !!seq into string"},
		{"sloth objective", sloth("    objective: 101\n" + events), `f.yaml:4: s-a: objective: 101 is not in (0, 100]`},
		{"sloth no objective", sloth(events), `f.yaml:4: s-a: objective: must be set`},
		{"sloth no window", sloth("    objective: 99\n    sli:\n      events:\n        error_query: e\n        total_query: t\n"), `f.yaml:4: s-a: errors: must use {{.window}}`},
		{"sloth two SLIs", sloth("    objective: 99\n" + events + "      raw: {error_ratio_query: 'r[{{.window}}]'}\n"), `f.yaml:4: s-a: sli: exactly one of events, raw or plugin must be set`},
		{"sloth no service", "version: prometheus/v1\nslos: []\n", `f.yaml:1: (sloth spec): service: must be set`},
		{"openslo target", openslo(window + "  objectives: [{target: 99.9}]\n"), `f.yaml:1: o: objectives: target 99.9 is not strictly between 0 and 1 (targetPercent: 0 to 100)`},
		{"openslo no objectives", openslo(window), `f.yaml:1: o: objectives: must have at least one objective`},
		{"openslo dangling ref", strings.Replace(openslo(window+"  objectives: [{target: 0.9}]\n"), "indicatorRef: i", "indicatorRef: j", 1),
			`f.yaml:1: o: indicatorRef "j": no kind: SLI of that name in this file`},
		{"openslo two windows", openslo("  timeWindow: [{duration: 30d}, {duration: 7d}]\n  objectives: [{target: 0.9}]\n"), `f.yaml:1: o: timeWindow: must have exactly one item`},
		{"openslo bad duration", openslo("  timeWindow: [{duration: soon}]\n  objectives: [{target: 0.9}]\n"), `f.yaml:1: o: timeWindow: duration "soon" is not a positive duration`},
		{"openslo good and bad", "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: o}\nspec:\n" + window + "  objectives: [{target: 0.9}]\n" +
			"  indicator:\n    spec:\n      ratioMetric:\n" +
			"        good: {metricSource: {type: Prometheus, spec: {query: g}}}\n" +
			"        bad: {metricSource: {type: Prometheus, spec: {query: b}}}\n" +
			"        total: {metricSource: {type: Prometheus, spec: {query: t}}}\n",
			`f.yaml:1: o: ratioMetric: exactly one of good or bad must be set`},
		{"openslo unnamed", "apiVersion: openslo/v1\nkind: SLO\nspec: {}\n", `f.yaml:1: (unnamed): metadata.name: must be set`},
		{"all errors are reported", pyrra("  target: lots\n  window: 4w\n"+ratio) + "---\n" + sloth(events),
			"f.yaml:1: p: spec.target: \"lots\" is not a number\nf.yaml:16: s-a: objective: must be set"},
	} {
		defs, skipped, err := ImportBytes("f.yaml", []byte(tc.yaml))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
		}
		if defs != nil || skipped != nil {
			t.Errorf("%s: an error returned %d definitions and %d skipped", tc.name, len(defs), len(skipped))
		}
	}
}

func TestImportEmpty(t *testing.T) {
	for _, in := range []string{"", "---\n", "# nothing\n---\n---\n", "[]\n"} {
		defs, skipped, err := ImportBytes("f.yaml", []byte(in))
		if defs != nil || skipped != nil || err != nil {
			t.Errorf("%q: %v, %v, %v", in, defs, skipped, err)
		}
	}
}

// Every fixture, fed to the fuzzer as a seed.
func FuzzImport(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, skipped, err := ImportBytes("fuzz.yaml", data)
		if err != nil && (defs != nil || skipped != nil) {
			t.Fatalf("error %v with %d definitions and %d skipped", err, len(defs), len(skipped))
		}
		for _, d := range defs {
			if err := d.Validate(); err != nil {
				t.Fatalf("imported an invalid definition %+v: %v", d, err)
			}
			if e, tot := d.Queries("5m"); e == "" || tot == "" || strings.Contains(e+tot, "{{") {
				t.Fatalf("definition %+v gives queries %q, %q", d, e, tot)
			}
			Evaluate(d, nil)
		}
		for _, s := range skipped {
			if s.Reason == "" || s.Line < 1 {
				t.Fatalf("skipped without a reason or line: %+v", s)
			}
		}
	})
}
