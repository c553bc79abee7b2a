package prometheus

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/slo"
)

func TestShapeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, label, value, template string // template "": not shareable on label
	}{
		{`sum(rate(x{job="api",code="500"}[5m]))`, "job", "api",
			`sum by (job) (rate(x{code="500",job=~"__vigil_shape_values__"}[5m]))`},
		{`sum(rate(x{job="api",code="500"}[5m]))`, "code", "500",
			`sum by (code) (rate(x{code=~"__vigil_shape_values__",job="api"}[5m]))`},
		{`sum(rate(e{job="api"}[1h])) / on() sum(rate(t{job="api"}[1h]))`, "job", "api",
			`sum by (job) (rate(e{job=~"__vigil_shape_values__"}[1h])) / on (job) sum by (job) (rate(t{job=~"__vigil_shape_values__"}[1h]))`},
		{`max without (job) (x{job="api"})`, "job", "api", `max without () (x{job=~"__vigil_shape_values__"})`},
		// Not every selector pins the label, or to the same value.
		{`sum(x{job="api"}) / sum(up)`, "job", "", ""},
		{`sum(x{job="api"}) / sum(y{job="web"})`, "job", "", ""},
		{`sum(x{job=~"api"})`, "job", "", ""},
		// Scalars and label writers cannot be grouped.
		{`sum(x{job="api"}) / scalar(sum(y{job="api"}))`, "job", "", ""},
		{`sum(label_replace(x{job="api"}, "job", "b", "", ""))`, "job", "", ""},
		{`count_values("v", x{job="api"})`, "job", "", ""},
		{`sum(x{job="api"}`, "job", "", ""},
	}
	for _, tc := range tests {
		value, tmpl, ok := shapeOf(tc.in, tc.label)
		if tc.template == "" {
			if ok {
				t.Errorf("shapeOf(%s, %s) = %q, %q; want not shareable", tc.in, tc.label, value, tmpl)
			}
			continue
		}
		if !ok || value != tc.value || tmpl != tc.template {
			t.Errorf("shapeOf(%s, %s) =\n %q, %q, %v\nwant\n %q, %q", tc.in, tc.label, value, tmpl, ok, tc.value, tc.template)
			continue
		}
		if _, err := promql.ParseExpr(strings.ReplaceAll(tmpl, shapeValues, "a|b")); err != nil {
			t.Errorf("the template of %s does not parse: %v", tc.in, err)
		}
	}
}

// TestChunkSubsSharesShapes: SLOs that differ only in their job are one term per
// part, whatever other labels they pin; an SLO of another shape keeps its own terms;
// the request maps each answer back to its SLOs.
func TestChunkSubsSharesShapes(t *testing.T) {
	t.Parallel()
	var defs []slo.Definition
	for i := range 300 {
		job := fmt.Sprintf("svc-%03d", i%250) // 50 services with two SLOs each
		defs = append(defs, slo.Definition{Name: fmt.Sprintf("s%d", i), Objective: 0.99, Window: 7 * 24 * time.Hour, SLI: slo.SLI{
			Errors: fmt.Sprintf(`sum(rate(http_requests_total{job=%q,code="500"}[{{.window}}]))`, job),
			Total:  fmt.Sprintf(`sum(rate(http_requests_total{job=%q}[{{.window}}]))`, job),
		}})
	}
	defs = append(defs, slo.Definition{Name: "odd", Objective: 0.99, Window: 7 * 24 * time.Hour, SLI: slo.SLI{
		Errors: `sum(rate(e[{{.window}}])) / scalar(sum(up))`, Total: `sum(rate(t[{{.window}}]))`}})
	src := &Source{opts: Options{SLOs: defs}}
	var subs []subQuery
	for i := range defs {
		for _, p := range src.parts(i, time.Hour) {
			subs = append(subs, subQuery{slo: i, window: time.Hour, part: p[0], expr: p[1]})
		}
	}
	chunks := chunkSubs("1h", defs, subs)
	if len(chunks) != 1 {
		t.Fatalf("%d requests, want 1", len(chunks))
	}
	b := chunks[0]
	if n := strings.Count(b.query, " or "); n != 3 {
		t.Errorf("%d terms, want 4 (the shared errors and total, odd's two): %s", n+1, b.query[:min(len(b.query), 400)])
	}
	if len(b.shapes) != 2 || len(b.shapes[0].values) != 250 || len(b.shapes[0].slos["svc-007"]) != 2 {
		t.Errorf("shapes %d, values %d, SLOs of svc-007 %v", len(b.shapes), len(b.shapes[0].values), b.shapes[0].slos["svc-007"])
	}
	if len(b.subs) != 2*len(defs) {
		t.Errorf("the request answers %d sub-expressions, want %d", len(b.subs), 2*len(defs))
	}
}

// TestChunkSubsBoundsTerms: 300 SLOs of distinct shapes are asked in requests of at
// most maxSLOTerms terms, each SLO's errors and total in one request.
func TestChunkSubsBoundsTerms(t *testing.T) {
	t.Parallel()
	var defs []slo.Definition
	for i := range 300 {
		defs = append(defs, slo.Definition{Name: fmt.Sprintf("s%d", i), Objective: 0.99, Window: 7 * 24 * time.Hour, SLI: slo.SLI{
			Errors: fmt.Sprintf(`sum(rate(errors_%d_total[{{.window}}]))`, i),
			Total:  fmt.Sprintf(`sum(rate(requests_%d_total[{{.window}}]))`, i),
		}})
	}
	src := &Source{opts: Options{SLOs: defs}}
	var subs []subQuery
	for i := range defs {
		for _, p := range src.parts(i, time.Hour) {
			subs = append(subs, subQuery{slo: i, window: time.Hour, part: p[0], expr: p[1]})
		}
	}
	chunks := chunkSubs("1h", defs, subs)
	if len(chunks) != 6 || chunks[0].name != "1h 1/6" {
		t.Fatalf("%d requests (first %q), want 6 of 100 terms", len(chunks), chunks[0].name)
	}
	seen := map[int]int{}
	for _, c := range chunks {
		if n := strings.Count(c.query, " or ") + 1; n > maxSLOTerms {
			t.Errorf("%s: %d terms", c.name, n)
		}
		for _, q := range c.subs {
			seen[q.slo]++
		}
		for _, q := range c.subs {
			if seen[q.slo] == 1 && !strings.Contains(c.query, fmt.Sprintf(`"slo", "s%d"`, q.slo)) {
				t.Errorf("SLO %d is not in its request", q.slo)
			}
		}
	}
	for i := range defs {
		if seen[i] != 2 {
			t.Errorf("SLO %d in %d sub-expressions, want 2", i, seen[i])
		}
	}
}
