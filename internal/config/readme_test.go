package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExampleParses keeps the README's full example honest: it must be a valid
// config (its import line names a file the reader supplies, so it is left out).
func TestREADMEExampleParses(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "A full example:")
	if i < 0 {
		t.Fatal(`README has no "A full example:" section`)
	}
	start := strings.Index(s[i:], "```yaml\n") + i + len("```yaml\n")
	end := strings.Index(s[start:], "```") + start
	var lines []string
	for _, l := range strings.Split(s[start:end], "\n") {
		if !strings.Contains(l, "import:") {
			lines = append(lines, l)
		}
	}
	c, err := Parse("README.md", []byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("the README's example is not a valid config:\n%v", err)
	}
	if len(c.Services) != 2 || len(c.SLODefs) != 2 || c.Prometheus[0].HTTP.BasicAuth == nil {
		t.Errorf("README example read as %d services, %d SLOs, basic_auth %v", len(c.Services), len(c.SLODefs), c.Prometheus[0].HTTP.BasicAuth)
	}
}

// TestREADMETriageExampleParses keeps the triage section's example a valid config
// that says what the README says it does: the defaults, written out, plus a map, a
// rule and a Prometheus whose own alerts are read beside the Alertmanagers.
func TestREADMETriageExampleParses(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "### Alertmanager and triage")
	if i < 0 {
		t.Fatal(`README has no "Alertmanager and triage" section`)
	}
	start := strings.Index(s[i:], "```yaml\n") + i + len("```yaml\n")
	end := strings.Index(s[start:], "```") + start
	c, err := Parse("README.md", []byte(s[start:end]))
	if err != nil {
		t.Fatalf("the README's triage example is not a valid config:\n%v", err)
	}
	tr := c.Triage
	if !c.ReadsAlerts(&c.Prometheus[0]) || len(c.Alertmanager) != 2 || tr.SeverityMap["P0"] != "critical" ||
		len(tr.Heartbeats) != 4 || len(tr.Hide) != 1 || tr.Flapping.Episodes != 4 || c.Notify.Off || c.Notify.MinSeverity != "critical" {
		t.Errorf("README triage example read as %+v, notify %+v", tr, c.Notify)
	}
}
