package alertmanager

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"
)

// No error text carries a credential: not the password of the URL, not a bearer
// token a server echoes back.
func TestErrorsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-token"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("bad credentials http://admin:" + secret + "@example.invalid/"))
	}))
	t.Cleanup(echo.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	hc := promconfig.DefaultHTTPClientConfig
	hc.Authorization = &promconfig.Authorization{Type: "Bearer", Credentials: secret}
	for _, base := range []string{echo.URL, strings.Replace(closed.URL, "http://", "http://admin:"+secret+"@", 1)} {
		src, err := New(Options{Name: "a", URL: base, HTTP: hc})
		if err != nil {
			t.Fatal(err)
		}
		g, err := NewGroup("g", []*Source{src})
		if err != nil {
			t.Fatal(err)
		}
		// The same server read for Prometheus's own alerts (with its external labels)
		// and for the flapping history.
		prom, err := NewPromAlerts(PromOptions{Name: "p", URL: base, HTTP: hc, ExternalLabels: true})
		if err != nil {
			t.Fatal(err)
		}
		hist, err := NewHistory(HistoryOptions{Name: "p", URL: base, HTTP: hc})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = g.Poll(ctx, time.Now())
		_, werr := g.CreateSilence(ctx, nil, time.Now(), time.Now().Add(time.Hour), "me", "c")
		eerr := g.ExpireSilence(ctx, "x")
		d, perr := prom.Poll(ctx, time.Now())
		if perr == nil && len(d.Warnings) > 0 {
			perr = errors.New(strings.Join(d.Warnings, "; "))
		}
		_, herr := hist.Episodes(ctx, time.Now())
		cancel()
		for _, e := range []error{err, werr, eerr, perr, herr} {
			if e == nil || strings.Contains(e.Error(), secret) {
				t.Errorf("%s: err %v: want an error without the secret", base[:7], e)
			}
		}
	}
}
