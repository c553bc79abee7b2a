package alertlist

import (
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
)

// summaryKeys are the annotations a row's one-line summary is read from, in order:
// Alertmanager's convention, then the older kube-prometheus `message`, then the
// longer `description` when a rule has nothing shorter.
var summaryKeys = [...]string{"summary", "message", "description"}

// summaryOf is an alert's summary annotation as it came, "" when it has none.
func summaryOf(a *sources.Alert) string {
	if a == nil {
		return ""
	}
	for _, k := range summaryKeys {
		if v := a.Annotations[k]; strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// rowSummary is the summary shown on a row, cleaned to one safe line: the one its
// alerts share, or the first alert's followed by how many of the others say
// something else, so a group never passes for more alike than it is.
func rowSummary(it *alerts.Item) string {
	if len(it.Alerts) == 0 {
		return ""
	}
	first := summaryOf(it.Alerts[0])
	differ := 0
	for _, a := range it.Alerts[1:] {
		if summaryOf(a) != first {
			differ++
		}
	}
	s := strings.Join(strings.Fields(textsafe.Clean(first)), " ")
	if differ > 0 {
		s += " (+" + strconv.Itoa(differ) + " differ)"
	}
	return s
}
