package prometheus

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// A profile query batched by the service label returns every service Prometheus
// holds: against 10,000 jobs, a board of 200 services paid for 10,000. So each
// signal and health query is restricted to the configured services, the technique of
// prom-label-proxy: a matcher on the service label, by=~"api|checkout|…", is added to
// every vector selector whose series can only reach the answer under their own
// service's name. The user's text is kept as written; only the matcher is inserted.
//
// A selector is restricted when the service label flows unchanged from it to the
// query's answer, so that leaving out the series of other services can only leave
// out answers for other services:
//
//   - an aggregation must keep the label: `sum by (job, le)` or `max without
//     (instance)`, not `sum(...)` nor `topk(5, ...)`, which rank across services;
//   - a binary operation between vectors either matches on the label (no on() or
//     ignoring() clause, on(job), ignoring(instance)): then both sides are
//     restricted, since a series of one service only meets series of the same
//     service; or, under `on()` or `on(instance)` without the label, only the "many"
//     side of a group_left/group_right is restricted, as its labels make the answer;
//     the "one" side is read whole (`x / on() group_left() sum(up)` keeps every
//     `up`). Likewise `and` and `unless` restrict their left side only, as the right
//     one only filters. `or` without the label, or a one-to-one match that drops it,
//     restricts neither side;
//   - label_replace and label_join that write the label, scalar(), vector(), absent()
//     and the parameter of an aggregation (topk's k) stop it.
//
// A selector that already pins the label to one value (job="api") is left alone. A
// query in which no selector can be restricted is asked as written, once, for every
// service; `vigil check` says so.

// maxChunkServices and maxChunkRegexBytes bound the services of one restricted
// query: a matcher of a thousand alternatives or 8 KiB is cheap for Prometheus to
// match against its label index, and keeps the request body small. Larger lists are
// asked in chunks, run side by side with the poll's other queries.
const (
	maxChunkServices   = 1000
	maxChunkRegexBytes = 8 << 10
)

// promql parses the queries to restrict. It accepts what some Prometheus-compatible
// server might; the server has the last word.
var promql = parser.NewParser(parser.Options{
	EnableExperimentalFunctions: true,
	EnableBinopFillModifiers:    true,
	EnableUnquotedUTF8Names:     true,
})

// restricted is a query restricted to some services, and whether any selector of it
// was restricted at all.
type restricted struct {
	query    string
	services []string        // the services it was restricted to; nil when not restricted
	keep     map[string]bool // the same as a set
}

// restrictQuery restricts query to the services in chunks (see above). It returns
// the query as written, in one piece, when it cannot be restricted (ok false): when
// it does not parse (the server will say why) or no selector keeps the label.
func restrictQuery(query, label string, services []string) (out []restricted, ok bool) {
	sites := restrictSites(query, label)
	if len(sites) == 0 || len(services) == 0 {
		return []restricted{{query: query}}, false
	}
	for _, chunk := range chunkServices(services) {
		keep := make(map[string]bool, len(chunk))
		for _, n := range chunk {
			keep[n] = true
		}
		out = append(out, restricted{query: spliceMatcher(query, sites, label, chunk), services: chunk, keep: keep})
	}
	return out, true
}

// chunkServices splits names into chunks of at most maxChunkServices names and
// maxChunkRegexBytes of quoted regular expression.
func chunkServices(names []string) [][]string {
	var chunks [][]string
	start, size := 0, 0
	for i, n := range names {
		l := len(regexp.QuoteMeta(n)) + 1
		if i > start && (i-start >= maxChunkServices || size+l > maxChunkRegexBytes) {
			chunks = append(chunks, names[start:i:i])
			start, size = i, 0
		}
		size += l
	}
	if start < len(names) {
		chunks = append(chunks, names[start:len(names):len(names)])
	}
	return chunks
}

// serviceRegex is the anchored alternation Prometheus matches the names with.
func serviceRegex(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(regexp.QuoteMeta(n))
	}
	return b.String()
}

// site is where a matcher goes into the query text: just inside a selector's
// braces, or after its bare name.
type site struct {
	pos       int  // byte offset in the query
	braces    bool // the selector has braces: insert inside them
	needComma bool // and they already hold a matcher
}

// restrictSites finds where the label's matcher goes in query, in text order; none
// when the query does not parse or no selector keeps the label.
func restrictSites(query, label string) []site {
	expr, err := promql.ParseExpr(query)
	if err != nil {
		return nil
	}
	var sites []site
	parser.Inspect(expr, func(node parser.Node, path []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok || pinned(vs.LabelMatchers, label) || !keepsLabel(path, node, label) {
			return nil
		}
		if s, ok := findSite(query, vs); ok {
			sites = append(sites, s)
		}
		return nil
	})
	slices.SortFunc(sites, func(a, b site) int { return a.pos - b.pos })
	return sites
}

// pinned tells a selector that already names one value of the label.
func pinned(ms []*labels.Matcher, label string) bool {
	for _, m := range ms {
		if m.Name == label && m.Type == labels.MatchEqual && m.Value != "" {
			return true
		}
	}
	return false
}

// findSite reads the selector's text: `name`, `name{...}`, `{...}`, possibly followed
// by offset or @ (which the position range includes).
func findSite(query string, vs *parser.VectorSelector) (site, bool) {
	pr := vs.PositionRange()
	start, end := int(pr.Start), int(pr.End)
	if start < 0 || end > len(query) || start >= end {
		return site{}, false
	}
	text := query[start:end]
	i := 0
	if text[0] != '{' {
		for i < len(text) && isNameByte(text[i]) {
			i++
		}
		if i == 0 {
			return site{}, false
		}
		j := i
		for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
			j++
		}
		if j == len(text) || text[j] != '{' {
			return site{pos: start + i}, true
		}
		i = j
	}
	k := i + 1
	for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r') {
		k++
	}
	return site{pos: start + i + 1, braces: true, needComma: k < len(text) && text[k] != '}'}, true
}

func isNameByte(c byte) bool {
	return c == '_' || c == ':' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c >= 0x80
}

// spliceMatcher inserts label=~"names" at every site.
func spliceMatcher(query string, sites []site, label string, names []string) string {
	matcher := label + "=~" + strconv.Quote(serviceRegex(names))
	if !validLabelName(label) {
		matcher = strconv.Quote(label) + "=~" + strconv.Quote(serviceRegex(names))
	}
	var b strings.Builder
	b.Grow(len(query) + len(sites)*(len(matcher)+3))
	last := 0
	for _, s := range sites {
		b.WriteString(query[last:s.pos])
		switch {
		case !s.braces:
			b.WriteString("{" + matcher + "}")
		case s.needComma:
			b.WriteString(matcher + ",")
		default:
			b.WriteString(matcher)
		}
		last = s.pos
	}
	b.WriteString(query[last:])
	return b.String()
}

// keepsLabel tells whether the label of a series selected at node reaches the
// query's answer unchanged, along path (the node's ancestors, root first). See the
// rules above.
func keepsLabel(path []parser.Node, node parser.Node, label string) bool {
	chain := append(slices.Clip(path), node)
	for i, anc := range chain[:len(chain)-1] {
		child := chain[i+1]
		switch a := anc.(type) {
		case *parser.AggregateExpr:
			if a.Param != nil && child == parser.Node(a.Param) {
				return false
			}
			if s, ok := a.Param.(*parser.StringLiteral); ok && a.Op == parser.COUNT_VALUES && s.Val == label {
				return false
			}
			if slices.Contains(a.Grouping, label) == a.Without {
				return false // grouped without the label, or by labels that leave it out
			}
		case *parser.BinaryExpr:
			if !binaryKeeps(a, child, label) {
				return false
			}
		case *parser.Call:
			arg := child
			if _, ok := child.(parser.Expressions); ok && i+2 < len(chain) {
				arg = chain[i+2]
			}
			if !callKeeps(a, arg, label) {
				return false
			}
		}
	}
	return true
}

// binaryKeeps applies the binary-operation rule to the operand child.
func binaryKeeps(b *parser.BinaryExpr, child parser.Node, label string) bool {
	m := b.VectorMatching
	if m == nil {
		return true // with a scalar: the vector side keeps its labels
	}
	if slices.Contains(m.MatchingLabels, label) == m.On {
		return true // matched on the label: services meet only themselves
	}
	if slices.Contains(m.Include, label) || b.Op == parser.LOR {
		return false
	}
	if b.Op.IsSetOperator() {
		return child == parser.Node(b.LHS) // and, unless: the right side only filters
	}
	switch m.Card {
	case parser.CardManyToOne:
		return child == parser.Node(b.LHS)
	case parser.CardOneToMany:
		return child == parser.Node(b.RHS)
	}
	return false
}

// callKeeps applies the function rule to the argument arg of the call c.
func callKeeps(c *parser.Call, arg parser.Node, label string) bool {
	if c.Func == nil || c.Func.ReturnType != parser.ValueTypeVector {
		return false // scalar() and the like
	}
	switch c.Func.Name {
	case "vector", "absent", "absent_over_time":
		return false
	case "label_replace", "label_join":
		if len(c.Args) < 2 {
			return false
		}
		if s, ok := c.Args[1].(*parser.StringLiteral); !ok || s.Val == label {
			return false
		}
	}
	// An argument that is a scalar (histogram_quantile's φ, clamp's bounds) carries
	// no labels into the answer.
	if e, ok := arg.(parser.Expr); ok && e.Type() == parser.ValueTypeScalar {
		return false
	}
	return true
}
