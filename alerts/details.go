package alerts

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// details writes each hidden alert's reason_detail: which silence, which inhibitor,
// which rule. Thousands of alerts share one silence or one rule, so a detail that
// depends only on that is written once and shared.
type details struct {
	m        mergedAlerts
	verdicts []verdict
	r        *triageRules
	now      time.Time
	cache    map[detailKey]string
	// inhibitors names, by fingerprint, the alerts that inhibit some hidden alert:
	// found in one pass when the first inhibited alert is explained.
	inhibitorNames map[string]string
}

// detailKey names a shared detail: the reason's letter and the silence ID,
// inhibitor, alertname, severity or count it depends on. A struct, so a lookup
// builds no string.
type detailKey struct {
	kind byte
	s    string
	n    int
}

func newDetails(m mergedAlerts, verdicts []verdict, r *triageRules, now time.Time) *details {
	return &details{m: m, verdicts: verdicts, r: r, now: now, cache: map[detailKey]string{}}
}

// cached is the detail under key, written by make the first time.
func (d *details) cached(key detailKey, make func() string) string {
	if s, ok := d.cache[key]; ok {
		return s
	}
	s := make()
	d.cache[key] = s
	return s
}

func (d *details) detail(a *sources.Alert, v verdict) string {
	switch HiddenReasons[v.reason] {
	case ReasonSilenced:
		if len(a.SilencedBy) == 1 {
			return d.cached(detailKey{'s', a.SilencedBy[0], 0}, func() string { return d.silences(a.SilencedBy) })
		}
		return d.silences(a.SilencedBy)
	case ReasonInhibited:
		if len(a.InhibitedBy) == 1 {
			return d.cached(detailKey{'i', a.InhibitedBy[0], 0}, func() string { return d.inhibitors(a.InhibitedBy) })
		}
		return d.inhibitors(a.InhibitedBy)
	case ReasonHeartbeat:
		name := v.name
		return d.cached(detailKey{'h', name, 0}, func() string { return "alertname " + strconv.Quote(name) + " is a heartbeat (triage.heartbeats)" })
	case ReasonRule:
		h := &d.r.hide[v.rule]
		return d.cached(detailKey{'r', "", int(v.rule)}, func() string {
			return "triage.hide[" + strconv.Itoa(int(v.rule)) + "] " + h.Match + ": " + h.Reason
		})
	case ReasonSeverity:
		return d.cached(detailKey{'v', string(v.sev), 0}, func() string {
			return "severity " + string(v.sev) + " is below triage.min_severity " + string(minSeverity(d.r.minRank))
		})
	case ReasonPending:
		return "pending in Prometheus: not firing yet"
	case ReasonFlapping:
		eps := d.r.episodes(a)
		return d.cached(detailKey{'f', "", eps}, func() string {
			return strconv.Itoa(eps) + " firing episodes in " + shortDuration(d.r.flapWindow) +
				" (triage.flapping.episodes " + strconv.Itoa(d.r.flapEpisodes) + ")"
		})
	case ReasonHeld:
		return "started " + shortDuration(d.now.Sub(a.StartsAt)) + " ago; held until " + shortDuration(d.r.hold) + " old (triage.hold)"
	}
	return ""
}

// silences names each silence: ID, who made it, until when, and why.
func (d *details) silences(ids []string) string {
	var sb strings.Builder
	sb.Grow(len(ids) * 128)
	for i, id := range ids {
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString("silence ")
		sb.WriteString(id)
		s := d.m.silences[id]
		if s == nil {
			continue // the silence list did not have it (yet): the ID is all there is
		}
		if s.CreatedBy != "" {
			sb.WriteString(" by ")
			sb.WriteString(s.CreatedBy)
		}
		if !s.EndsAt.IsZero() {
			sb.WriteString(" until ")
			sb.WriteString(s.EndsAt.UTC().Format(time.RFC3339))
		}
		if s.Comment != "" {
			sb.WriteString(": ")
			sb.WriteString(s.Comment)
		}
	}
	return sb.String()
}

// inhibitors names the alerts that inhibit this one, by alertname where the
// snapshot holds them, else by fingerprint.
func (d *details) inhibitors(fps []string) string {
	if len(fps) == 0 {
		return "suppressed by Alertmanager without a silence: inhibited"
	}
	var sb strings.Builder
	sb.Grow(len("inhibited by ") + len(fps)*48)
	sb.WriteString("inhibited by ")
	for i, fp := range fps {
		if i > 0 {
			sb.WriteString(", ")
		}
		if name := d.inhibitorName(fp); name != "" {
			sb.WriteString(name)
			sb.WriteString(" (")
			sb.WriteString(fp)
			sb.WriteString(")")
		} else {
			sb.WriteString(fp)
		}
	}
	return sb.String()
}

// minSeverity is the severity of a severityRank.
func minSeverity(rank int) Severity {
	switch rank {
	case 0:
		return SeverityCritical
	case 2:
		return SeverityInfo
	}
	return SeverityWarning
}

// shortDuration is d as an operator reads it: 40s, 2m, 1h30m, 3d.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return trimZero(strconv.Itoa(int(d.Minutes()))+"m", d%time.Minute, "s", time.Second)
	case d < 24*time.Hour:
		return trimZero(strconv.Itoa(int(d.Hours()))+"h", d%time.Hour, "m", time.Minute)
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}

func trimZero(head string, rest time.Duration, unit string, per time.Duration) string {
	if rest/per == 0 {
		return head
	}
	return head + strconv.Itoa(int(rest/per)) + unit
}

// inhibitorName is the alertname of the alert with fingerprint fp, "" when the
// snapshot does not hold it. The first call finds every inhibitor named by any
// alert at once: a small set, looked up in one pass, instead of an index of all.
func (d *details) inhibitorName(fp string) string {
	if d.inhibitorNames == nil {
		d.inhibitorNames = map[string]string{}
		for i, a := range d.m.alerts {
			if d.verdicts[i].reason == idxInhibited {
				for _, by := range a.InhibitedBy {
					d.inhibitorNames[by] = ""
				}
			}
		}
		for _, a := range d.m.alerts {
			if _, ok := d.inhibitorNames[a.Fingerprint]; ok {
				d.inhibitorNames[a.Fingerprint] = a.Labels["alertname"]
			}
		}
	}
	return d.inhibitorNames[fp]
}
