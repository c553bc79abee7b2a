package sim

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// FiringAlert is one firing Alertmanager alert, as its PagerDuty integration renders
// it into an alert's details.
type FiringAlert struct {
	Labels       map[string]string
	Annotations  map[string]string
	GeneratorURL string
}

// AlertmanagerAlert is the PagerDuty alert Alertmanager's PagerDuty integration
// creates for one alert group, by its default templates: the summary is the group's
// subject ("[FIRING:2] HighLatency checkout (prod)"), the dedup key a hash of the
// group, and details.firing the firing alerts rendered by pagerduty.default.instances
// — per alert a "Labels:" block of " - name = value" lines in label order, then the
// annotations and the source.
func AlertmanagerAlert(subject, severity string, firing ...FiringAlert) PDAlert {
	var b strings.Builder
	for _, a := range firing {
		b.WriteString("\nLabels:\n")
		for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
			fmt.Fprintf(&b, " - %s = %s\n", k, a.Labels[k])
		}
		b.WriteString("Annotations:\n")
		for _, k := range slices.Sorted(maps.Keys(a.Annotations)) {
			fmt.Fprintf(&b, " - %s = %s\n", k, a.Annotations[k])
		}
		b.WriteString("Source: " + a.GeneratorURL + "\n")
	}
	return PDAlert{
		Summary:  subject,
		Severity: severity,
		AlertKey: fmt.Sprintf("%x", sha256.Sum256([]byte(subject)))[:32],
		Details: map[string]any{"firing": b.String(), "num_firing": strconv.Itoa(len(firing)),
			"num_resolved": "0", "resolved": ""},
	}
}
