package filter

import (
	"strconv"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/alerts"
)

// What each pane's rows can be found by. Free text looks at every field; matchers
// look at the named ones. The names are the words an operator would reach for, the
// ones the rows show.

// Service is a golden-signals row: service and state (ok, warn, crit, down, …).
func Service(dst Row, s *alerts.ServiceRow) Row {
	return append(dst, Field{"service", s.Name}, Field{"state", s.State.String()})
}

// SLO is an SLO row: slo, service and state (page, ticket, ok, nodata).
func SLO(dst Row, s *alerts.SLOStatus) Row {
	return append(dst, Field{"slo", s.Name}, Field{"service", s.Service}, Field{"state", string(s.State)})
}

// Page is a PagerDuty page: service, status, urgency, priority and title; free text
// also finds its number (#1234) and assignees.
func Page(dst Row, p *alerts.Page) Row {
	dst = append(dst, Field{"service", p.Service}, Field{"status", p.Status}, Field{"urgency", p.Urgency},
		Field{"priority", p.Priority}, Field{"title", p.Title}, Field{"", "#" + strconv.Itoa(p.Number)})
	for _, a := range p.Assignees {
		dst = append(dst, Field{"", a})
	}
	return dst
}

// Alert is an alert row, an actionable group or a hidden alert: its labels, and
// severity as the row shows it, triaged, besides the label's own value: a
// severity="SEV1" alert drawn as critical is found by severity="critical" and by
// severity="SEV1", and a group of several alerts, which keeps only its group-by
// labels, by its worst member's. Free text also finds its title and, hidden, its
// reason.
func Alert(dst Row, it *alerts.Item) Row {
	dst = append(dst, Field{"", it.Title})
	for k, v := range it.Labels {
		dst = append(dst, Field{k, v})
	}
	if it.Severity != "" && it.Labels["severity"] != string(it.Severity) {
		dst = append(dst, Field{"severity", string(it.Severity)})
	}
	if it.Reason != "" {
		dst = append(dst, Field{"", it.Reason})
	}
	return dst
}

// Silence is a silence row: each of its matchers as a label (name and value), and
// createdBy, comment and state, which win over a matcher of the same name; free text
// also finds its ID and its matchers as written. Its matchers are read back with
// Alertmanager's parser; ones it cannot read are found by free text only.
func Silence(dst Row, s *alerts.Silence) Row {
	if ms, err := labels.ParseMatchers(s.Matchers); err == nil {
		for _, m := range ms {
			if m.Name != "createdBy" && m.Name != "comment" && m.Name != "state" {
				dst = append(dst, Field{m.Name, m.Value})
			}
		}
	}
	return append(dst, Field{"createdBy", s.CreatedBy}, Field{"comment", s.Comment}, Field{"state", s.State},
		Field{"", s.ID}, Field{"", s.Matchers})
}
