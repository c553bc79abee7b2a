package prometheus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// panicky is an API whose decoding panics, as a client library bug on a hostile
// body would.
type panicky struct{ v1.API }

func (panicky) Query(context.Context, string, time.Time, ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	panic("assignment to entry in nil map")
}

func (panicky) QueryRange(context.Context, string, v1.Range, ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	panic("index out of range")
}

func (panicky) Flags(context.Context) (v1.FlagsResult, error) { panic(fmt.Errorf("boom")) }

// TestCheckedRecoversADecodingPanic: the last line of defence turns a panic inside the
// client into a bad response.
func TestCheckedRecoversADecodingPanic(t *testing.T) {
	a := checked(panicky{})
	ctx := context.Background()
	_, _, _, err1 := a.Query(ctx, "q", time.Now())
	_, _, _, err2 := a.QueryRange(ctx, "q", rangeOf(time.Now()))
	_, err3 := a.Flags(ctx)
	for _, err := range []error{err1, err2, err3} {
		if err == nil || !strings.HasPrefix(describe(err, 0), "bad response: could not decode (") {
			t.Errorf("error %v, want a bad response", err)
		}
	}
}

func TestCheckedRejectsUnusableAnswers(t *testing.T) {
	tests := []struct {
		v       model.Value
		instant string // checkInstant's error, "" for none
		ranged  string
	}{
		{nil, "bad response: no data", "bad response: no data"},
		{model.Vector(nil), "bad response: no result", "bad response: want a matrix, got a vector"},
		{model.Vector{nil}, "bad response: null sample in result", "bad response: want a matrix, got a vector"},
		{model.Vector{}, "", "bad response: want a matrix, got a vector"},
		{model.Matrix(nil), "bad response: want a vector, got a matrix", "bad response: no result"},
		{model.Matrix{nil}, "bad response: want a vector, got a matrix", "bad response: null series in result"},
		{model.Matrix{}, "bad response: want a vector, got a matrix", ""},
		{(*model.Scalar)(nil), "bad response: no result", "bad response: want a matrix, got a scalar"},
		{&model.Scalar{}, "", "bad response: want a matrix, got a scalar"},
		{&model.String{}, "bad response: want a vector, got a string", "bad response: want a matrix, got a string"},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			got  error
			want string
		}{{checkInstant(tc.v), tc.instant}, {checkRange(tc.v), tc.ranged}} {
			got := ""
			if c.got != nil {
				got = describe(c.got, 0)
			}
			if got != c.want {
				t.Errorf("%#v: %q, want %q", tc.v, got, c.want)
			}
		}
	}
}

// TestMetadataAnswersHaveASmallCap: the flags answer, decoded whole by the client, is
// capped at 1 MiB however large the body cap.
func TestMetadataAnswersHaveASmallCap(t *testing.T) {
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"status":"success","data":{"x":"`+strings.Repeat("a", 2<<20)+`"}}`)
	})
	src := oneSignal(t, url, nil)
	_, err := src.api.Flags(context.Background())
	var capErr *capError
	if !errors.As(err, &capErr) || capErr.max != maxMetadataBody {
		t.Errorf("error %v, want the 1 MiB cap", err)
	}
}

// TestNoEmptyReasons: every way of describing an error says something, even when the
// server or the error it came from said nothing.
func TestNoEmptyReasons(t *testing.T) {
	errs := []error{
		&v1.Error{},
		&v1.Error{Type: v1.ErrBadData},
		&v1.Error{Msg: "x"},
		&v1.Error{Type: v1.ErrClient, Msg: ""},
		&v1.Error{Type: v1.ErrServer, Msg: "server error: 503", Detail: `{"status":"error"}`},
		&v1.Error{Type: v1.ErrBadResponse},
		&net.DNSError{IsNotFound: true},
		&net.DNSError{},
		errors.New(""),
		&url.Error{Op: "Post", URL: "http://p", Err: errors.New(" \x1b ")},
	}
	for _, err := range errs {
		got := describe(err, 0)
		if strings.TrimSpace(got) == "" || strings.HasSuffix(got, ": ") || strings.HasSuffix(got, " ") || strings.Contains(got, ": :") {
			t.Errorf("describe(%#v) = %q", err, got)
		}
	}
	if got := describe(&v1.Error{}, 0); got != "error with no message" {
		t.Errorf(`{"status":"error"} reads %q, want "error with no message"`, got)
	}
}
