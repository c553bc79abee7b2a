package alertmanager

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/maphash"
	"sync"
	"unicode/utf8"
)

// labelSet is a label set (or annotations) as decoded from Alertmanager's answer,
// with every name and value interned: Alertmanager repeats the same names
// (alertname, severity, service, …) and most values in every alert, and decoding
// them as a plain map allocated each string again — 10,000 alerts meaning 100,000
// copies of a few hundred words, and two polls' worth alive while the new answer
// replaces the old. Each Source keeps one table across its polls (Source.texts), so
// successive answers share their strings too.
type labelSet map[string]string

// UnmarshalJSON reads the object as json.Unmarshal would into a map of strings
// (null stays nil), without interning: the scanner (scan.go) reads answers; this is
// for encoding/json, the reference it is tested against.
func (l *labelSet) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = nil
		return nil
	}
	m, err := readLabels(b, nil)
	if err != nil {
		return err
	}
	*l = m
	return nil
}

// interner hands out one string per distinct text, to any goroutine; a nil interner
// copies every text.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

// maxInterned bounds the interner: when it is full it starts afresh (strings already
// handed out live on in their alerts), so answers of ever-new values cannot grow it
// without end.
const maxInterned = 1 << 16

func (in *interner) str(b []byte) string {
	if in == nil {
		return string(b)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if s, ok := in.m[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if in.m == nil || len(in.m) >= maxInterned {
		in.m = make(map[string]string, 1024)
	}
	in.m[s] = s
	return s
}

var errNotStrings = errors.New("an alert's labels and annotations must be objects of strings")

// readLabels reads a JSON object whose values are all strings, as json.Unmarshal into
// a map[string]string would (the last of duplicate names wins, invalid UTF-8 becomes
// U+FFFD, a null value is ""), interning every name and value. b is valid JSON:
// encoding/json checks a value before handing it to an Unmarshaler. A value that is
// not a string is an error.
func readLabels(b []byte, in *interner) (map[string]string, error) {
	type pair struct{ k, v string }
	var (
		buf   [16]pair
		pairs = buf[:0]
	)
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, errNotStrings
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return map[string]string{}, nil
	}
	for {
		k, next, err := readString(b, i, in)
		if err != nil {
			return nil, err
		}
		i = skipSpace(b, next)
		if i >= len(b) || b[i] != ':' {
			return nil, errNotStrings
		}
		var v string
		i = skipSpace(b, i+1)
		if bytes.HasPrefix(b[i:], []byte("null")) {
			next = i + 4 // as json.Unmarshal reads it: the empty string
		} else if v, next, err = readString(b, i, in); err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{k, v})
		i = skipSpace(b, next)
		if i >= len(b) {
			return nil, errNotStrings
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return nil, errNotStrings
		}
		i = skipSpace(b, i+1)
	}
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		m[p.k] = p.v
	}
	return m, nil
}

// readString reads the JSON string starting at b[i] and returns it and the index after
// its closing quote. Plain ASCII-or-UTF-8 text without escapes, the usual case, is
// interned straight from the bytes; anything else is left to encoding/json.
func readString(b []byte, i int, in *interner) (string, int, error) {
	raw, next, err := stringBytes(b, i)
	if err != nil {
		return "", 0, err
	}
	return in.str(raw), next, nil
}

// stringBytes reads the JSON string starting at b[i] and returns its text and the
// index after its closing quote. Text without escapes, in valid UTF-8 (the usual
// case), is a slice of b, not a copy; anything else is decoded by encoding/json
// (which also replaces invalid UTF-8, as it does everywhere) into a new slice.
func stringBytes(b []byte, i int) ([]byte, int, error) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, errNotStrings
	}
	plain := true
	j := i + 1
	for ; j < len(b); j++ {
		c := b[j]
		if c == '\\' {
			plain = false
			j++ // the escaped byte; a \uXXXX's digits are plain
			continue
		}
		if c == '"' {
			break
		}
		if c < 0x20 {
			return nil, 0, errNotStrings // a raw control character: not JSON
		}
		if c >= utf8.RuneSelf {
			plain = false
		}
	}
	if j >= len(b) {
		return nil, 0, errNotStrings
	}
	body := b[i+1 : j]
	if plain || (bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body)) {
		return body, j + 1, nil
	}
	var s string
	if err := json.Unmarshal(b[i:j+1], &s); err != nil {
		return nil, 0, err
	}
	return []byte(s), j + 1, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// labelMemo keeps, per fingerprint, the labels and annotations of one Alertmanager's
// previous answer with a hash of their text, so that the next answer uses the same
// maps for every alert whose text has not changed: most alerts, most of the time.
// Only the answer being read and the one before are kept. A nil memo remembers
// nothing. One poll at a time uses it.
type labelMemo struct {
	seed       maphash.Seed
	prev, next map[string]memoEntry
}

type memoEntry struct {
	labelsHash, annotationsHash uint64
	labels, annotations         labelSet
}

func newLabelMemo() *labelMemo { return &labelMemo{seed: maphash.MakeSeed()} }

// maps reads the labels and annotations texts of the alert fp (nil: absent), or
// takes the previous answer's maps for the same texts.
func (m *labelMemo) maps(fp string, labels, annotations []byte, in *interner) (labelSet, labelSet, error) {
	if m == nil {
		l, err := readMap(labels, in)
		if err != nil {
			return nil, nil, err
		}
		a, err := readMap(annotations, in)
		return l, a, err
	}
	e := memoEntry{labelsHash: maphash.Bytes(m.seed, labels), annotationsHash: maphash.Bytes(m.seed, annotations)}
	old, seen := m.prev[fp]
	var err error
	if seen && old.labelsHash == e.labelsHash && (old.labels != nil) == (labels != nil) {
		e.labels = old.labels
	} else if e.labels, err = readMap(labels, in); err != nil {
		return nil, nil, err
	}
	if seen && old.annotationsHash == e.annotationsHash && (old.annotations != nil) == (annotations != nil) {
		e.annotations = old.annotations
	} else if e.annotations, err = readMap(annotations, in); err != nil {
		return nil, nil, err
	}
	if m.next == nil {
		m.next = make(map[string]memoEntry, len(m.prev))
	}
	if fp != "" {
		m.next[fp] = e
	}
	return e.labels, e.annotations, nil
}

// done ends an answer: it becomes the previous one if it was read whole, and is
// forgotten if not.
func (m *labelMemo) done(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.prev = m.next
	}
	m.next = nil
}

// readMap reads an object of strings' text; nil text is a nil map.
func readMap(text []byte, in *interner) (labelSet, error) {
	if text == nil {
		return nil, nil
	}
	return readLabels(text, in)
}
