package alertmanager

import (
	"bytes"
	"time"

	"github.com/prometheus/alertmanager/api/v2/models"
)

// Alertmanager's list of alerts is read by hand: encoding/json spent about 10 µs on
// each alert (it scans every value twice and fills the struct by reflection), 140 ms
// for 10,000 alerts, most of the time between an answer arriving and the screen
// showing it. The scanner below reads the same JSON into the same wireAlert, one
// element at a time, and is held to encoding/json's results by a differential fuzz
// test (FuzzScanMatchesJSON): same alerts, same refusals.

// scanAlert reads one element of the list into w; a null element leaves w nil. Key
// names match as encoding/json matches them (case-insensitively); keys vigil does
// not use are checked and skipped.
//
// The labels and annotations are read last, once the fingerprint is known: when
// their text is the same as the previous poll's for that fingerprint (memo), that
// poll's maps are used again rather than read anew, so an unchanged alert costs no
// maps and successive polls share them.
func scanAlert(b []byte, in *interner, memo *labelMemo) (*wireAlert, error) {
	s := scanner{b: b, in: in}
	if s.literal("null") {
		return nil, s.end()
	}
	w := &wireAlert{}
	var labels, annotations []byte // their text; nil when absent or null
	err := s.object("an alert", func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("labels")):
			return s.rawMap(&labels)
		case bytes.EqualFold(key, []byte("annotations")):
			return s.rawMap(&annotations)
		case bytes.EqualFold(key, []byte("fingerprint")):
			return s.optString(&w.Fingerprint)
		case bytes.EqualFold(key, []byte("generatorURL")):
			var u *string
			if err := s.optString(&u); err != nil {
				return err
			}
			if u != nil {
				w.GeneratorURL = *u
			}
			return nil
		case bytes.EqualFold(key, []byte("startsAt")):
			return s.optTime(&w.StartsAt)
		case bytes.EqualFold(key, []byte("endsAt")):
			return s.optTime(&w.EndsAt)
		case bytes.EqualFold(key, []byte("status")):
			return s.status(&w.Status)
		}
		return s.skip()
	})
	if err != nil {
		return nil, err
	}
	if err := s.end(); err != nil {
		return nil, err
	}
	fp := ""
	if w.Fingerprint != nil {
		fp = *w.Fingerprint
	}
	if w.Labels, w.Annotations, err = memo.maps(fp, labels, annotations, in); err != nil {
		return nil, err
	}
	return w, nil
}

// scanner reads one complete JSON value held in b.
type scanner struct {
	b  []byte
	i  int
	in *interner // where label texts and strings are kept
}

func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// end checks that the value has been read whole.
func (s *scanner) end() error {
	if s.peek() != 0 {
		return syntaxf("data after a value")
	}
	return nil
}

// literal consumes lit (null, true, false) when it is next.
func (s *scanner) literal(lit string) bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte(lit)) && !isWordByte(s.b, s.i+len(lit)) {
		s.i += len(lit)
		return true
	}
	return false
}

func isWordByte(b []byte, i int) bool {
	if i >= len(b) {
		return false
	}
	c := b[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// object reads an object (or null, which calls nothing), calling f with each key
// while the scanner is at its value; what names the object in a type error.
func (s *scanner) object(what string, f func(key []byte) error) error {
	if s.literal("null") {
		return nil
	}
	if c := s.peek(); c != '{' {
		return &typeError{kind: kindOf(c), want: what}
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return syntaxf("an object key is not a string")
		}
		key, err := s.rawString()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return syntaxf("expected : after an object key")
		}
		s.i++
		if err := f(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return syntaxf("expected , or } in an object")
		}
	}
}

// rawString reads a string and returns its decoded bytes (escapes resolved, invalid
// UTF-8 replaced as encoding/json does), without a copy when it has no escapes.
func (s *scanner) rawString() ([]byte, error) {
	raw, next, err := stringBytes(s.b, s.i)
	if err != nil {
		return nil, err
	}
	s.i = next
	return raw, nil
}

// optString reads a string, or null (nil).
func (s *scanner) optString(out **string) error {
	if s.literal("null") {
		*out = nil
		return nil
	}
	if c := s.peek(); c != '"' {
		return &typeError{kind: kindOf(c), want: "a string"}
	}
	str, next, err := readString(s.b, s.i, s.in)
	if err != nil {
		return err
	}
	s.i = next
	*out = &str
	return nil
}

// optTime reads an RFC 3339 time as time.Time's own UnmarshalJSON does, or null.
func (s *scanner) optTime(out **time.Time) error {
	if s.literal("null") {
		*out = nil
		return nil
	}
	if c := s.peek(); c != '"' {
		return &typeError{kind: kindOf(c), want: "a time"}
	}
	start := s.i
	if _, err := s.rawString(); err != nil {
		return err
	}
	var t time.Time
	if err := t.UnmarshalJSON(s.b[start:s.i]); err != nil {
		return err
	}
	*out = &t
	return nil
}

// stringMap reads an object of strings (null: nil), interning its texts.
// rawMap reads the text of an object of strings into out (null: nil), to be read
// by labelMemo.maps. A second one for the same key replaces the first, as
// encoding/json's last value wins, but the first must still be valid.
func (s *scanner) rawMap(out *[]byte) error {
	if *out != nil {
		if _, err := readLabels(*out, nil); err != nil {
			return err
		}
	}
	if s.literal("null") {
		*out = nil
		return nil
	}
	if c := s.peek(); c != '{' {
		return &typeError{kind: kindOf(c), want: "labels"}
	}
	n, err := objectLen(s.b, s.i)
	if err != nil {
		return err
	}
	*out = s.b[s.i : s.i+n]
	s.i += n
	return nil
}

// objectLen is the length of the object starting at b[i], by its nesting and strings.
func objectLen(b []byte, i int) (int, error) {
	depth, inStr := 0, false
	for j := i; j < len(b); j++ {
		c := b[j]
		switch {
		case inStr:
			if c == '\\' {
				j++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return j + 1 - i, nil
			}
		}
	}
	return 0, syntaxf("unexpected end of an object")
}

// status reads an alert's status: its state and what silences or inhibits it.
func (s *scanner) status(out **models.AlertStatus) error {
	if s.literal("null") {
		*out = nil
		return nil
	}
	st := &models.AlertStatus{}
	err := s.object("a status", func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("state")):
			return s.optString(&st.State)
		case bytes.EqualFold(key, []byte("silencedBy")):
			return s.strings(&st.SilencedBy)
		case bytes.EqualFold(key, []byte("inhibitedBy")):
			return s.strings(&st.InhibitedBy)
		case bytes.EqualFold(key, []byte("mutedBy")):
			return s.strings(&st.MutedBy)
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	*out = st
	return nil
}

// strings reads an array of strings; null is nil. A null element is "", as
// encoding/json leaves it.
func (s *scanner) strings(out *[]string) error {
	if s.literal("null") {
		*out = nil
		return nil
	}
	if c := s.peek(); c != '[' {
		return &typeError{kind: kindOf(c), want: "a list of strings"}
	}
	s.i++
	list := []string{}
	if s.peek() == ']' {
		s.i++
		*out = list
		return nil
	}
	for {
		var v *string
		if err := s.optString(&v); err != nil {
			return err
		}
		if v != nil {
			list = append(list, *v)
		} else {
			list = append(list, "")
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			*out = list
			return nil
		default:
			return syntaxf("expected , or ] in a list")
		}
	}
}

// skip reads any value without keeping it, checking it as encoding/json would.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, err := s.rawString()
		return err
	case c == '{':
		return s.object("an object", func([]byte) error { return s.skip() })
	case c == '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return nil
		}
		for {
			if err := s.skip(); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return nil
			default:
				return syntaxf("expected , or ] in a list")
			}
		}
	case s.literal("null"), s.literal("true"), s.literal("false"):
		return nil
	case c == '-' || c >= '0' && c <= '9':
		n := numberLen(s.b[s.i:])
		if n == 0 {
			return syntaxf("invalid number")
		}
		s.i += n
		return nil
	}
	return syntaxf("invalid value")
}

// numberLen is the length of the JSON number at the start of b, or 0 if there is
// none (JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
func numberLen(b []byte) int {
	i := 0
	digits := func() int {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0
		}
	}
	if isWordByte(b, i) || i < len(b) && b[i] == '.' {
		return 0
	}
	return i
}
