package pagerduty

import "strings"

// ParseFiring reads the label sets out of the `firing` detail Alertmanager's
// PagerDuty integration puts on each PagerDuty alert (its default template):
//
//	Labels:
//	 - alertname = HighLatency
//	 - service = checkout
//	Annotations:
//	 - summary = p99 over 300ms
//	Source: http://prometheus/graph?...
//
// one block per firing alert. Annotations and sources are skipped; text it does not
// recognise is ignored, so a custom template yields nothing rather than wrong labels.
func ParseFiring(text string) []map[string]string {
	var (
		out    []map[string]string
		cur    map[string]string
		inLbls bool
	)
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.TrimSpace(line) == "Labels:":
			cur, inLbls = map[string]string{}, true
			out = append(out, cur)
		case strings.HasPrefix(line, " - ") && inLbls:
			name, value, ok := strings.Cut(line[3:], " = ")
			if ok && name != "" {
				cur[name] = value
			}
		default:
			inLbls = false // Annotations:, Source: or anything else ends the labels
		}
	}
	// A "Labels:" with no label under it is no label set.
	kept := out[:0]
	for _, ls := range out {
		if len(ls) > 0 {
			kept = append(kept, ls)
		}
	}
	return kept
}
