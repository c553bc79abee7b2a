package config

import (
	"testing"
)

func TestThresholdForms(t *testing.T) {
	tests := []struct {
		key, value string
		want       Threshold
		err        string // the message after "config.yaml:6: signals.thresholds.<key>: "
	}{
		{key: "latency", value: "300ms", want: Threshold{Value: 0.3}},
		{key: "latency", value: "1s", want: Threshold{Value: 1}},
		{key: "latency", value: "1.5s", want: Threshold{Value: 1.5}},
		{key: "latency", value: "1m30s", want: Threshold{Value: 90}},
		{key: "latency", value: "none", want: Threshold{None: true}},
		{key: "latency", value: "None", want: Threshold{None: true}},
		{key: "latency", value: "NONE", want: Threshold{None: true}},
		{key: "latency", value: "0.3", err: "0.3 has no unit: write 0.3s (or 300ms)"},
		{key: "latency", value: "1", err: "1 has no unit: write 1s (or 1000ms)"},
		{key: "latency", value: "0s", err: "must be above 0"},
		{key: "latency", value: "-1s", err: "must be above 0"},
		{key: "latency", value: "fast", err: `expected a duration such as 300ms or 1s, or none, got "fast"`},
		{key: "latency", value: "[1s]", err: `expected a duration such as 300ms or 1s, or none, got a list`},

		{key: "errors", value: "1%", want: Threshold{Value: 0.01}},
		{key: "errors", value: "0.5%", want: Threshold{Value: 0.005}},
		{key: "errors", value: "1 %", want: Threshold{Value: 0.01}},
		{key: "errors", value: "0.01", want: Threshold{Value: 0.01}},
		{key: "errors", value: "'0.01'", want: Threshold{Value: 0.01}},
		{key: "errors", value: "none", want: Threshold{None: true}},
		{key: "errors", value: "1", err: "1 would mean 100 % of requests; write 1% (or 0.01)"},
		{key: "errors", value: "5", err: "5 would mean 500 % of requests; write 5% (or 0.05)"},
		{key: "errors", value: "1.5", err: "1.5 would mean 150 % of requests; write 1.5% (or 0.015)"},
		{key: "errors", value: "100%", err: "must be below 100% (a share of requests); none judges errors not at all"},
		{key: "errors", value: "0", err: "must be above 0"},
		{key: "errors", value: "0%", err: "must be above 0"},
		{key: "errors", value: "-1%", err: "must be above 0"},
		{key: "errors", value: ".nan", err: `expected a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none, got ".nan"`},
		{key: "errors", value: ".inf", err: `expected a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none, got ".inf"`},
		{key: "errors", value: "1e999", err: `expected a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none, got "1e999"`},
		{key: "errors", value: "x%", err: `expected a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none, got "x%"`},
		{key: "errors", value: "1ms", err: `expected a percentage such as 1% or 0.5%, a ratio below 1 such as 0.01, or none, got "1ms"`},

		{key: "saturation", value: "90%", want: Threshold{Value: 0.9}},
		{key: "saturation", value: "120%", want: Threshold{Value: 1.2}},
		{key: "saturation", value: "0.9", want: Threshold{Value: 0.9}},
		{key: "saturation", value: "1", want: Threshold{Value: 1}},
		{key: "saturation", value: "none", want: Threshold{None: true}},
		{key: "saturation", value: "90", err: "90 would mean 9000 % saturation; write 90% (or 0.9), or 9000% if that is really meant"},
		{key: "saturation", value: "1.2", err: "1.2 would mean 120 % saturation; write 1.2% (or 0.012), or 120% if that is really meant"},
		{key: "saturation", value: "0", err: "must be above 0"},
		{key: "saturation", value: "{value: 1}", err: `expected a percentage such as 90%, a ratio up to 1 such as 0.9, or none, got a mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			in := base + "signals:\n  traffic: sum by (job) (rate(x[5m]))\n  thresholds:\n    " + tt.key + ": " + tt.value + "\n"
			c, err := Parse("config.yaml", []byte(in))
			if tt.err != "" {
				want := "config.yaml:7: signals.thresholds." + tt.key + ": " + tt.err
				if err == nil || err.Error() != want {
					t.Errorf("err = %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			th := map[string]*Threshold{"latency": c.Signals.Thresholds.Latency, "errors": c.Signals.Thresholds.Errors, "saturation": c.Signals.Thresholds.Saturation}[tt.key]
			if th == nil || *th != tt.want {
				t.Errorf("%s: %s read as %+v, want %+v", tt.key, tt.value, th, tt.want)
			}
		})
	}
}

// A threshold left out, or written without a value, is not set: the profile's, then
// the built-in default, apply.
func TestThresholdLeftOut(t *testing.T) {
	in := base + "signals:\n  traffic: sum by (job) (rate(x[5m]))\n  thresholds:\n    errors:\n" +
		"services:\n  - name: api\n    thresholds: {latency: 2s}\n"
	c, err := Parse("config.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if th := c.Signals.Thresholds; th.Errors != nil || th.Latency != nil || th.Saturation != nil {
		t.Errorf("profile thresholds = %+v, want none set", th)
	}
	if th := c.Services[0].Thresholds; th.Latency == nil || *th.Latency != (Threshold{Value: 2}) || th.Errors != nil {
		t.Errorf("service thresholds = %+v", th)
	}
	if d := DefaultThresholds; *d.Latency != (Threshold{Value: 1}) || *d.Errors != (Threshold{Value: 0.01}) || *d.Saturation != (Threshold{Value: 0.9}) {
		t.Errorf("DefaultThresholds = %+v, want 1s, 1%%, 90%% as documented", d)
	}
}

// Thresholds built in code are checked by Validate.
func TestThresholdsInCode(t *testing.T) {
	c := &Config{
		Prometheus: []Prometheus{{Name: "p", URL: "http://p:9090"}},
		Services: []Service{{Name: "api", Traffic: "sum(x)", Thresholds: &Thresholds{
			Latency: &Threshold{None: true}, Errors: &Threshold{Value: 1}, Saturation: &Threshold{Value: -1},
		}}},
	}
	err := c.Validate()
	want := "services[0].thresholds.errors: must be below 1 (a fraction of requests: 0.01 is 1%)\n" +
		"services[0].thresholds.saturation: must be above 0"
	if err == nil || err.Error() != want {
		t.Errorf("Validate = %v\nwant %s", err, want)
	}
}
