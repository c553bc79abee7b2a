package prometheus

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/prometheus/common/model"
)

// Query answers are decoded here, as the body streams in, rather than by the client:
// client_golang reads the whole body into memory, copies the result once more and
// builds its model values from that, which made a 32 MiB answer cost 240 MiB. Decoding
// from the stream holds only the values themselves, and counting series and points as
// they arrive stops an oversized answer before it is built.

// Limits on one query's answer, besides the transport's byte cap.
const (
	// maxSeries is the most series (or samples) one answer may hold. Queries are
	// batched by the service label, so an answer this large means the query does not
	// aggregate.
	maxSeries = 20_000
	// maxPoints is the most points one answer may hold: 20,000 services' sparklines of
	// 31 points fit, with room.
	maxPoints = 1_000_000
	// maxNotes is how many warnings or infos of an answer are kept.
	maxNotes = 20
	// maxString is the longest string (a label value, an error) or number an answer
	// may hold: the decoder keeps a whole token in memory before it can be looked at.
	maxString = 1 << 20
)

// decodeSlot carries a query's decoded answer from the transport, which decodes the
// body as it streams in, back to checkedAPI. A request whose context has no slot is
// left to the client to decode.
type decodeSlot struct {
	v   model.Value
	set bool
}

type slotKey struct{}

func withDecodeSlot(ctx context.Context) (context.Context, *decodeSlot) {
	s := &decodeSlot{}
	return context.WithValue(ctx, slotKey{}, s), s
}

func slotOf(ctx context.Context) *decodeSlot {
	s, _ := ctx.Value(slotKey{}).(*decodeSlot)
	return s
}

// take is the transport's answer if it decoded one, else the client's.
func (s *decodeSlot) take(v model.Value) model.Value {
	if s.set {
		return s.v
	}
	return v
}

// envelope is the part of an API answer the client still reads after the transport
// has decoded the result: the status, the error and the notes.
type envelope struct {
	Status    string   `json:"status"`
	ErrorType string   `json:"errorType,omitempty"`
	Error     string   `json:"error,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
	Infos     []string `json:"infos,omitempty"`
	Data      any      `json:"data"`
}

// emptyResult stands in for the decoded result in the body the client reads.
var emptyResult = map[string]any{"resultType": "vector", "result": []any{}}

// decodeAnswer reads a query answer from r and returns the body the client should
// read instead: the same envelope with an empty result.
func decodeAnswer(ctx context.Context, r io.Reader, slot *decodeSlot) ([]byte, error) {
	// The decoder reads a few hundred bytes at a time; a buffer saves a trip through
	// the HTTP body for each.
	r = bufio.NewReaderSize(r, 32<<10)
	d := &streamDecoder{ctx: ctx, dec: json.NewDecoder(&shortStrings{r: r, max: maxString})}
	d.dec.UseNumber()
	env, v, err := d.answer()
	if err != nil {
		return nil, err
	}
	slot.v, slot.set = v, true
	env.Data = emptyResult
	return json.Marshal(env)
}

// streamDecoder decodes one answer token by token, counting as it goes.
type streamDecoder struct {
	ctx    context.Context
	dec    *json.Decoder
	series int64
	points int64
}

// decoded is one element of a result array before the result type is known (a key
// order is not guaranteed): a sample ("value") or a series ("values").
type decoded struct {
	metric    model.Metric
	value     *model.SamplePair
	values    []model.SamplePair
	histogram bool // a native-histogram sample or series: no float value to show
}

func (d *streamDecoder) answer() (env envelope, v model.Value, err error) {
	if null, err := d.open('{', "the answer is not a JSON object"); err != nil || null {
		return env, nil, err // a body of null is an answer without data
	}
	var (
		resultType string
		elems      []decoded
		pair       *model.SamplePair // a scalar or string result
		str        string
		hasData    bool
		hasResult  bool
	)
	err = d.object(func(key string) error {
		switch key {
		case "status":
			return d.str(&env.Status)
		case "errorType":
			return d.str(&env.ErrorType)
		case "error":
			return d.str(&env.Error)
		case "warnings":
			return d.notes(&env.Warnings)
		case "infos":
			return d.notes(&env.Infos)
		case "data":
			if null, err := d.open('{', "data is not an object"); err != nil || null {
				return err
			}
			hasData = true
			return d.object(func(key string) error {
				switch key {
				case "resultType":
					return d.str(&resultType)
				case "result":
					hasResult = true
					var err error
					elems, pair, str, err = d.result()
					return err
				}
				return d.skip()
			})
		}
		return d.skip()
	})
	if err != nil {
		return env, nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return env, nil, badResponse("data after the JSON document")
	}
	if env.Status == "error" || !hasData {
		return env, nil, nil
	}
	if !hasResult {
		return env, nil, badResponse("no result")
	}
	v, err = build(resultType, elems, pair, str)
	return env, v, err
}

// build makes the model value of the result type from what the result held.
func build(resultType string, elems []decoded, pair *model.SamplePair, str string) (model.Value, error) {
	switch resultType {
	case model.ValVector.String():
		if pair != nil {
			return nil, badResponse("vector result is not a list of samples")
		}
		vec := make(model.Vector, 0, len(elems))
		for _, e := range elems {
			switch {
			case e.values != nil:
				return nil, badResponse("vector result holds a series")
			case e.value != nil:
				vec = append(vec, &model.Sample{Metric: e.metric, Value: e.value.Value, Timestamp: e.value.Timestamp})
			case !e.histogram:
				return nil, badResponse("sample without a value")
			}
		}
		return vec, nil
	case model.ValMatrix.String():
		if pair != nil {
			return nil, badResponse("matrix result is not a list of series")
		}
		m := make(model.Matrix, 0, len(elems))
		for _, e := range elems {
			switch {
			case e.value != nil:
				return nil, badResponse("matrix result holds a sample")
			case e.values != nil:
				m = append(m, &model.SampleStream{Metric: e.metric, Values: e.values})
			case !e.histogram:
				m = append(m, &model.SampleStream{Metric: e.metric, Values: []model.SamplePair{}})
			}
		}
		return m, nil
	case model.ValScalar.String():
		if pair == nil {
			return nil, badResponse("scalar result is not [time, value]")
		}
		return &model.Scalar{Value: pair.Value, Timestamp: pair.Timestamp}, nil
	case model.ValString.String():
		if pair == nil {
			return nil, badResponse("string result is not [time, text]")
		}
		return &model.String{Value: str, Timestamp: pair.Timestamp}, nil
	case "":
		return nil, badResponse("no result type")
	}
	return nil, badResponse(fmt.Sprintf("unexpected result type %q", clip(resultType)))
}

// result reads the result array: objects (samples or series), or for a scalar or
// string result one [time, value] pair. null is no result.
func (d *streamDecoder) result() (elems []decoded, pair *model.SamplePair, str string, err error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, nil, "", d.readErr(err)
	}
	if tok == nil {
		return nil, nil, "", badResponse("no result")
	}
	if tok != json.Delim('[') {
		return nil, nil, "", badResponse("result is not a list")
	}
	first := true
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, nil, "", d.readErr(err)
		}
		if num, ok := tok.(json.Number); ok && first {
			// A scalar or string: the result is one [time, "value"].
			p, s, err := d.pairFrom(num)
			return nil, p, s, err
		}
		first = false
		e, err := d.element(tok)
		if err != nil {
			return nil, nil, "", err
		}
		if d.series <= maxSeries && d.points <= maxPoints {
			elems = append(elems, e)
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return nil, nil, "", d.readErr(err)
	}
	if err := d.overLimit(false); err != nil {
		return nil, nil, "", err
	}
	return elems, nil, "", nil
}

// overLimit is the limit this answer broke, if any. Once a limit is crossed the rest
// of the answer is still read (up to the byte cap), without keeping it, so the error
// can say how large the answer was.
func (d *streamDecoder) overLimit(cut bool) error {
	switch {
	case d.series > maxSeries:
		return &limitError{what: "series", got: d.series, max: maxSeries, atLeast: cut, advice: "aggregate by the service label"}
	case d.points > maxPoints:
		return &limitError{what: "points", got: d.points, max: maxPoints, atLeast: cut, advice: "fewer series or a longer step"}
	}
	return nil
}

// readErr is a read or syntax error; when a limit was already crossed, that limit
// is the better reason.
func (d *streamDecoder) readErr(err error) error {
	if lim := d.overLimit(true); lim != nil {
		return lim
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return badResponse(err.Error())
	}
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// element reads one object of a result array, whose first token is tok.
func (d *streamDecoder) element(tok json.Token) (decoded, error) {
	var e decoded
	switch tok {
	case nil:
		return e, badResponse("null sample in result")
	case json.Delim('{'):
	default:
		return e, badResponse("a sample is not an object")
	}
	d.series++
	if d.series%checkEvery == 0 {
		if err := d.ctx.Err(); err != nil {
			return e, err
		}
	}
	keep := d.series <= maxSeries && d.points <= maxPoints
	err := d.object(func(key string) error {
		switch key {
		case "metric":
			return d.metric(&e.metric, keep)
		case "value":
			p, err := d.pair()
			d.points++
			e.value = p
			return err
		case "values":
			return d.pairs(&e.values, keep)
		case "histogram":
			e.histogram = true
			d.points++
			return d.skip()
		case "histograms":
			e.histogram = true
			return d.countSkip()
		}
		return d.skip()
	})
	return e, err
}

// metric reads a label set; null is no labels.
func (d *streamDecoder) metric(m *model.Metric, keep bool) error {
	if null, err := d.open('{', "metric is not an object"); err != nil || null {
		return err
	}
	if keep {
		*m = model.Metric{}
	}
	return d.object(func(name string) error {
		var v string
		if err := d.str(&v); err != nil {
			return err
		}
		if keep {
			(*m)[model.LabelName(name)] = model.LabelValue(v)
		}
		return nil
	})
}

// pairs reads a list of [time, "value"] points; null is none.
func (d *streamDecoder) pairs(out *[]model.SamplePair, keep bool) error {
	if null, err := d.open('[', "values is not a list"); err != nil || null {
		return err
	}
	vs := []model.SamplePair{}
	for d.dec.More() {
		p, err := d.pair()
		if err != nil {
			return err
		}
		d.points++
		if keep && d.points <= maxPoints {
			vs = append(vs, *p)
		}
	}
	if keep {
		*out = vs
	}
	_, err := d.dec.Token()
	return d.tokErr(err)
}

// pair reads one [time, "value"] point.
func (d *streamDecoder) pair() (*model.SamplePair, error) {
	null, err := d.open('[', "a point is not [time, value]")
	if err != nil {
		return nil, err
	}
	if null {
		return nil, badResponse("null point in result")
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.readErr(err)
	}
	num, ok := tok.(json.Number)
	if !ok {
		return nil, badResponse("a point's time is not a number")
	}
	p, _, err := d.pairFrom(num)
	return p, err
}

// pairFrom reads the rest of a point whose time num was just read: a value as a
// quoted number (or any text for a string result), and the closing bracket.
func (d *streamDecoder) pairFrom(num json.Number) (*model.SamplePair, string, error) {
	var p model.SamplePair
	if err := p.Timestamp.UnmarshalJSON([]byte(num)); err != nil {
		return nil, "", badResponse("a point's time: " + err.Error())
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, "", d.readErr(err)
	}
	s, ok := tok.(string)
	if !ok {
		return nil, "", badResponse("a point's value is not a quoted number")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		p.Value = model.SampleValue(f)
	}
	tok, err = d.dec.Token()
	if err != nil {
		return nil, "", d.readErr(err)
	}
	if tok != json.Delim(']') {
		return nil, "", badResponse("a point has more than [time, value]")
	}
	return &p, s, nil
}

// countSkip skips a list, counting its elements as points.
func (d *streamDecoder) countSkip() error {
	if null, err := d.open('[', "histograms is not a list"); err != nil || null {
		return err
	}
	for d.dec.More() {
		d.points++
		if err := d.skip(); err != nil {
			return err
		}
	}
	_, err := d.dec.Token()
	return d.tokErr(err)
}

// notes reads a list of strings, keeping the first maxNotes.
func (d *streamDecoder) notes(out *[]string) error {
	if null, err := d.open('[', "warnings is not a list"); err != nil || null {
		return err
	}
	for d.dec.More() {
		var s string
		if err := d.str(&s); err != nil {
			return err
		}
		if len(*out) < maxNotes {
			*out = append(*out, s)
		}
	}
	_, err := d.dec.Token()
	return d.tokErr(err)
}

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
