package prometheus

import (
	"encoding/json"
	"fmt"
	"io"
)

// The JSON plumbing of the stream decoder: objects, skipped values, strings, and the
// reader that bounds tokens before encoding/json buffers them.

// object reads an object's members after its opening brace, calling f with each key
// to read the value that follows, and the closing brace.
func (d *streamDecoder) object(f func(key string) error) error {
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.readErr(err)
		}
		key, ok := tok.(string)
		if !ok {
			return badResponse("an object key is not a string")
		}
		if err := f(key); err != nil {
			return err
		}
	}
	_, err := d.dec.Token()
	return d.tokErr(err)
}

// skip reads one value of any kind without keeping it.
func (d *streamDecoder) skip() error {
	depth := 0
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return d.readErr(err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// str reads a string; null reads as "".
func (d *streamDecoder) str(out *string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.readErr(err)
	}
	switch t := tok.(type) {
	case string:
		*out = t
		return nil
	case nil:
		return nil
	case json.Delim:
		return badResponse("want a string, got a " + map[json.Delim]string{'{': "object", '[': "list"}[t])
	}
	return badResponse("want a string, got " + clip(fmt.Sprint(tok)))
}

// open reads the opening delimiter want, or a null (null is true), or fails with msg.
func (d *streamDecoder) open(want json.Delim, msg string) (null bool, err error) {
	tok, err := d.dec.Token()
	if err != nil {
		return false, d.readErr(err)
	}
	switch tok {
	case nil:
		return true, nil
	case want:
		return false, nil
	}
	return false, badResponse(msg)
}

func (d *streamDecoder) tokErr(err error) error {
	if err != nil {
		return d.readErr(err)
	}
	return nil
}

// shortStrings fails the read in which a JSON string or number grows longer than
// max bytes, and squeezes each run of whitespace between tokens to one space:
// encoding/json rescans all buffered whitespace every time it reads more, so a body of
// megabytes of spaces took seconds of CPU.
type shortStrings struct {
	r        io.Reader
	max      int
	inString bool
	escaped  bool
	space    bool // the last byte passed on was whitespace outside a string
	run      int
}

func (s *shortStrings) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		w := 0
		for _, c := range p[:n] {
			switch {
			case !s.inString:
				// Outside strings only numbers and literals are runs of bytes: a
				// number that never ends is as bad as a string that never ends.
				switch c {
				case ' ', '\t', '\r', '\n':
					s.run = 0
					if s.space {
						continue
					}
					s.space = true
					p[w] = c
					w++
					continue
				case '"':
					s.inString, s.run = true, 0
				case '{', '}', '[', ']', ',', ':':
					s.run = 0
				default:
					s.run++
				}
			case s.escaped:
				s.escaped = false
				s.run++
			case c == '\\':
				s.escaped = true
				s.run++
			case c == '"':
				s.inString = false
			default:
				s.run++
			}
			if s.run > s.max {
				return 0, &longStringError{max: int64(s.max)}
			}
			s.space = false
			p[w] = c
			w++
		}
		// A read that was all squeezed-out whitespace is not an end: read again.
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}
