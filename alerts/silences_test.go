package alerts

import (
	"testing"

	"github.com/vigil-sre/vigil/sources"
)

func TestSilenceSubject(t *testing.T) {
	eq := func(name, value string) sources.Matcher {
		return sources.Matcher{Name: name, Value: value, IsEqual: true}
	}
	cases := []struct {
		ms   []sources.Matcher
		want string
	}{
		{[]sources.Matcher{eq("service", "checkout"), eq("alertname", "HighLatency")}, "HighLatency checkout"},
		{[]sources.Matcher{eq("service", "checkout"), {Name: "pod", Value: "a.*", IsRegex: true, IsEqual: true}}, "checkout"},
		{[]sources.Matcher{{Name: "env", Value: "prod"}}, `{env!="prod"}`},
	}
	for _, c := range cases {
		if got := silenceSubject(c.ms); got != c.want {
			t.Errorf("%v: %q, want %q", c.ms, got, c.want)
		}
	}
}
