// Package filter is the / filter of the dashboard's lists: free text, or
// Alertmanager matchers ({service="checkout",severity=~"crit.*"}) parsed by
// Alertmanager's own parser, tested against the fields of a row. Each pane says what
// its rows' fields are (fields.go); this package decides which rows a query keeps.
package filter

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/textsafe"
)

// Query is a parsed filter. The zero Query keeps every row.
type Query struct {
	text     string          // as typed, trimmed
	terms    []string        // free text: the lower-cased words, every one of which must appear
	matchers labels.Matchers // matcher mode: every one must select the row
}

// matcherShape is input that reads as a matcher without its braces: a label name
// followed by one of the four operators (service="checkout", severity=~crit.*).
// It only decides which mode the input is in; Alertmanager's parser reads it.
var matcherShape = regexp.MustCompile(`^\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(=~|!~|!=|=)`)

// IsMatchers reports whether s is read as matchers rather than free text: it starts
// with { or with a label name and an operator.
func IsMatchers(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "{") || matcherShape.MatchString(s)
}

// Parse reads a filter as typed. Matchers go to Alertmanager's parser, whose message
// is the error when they do not parse; anything else is free text, which always
// parses. Blank input, and matchers that select nothing in particular ({}), are the
// zero Query: no filter.
func Parse(s string) (Query, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Query{}, nil
	}
	if !IsMatchers(s) {
		return Query{text: s, terms: strings.Fields(strings.ToLower(s))}, nil
	}
	ms, err := labels.ParseMatchers(s)
	if err != nil {
		return Query{}, err
	}
	if len(ms) == 0 {
		return Query{}, nil
	}
	return Query{text: s, matchers: ms}, nil
}

// Active reports whether the query filters anything.
func (q Query) Active() bool { return q.text != "" }

// Text is the query as typed, for the filter line to edit again.
func (q Query) Text() string { return q.text }

// String is the query as a title and an empty pane name it: the matchers as
// Alertmanager writes them, {service="checkout"}, or the free text in quotes. It is
// safe to draw.
func (q Query) String() string {
	switch {
	case !q.Active():
		return ""
	case q.matchers != nil:
		return textsafe.Clean(q.matchers.String())
	}
	return textsafe.Clean(strconv.Quote(q.text))
}

// Field is one thing a row can be found by. A named field is a label to matchers and
// a word to free text; an unnamed one (an alert's title) is a word only.
type Field struct {
	Name, Value string
}

// Row is a row's fields. Several fields may share a name (an alert's severity label
// and its triaged severity): a matcher selects the row when any of them satisfies
// it, a negative one (!=, !~) when all of them do.
type Row []Field

// Match reports whether the query keeps the row. Free text: every word appears, in
// any case, in some field. Matchers: every matcher selects the fields of its name
// as Row says; a row without that name reads as "", as Alertmanager reads a missing
// label, so {team!="db"} keeps rows that have no team.
func (q Query) Match(r Row) bool {
	if q.matchers != nil {
		for _, m := range q.matchers {
			if !matchOne(m, r) {
				return false
			}
		}
		return true
	}
	for _, t := range q.terms {
		found := false
		for _, f := range r {
			if strings.Contains(strings.ToLower(f.Value), t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchOne is one matcher against a row. A negative matcher must hold for every field
// of its name: {severity!="critical"} drops a row drawn as critical whatever its
// label says, as {severity!="SEV1"} drops one labelled SEV1.
func matchOne(m *labels.Matcher, r Row) bool {
	negative := m.Type == labels.MatchNotEqual || m.Type == labels.MatchNotRegexp
	named := false
	for _, f := range r {
		if f.Name != m.Name {
			continue
		}
		named = true
		if ok := m.Matches(f.Value); ok != negative {
			return ok // a positive match found, or a negative one broken
		}
	}
	if named {
		return negative
	}
	return m.Matches("")
}

// Apply is the rows the query keeps, in their order. An inactive query returns rows
// itself; fields appends a row's fields to the buffer it is given, so the buffer is
// reused from row to row.
func Apply[T any](q Query, rows []T, fields func(Row, *T) Row) []T {
	if !q.Active() {
		return rows
	}
	var out []T
	var buf Row
	for i := range rows {
		buf = fields(buf[:0], &rows[i])
		if q.Match(buf) {
			out = append(out, rows[i])
		}
	}
	return out
}
