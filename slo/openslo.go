package slo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

const openSLOv1 = "openslo/v1"

// The parts of OpenSLO v1 that vigil reads; everything else (alert policies,
// display names, labels) is ignored.
type osloSLO struct {
	Spec struct {
		Service         string           `yaml:"service"`
		Indicator       *osloSLI         `yaml:"indicator"`
		IndicatorRef    string           `yaml:"indicatorRef"`
		TimeWindow      []osloTimeWindow `yaml:"timeWindow"`
		BudgetingMethod string           `yaml:"budgetingMethod"`
		Objectives      []osloObjective  `yaml:"objectives"`
	} `yaml:"spec"`
}

type osloTimeWindow struct {
	Duration  string     `yaml:"duration"`
	IsRolling *bool      `yaml:"isRolling"`
	Calendar  *yaml.Node `yaml:"calendar"`
}

type osloObjective struct {
	Name          string   `yaml:"name"`
	Target        *float64 `yaml:"target"`
	TargetPercent *float64 `yaml:"targetPercent"`
	Indicator     *osloSLI `yaml:"indicator"`
	IndicatorRef  string   `yaml:"indicatorRef"`
}

type osloSLI struct {
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		ThresholdMetric *yaml.Node `yaml:"thresholdMetric"`
		RatioMetric     *osloRatio `yaml:"ratioMetric"`
	} `yaml:"spec"`
}

type osloRatio struct {
	Counter *bool       `yaml:"counter"`
	Good    *osloMetric `yaml:"good"`
	Bad     *osloMetric `yaml:"bad"`
	Total   *osloMetric `yaml:"total"`
	Raw     *osloMetric `yaml:"raw"`
	RawType string      `yaml:"rawType"`
}

type osloMetric struct {
	MetricSource struct {
		MetricSourceRef string    `yaml:"metricSourceRef"`
		Type            string    `yaml:"type"`
		Spec            yaml.Node `yaml:"spec"`
	} `yaml:"metricSource"`
}

// problem is why an SLO cannot be imported: skip is set for what the format allows
// but vigil does not support, err for what breaks the format.
type problem struct {
	line      int
	skip, err string
}

func skipf(line int, format string, args ...any) *problem {
	return &problem{line: line, skip: fmt.Sprintf(format, args...)}
}

func failf(line int, format string, args ...any) *problem {
	return &problem{line: line, err: fmt.Sprintf(format, args...)}
}

// openSLO imports a kind: SLO, one Definition per objective: named after the SLO
// when it has one objective, and "slo-name/objective-name" (or "/1", "/2", … for
// objectives without a name) when it has several.
func (im *importer) openSLO(o object) {
	switch o.kind {
	case "SLO":
	case "SLI", "DataSource", "Service", "AlertPolicy", "AlertCondition", "AlertNotificationTarget":
		return // read through references, or no part of an SLO's maths
	default:
		im.skip(o.line, o.name, fmt.Sprintf("OpenSLO kind %q is not supported", o.kind))
		return
	}
	var slo osloSLO
	if !im.decode(o.node, &slo, o.line, o.name) {
		return
	}
	if o.name == "" {
		im.fail(o.line, "(unnamed)", "metadata.name: must be set")
		return
	}
	defs, p := im.openSLODefs(o, &slo)
	switch {
	case p != nil && p.err != "":
		im.fail(p.line, o.name, "%s", p.err)
	case p != nil:
		im.skip(p.line, o.name, p.skip)
	default:
		for _, d := range defs {
			im.add(o.line, d)
		}
	}
}

func (im *importer) openSLODefs(o object, slo *osloSLO) ([]Definition, *problem) {
	spec := &slo.Spec
	specNode := get(o.node, "spec")
	line := o.line
	if m := spec.BudgetingMethod; m != "" && !strings.EqualFold(m, "Occurrences") {
		return nil, skipf(line, "%s budgeting method is not supported, only occurrences", strings.ToLower(m))
	}
	window, p := openSLOWindow(line, spec.TimeWindow)
	if p != nil {
		return nil, p
	}
	if len(spec.Objectives) == 0 {
		return nil, failf(line, "objectives: must have at least one objective")
	}
	var defs []Definition
	for i, obj := range spec.Objectives {
		d := Definition{Name: o.name, Service: spec.Service, Window: window, Origin: im.origin(line, "openslo")}
		objLine := line
		if len(spec.Objectives) > 1 {
			objLine = item(get(specNode, "objectives"), i, line)
			suffix := obj.Name
			if suffix == "" {
				suffix = strconv.Itoa(i + 1)
			}
			d.Name += "/" + suffix
			d.Origin = im.origin(objLine, "openslo")
		}
		var err string
		switch {
		case obj.Target != nil && obj.TargetPercent != nil:
			err = "objectives: target and targetPercent are exclusive"
		case obj.Target != nil:
			d.Objective = *obj.Target
		case obj.TargetPercent != nil:
			d.Objective = FromPercent(*obj.TargetPercent)
		default:
			err = "objectives: one of target or targetPercent must be set"
		}
		if err == "" && !(d.Objective > 0 && d.Objective < 1) {
			err = fmt.Sprintf("objectives: target %v is not strictly between 0 and 1 (targetPercent: 0 to 100)", d.Objective)
		}
		if err != "" {
			return nil, failf(objLine, "%s", err)
		}
		ind, ref := spec.Indicator, spec.IndicatorRef
		if obj.Indicator != nil || obj.IndicatorRef != "" {
			ind, ref = obj.Indicator, obj.IndicatorRef
		}
		sli, p := im.openSLOIndicator(objLine, ind, ref)
		if p != nil {
			return nil, p
		}
		d.SLI = sli
		defs = append(defs, d)
	}
	return defs, nil
}

// openSLOWindow reads the one rolling time window. Months, quarters and years are
// skipped rather than approximated: their length changes the budget.
func openSLOWindow(line int, tw []osloTimeWindow) (time.Duration, *problem) {
	switch {
	case len(tw) == 0:
		return 0, skipf(line, "no timeWindow: the budget window must be given")
	case len(tw) > 1:
		return 0, failf(line, "timeWindow: must have exactly one item")
	case tw[0].Calendar != nil || tw[0].IsRolling != nil && !*tw[0].IsRolling:
		return 0, skipf(line, "calendar-aligned time windows are not supported, only rolling ones")
	}
	s := tw[0].Duration
	if s == "" {
		return 0, failf(line, "timeWindow: duration must be set")
	}
	switch s[len(s)-1] {
	case 'M', 'Q', 'Y':
		return 0, skipf(line, "time window %s: months, quarters and years are not supported, only m, h, d and w", s)
	}
	d, err := model.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, failf(line, "timeWindow: duration %q is not a positive duration", s)
	}
	return time.Duration(d), nil
}

func (im *importer) openSLOIndicator(line int, ind *osloSLI, ref string) (SLI, *problem) {
	switch {
	case ind != nil && ref != "":
		return SLI{}, failf(line, "indicator and indicatorRef are exclusive")
	case ind == nil && ref == "":
		return SLI{}, failf(line, "one of indicator or indicatorRef must be set")
	case ref != "":
		o, ok := im.slis[ref]
		if !ok {
			return SLI{}, failf(line, "indicatorRef %q: no kind: SLI of that name in this file", ref)
		}
		var resolved osloSLI
		if err := o.node.Decode(&resolved); err != nil {
			return SLI{}, failf(o.line, "SLI %q: %s", ref, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		ind = &resolved
	}
	if ind.Spec.ThresholdMetric != nil {
		return SLI{}, skipf(line, "threshold metrics are not supported, only ratioMetric")
	}
	r := ind.Spec.RatioMetric
	if r == nil {
		return SLI{}, failf(line, "indicator %q: one of ratioMetric or thresholdMetric must be set", ind.Metadata.Name)
	}
	if r.Raw != nil {
		if r.Good != nil || r.Bad != nil || r.Total != nil {
			return SLI{}, failf(line, "ratioMetric: raw excludes good, bad and total")
		}
		q, p := im.openSLOQuery(line, r.Raw)
		if p != nil {
			return SLI{}, p
		}
		if !hasWindow(q) {
			return SLI{}, skipf(line, "raw ratio query %q has no {{.window}}: a ratio cannot be averaged over a window without it", q)
		}
		switch r.RawType {
		case "failure":
			return SLI{ErrorRatio: q}, nil
		case "success":
			return SLI{ErrorRatio: "1 - (" + q + ")"}, nil
		}
		return SLI{}, failf(line, "ratioMetric: rawType %q must be success or failure", r.RawType)
	}
	switch {
	case r.Total == nil:
		return SLI{}, failf(line, "ratioMetric: total must be set")
	case (r.Good == nil) == (r.Bad == nil):
		return SLI{}, failf(line, "ratioMetric: exactly one of good or bad must be set")
	}
	var sli SLI
	for _, m := range [...]struct {
		metric *osloMetric
		dst    *string
	}{{r.Good, &sli.Good}, {r.Bad, &sli.Errors}, {r.Total, &sli.Total}} {
		if m.metric == nil {
			continue
		}
		q, p := im.openSLOQuery(line, m.metric)
		if p != nil {
			return SLI{}, p
		}
		if *m.dst, p = counterQuery(line, q, r.Counter); p != nil {
			return SLI{}, p
		}
	}
	return sli, nil
}

// openSLOQuery returns the PromQL of a Prometheus metric source.
func (im *importer) openSLOQuery(line int, m *osloMetric) (string, *problem) {
	src := &m.MetricSource
	typ := src.Type
	if typ == "" && src.MetricSourceRef != "" {
		t, ok := im.sources[src.MetricSourceRef]
		if !ok {
			return "", failf(line, "metricSourceRef %q: no kind: DataSource of that name in this file", src.MetricSourceRef)
		}
		typ = t
	}
	if typ == "" {
		return "", failf(line, "metricSource: one of type or metricSourceRef must be set")
	}
	if !strings.EqualFold(typ, "prometheus") {
		return "", skipf(line, "metric source type %s is not supported, only Prometheus", typ)
	}
	q := strings.TrimSpace(scalar(get(&src.Spec, "query")))
	if q == "" {
		return "", failf(line, "metricSource.spec.query: must be set")
	}
	return q, nil
}

// counterQuery fits an OpenSLO query to Definition's shape. OpenSLO queries carry no
// window, so:
//   - a query written with {{.window}} (as Sloth's OpenSLO reader requires) is kept;
//   - a counter selector, bare or in sum(), becomes sum(rate(selector[{{.window}}]));
//   - anything else (functions, its own [5m] range, binary operators) is skipped:
//     rewriting arbitrary PromQL over a window would need a subquery, slow and
//     subtly different, and the user can state the window in one edit.
//
// counter: false says the metric is a gauge, which has no count over a window.
func counterQuery(line int, q string, counter *bool) (string, *problem) {
	if hasWindow(q) {
		return q, nil
	}
	if counter != nil && !*counter {
		return "", skipf(line, "ratioMetric with counter: false (gauges) is not supported; write the query with [{{.window}}]")
	}
	sel, ok := counterSelector(q)
	if !ok {
		return "", skipf(line, "query %q is neither a counter selector nor written with [{{.window}}]", q)
	}
	return "sum(rate(" + sel.withRange("{{.window}}") + "))", nil
}

// counterSelector reads "selector" or "sum(selector)".
func counterSelector(q string) (selector, bool) {
	if s, err := parseSelector(q); err == nil {
		return s, true
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(q), "sum")
	if !ok {
		return selector{}, false
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return selector{}, false
	}
	s, err := parseSelector(rest[1 : len(rest)-1])
	return s, err == nil
}
