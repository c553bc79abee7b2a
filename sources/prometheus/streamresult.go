package prometheus

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/prometheus/common/model"
)

// The result part of a query answer: samples, series and points, counted against the
// limits as they are read.

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
