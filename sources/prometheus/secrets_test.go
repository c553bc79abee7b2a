package prometheus

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/sources"
)

// canary is a password no error may ever show.
const canary = "Canary-7f3c-Pa55"

// TestErrorsNeverShowSecrets puts the canary in the URL's userinfo, in basic_auth, in
// a bearer token and in a secret header, and fails every way a request can fail: no
// error the source returns holds it, plainly or base64-encoded as basic auth sends it.
func TestErrorsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	}))
	t.Cleanup(unauthorized.Close)
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) }) // runs first: the handler returns, then the server closes
	tlsServer := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsServer.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://admin:"+canary+"@"+closed+"/api/v1/query", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	host := func(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }

	targets := []struct{ name, url string }{
		{"401", "http://" + host(unauthorized.URL)},
		{"refused", "http://" + closed},
		// A label over 63 characters is no domain name: the resolver says "no such
		// host" without asking any DNS server, so the test sends nothing off this machine.
		{"DNS", "http://" + strings.Repeat("x", 64) + ".invalid:9090"},
		{"timeout", "http://" + host(slow.URL)},
		{"TLS to plain HTTP", "https://" + host(unauthorized.URL)},
		{"TLS unknown authority", "https://" + host(tlsServer.URL)},
		{"redirect", "http://" + host(redirect.URL)},
	}
	basic := func(c *promconfig.HTTPClientConfig) {
		c.BasicAuth = &promconfig.BasicAuth{Username: "admin", Password: promconfig.Secret(canary)}
	}
	bearer := func(c *promconfig.HTTPClientConfig) {
		c.Authorization = &promconfig.Authorization{Type: "Bearer", Credentials: promconfig.Secret(canary)}
		c.HTTPHeaders = &promconfig.Headers{Headers: map[string]promconfig.Header{
			"X-Scope-OrgID": {Secrets: []promconfig.Secret{canary}},
		}}
	}
	forms := []string{canary, base64.StdEncoding.EncodeToString([]byte("admin:" + canary))}
	for _, tc := range targets {
		for _, auth := range []struct {
			name     string
			userinfo bool
			set      func(*promconfig.HTTPClientConfig)
		}{{"userinfo", true, nil}, {"basic_auth", false, basic}, {"bearer and header", false, bearer}} {
			t.Run(tc.name+"/"+auth.name, func(t *testing.T) {
				t.Parallel()
				url := tc.url
				if auth.userinfo {
					scheme, rest, _ := strings.Cut(url, "://")
					url = scheme + "://admin:" + canary + "@" + rest
				}
				cfg := promconfig.DefaultHTTPClientConfig
				if auth.set != nil {
					auth.set(&cfg)
				}
				src, err := New(Options{Name: "p", URL: url, HTTP: cfg, Signals: &SignalSpec{
					By: "job", Profile: map[sources.Signal]string{sources.Traffic: "q"}, Services: []ServiceSpec{{Name: "a"}},
				}})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel()
				_, pollErr := src.Poll(ctx, time.Now())
				ctx2, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel2()
				checkErr := src.Check(ctx2)
				t.Logf("poll: %v; check: %v", pollErr, checkErr)
				for what, err := range map[string]error{"poll": pollErr, "check": checkErr} {
					if err == nil {
						t.Errorf("%s: no error", what)
						continue
					}
					for _, f := range forms {
						if strings.Contains(err.Error(), f) {
							t.Errorf("%s: error %q shows the secret", what, err)
						}
					}
				}
			})
		}
	}
}

func TestRedactURLs(t *testing.T) {
	tests := map[string]string{
		`Get "http://admin:s3cret@host:9090/api": EOF`: `Get "http://admin:xxxxx@host:9090/api": EOF`,
		`proxyconnect tcp: https://tok@proxy:3128`:     `proxyconnect tcp: https://xxxxx@proxy:3128`,
		`socks5://u:p@x and http://a:b@y`:              `socks5://u:xxxxx@x and http://a:xxxxx@y`,
		`no url here: user@example.com`:                `no url here: user@example.com`,
	}
	for in, want := range tests {
		if got := redactURLs(in); got != want {
			t.Errorf("redactURLs(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDescribeMasksURLCredentials: a proxy or a server quoting a URL with its
// credentials in an error does not carry them into the source's error.
func TestDescribeMasksURLCredentials(t *testing.T) {
	errs := []error{
		&url.Error{Op: "Post", URL: "http://p/api", Err: fmt.Errorf("proxyconnect tcp: dial http://admin:%s@proxy:3128: refused", canary)},
		&v1.Error{Type: v1.ErrClient, Msg: "client error: 401", Detail: "bad login for http://admin:" + canary + "@prom"},
		&v1.Error{Type: v1.ErrBadData, Msg: "cannot reach http://admin:" + canary + "@remote-read"},
	}
	for _, err := range errs {
		if got := describe(err, 0); strings.Contains(got, canary) || !strings.Contains(got, "admin:xxxxx@") {
			t.Errorf("describe(%v) = %q, want the password masked", err, got)
		}
	}
}
