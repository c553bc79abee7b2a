package alertmanager

import "io"

// The framing of the scanner (scan.go): the list read element by element, and the
// errors of JSON that is not what Alertmanager sends.

// errSyntax is malformed JSON; describe reports it as "not Alertmanager's JSON".
type errSyntax struct{ msg string }

func (e *errSyntax) Error() string { return "invalid JSON: " + e.msg }

func syntaxf(msg string) error { return &errSyntax{msg} }

// elements reads a JSON array from r element by element, each handed to f as its
// complete text (valid JSON framing: strings and nesting checked, values not yet).
// Memory is bounded by the largest element, not the array.
type elements struct {
	r    io.Reader
	buf  []byte
	pos  int // next unread byte in buf
	end  int // bytes of buf filled
	eof  bool
	rerr error
}

// more makes at least n bytes available from pos, reading as needed; false when the
// input ends (or fails) first.
func (e *elements) more(n int) bool {
	for e.end-e.pos < n {
		if e.eof {
			return false
		}
		if e.pos > 0 { // slide what is left to the front
			copy(e.buf, e.buf[e.pos:e.end])
			e.end -= e.pos
			e.pos = 0
		}
		if e.end == len(e.buf) {
			nb := make([]byte, max(2*len(e.buf), 64<<10))
			copy(nb, e.buf[:e.end])
			e.buf = nb
		}
		k, err := e.r.Read(e.buf[e.end:])
		e.end += k
		if err != nil {
			e.eof = true
			if err != io.EOF {
				e.rerr = err
			}
		}
	}
	return true
}

// peek skips whitespace and returns the next byte, or false at the end.
func (e *elements) peek() (byte, bool) {
	for {
		if !e.more(1) {
			return 0, false
		}
		c := e.buf[e.pos]
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, true
		}
		e.pos++
	}
}

// endErr is the error for input that ended too soon: the reader's, else a syntax error.
func (e *elements) endErr() error {
	if e.rerr != nil {
		return e.rerr
	}
	return syntaxf("unexpected end of input")
}

// each calls f with the text of every element of the array. A top-level null calls
// nothing and reports null.
func (e *elements) each(f func(elem []byte) error) (null bool, err error) {
	c, ok := e.peek()
	switch {
	case !ok:
		return false, e.endErr()
	case c == 'n':
		if !e.more(4) || string(e.buf[e.pos:e.pos+4]) != "null" {
			return false, syntaxf("invalid literal")
		}
		e.pos += 4
		return true, e.trailing()
	case c != '[':
		return false, &typeError{kind: kindOf(c)}
	}
	e.pos++
	if c, ok = e.peek(); !ok {
		return false, e.endErr()
	}
	if c == ']' {
		e.pos++
		return false, e.trailing()
	}
	for {
		n, err := e.valueLen()
		if err != nil {
			return false, err
		}
		if err := f(e.buf[e.pos : e.pos+n]); err != nil {
			return false, err
		}
		e.pos += n
		c, ok := e.peek()
		if !ok {
			return false, e.endErr()
		}
		e.pos++
		switch c {
		case ',':
			if _, ok := e.peek(); !ok {
				return false, e.endErr()
			}
		case ']':
			return false, e.trailing()
		default:
			return false, syntaxf("expected , or ] after an element")
		}
	}
}

// trailing checks that nothing but whitespace follows the value.
func (e *elements) trailing() error {
	if _, ok := e.peek(); ok {
		return syntaxf("data after the top-level value")
	}
	return e.rerr
}

// valueLen is the length of the value starting at pos (after whitespace), reading
// until it is complete: objects and arrays by their nesting, strings by their
// closing quote, and literals and numbers up to the next delimiter.
func (e *elements) valueLen() (int, error) {
	if _, ok := e.peek(); !ok {
		return 0, e.endErr()
	}
	depth, i, inStr := 0, 0, false
	for {
		if e.pos+i >= e.end && !e.more(i+1) {
			if depth == 0 && !inStr && i > 0 {
				return i, nil // a literal or number ending the input
			}
			return 0, e.endErr()
		}
		buf := e.buf[e.pos:e.end]
		for ; i < len(buf); i++ {
			c := buf[i]
			switch {
			case inStr:
				switch c {
				case '\\':
					i++ // the escaped byte (perhaps not read yet: more reads it)
				case '"':
					inStr = false
					if depth == 0 {
						return i + 1, nil
					}
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				if depth == 0 {
					return i, nil // the end of the enclosing array
				}
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'):
				return i, nil
			}
		}
	}
}

// typeError is a value of the wrong kind where a list or an object was expected;
// describe reports it as "not Alertmanager's JSON".
type typeError struct{ kind, want string }

func (e *typeError) Error() string {
	want := e.want
	if want == "" {
		want = "a list of alerts"
	}
	return "cannot read " + e.kind + " as " + want
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
