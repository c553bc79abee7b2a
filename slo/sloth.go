package slo

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

const (
	slothV1  = "prometheus/v1"
	slothK8s = "sloth.slok.dev/v1"

	// slothWindow is Sloth's default SLO period. The period is a flag of the sloth
	// command, not part of the spec, so a spec cannot say otherwise.
	slothWindow = 30 * 24 * time.Hour
)

// The parts of a Sloth prometheus/v1 spec (or the spec of a PrometheusServiceLevel)
// that vigil reads; labels, alerting and plugins' options are ignored.
type slothSpec struct {
	Service string     `yaml:"service"`
	SLOs    []slothSLO `yaml:"slos"`
}

type slothSLO struct {
	Name      string   `yaml:"name"`
	Objective *float64 `yaml:"objective"`
	SLI       struct {
		Events *struct {
			ErrorQuery string `yaml:"error_query"`
			TotalQuery string `yaml:"total_query"`
		} `yaml:"events"`
		Raw *struct {
			ErrorRatioQuery string `yaml:"error_ratio_query"`
		} `yaml:"raw"`
		Plugin *struct {
			ID string `yaml:"id"`
		} `yaml:"plugin"`
	} `yaml:"sli"`
}

// sloth imports each of slos[]. A definition is named like Sloth's sloth_id,
// "service-name", which is unique where the bare SLO name is not (every service
// tends to have a "requests-availability").
func (im *importer) sloth(o object, spec *yaml.Node) {
	name := o.name
	if name == "" {
		name = "(sloth spec)"
	}
	if spec == nil || spec.Kind != yaml.MappingNode {
		im.fail(o.line, name, "spec: must be a mapping")
		return
	}
	var s slothSpec
	if !im.decode(spec, &s, o.line, name) {
		return
	}
	if s.Service == "" {
		im.fail(o.line, name, "service: must be set")
		return
	}
	slos := get(spec, "slos")
	for i, slo := range s.SLOs {
		line := item(slos, i, o.line)
		if slo.Name == "" {
			im.fail(line, fmt.Sprintf("slos[%d]", i), "name: must be set")
			continue
		}
		id := s.Service + "-" + slo.Name
		d := Definition{Name: id, Service: s.Service, Window: slothWindow, Origin: im.origin(line, "sloth")}
		switch {
		case slo.Objective == nil:
			im.fail(line, id, "objective: must be set")
			continue
		case *slo.Objective == 100:
			im.skip(line, id, "objective 100% leaves no error budget to burn")
			continue
		case !(*slo.Objective > 0 && *slo.Objective < 100):
			im.fail(line, id, "objective: %v is not in (0, 100]", *slo.Objective)
			continue
		}
		d.Objective = FromPercent(*slo.Objective)

		sli := slo.SLI
		n := 0
		for _, set := range [...]bool{sli.Events != nil, sli.Raw != nil, sli.Plugin != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			im.fail(line, id, "sli: exactly one of events, raw or plugin must be set")
			continue
		}
		switch {
		case sli.Plugin != nil:
			im.skip(line, id, fmt.Sprintf("sloth SLI plugins are not supported (plugin %q)", sli.Plugin.ID))
			continue
		case sli.Raw != nil:
			// A ratio without counts: see SLI.ErrorRatio for what that costs.
			d.SLI.ErrorRatio = strings.TrimSpace(sli.Raw.ErrorRatioQuery)
		default:
			d.SLI.Errors = strings.TrimSpace(sli.Events.ErrorQuery)
			d.SLI.Total = strings.TrimSpace(sli.Events.TotalQuery)
		}
		d.Recording = slothRecording(id, s.Service, slo.Name)
		im.add(line, d)
	}
}

// slothRecording names the series Sloth records for every SLI:
// slo:sli_error:ratio_rate<window> at each of Windows (the windows of its default
// 30-day alerts), labelled sloth_id, sloth_service and sloth_slo.
func slothRecording(id, service, slo string) *Recording {
	labels := selector{Matchers: []matcher{
		{Name: "sloth_id", Op: "=", Value: id},
		{Name: "sloth_service", Op: "=", Value: service},
		{Name: "sloth_slo", Op: "=", Value: slo},
	}}
	r := &Recording{Generator: "sloth", ErrorRatio: make(map[time.Duration]string, NumWindows)}
	for _, w := range windows {
		labels.Name = "slo:sli_error:ratio_rate" + WindowName(w)
		r.ErrorRatio[w] = labels.String()
	}
	return r
}
