package slo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/common/model"
)

// A small reader for PromQL vector selectors: metric{label="value",...} with an
// optional offset. The importers need no more than that, and Prometheus's own
// parser would pull its storage and HTTP packages into this otherwise pure package.

type matcher struct {
	Name, Op, Value string
	raw             string // verbatim text, used when a selector could not be read
}

type selector struct {
	Name     string
	Matchers []matcher
	Offset   string // e.g. "1m"; empty for none
}

func (m matcher) String() string {
	if m.raw != "" {
		return m.raw
	}
	name := m.Name
	if !model.LegacyValidation.IsValidLabelName(name) {
		name = strconv.Quote(name)
	}
	return name + m.Op + strconv.Quote(m.Value)
}

// withRange renders s as a range selector over r; r == "" renders an instant selector.
func (s selector) withRange(r string) string {
	var b strings.Builder
	b.WriteString(s.Name)
	if len(s.Matchers) > 0 || s.Name == "" {
		b.WriteByte('{')
		for i, m := range s.Matchers {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(m.String())
		}
		b.WriteByte('}')
	}
	if r != "" {
		b.WriteString("[" + r + "]")
	}
	if s.Offset != "" {
		b.WriteString(" offset " + s.Offset)
	}
	return b.String()
}

func (s selector) String() string { return s.withRange("") }

// get returns the value of the first equality matcher on name.
func (s selector) get(name string) (string, bool) {
	for _, m := range s.Matchers {
		if m.Name == name && m.Op == "=" {
			return m.Value, true
		}
	}
	return "", false
}

// without returns s's matchers other than those on name.
func (s selector) without(name string) []matcher {
	out := make([]matcher, 0, len(s.Matchers))
	for _, m := range s.Matchers {
		if m.Name != name {
			out = append(out, m)
		}
	}
	return out
}

type lexer struct {
	s   string
	pos int
}

func (l *lexer) space() {
	for l.pos < len(l.s) && strings.IndexByte(" \t\r\n", l.s[l.pos]) >= 0 {
		l.pos++
	}
}

func (l *lexer) peek() byte {
	if l.pos < len(l.s) {
		return l.s[l.pos]
	}
	return 0
}

func isIdent(c byte, first, colon bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		!first && c >= '0' && c <= '9' || colon && c == ':'
}

func (l *lexer) ident(colon bool) string {
	start := l.pos
	for l.pos < len(l.s) && isIdent(l.s[l.pos], l.pos == start, colon) {
		l.pos++
	}
	return l.s[start:l.pos]
}

// str reads a PromQL string literal: "…" and '…' with Go escapes, `…` raw.
func (l *lexer) str() (string, error) {
	q := l.peek()
	if q != '"' && q != '\'' && q != '`' {
		return "", fmt.Errorf("expected a quoted string at offset %d", l.pos)
	}
	l.pos++
	if q == '`' {
		end := strings.IndexByte(l.s[l.pos:], '`')
		if end < 0 {
			return "", errors.New("unterminated string")
		}
		v := l.s[l.pos : l.pos+end]
		l.pos += end + 1
		return v, nil
	}
	var b strings.Builder
	for {
		if l.pos >= len(l.s) {
			return "", errors.New("unterminated string")
		}
		if l.s[l.pos] == q {
			l.pos++
			return b.String(), nil
		}
		if l.s[l.pos] == '\n' {
			return "", errors.New("newline in string")
		}
		r, multibyte, tail, err := strconv.UnquoteChar(l.s[l.pos:], q)
		if err != nil {
			return "", fmt.Errorf("bad escape in string at offset %d", l.pos)
		}
		if r < utf8.RuneSelf || !multibyte {
			b.WriteByte(byte(r)) // \xff and octal escapes are bytes, as in strconv.Unquote
		} else {
			b.WriteRune(r)
		}
		l.pos = len(l.s) - len(tail)
	}
}

// parseSelector reads a whole vector selector, such as
// http_requests_total{job="api",code=~"5.."} offset 1m.
func parseSelector(text string) (selector, error) {
	l := &lexer{s: text}
	var s selector
	l.space()
	s.Name = l.ident(true)
	l.space()
	if l.peek() == '{' {
		ms, err := l.matchers()
		if err != nil {
			return selector{}, err
		}
		s.Matchers = ms
	} else if s.Name == "" {
		return selector{}, errors.New("not a metric selector")
	}
	if s.Name == "" && len(s.Matchers) == 0 {
		return selector{}, errors.New("empty selector {}")
	}
	l.space()
	if strings.HasPrefix(l.s[l.pos:], "offset") {
		l.pos += len("offset")
		l.space()
		start := l.pos
		if l.peek() == '-' {
			l.pos++
		}
		for l.pos < len(l.s) && isIdent(l.s[l.pos], false, false) {
			l.pos++
		}
		s.Offset = l.s[start:l.pos]
		if _, err := model.ParseDuration(strings.TrimPrefix(s.Offset, "-")); err != nil {
			return selector{}, fmt.Errorf("offset %q: %w", s.Offset, err)
		}
		l.space()
	}
	if l.pos != len(l.s) {
		return selector{}, fmt.Errorf("unexpected %q after the selector", l.s[l.pos:])
	}
	return s, nil
}

// matchers reads {name op "value", ...}; l is at the brace.
func (l *lexer) matchers() ([]matcher, error) {
	l.pos++ // {
	var ms []matcher
	for {
		l.space()
		if l.peek() == '}' {
			l.pos++
			return ms, nil
		}
		var m matcher
		if c := l.peek(); c == '"' || c == '\'' || c == '`' {
			name, err := l.str()
			if err != nil {
				return nil, err
			}
			m.Name = name
		} else if m.Name = l.ident(false); m.Name == "" {
			return nil, fmt.Errorf("expected a label name at offset %d", l.pos)
		}
		l.space()
		for _, op := range [...]string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(l.s[l.pos:], op) {
				m.Op = op
				l.pos += len(op)
				break
			}
		}
		if m.Op == "" {
			return nil, fmt.Errorf("expected =, !=, =~ or !~ after %q", m.Name)
		}
		l.space()
		v, err := l.str()
		if err != nil {
			return nil, err
		}
		m.Value = v
		ms = append(ms, m)
		l.space()
		switch l.peek() {
		case ',':
			l.pos++
		case '}':
		default:
			return nil, fmt.Errorf("expected , or } at offset %d", l.pos)
		}
	}
}

// parseMatchers reads label matchers with or without their braces; "" is none.
func parseMatchers(text string) ([]matcher, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, nil
	}
	if !strings.HasPrefix(t, "{") {
		t = "{" + t + "}"
	}
	l := &lexer{s: t}
	ms, err := l.matchers()
	if err != nil {
		return nil, err
	}
	if l.space(); l.pos != len(l.s) {
		return nil, fmt.Errorf("unexpected %q after the matchers", l.s[l.pos:])
	}
	return ms, nil
}
