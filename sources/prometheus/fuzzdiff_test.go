package prometheus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// FuzzStreamDecodingMatchesClient: where client_golang's own decoding and the
// streaming decoder both accept an answer, they read the same value. The streaming
// decoder is stricter by design (a point of three elements, a time given as a string
// are bad responses to it) and leaves native-histogram samples out: they have no float
// value.
func FuzzStreamDecodingMatchesClient(f *testing.F) {
	for _, s := range queryShapes {
		f.Add([]byte(s))
	}
	var body atomic.Pointer[[]byte]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(*body.Load())
	}))
	f.Cleanup(srv.Close)
	ours := oneSignal(f, srv.URL, nil).api
	c, err := api.NewClient(api.Config{Address: srv.URL})
	if err != nil {
		f.Fatal(err)
	}
	theirs := v1.NewAPI(c)
	at := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		if strings.Contains(string(b), "histogram") {
			return
		}
		body.Store(&b)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		want, _, _, err := clientQuery(ctx, theirs, at)
		if err != nil || checkInstant(want) != nil {
			return
		}
		got, _, _, err := ours.Query(ctx, "q", at)
		if err != nil {
			if !strings.HasPrefix(describe(err, 0), "bad response: ") {
				t.Fatalf("the client reads %v; the stream decoder fails: %v", want, err)
			}
			return
		}
		if got.String() != want.String() || got.Type() != want.Type() {
			t.Fatalf("the client reads %v (%s); the stream decoder %v (%s)", want, want.Type(), got, got.Type())
		}
	})
}

// clientQuery is client_golang's own reading, with its panics as errors.
func clientQuery(ctx context.Context, a v1.API, at time.Time) (v model.Value, w v1.Warnings, i v1.Infos, err error) {
	defer recoverDecoding(&v, &err)
	return a.Query(ctx, "q", at)
}
