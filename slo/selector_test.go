package slo

import "testing"

func TestParseSelector(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want is the selector over [1h]
	}{
		{`http_requests_total`, `http_requests_total[1h]`},
		{` http_requests_total{ job = "api" , code=~'5..', } `, `http_requests_total{job="api",code=~"5.."}[1h]`},
		{"apiserver_request_total{verb!~`WATCH|CONNECT`}", `apiserver_request_total{verb!~"WATCH|CONNECT"}[1h]`},
		{`x{a="q\"uote\\d"}`, `x{a="q\"uote\\d"}[1h]`},
		{`{__name__="up"}`, `{__name__="up"}[1h]`},
		{`x{"http.route"="/a"}`, `x{"http.route"="/a"}[1h]`},
		{`prometheus_http_requests_total{code=~"5.."} offset 1m`, `prometheus_http_requests_total{code=~"5.."}[1h] offset 1m`},
		{`ns:metric:rate5m`, `ns:metric:rate5m[1h]`},
		{`x{a="\xff\u00e9\101"}`, `x{a="\xfféA"}[1h]`},
	} {
		s, err := parseSelector(tc.in)
		if err != nil {
			t.Errorf("parseSelector(%q): %v", tc.in, err)
			continue
		}
		if got := s.withRange("1h"); got != tc.want {
			t.Errorf("parseSelector(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseSelectorRejects(t *testing.T) {
	for _, in := range []string{
		``, `{}`, `sum(x)`, `rate(x[5m])`, `x[5m]`, `x{a="b"} / y`, `x{a}`, `x{a="b}`, `x{a=b}`,
		`x{a="b" c="d"}`, `x @ 1700000000`, `x offset`, `x offset 5q`, "x{a=\"b\nc\"}", `x{a="\q"}`,
	} {
		if s, err := parseSelector(in); err == nil {
			t.Errorf("parseSelector(%q) = %+v, want an error", in, s)
		}
	}
}

func TestCounterSelector(t *testing.T) {
	for in, want := range map[string]string{
		`http_requests_total{code="500"}`:       `http_requests_total{code="500"}`,
		`sum(http_requests_total{code="500"})`:  `http_requests_total{code="500"}`,
		` sum ( http_requests_total ) `:         `http_requests_total`,
		`sum(a) / sum(b)`:                       "",
		`sum by (job) (http_requests_total)`:    "",
		`sum(rate(http_requests_total[5m]))`:    "",
		`summary_total`:                         `summary_total`,
		`sum(http_requests_total) offset 5m`:    "",
		`sum(http_requests_total offset 5m)`:    `http_requests_total offset 5m`,
		`increase(http_requests_total[{{.w}}])`: "",
	} {
		s, ok := counterSelector(in)
		if got := s.String(); ok != (want != "") || ok && got != want {
			t.Errorf("counterSelector(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// A selector read back from its own rendering must be the same selector.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{
		`http_requests_total{job="api",code=~"5.."}`, "x{a!~`b`, 'c'!=\"d\\n\"} offset -5m",
		`{"http.route"="/\u00e9"}`, `a:b:c`, `x{le="0.3"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := parseSelector(in)
		if err != nil {
			return
		}
		out := s.String()
		again, err := parseSelector(out)
		if err != nil {
			t.Fatalf("%q renders as %q, which does not parse: %v", in, out, err)
		}
		if again.String() != out || len(again.Matchers) != len(s.Matchers) {
			t.Fatalf("%q renders as %q, then as %q", in, out, again.String())
		}
		for i := range s.Matchers {
			if again.Matchers[i] != s.Matchers[i] {
				t.Fatalf("%q: matcher %d %+v became %+v", in, i, s.Matchers[i], again.Matchers[i])
			}
		}
	})
}
