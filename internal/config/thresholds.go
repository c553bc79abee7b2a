package config

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/vigil-sre/vigil/slo"
)

// Thresholds are written with their unit, so that none reads wrong:
//
//	latency:    300ms, 1s, 1.5s, or none
//	errors:     1%, 0.5%, a ratio below 1 such as 0.01, or none
//	saturation: 90%, 120%, a ratio up to 1 such as 0.9, or none
//
// A bare number where a unit is needed is an error that suggests the unit: errors: 1
// meant as 1 % would otherwise judge errors against 100 %.

var thresholdType = reflect.TypeFor[Threshold]()

// decimal is a plain decimal number, as written before a % or bare.
var decimal = regexp.MustCompile(`^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`)

// threshold decodes the threshold at path; which signal it is for is its key.
func (d *decoder) threshold(n *yaml.Node, v reflect.Value, path string) {
	kind := path[strings.LastIndexByte(path, '.')+1:]
	if n.Kind != yaml.ScalarNode {
		d.fail(n.Line, path, "expected %s, got %s", thresholdForms(kind), describe(n))
		return
	}
	th, msg := parseThreshold(kind, n.Value)
	if msg == "" {
		msg = thresholdProblem(kind, th)
	}
	if msg != "" {
		d.fail(n.Line, path, "%s", msg)
		return
	}
	v.Set(reflect.ValueOf(th))
}

func thresholdForms(kind string) string {
	switch kind {
	case "latency":
		return "a duration such as 300ms or 1s, or none"
	case "errors":
		return "a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none"
	}
	return "a percentage such as 90%, a ratio up to 1 such as 0.9, or none"
}

// parseThreshold reads one threshold as written; the message says what is wrong.
func parseThreshold(kind, text string) (Threshold, string) {
	s := strings.TrimSpace(text)
	if strings.EqualFold(s, "none") {
		return Threshold{None: true}, ""
	}
	bad := fmt.Sprintf("expected %s, got %s", thresholdForms(kind), quote(text))
	if kind == "latency" {
		if d, err := model.ParseDuration(s); err == nil {
			return Threshold{Value: time.Duration(d).Seconds()}, ""
		}
		if d, err := time.ParseDuration(s); err == nil {
			return Threshold{Value: d.Seconds()}, ""
		}
		if f, ok := number(s); ok {
			return Threshold{}, fmt.Sprintf("%s has no unit: write %ss (or %sms)", s, s, format(shift(f, 3)))
		}
		return Threshold{}, bad
	}
	if num, ok := strings.CutSuffix(s, "%"); ok {
		num = strings.TrimSpace(num)
		f, ok := number(num)
		if !ok {
			return Threshold{}, bad
		}
		if kind == "errors" && f >= 100 {
			return Threshold{}, "must be below 100% (a share of requests); none judges errors not at all"
		}
		return Threshold{Value: slo.FromPercent(f)}, ""
	}
	f, ok := number(s)
	if !ok {
		return Threshold{}, bad
	}
	switch {
	case kind == "errors" && f >= 1:
		return Threshold{}, fmt.Sprintf("%s would mean %s %% of requests; write %s%% (or %s)", s, format(shift(f, 2)), s, format(slo.FromPercent(f)))
	case kind == "saturation" && f > 1:
		return Threshold{}, fmt.Sprintf("%s would mean %s %% saturation; write %s%% (or %s), or %s%% if that is really meant", s, format(shift(f, 2)), s, format(slo.FromPercent(f)), format(shift(f, 2)))
	}
	return Threshold{Value: f}, ""
}

// thresholdProblem checks a threshold's range, whether decoded or set in code.
func thresholdProblem(kind string, th Threshold) string {
	v := th.Value
	switch {
	case th.None:
		return ""
	case !(v > 0):
		return "must be above 0"
	case math.IsInf(v, 0):
		return "must be a finite number"
	case kind == "errors" && v >= 1:
		return "must be below 1 (a fraction of requests: 0.01 is 1%)"
	}
	return ""
}

// number parses a plain decimal number, finite.
func number(s string) (float64, bool) {
	if !decimal.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// shift multiplies f by 10^exp by moving the decimal point of its shortest spelling,
// so that 0.999 becomes 99.9 and not 99.90000000000001.
func shift(f float64, exp int) float64 {
	mant, e, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	n, _ := strconv.Atoi(e)
	out, err := strconv.ParseFloat(mant+"e"+strconv.Itoa(n+exp), 64)
	if err != nil {
		return f * math.Pow10(exp)
	}
	return out
}

// format writes a number for a message, in its shortest spelling.
func format(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
