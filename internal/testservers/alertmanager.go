package testservers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// AMOptions shapes a test Alertmanager.
type AMOptions struct {
	// Config is the YAML of alertmanager.yml. Empty: one route to a receiver that
	// sends nothing, grouping by alertname.
	Config string
}

// DefaultAMConfig routes every alert to a receiver that notifies no one.
const DefaultAMConfig = `route:
  receiver: none
  group_by: [alertname]
  group_wait: 0s
receivers:
  - name: none
`

// AMServer is a running (or stopped) Alertmanager owned by one test. It is never
// clustered: two of them are two independent replicas, as an HA pair looks when its
// gossip is broken, which is what the merging code must survive.
type AMServer struct {
	t       testing.TB
	bin     string
	dir     string
	logPath string
	port    int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Alertmanager starts an Alertmanager on a free loopback port with its own storage
// directory and stops it when the test ends. It returns once /-/ready answers.
func Alertmanager(t testing.TB, opts AMOptions) *AMServer {
	t.Helper()
	bin := lookBinary(t, "prometheus-alertmanager", "prometheus-alertmanager")
	if opts.Config == "" {
		opts.Config = DefaultAMConfig
	}
	dir := t.TempDir()
	a := &AMServer{t: t, bin: bin, dir: dir, logPath: filepath.Join(dir, "alertmanager.log")}
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), []byte(opts.Config), 0o600); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	t.Cleanup(func() {
		a.Stop()
		if t.Failed() {
			t.Logf("alertmanager on port %d, last lines of its log:\n%s", a.port, tail(a.logPath, 30))
		}
	})
	firstStart(t, "alertmanager", a.logPath, &a.port, a.start)
	return a
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234.
func (a *AMServer) URL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(a.port))
}

// Start starts a stopped Alertmanager again on the same port and storage, failing
// the test if it does not come up.
func (a *AMServer) Start() {
	a.t.Helper()
	restart(a.t, "alertmanager", a.port, a.logPath, a.start)
}

// Stop ends the server: SIGTERM, then SIGKILL after 5s. Stopping a stopped server
// does nothing.
func (a *AMServer) Stop() {
	a.mu.Lock()
	cmd, done := a.cmd, a.done
	a.cmd = nil
	a.mu.Unlock()
	if cmd == nil {
		return
	}
	stopProcess(cmd, done)
}

func (a *AMServer) start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	cmd := exec.Command(a.bin,
		"--config.file="+filepath.Join(a.dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(a.dir, "data"),
		"--web.listen-address="+net.JoinHostPort("127.0.0.1", strconv.Itoa(a.port)),
		"--cluster.listen-address=", // not clustered: each test server is alone
	)
	done, err := launch(cmd, a.logPath, a.URL()+"/-/ready")
	if err != nil {
		return err
	}
	a.cmd, a.done = cmd, done
	return nil
}

// PushAlert is one alert as a test sends it to Alertmanager. A zero StartsAt is now
// (Alertmanager's choice); a zero EndsAt leaves the alert firing for its resolve
// timeout.
type PushAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Push posts alerts to POST /api/v2/alerts, failing the test on any error.
func (a *AMServer) Push(t testing.TB, alerts ...PushAlert) {
	t.Helper()
	body, err := json.Marshal(alerts)
	if err != nil {
		t.Fatalf("push alerts: %v", err)
	}
	if _, err := a.do(http.MethodPost, "/api/v2/alerts", body); err != nil {
		t.Fatalf("push alerts to %s: %v", a.URL(), err)
	}
}

// Silence creates a silence with equality matchers on labels, lasting an hour, and
// returns its ID. It talks plain HTTP, independently of the code under test.
func (a *AMServer) Silence(t testing.TB, labels map[string]string, comment string) string {
	t.Helper()
	type matcher struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		IsRegex bool   `json:"isRegex"`
		IsEqual bool   `json:"isEqual"`
	}
	s := struct {
		Matchers  []matcher `json:"matchers"`
		StartsAt  time.Time `json:"startsAt"`
		EndsAt    time.Time `json:"endsAt"`
		CreatedBy string    `json:"createdBy"`
		Comment   string    `json:"comment"`
	}{StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour), CreatedBy: "test", Comment: comment}
	for n, v := range labels {
		s.Matchers = append(s.Matchers, matcher{Name: n, Value: v, IsEqual: true})
	}
	body, _ := json.Marshal(s)
	out, err := a.do(http.MethodPost, "/api/v2/silences", body)
	if err != nil {
		t.Fatalf("silence on %s: %v", a.URL(), err)
	}
	var got struct {
		ID string `json:"silenceID"`
	}
	if err := json.Unmarshal(out, &got); err != nil || got.ID == "" {
		t.Fatalf("silence on %s: answer %q: %v", a.URL(), out, err)
	}
	return got.ID
}

// SilenceState is the state (active, pending, expired) of silence id, read with plain
// HTTP; "" when the server does not hold it.
func (a *AMServer) SilenceState(t testing.TB, id string) string {
	t.Helper()
	out, err := a.do(http.MethodGet, "/api/v2/silence/"+id, nil)
	if err != nil {
		if strings.Contains(err.Error(), "HTTP 404") {
			return ""
		}
		t.Fatalf("silence %s on %s: %v", id, a.URL(), err)
	}
	var got struct {
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("silence %s on %s: %v", id, a.URL(), err)
	}
	return got.Status.State
}

// AlertCount is how many alerts GET /api/v2/alerts lists (all states).
func (a *AMServer) AlertCount(t testing.TB) int {
	t.Helper()
	out, err := a.do(http.MethodGet, "/api/v2/alerts", nil)
	if err != nil {
		t.Fatalf("alerts of %s: %v", a.URL(), err)
	}
	var got []json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("alerts of %s: %v", a.URL(), err)
	}
	return len(got)
}

func (a *AMServer) do(method, path string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.URL()+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(out)))
	}
	return out, nil
}

// AmtoolSilence creates a silence with amtool, the operator's own tool, lasting an
// hour: matchers are amtool's ("alertname=Foo", "job=~api.*"). It returns the ID
// amtool prints.
func (a *AMServer) AmtoolSilence(t testing.TB, comment string, matchers ...string) string {
	t.Helper()
	out := a.amtool(t, append([]string{"silence", "add", "--author=test", "--duration=1h", "--comment=" + comment}, matchers...)...)
	id := strings.TrimSpace(out)
	if id == "" || strings.ContainsAny(id, " \n") {
		t.Fatalf("amtool silence add on %s printed %q, want one ID", a.URL(), out)
	}
	return id
}

// AmtoolSilenceIDs lists the IDs of the active and pending silences, as
// `amtool silence query --quiet` prints them.
func (a *AMServer) AmtoolSilenceIDs(t testing.TB) []string {
	t.Helper()
	return strings.Fields(a.amtool(t, "silence", "query", "--quiet"))
}

func (a *AMServer) amtool(t testing.TB, args ...string) string {
	t.Helper()
	bin := lookBinary(t, "amtool", "prometheus-alertmanager")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--alertmanager.url=" + a.URL()}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("amtool %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out)
}

// Amtool runs amtool against this Alertmanager with args and returns what it prints,
// failing the test when it fails.
func (a *AMServer) Amtool(t testing.TB, args ...string) string {
	t.Helper()
	return a.amtool(t, args...)
}
