package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const canary = "Canary-s3cr3t-7f3a"

// TestDashboardShowsNoSecrets runs the dashboard on a config holding a canary
// secret in URL userinfo, a basic_auth password, a bearer token and proxy
// credentials, against a server answering 401 and a port that refuses: neither the
// screen (header, help, every pane) nor the log file may show the canary.
func TestDashboardShowsNoSecrets(t *testing.T) {
	bin := vigilBinary(t)
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	defer unauthorized.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()
	host401 := strings.TrimPrefix(unauthorized.URL, "http://")

	dir := t.TempDir()
	cfg := fmt.Sprintf(`refresh: 2s
timeout: 2s
prometheus:
  - name: userinfo
    url: http://admin:%[1]s@%[2]s
    alerts: false # five badges fit the header with their errors; alert sources' errors are redacted by the same code (sources/alertmanager's secrets test)
  - name: basic
    url: http://%[2]s
    basic_auth: {username: admin, password: %[1]s}
    alerts: false
  - name: bearer
    url: http://%[2]s
    authorization: {credentials: %[1]s}
    alerts: false
  - name: proxied
    url: http://%[3]s
    proxy_url: http://u:%[1]s@%[3]s
    alerts: false
  - name: refusing
    url: http://admin:%[1]s@%[3]s
    alerts: false
services:
  - {name: a, prometheus: userinfo, traffic: vector(1)}
  - {name: b, prometheus: basic, traffic: vector(1)}
  - {name: c, prometheus: bearer, traffic: vector(1)}
  - {name: d, prometheus: proxied, traffic: vector(1)}
  - {name: e, prometheus: refusing, traffic: vector(1)}
`, canary, host401, refused)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, 240, 60, dir)
	tm.line("TERM=xterm-256color " + bin + " --config config.yaml --log-file vigil.log")
	seen := []string{tm.waitFor(20*time.Second, "userinfo", "refusing", "unauthorized", "connection")}
	time.Sleep(3 * time.Second) // a second poll, a retry countdown
	seen = append(seen, tm.screen())
	for _, k := range []string{"?", "Escape", "2", "h", "x"} {
		tm.keys(k)
		time.Sleep(300 * time.Millisecond)
		seen = append(seen, tm.screen())
	}
	tm.keys("Escape")
	time.Sleep(300 * time.Millisecond)
	tm.keys("q")
	time.Sleep(time.Second)
	for i, s := range seen {
		if strings.Contains(s, canary) {
			t.Errorf("screen %d shows the secret:\n%s", i, s)
		}
	}
	log, err := os.ReadFile(filepath.Join(dir, "vigil.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "source failing") {
		t.Errorf("the log holds no source failure; the test is not looking at one:\n%s", log)
	}
	if strings.Contains(string(log), canary) {
		for _, l := range strings.Split(string(log), "\n") {
			if strings.Contains(l, canary) {
				t.Errorf("the log file shows the secret: %s", l)
			}
		}
	}
}
