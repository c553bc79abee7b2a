package alerts

import (
	"strconv"
	"strings"
)

// Explain says in one line why a row is shown or hidden, naming the rule: what `x`
// shows. It reads only the item, so the screen and a snapshot explain alike.
func Explain(it Item) string {
	if it.Reason != "" {
		line := "hidden: " + it.Reason
		if it.ReasonDetail != "" {
			line += " — " + it.ReasonDetail
		}
		return line
	}
	var sb strings.Builder
	sb.WriteString("shown: ")
	switch it.Kind {
	case "page":
		sb.WriteString("open PagerDuty page, ")
		sb.WriteString(it.Status)
		if it.Severity == SeverityCritical {
			sb.WriteString(", high urgency: pages are never hidden")
		} else {
			sb.WriteString(", low urgency: pages are never hidden")
		}
		if it.Count > 0 {
			sb.WriteString("; ")
			sb.WriteString(alertCount(it.Count))
			sb.WriteString(" it carries folded in")
		}
	case "slo":
		if it.Severity == SeverityPage {
			sb.WriteString("SLO burning its error budget fast enough to page (multi-window burn rate)")
		} else {
			sb.WriteString("SLO burning its error budget fast enough for a ticket (multi-window burn rate)")
		}
	default:
		sb.WriteString(string(it.Severity))
		sb.WriteString(" alert at or above triage.min_severity, firing; not silenced or inhibited everywhere, not a heartbeat, no triage.hide rule")
		switch {
		case it.Flapping:
			// Only a critical alert is shown while it flaps (triage.flapping).
			sb.WriteString("; flapping, but a critical alert is never hidden for that")
		case it.Severity == SeverityCritical:
			sb.WriteString("; critical alerts are never held")
		default:
			sb.WriteString("; older than triage.hold")
		}
		if it.Count > 1 {
			sb.WriteString("; ")
			sb.WriteString(alertCount(it.Count))
			sb.WriteString(" grouped by triage.group_by ")
			sb.WriteString(it.ID)
		}
	}
	return sb.String()
}

func alertCount(n int) string {
	if n == 1 {
		return "1 alert"
	}
	return strconv.Itoa(n) + " alerts"
}
