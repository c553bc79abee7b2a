package prometheus

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// checked wraps the client's API so that every decoded answer is checked before the
// rest of the package reads it. Valid JSON can still decode to nothing the package
// expects ({"status":"success","data":null} gives a nil value, "result":[null] a nil
// sample), and a reader that trusted it would dereference nil; here such an answer
// becomes the error "bad response: no data" (or a more precise variant) once, for
// every caller.
func checked(a v1.API) v1.API { return checkedAPI{API: a} }

// checkedAPI is v1.API with Query, QueryRange and the metadata calls checked. The
// methods the package does not call are passed through unchanged.
type checkedAPI struct{ v1.API }

func (c checkedAPI) Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (v model.Value, w v1.Warnings, i v1.Infos, err error) {
	defer recoverDecoding(&v, &err)
	ctx, slot := withDecodeSlot(ctx)
	v, w, i, err = c.API.Query(ctx, query, ts, opts...)
	v = slot.take(v)
	if err != nil {
		return nil, w, i, err
	}
	if err := checkInstant(v); err != nil {
		return nil, w, i, err
	}
	return v, w, i, nil
}

func (c checkedAPI) QueryRange(ctx context.Context, query string, r v1.Range, opts ...v1.Option) (v model.Value, w v1.Warnings, i v1.Infos, err error) {
	defer recoverDecoding(&v, &err)
	ctx, slot := withDecodeSlot(ctx)
	v, w, i, err = c.API.QueryRange(ctx, query, r, opts...)
	v = slot.take(v)
	if err != nil {
		return nil, w, i, err
	}
	if err := checkRange(v); err != nil {
		return nil, w, i, err
	}
	return v, w, i, nil
}

func (c checkedAPI) Flags(ctx context.Context) (f v1.FlagsResult, err error) {
	defer recoverDecoding(nil, &err)
	f, err = c.API.Flags(ctx)
	if err == nil && f == nil {
		return nil, badResponse("no data")
	}
	return f, err
}

func (c checkedAPI) Buildinfo(ctx context.Context) (b v1.BuildinfoResult, err error) {
	defer recoverDecoding(nil, &err)
	return c.API.Buildinfo(ctx)
}

func (c checkedAPI) Targets(ctx context.Context) (t v1.TargetsResult, err error) {
	defer recoverDecoding(nil, &err)
	return c.API.Targets(ctx)
}

func (c checkedAPI) Series(ctx context.Context, matches []string, start, end time.Time, opts ...v1.Option) (s []model.LabelSet, w v1.Warnings, i v1.Infos, err error) {
	defer recoverDecoding(nil, &err)
	return c.API.Series(ctx, matches, start, end, opts...)
}

func (c checkedAPI) LabelValues(ctx context.Context, label string, matches []string, start, end time.Time, opts ...v1.Option) (l model.LabelValues, w v1.Warnings, i v1.Infos, err error) {
	defer recoverDecoding(nil, &err)
	return c.API.LabelValues(ctx, label, matches, start, end, opts...)
}

// badResponse is an answer that decoded but cannot be used. It is the client's own
// error type, so describe reads it as "bad response: ...".
func badResponse(msg string) error {
	return &v1.Error{Type: v1.ErrBadResponse, Msg: msg}
}

// recoverDecoding is the last line of defence: a panic while the client decodes a
// hostile body (or while this wrapper checks it) is a bad response, not a crashed
// dashboard. The shapes known to reach nil are checked explicitly before this.
func recoverDecoding(v *model.Value, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if v != nil {
		*v = nil
	}
	*err = &decodePanic{msg: fmt.Sprint(r), stack: debug.Stack()}
}

// decodePanic is a panic recovered while decoding. It reads as a bad response; the
// stack stays on the value for a log.
type decodePanic struct {
	msg   string
	stack []byte
}

func (e *decodePanic) Error() string { return "bad response: could not decode (" + clip(e.msg) + ")" }

// checkInstant accepts what an instant query may answer: a vector without nil
// samples, or a scalar.
func checkInstant(v model.Value) error {
	switch v := v.(type) {
	case nil:
		return badResponse("no data")
	case model.Vector:
		if v == nil {
			return badResponse("no result")
		}
		for _, s := range v {
			if s == nil {
				return badResponse("null sample in result")
			}
		}
		return nil
	case *model.Scalar:
		if v == nil {
			return badResponse("no result")
		}
		return nil
	}
	return badResponse("want a vector, got a " + typeName(v))
}

// checkRange accepts what a range query may answer: a matrix without nil series.
func checkRange(v model.Value) error {
	switch v := v.(type) {
	case nil:
		return badResponse("no data")
	case model.Matrix:
		if v == nil {
			return badResponse("no result")
		}
		for _, s := range v {
			if s == nil {
				return badResponse("null series in result")
			}
		}
		return nil
	}
	return badResponse("want a matrix, got a " + typeName(v))
}

// typeName names v's type as Prometheus does ("vector"), without calling a method on
// a nil value.
func typeName(v model.Value) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case model.Vector:
		return model.ValVector.String()
	case model.Matrix:
		return model.ValMatrix.String()
	case *model.Scalar:
		return model.ValScalar.String()
	case *model.String:
		return model.ValString.String()
	default:
		return fmt.Sprintf("%T", v)
	}
}

// withPollLimits marks ctx as one poll's: requests sent with it share the poll's
// rate-limit state. Once a server has answered 429 or 503 with Retry-After, the
// transport sends none of the poll's remaining requests and fails them with the
// same error at once.
func withPollLimits(ctx context.Context) context.Context {
	return context.WithValue(ctx, latchKey{}, &retryLatch{})
}
