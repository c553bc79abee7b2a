package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportedQueriesAreCheckedAsPromQL reads a real Sloth file through Load: the
// importer accepts its shape, and the config check must catch the broken query, so
// it is a config error (exit 2) rather than a source that fails every poll.
func TestImportedQueriesAreCheckedAsPromQL(t *testing.T) {
	dir := t.TempDir()
	// The errors query lacks its last ")".
	sloth := slothFile(`sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}])`)
	if err := os.WriteFile(filepath.Join(dir, "sloth.yaml"), []byte(sloth), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "prometheus:\n  - name: prod\n    url: http://127.0.0.1:9090\nslos:\n  - import: sloth.yaml\n"
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil {
		t.Fatal("a broken imported query must fail the config")
	}
	want := path + ":5: slos[0].import: "
	if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, "checkout-requests-availability: bad PromQL: ") {
		t.Errorf("error = %q\nwant prefix %q naming the SLO and the parse error", msg, want)
	}
}

func TestWindowPlaceholderMayHaveSpaces(t *testing.T) {
	cfg := `prometheus:
  - name: prod
    url: http://127.0.0.1:9090
slos:
  - name: a
    objective: 99
    window: 7d
    errors: sum(rate(e[{{ .window }}]))
    total: sum(rate(t[{{.window}}]))
`
	c, err := Parse("config.yaml", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SLODefs) != 1 {
		t.Fatalf("SLODefs = %+v", c.SLODefs)
	}
}

func TestImportOnAChosenPrometheus(t *testing.T) {
	dir := t.TempDir()
	sloth := slothFile(`sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))`)
	if err := os.WriteFile(filepath.Join(dir, "sloth.yaml"), []byte(sloth), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(body string) string {
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	proms := "prometheus:\n  - name: us\n    url: http://127.0.0.1:9090\n  - name: eu\n    url: http://127.0.0.1:9091\n"
	c, err := Load(write(proms + "slos:\n  - import: sloth.yaml\n    prometheus: eu\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.SLOPrometheus["checkout-requests-availability"]; got != "eu" {
		t.Errorf("imported SLO evaluated on %q, want eu", got)
	}
	path := write(proms + "slos:\n  - import: sloth.yaml\n    prometheus: ap\n")
	_, err = Load(path)
	if want := path + `:8: slos[0].prometheus: unknown prometheus "ap" (configured: us, eu)`; err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// slothFile is a Sloth prometheus/v1 file with one SLO whose errors query is errQuery.
func slothFile(errQuery string) string {
	return `version: "prometheus/v1"
service: "checkout"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: ` + errQuery + `
        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
`
}

// An imported query past MaxQueryBytes is refused before it is parsed, like one written
// in the config.
func TestImportedQueryTooLong(t *testing.T) {
	dir := t.TempDir()
	q := "sum(rate(e[{{.window}}])) + " + longQuery(MaxQueryBytes)
	if err := os.WriteFile(filepath.Join(dir, "sloth.yaml"), []byte(slothFile(q)), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(base+"slos:\n  - import: sloth.yaml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + ":5: slos[0].import: " + filepath.Join(dir, "sloth.yaml") + ":4 (sloth): checkout-requests-availability: query is "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), " bytes, more than the 16 KiB limit") {
		t.Errorf("err = %v\nwant %s... bytes, more than the 16 KiB limit", err, want)
	}
}
