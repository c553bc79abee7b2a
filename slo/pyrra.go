package slo

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

const pyrraV1 = "pyrra.dev/v1alpha1"

// The parts of a Pyrra ServiceLevelObjective that vigil reads.
type pyrraSLO struct {
	Metadata struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Target    string `yaml:"target"` // percent, a string in the CRD
		Window    string `yaml:"window"`
		Indicator struct {
			Ratio *struct {
				Errors   pyrraQuery `yaml:"errors"`
				Total    pyrraQuery `yaml:"total"`
				Grouping []string   `yaml:"grouping"`
			} `yaml:"ratio"`
			Latency *struct {
				Success  pyrraQuery `yaml:"success"`
				Total    pyrraQuery `yaml:"total"`
				Grouping []string   `yaml:"grouping"`
			} `yaml:"latency"`
			LatencyNative *yaml.Node `yaml:"latencyNative"`
			BoolGauge     *yaml.Node `yaml:"bool_gauge"`
		} `yaml:"indicator"`
	} `yaml:"spec"`
}

type pyrraQuery struct {
	Metric string `yaml:"metric"`
}

// pyrra imports a ServiceLevelObjective. Pyrra has no service field, so the service
// is the object's "service" label if it has one, else the job="…" matcher of the
// total selector (the label vigil's signals group services by), else empty.
func (im *importer) pyrra(o object) {
	name, line := o.name, o.line
	if name == "" {
		im.fail(line, "(unnamed)", "metadata.name: must be set")
		return
	}
	var s pyrraSLO
	if !im.decode(o.node, &s, line, name) {
		return
	}
	d, p := pyrraDef(line, name, &s)
	switch {
	case p != nil && p.err != "":
		im.fail(p.line, name, "%s", p.err)
	case p != nil:
		im.skip(p.line, name, p.skip)
	default:
		d.Origin = im.origin(line, "pyrra")
		im.add(line, d)
	}
}

func pyrraDef(line int, name string, s *pyrraSLO) (Definition, *problem) {
	d := Definition{Name: name}
	spec := &s.Spec
	target, err := strconv.ParseFloat(strings.TrimSpace(spec.Target), 64)
	switch {
	case err != nil:
		return d, failf(line, "spec.target: %q is not a number", spec.Target)
	case target == 100:
		return d, skipf(line, "target 100%% leaves no error budget to burn")
	case !(target > 0 && target < 100):
		return d, failf(line, "spec.target: %v is not strictly between 0 and 100", target)
	}
	d.Objective = FromPercent(target)
	w, err := model.ParseDuration(spec.Window)
	if err != nil || w <= 0 {
		return d, failf(line, "spec.window: %q is not a positive duration", spec.Window)
	}
	d.Window = time.Duration(w)

	ind := &spec.Indicator
	n := 0
	for _, set := range [...]bool{ind.Ratio != nil, ind.Latency != nil, ind.LatencyNative != nil, ind.BoolGauge != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return d, failf(line, "spec.indicator: exactly one of ratio, latency, latencyNative or bool_gauge must be set")
	}
	var total selector
	switch {
	case ind.BoolGauge != nil:
		return d, skipf(line, "bool_gauge indicators are not supported")
	case ind.LatencyNative != nil:
		return d, skipf(line, "latencyNative (native histogram) indicators are not supported")
	case ind.Ratio != nil && len(ind.Ratio.Grouping) > 0, ind.Latency != nil && len(ind.Latency.Grouping) > 0:
		return d, skipf(line, "grouping (one SLO per label value) is not supported")
	case ind.Ratio != nil:
		errs, p := pyrraSelector(line, "ratio.errors", ind.Ratio.Errors.Metric)
		if p != nil {
			return d, p
		}
		if total, p = pyrraSelector(line, "ratio.total", ind.Ratio.Total.Metric); p != nil {
			return d, p
		}
		d.SLI = SLI{Errors: rateSum(errs), Total: rateSum(total)}
	default:
		success, p := pyrraSelector(line, "latency.success", ind.Latency.Success.Metric)
		if p != nil {
			return d, p
		}
		if total, p = pyrraSelector(line, "latency.total", ind.Latency.Total.Metric); p != nil {
			return d, p
		}
		if d.SLI, p = pyrraLatency(line, success, total); p != nil {
			return d, p
		}
	}
	d.Service = s.Metadata.Labels["service"]
	if d.Service == "" {
		d.Service, _ = total.get("job")
	}
	d.Recording = pyrraRecording(name, total.Name, d.Window)
	return d, nil
}

func pyrraSelector(line int, field, text string) (selector, *problem) {
	if strings.TrimSpace(text) == "" {
		return selector{}, failf(line, "spec.indicator.%s.metric: must be set", field)
	}
	s, err := parseSelector(text)
	if err != nil {
		return selector{}, failf(line, "spec.indicator.%s.metric: %q is not a metric selector: %v", field, text, err)
	}
	return s, nil
}

func rateSum(s selector) string { return "sum(rate(" + s.withRange("{{.window}}") + "))" }

// pyrraLatency turns Pyrra's pair of selectors into a LatencySLI when they are the
// plain histogram shape (NAME_bucket{M,le="x"} and NAME_count{M}, no offset);
// otherwise into good/total queries with the same le matching.
func pyrraLatency(line int, success, total selector) (SLI, *problem) {
	var le string
	n := 0
	for _, m := range success.Matchers {
		if m.Name == "le" {
			le, n = m.Value, n+1
			if m.Op != "=" {
				return SLI{}, failf(line, "spec.indicator.latency.success.metric: le must be matched with =")
			}
		}
	}
	v, err := strconv.ParseFloat(le, 64)
	if n != 1 || err != nil || math.IsInf(v, 0) || math.IsNaN(v) || v <= 0 {
		return SLI{}, failf(line, "spec.indicator.latency.success.metric: needs one le=\"…\" matcher with a positive finite bound")
	}
	rest := success.without("le")
	threshold := time.Duration(math.Round(v * 1e9))
	hist, okBucket := strings.CutSuffix(success.Name, "_bucket")
	countName, okCount := strings.CutSuffix(total.Name, "_count")
	if okBucket && okCount && hist == countName && hist != "" && success.Offset == "" && total.Offset == "" &&
		sameMatchers(rest, total.Matchers) && threshold.Seconds() == v {
		sel := ""
		if len(rest) > 0 {
			sel = selector{Matchers: rest}.String()
		}
		return SLI{Latency: &LatencySLI{Histogram: hist, Selector: sel, Threshold: threshold}}, nil
	}
	success.Matchers = append(rest, leMatcher(v))
	return SLI{Good: rateSum(success), Total: rateSum(total)}, nil
}

func sameMatchers(a, b []matcher) bool {
	if len(a) != len(b) {
		return false
	}
outer:
	for _, x := range a {
		for _, y := range b {
			if x == y {
				continue outer
			}
		}
		return false
	}
	return true
}

// pyrraRecording names Pyrra's burn-rate series, which despite the name hold the
// error ratio: <total metric without _total/_count>:burnrate<window>{slo="name"}.
// Pyrra derives its alert windows from the SLO window (5m, 30m, 1h, 2h, 6h, 1d and
// 4d for 28 days, scaled and rounded to the minute for others); only those equal to
// one of Windows are listed.
func pyrraRecording(name, totalMetric string, window time.Duration) *Recording {
	if totalMetric == "" {
		return nil
	}
	base := strings.TrimSuffix(strings.TrimSuffix(totalMetric, "_total"), "_count")
	r := &Recording{Generator: "pyrra", ErrorRatio: map[time.Duration]string{}}
	for _, div := range [...]time.Duration{28 * 24 * 12, 28 * 24 * 2, 28 * 24, 28 * 12, 28 * 4, 28, 7} {
		pw := (window / div).Round(time.Minute)
		for _, w := range windows {
			if w == pw {
				s := selector{Name: base + ":burnrate" + model.Duration(w).String(),
					Matchers: []matcher{{Name: "slo", Op: "=", Value: name}}}
				r.ErrorRatio[w] = s.String()
			}
		}
	}
	if len(r.ErrorRatio) == 0 {
		return nil
	}
	return r
}
