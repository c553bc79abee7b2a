package prometheus

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPollCollectsWarnings: the warnings of a partial answer (Thanos, Mimir) reach
// Data.Warnings, once each, on one line, capped in number and length.
func TestPollCollectsWarnings(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1000)
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		warnings := `"store 10.0.0.7:10901 unreachable:\nconnection refused", "` + long + `"`
		if strings.HasSuffix(r.URL.Path, "/query_range") {
			fmt.Fprintf(w, `{"status":"success","warnings":[%s],"data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[%s,"1"]]}]}}`, warnings, endOf(r))
			return
		}
		fmt.Fprintf(w, `{"status":"success","warnings":[%s],"data":{"resultType":"vector","result":[]}}`, warnings)
	})
	data, err := poll(t, oneSignal(t, url, nil), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Warnings) != 2 {
		t.Fatalf("warnings %q, want the two distinct ones", data.Warnings)
	}
	if data.Warnings[0] != "store 10.0.0.7:10901 unreachable: connection refused" {
		t.Errorf("first warning %q, want it on one line", data.Warnings[0])
	}
	if w := data.Warnings[1]; len(w) > maxWarningLen+len("…") || !strings.HasSuffix(w, "…") {
		t.Errorf("a long warning is %d bytes, want at most %d and marked cut", len(w), maxWarningLen)
	}
	if !data.Signals.Services["a"].Values["latency"].Valid {
		t.Errorf("the partial answer's value is missing: %+v", data.Signals.Services["a"])
	}
}

func TestWarningSetCaps(t *testing.T) {
	t.Parallel()
	var w warningSet
	for i := range 3 * maxWarnings {
		w.add([]string{fmt.Sprintf("warning %02d", i%(2*maxWarnings)), "warning 00"})
	}
	got := w.sorted()
	if len(got) != maxWarnings+1 || got[len(got)-1] != moreWarnings {
		t.Errorf("warnings %q: want %d and a line saying there are more", got, maxWarnings)
	}
	var none warningSet
	if got := none.sorted(); got != nil {
		t.Errorf("no warnings: %q, want nil", got)
	}
}
