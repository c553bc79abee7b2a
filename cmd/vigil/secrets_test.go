package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources/sim"
)

// canary is the one secret every secret-bearing field of the config holds. It must
// never appear in any output stream of any command, whatever went wrong.
const canary = "Canary-s3cr3t-7f3a"

// secretConfig is a config with the canary in every field that holds a secret, each
// endpoint pointing at base (scheme://host:port of the server under test). An
// endpoint may carry only one kind of auth, hence one endpoint per kind.
func secretConfig(dir, base, timeout string) string {
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			panic(err)
		}
		return path
	}
	passwordFile := write("password", canary+"\n")
	tokenFile := write("pd-token", canary+"\n")
	scheme, hostport, _ := strings.Cut(base, "://")
	withUser := scheme + "://admin:" + canary + "@" + hostport
	// An HTTP proxy for plain http; an https target is tunnelled through it (CONNECT).
	proxy := "http://proxyuser:" + canary + "@" + hostport
	return fmt.Sprintf(`refresh: %[1]s
timeout: %[1]s
prometheus:
  - name: userinfo
    url: %[2]s
  - name: basic
    url: %[3]s
    basic_auth: {username: admin, password: %[4]s}
  - name: basicfile
    url: %[3]s
    basic_auth: {username: admin, password_file: %[5]s}
  - name: authorization
    url: %[3]s
    authorization: {type: Bearer, credentials: %[4]s}
  - name: oauth
    url: %[3]s
    oauth2: {client_id: vigil, client_secret: %[4]s, token_url: %[3]s/oauth2/token}
  - name: proxied
    url: %[3]s
    proxy_url: %[6]s
  - name: header
    url: %[3]s
    http_headers:
      X-Api-Key: {secrets: [%[4]s]}
alertmanager:
  - name: am
    url: %[2]s
pagerduty:
  token_file: %[7]s
  url: %[3]s
  from: oncall@example.com
  services: [PABC123]
signals:
  prometheus: userinfo
  by: job
  traffic: sum by (job) (rate(http_requests_total[5m]))
services:
  - name: api
  - {name: via-basic, prometheus: basic, traffic: vector(1)}
  - {name: via-basicfile, prometheus: basicfile, traffic: vector(1)}
  - {name: via-authorization, prometheus: authorization, traffic: vector(1)}
  - {name: via-oauth, prometheus: oauth, traffic: vector(1)}
  - {name: via-proxied, prometheus: proxied, traffic: vector(1)}
  - {name: via-header, prometheus: header, traffic: vector(1)}
slos:
  - name: api-availability
    service: api
    objective: 99.9
    window: 7d
    prometheus: basic
    errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))
    total: sum(rate(http_requests_total{job="api"}[{{.window}}]))
`, timeout, withUser, base, canary, passwordFile, proxy, tokenFile)
}

// badConfigs put the canary where a config error could quote it.
var badConfigs = map[string]string{
	"unknown key next to a password":      "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    basic_auth: {username: a, password: " + canary + ", passwrod: x}\n",
	"unparseable URL with userinfo":       "prometheus:\n  - name: p\n    url: \"http://admin:" + canary + "@[::1\"\n",
	"URL with userinfo, bad scheme":       "prometheus:\n  - name: p\n    url: \"ftp://admin:" + canary + "@127.0.0.1:9\"\n",
	"URL with userinfo, bad port":         "prometheus:\n  - name: p\n    url: \"http://admin:" + canary + "@127.0.0.1:99999999\"\n",
	"proxy with a bad scheme":             "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    proxy_url: \"file://u:" + canary + "@127.0.0.1/etc/passwd\"\n",
	"secret header with a newline":        "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    http_headers:\n      X-Api-Key: {secrets: [\"" + canary + "\\r\\nX-Evil: 1\"]}\n",
	"two auths at once":                   "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    basic_auth: {username: a, password: " + canary + "}\n    authorization: {credentials: " + canary + "}\n",
	"password where a map belongs":        "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    basic_auth: " + canary + "\n",
	"YAML syntax error on the line":       "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    basic_auth: {username: a, password: [" + canary + "}\n",
	"duplicate key":                       "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\n    basic_auth: {username: a, password: " + canary + ", password: " + canary + "}\n",
	"pagerduty token file world-readable": "prometheus:\n  - name: p\n    url: http://127.0.0.1:9\npagerduty:\n  token_file: TOKEN\n  from: a@example.com\n",
}

// failingServers starts one server per failure kind and returns the base URL each
// endpoint of the config should point at.
func failingServers(t *testing.T) map[string]string {
	t.Helper()
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="prometheus"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	t.Cleanup(unauthorized.Close)

	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close()

	// Accepts connections and never answers.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		hung.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})

	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	})
	quiet := log.New(io.Discard, "", 0) // the handshake failures are the point
	plain := httptest.NewUnstartedServer(answer)
	plain.Config.ErrorLog = quiet
	plain.Start()
	t.Cleanup(plain.Close)
	selfSigned := httptest.NewUnstartedServer(answer)
	selfSigned.Config.ErrorLog = quiet
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)

	return map[string]string{
		"401":                unauthorized.URL,
		"connection refused": "http://" + refusedAddr,
		// A label over 63 characters is no domain name: the resolver says "no such
		// host" without asking any DNS server, so the test sends nothing off this machine.
		"DNS failure":                  "http://" + strings.Repeat("x", 64) + ".invalid:9090",
		"timeout":                      "http://" + hung.Addr().String(),
		"TLS: https to a plain server": strings.Replace(plain.URL, "http://", "https://", 1),
		"TLS: self-signed certificate": selfSigned.URL,
	}
}

// runBinary runs the built vigil with args and returns everything it wrote, by
// stream, including the log file.
func runBinary(t *testing.T, kind, bin, logFile string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--log-file", logFile}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "XDG_STATE_HOME="+t.TempDir())
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Errorf("(%s) vigil %s: still running after 20s (a hang is a failure too)", kind, strings.Join(args[2:], " "))
	}
	log, _ := os.ReadFile(logFile)
	return map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "log file": string(log)}
}

// commands are the runs whose every output stream is searched for the canary.
func commands(cfg string) [][]string {
	return [][]string{
		{"--config", cfg, "check"},
		{"--config", cfg, "snapshot", "--format", "json"},
		{"--config", cfg, "snapshot", "--format", "text"},
		{"--config", cfg, "snapshot", "--format", "markdown"},
	}
}

// TestSecretsNeverReachOutput puts one canary secret in every secret-bearing field
// (URL userinfo, basic_auth password and password_file, authorization credentials,
// oauth2 client_secret, proxy_url userinfo, a secret header, the PagerDuty token
// file) and searches stdout, stderr and the log file of check and snapshot in every
// format: against a working server and against each failure kind, and for configs
// that fail to load.
func TestSecretsNeverReachOutput(t *testing.T) {
	bin := buildVigil(t)
	srv, err := sim.StartPrometheus(sim.DemoScenario(time.Now()), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	targets := failingServers(t)
	targets["success"] = srv.URL()

	leaks := 0
	check := func(kind string, args []string, streams map[string]string) {
		for name, text := range streams {
			if i := strings.Index(text, canary); i >= 0 {
				leaks++
				line := text[strings.LastIndexByte(text[:i], '\n')+1:]
				if j := strings.IndexByte(line, '\n'); j >= 0 {
					line = line[:j]
				}
				t.Errorf("LEAK (%s) vigil %s: %s: %q", kind, strings.Join(args[2:], " "), name, line)
			}
		}
	}
	for kind, base := range targets {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(cfg, []byte(secretConfig(dir, base, "1s")), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range commands(cfg) {
			streams := runBinary(t, kind, bin, filepath.Join(dir, "vigil.log"), args...)
			// The URL with userinfo is printed (redacted): the search below looks at
			// output that had the chance to leak.
			if kind == "success" && args[2] == "check" && !strings.Contains(streams["stdout"], "prometheus userinfo http://admin:") {
				t.Errorf("check printed no line for the endpoint with userinfo; the test is not looking at it:\n%s%s", streams["stdout"], streams["stderr"])
			}
			check(kind, args, streams)
		}
	}
	for kind, body := range badConfigs {
		dir := t.TempDir()
		if strings.Contains(body, "TOKEN") {
			token := filepath.Join(dir, "pd-token")
			if err := os.WriteFile(token, []byte(canary), 0o644); err != nil {
				t.Fatal(err)
			}
			body = strings.Replace(body, "TOKEN", token, 1)
		}
		cfg := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range commands(cfg) {
			streams := runBinary(t, "bad config: "+kind, bin, filepath.Join(dir, "vigil.log"), args...)
			if streams["stderr"] == "" {
				t.Errorf("bad config (%s): vigil %s printed no error", kind, strings.Join(args[2:], " "))
			}
			check("bad config: "+kind, args, streams)
		}
	}
	if leaks > 0 {
		t.Logf("%d outputs carry the canary secret", leaks)
	}
}
