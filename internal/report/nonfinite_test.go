package report

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
)

var numberType = reflect.TypeFor[alerts.Number]()

// poison sets every Number reachable from v, through pointers, slices and maps, to x,
// and fills nil *Number fields so that none escapes. It returns how many it set.
func poison(v reflect.Value, x float64) int {
	n := 0
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem() == numberType {
			if v.IsNil() && v.CanSet() {
				v.Set(reflect.New(numberType))
			}
			if !v.IsNil() {
				v.Elem().SetFloat(x)
				n++
			}
			return n
		}
		if !v.IsNil() {
			n += poison(v.Elem(), x)
		}
	case reflect.Struct:
		if v.Type() == numberType {
			v.SetFloat(x)
			return 1
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n += poison(v.Field(i), x)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			n += poison(v.Index(i), x)
		}
	case reflect.Map:
		if v.Type().Elem() == reflect.PointerTo(numberType) {
			for _, k := range v.MapKeys() {
				p := alerts.Number(x)
				v.SetMapIndex(k, reflect.ValueOf(&p))
				n++
			}
		}
	}
	if v.Kind() == reflect.Float64 && v.CanSet() && v.Type() == numberType {
		v.SetFloat(x)
		n++
	}
	return n
}

// TestNonFiniteNumbersNeverReachOutput walks the Board and puts NaN, +Inf and -Inf in
// every numeric field: the JSON must stay valid with nulls there, and no text format
// may print NaN or Inf.
func TestNonFiniteNumbersNeverReachOutput(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		b := sample()
		b.Services[0].Signals = [sources.NumSignals]alerts.SignalValue{}
		if n := poison(reflect.ValueOf(&b).Elem(), x); n < 20 {
			t.Fatalf("poisoned only %d numbers: the walk misses fields", n)
		}
		var out bytes.Buffer
		if err := Write(&out, "json", b); err != nil {
			t.Fatalf("%v: json: %v", x, err)
		}
		var doc struct {
			Sources  []map[string]any `json:"sources"`
			Services []map[string]any `json:"services"`
			SLOs     []map[string]any `json:"slos"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatalf("%v: invalid JSON: %v\n%s", x, err, out.String())
		}
		for _, k := range []string{"latency_seconds", "traffic_rps", "error_ratio", "saturation_ratio", "targets_up_ratio"} {
			if v := doc.Services[0][k]; v != nil {
				t.Errorf("%v: services[0].%s = %v, want null", x, k, v)
			}
		}
		for _, k := range []string{"objective", "budget_remaining", "exhaustion_seconds", "coverage_seconds", "window_seconds"} {
			if v := doc.SLOs[0][k]; v != nil {
				t.Errorf("%v: slos[0].%s = %v, want null", x, k, v)
			}
		}
		if v := doc.Sources[0]["age_seconds"]; v != nil {
			t.Errorf("%v: age_seconds = %v", x, v)
		}
		for _, format := range []string{"text", "markdown"} {
			out.Reset()
			if err := Write(&out, format, b); err != nil {
				t.Fatalf("%v: %s: %v", x, format, err)
			}
			if s := out.String(); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
				t.Errorf("%v: %s output shows a non-finite number:\n%s", x, format, s)
			}
		}
	}
}

func TestJSONEscapesC1AndBidiControls(t *testing.T) {
	b := sample()
	b.Services[1].Name = "pay\u009b31m\u202eevil\u2066"
	var out bytes.Buffer
	if err := Write(&out, "json", b); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if strings.ContainsAny(s, "\u009b\u202e\u2066") {
		t.Errorf("raw C1 or bidi control in JSON: %q", s)
	}
	if !strings.Contains(s, `pay\u009b31m\u202eevil\u2066`) {
		t.Errorf("controls must be escaped, not lost: %s", s)
	}
	var doc struct {
		Services []struct{ Name string } `json:"services"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Services[1].Name != b.Services[1].Name {
		t.Errorf("round trip: %v %q", err, doc.Services[1].Name)
	}
}
