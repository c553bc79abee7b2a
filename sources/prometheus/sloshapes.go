package prometheus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigil-sre/vigil/slo"
)

// Many SLOs are one query written for many services: sum(rate(http_requests_total{
// job="api",code=~"5.."}[1h])) for api, the same with job="checkout" for checkout.
// Such SLOs share a shape: the expression with that one label value left out. The
// SLOs of one shape are asked as one vector-matched term, the value pinned by a
// matcher on all of them and every aggregation grouped by the label,
//
//	sum by (job) (rate(http_requests_total{job=~"api|checkout",code=~"5.."}[1h]))
//
// which answers one series per value, each equal to the SLO's own query: every
// selector of the expression pins the label to the SLO's value, so grouping by it
// keeps the services apart. An expression whose selectors do not all pin one label to
// one value, or that turns vectors into scalars (scalar(), vector(), absent()) or
// writes the label (label_replace, count_values), keeps a term of its own.

// shapeValues is what the template holds where the values go.
const shapeValues = "__vigil_shape_values__"

// shapeTerm is the SLOs of one shape in one window and part.
type shapeTerm struct {
	label    string
	template string // the grouped expression; shapeValues stands for the values
	window   time.Duration
	part     string
	values   []string         // in first-seen order
	slos     map[string][]int // value -> SLO indices
	members  []*subQuery      // the sub-expressions it stands for
}

// expr is the term's PromQL for its values.
func (t *shapeTerm) expr() string {
	return strings.Replace(t.template, strconv.Quote(shapeValues), strconv.Quote(serviceRegex(t.values)), -1)
}

// pinnedLabels is the labels that every selector of the expression pins to one and
// the same value, sorted; none when the expression cannot be shared (see above).
func pinnedLabels(expr string) []string {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil
	}
	pins := sharedPins(e)
	names := make([]string, 0, len(pins))
	for l := range pins {
		if validLabelName(l) {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	return names
}

// sharedPins is the label="value" pins common to every selector of e; nil when e
// cannot be shared.
func sharedPins(e parser.Expr) map[string]string {
	var sels []*parser.VectorSelector
	bad := false
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			sels = append(sels, n)
		case *parser.Call:
			if n.Func == nil || n.Func.ReturnType != parser.ValueTypeVector {
				bad = true
				break
			}
			switch n.Func.Name {
			case "vector", "absent", "absent_over_time", "label_replace", "label_join", "info":
				bad = true
			}
		case *parser.AggregateExpr:
			if n.Op == parser.COUNT_VALUES {
				bad = true
			}
		}
		return nil
	})
	if bad || len(sels) == 0 {
		return nil
	}
	pins := equalities(sels[0])
	for _, vs := range sels[1:] {
		other := equalities(vs)
		for l, v := range pins {
			if other[l] != v {
				delete(pins, l)
			}
		}
	}
	return pins
}

// shapeOf is the expression's value of label, and the expression grouped by label
// with shapeValues in place of the value; ok is false when label is not one of its
// pinnedLabels.
func shapeOf(expr, label string) (value, template string, ok bool) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return "", "", false
	}
	value, ok = sharedPins(e)[label]
	if !ok || !validLabelName(label) {
		return "", "", false
	}
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			for i, m := range n.LabelMatchers {
				if m.Name == label && m.Type == labels.MatchEqual {
					nm, err := labels.NewMatcher(labels.MatchRegexp, label, shapeValues)
					if err != nil {
						ok = false
						return nil
					}
					n.LabelMatchers[i] = nm
				}
			}
		case *parser.AggregateExpr:
			switch {
			case n.Without && slices.Contains(n.Grouping, label):
				n.Grouping = slices.DeleteFunc(n.Grouping, func(s string) bool { return s == label })
			case !n.Without && !slices.Contains(n.Grouping, label):
				n.Grouping = append(n.Grouping, label)
			}
		case *parser.BinaryExpr:
			m := n.VectorMatching
			switch {
			case m == nil:
			case m.On && !slices.Contains(m.MatchingLabels, label):
				m.MatchingLabels = append(m.MatchingLabels, label)
			case !m.On && slices.Contains(m.MatchingLabels, label):
				m.MatchingLabels = slices.DeleteFunc(m.MatchingLabels, func(s string) bool { return s == label })
			}
		}
		return nil
	})
	if !ok {
		return "", "", false
	}
	return value, e.String(), true
}

// equalities is the selector's label="value" matchers, by label.
func equalities(vs *parser.VectorSelector) map[string]string {
	out := map[string]string{}
	for _, m := range vs.LabelMatchers {
		if m.Type == labels.MatchEqual && m.Value != "" && m.Name != model.MetricNameLabel {
			out[m.Name] = m.Value
		}
	}
	return out
}

// sloTerm is one `or` operand of a combined SLO query: one SLO's sub-expression, or
// the SLOs of one shape.
type sloTerm struct {
	sub   *subQuery
	shape *shapeTerm
}

// shapeTerms groups subs into terms: the sub-expressions that share a shape with
// another, in the same window and part, into one term (at most maxChunkServices
// values and maxChunkRegexBytes of them each); the rest alone. Of the labels an
// expression pins, the one that makes the largest shape is taken: in
// {job="api",code="500"} it is job, which differs between the SLOs, not code. Terms
// are in the order of their first sub-expression.
func shapeTerms(subs []subQuery) []sloTerm {
	type key struct {
		template string
		label    string
		window   time.Duration
		part     string
	}
	type shaped struct {
		key   key
		value string
	}
	options := make([][]shaped, len(subs))
	count := map[key]int{}
	for i, q := range subs {
		for _, l := range pinnedLabels(q.expr) {
			if v, tmpl, ok := shapeOf(q.expr, l); ok {
				k := key{tmpl, l, q.window, q.part}
				options[i] = append(options[i], shaped{k, v})
				count[k]++
			}
		}
	}
	var terms []sloTerm
	open := map[key]*shapeTerm{}
	for i := range subs {
		q := &subs[i]
		best := -1
		for j, o := range options[i] {
			if count[o.key] >= 2 && (best < 0 || count[o.key] > count[options[i][best].key]) {
				best = j
			}
		}
		if best < 0 {
			terms = append(terms, sloTerm{sub: q})
			continue
		}
		k, v := options[i][best].key, options[i][best].value
		t := open[k]
		if t != nil {
			if _, seen := t.slos[v]; !seen &&
				(len(t.values) >= maxChunkServices || len(serviceRegex(t.values))+len(v)+1 > maxChunkRegexBytes) {
				t = nil // full: start another term of the shape
			}
		}
		if t == nil {
			t = &shapeTerm{label: k.label, template: k.template, window: q.window, part: q.part, slos: map[string][]int{}}
			open[k] = t
			terms = append(terms, sloTerm{shape: t})
		}
		if _, seen := t.slos[v]; !seen {
			t.values = append(t.values, v)
		}
		t.slos[v] = append(t.slos[v], q.slo)
		t.members = append(t.members, q)
	}
	return terms
}

// writeTerm writes one term of a combined query, tagged so that readCounts can tell
// what it answers: a single SLO's by its name, a shape's by its index in the request.
func writeTerm(b *strings.Builder, defs []slo.Definition, t sloTerm, shapeIndex int) {
	b.WriteString(`label_replace(label_replace(label_replace(`)
	var part string
	var window time.Duration
	if t.sub != nil {
		b.WriteString(t.sub.expr)
		b.WriteString(`, "slo", `)
		b.WriteString(quoteReplacement(defs[t.sub.slo].Name))
		part, window = t.sub.part, t.sub.window
	} else {
		b.WriteString(t.shape.expr())
		fmt.Fprintf(b, `, "shape", "%d"`, shapeIndex)
		part, window = t.shape.part, t.shape.window
	}
	b.WriteString(`, "", ""), "part", "`)
	b.WriteString(part)
	b.WriteString(`", "", ""), "window", "`)
	b.WriteString(slo.WindowName(window))
	b.WriteString(`", "", "")`)
}
