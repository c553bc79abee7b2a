package config

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/slo"
)

var fuzzErrorLine = regexp.MustCompile(`^fuzz\.yaml:[1-9][0-9]*: `)

func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, file := range files {
		f.Add(mustRead(f, file))
	}
	for _, seed := range []string{
		base + "    basic_auth: &a {username: u}\n  - name: b\n    url: http://b\n    basic_auth: {<<: *a, password: p}\n",
		base + "slos:\n  - import: slos/x.yaml\n  - {name: a, objective: 99.9, window: 30d, errors: 'sum(e[{{.window}}])', total: 'sum(t[{{.window}}])'}\n",
		base + "    http_headers: {X-Scope-OrgID: {values: [t], files: [f]}}\n    oauth2: {client_id: c, token_url: http://t, tls_config: {ca_file: x}}\n",
		base + "signals:\n  health: min by (job) (up)\n  thresholds: {latency: 300ms, errors: 1%, saturation: none}\n" +
			"services:\n  - name: api\n    thresholds: {errors: 0.01, saturation: 120%}\n",
		base + "    proxy_url: socks5://u:p@proxy:1080\n    http_headers: {X-Token: {secrets: [\"s\"]}}\nrefresh: 2s\n",
		"a: &a [*a]\n",
		"refresh: 15x\ntimeout: -1s\n",
	} {
		f.Add([]byte(seed))
	}
	// An import names any path on the machine; fuzzing must not read /dev/zero.
	noImports := func(string) ([]slo.Definition, []slo.Skipped, error) {
		return nil, nil, errors.New("imports are not read while fuzzing")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("fuzz.yaml", ".", data, options{importFile: noImports})
		if err != nil {
			if c != nil {
				t.Fatalf("a config along with the error %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if line != "fuzz.yaml: file is empty" && !fuzzErrorLine.MatchString(line) {
					t.Fatalf("error line without file:line: %q", line)
				}
			}
			return
		}
		if c == nil {
			t.Fatal("no config and no error")
		}
		if err := c.validate(options{importFile: noImports}); err != nil {
			t.Fatalf("a valid config fails validating again: %v", err)
		}
	})
}
