package prometheus

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/prometheus/common/model"
)

// Query answers are decoded here, as the body streams in, rather than by the client:
// client_golang reads the whole body into memory, copies the result once more and
// builds its model values from that, which made a 32 MiB answer cost over 150 MiB. Decoding
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
