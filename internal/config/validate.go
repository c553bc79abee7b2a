package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigil-sre/vigil/slo"
)

const (
	defaultRefresh = model.Duration(15 * time.Second)
	defaultTimeout = model.Duration(10 * time.Second)
	defaultBy      = "job"
)

// window stands in for {{.window}} when a query is checked: any valid range will do.
const (
	windowPlaceholder = "{{.window}}" // as written in messages; spaces inside the braces are fine too
	windowForCheck    = "5m"
)

// promql accepts everything some Prometheus-compatible server might: the server, not
// this check, has the last word on experimental functions and UTF-8 names.
var promql = parser.NewParser(parser.Options{
	EnableExperimentalFunctions: true,
	EnableBinopFillModifiers:    true,
	EnableUnquotedUTF8Names:     true,
})

// Validate fills in defaults, checks every setting and reference, and resolves slos[]
// into SLODefs, SLOSkipped and SLOPrometheus, reading the imported files. Load and Parse
// call it; a Config built in code should call it too. Errors name the line when the
// Config came from a file.
func (c *Config) Validate() error {
	return c.validate(options{importFile: slo.ImportFile})
}

type checker struct {
	c      *Config
	opts   options
	errs   []*Error
	parsed map[string]parsedQuery // by query text: a query used by many services is parsed once
}

type parsedQuery struct {
	typ parser.ValueType
	err error
}

func (k *checker) fail(path, format string, args ...any) {
	c := k.c
	k.errs = append(k.errs, &Error{File: c.File, Line: c.line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// warn records a setting that works but is probably not what was meant.
func (k *checker) warn(path, format string, args ...any) {
	c := k.c
	w := &Error{File: c.File, Line: c.line(path), Path: path, Msg: fmt.Sprintf(format, args...)}
	c.Warnings = append(c.Warnings, w.Error())
}

func (c *Config) validate(opts options) error {
	if opts.importFile == nil {
		opts.importFile = slo.ImportFile
	}
	c.setDefaults()
	c.Warnings = nil
	k := &checker{c: c, opts: opts, parsed: map[string]parsedQuery{}}
	k.durations()
	k.endpoints()
	k.pagerDuty()
	k.signals()
	k.services()
	k.slos()
	k.triage()
	k.notify()
	return joinErrors(redactErrors(k.errs, c.secrets()))
}

// setDefaults fills what was left out. A key written with a zero value is not left
// out: "refresh: 0s" is an error, not a request for the default.
func (c *Config) setDefaults() {
	if c.Refresh == 0 && !c.written("refresh") {
		c.Refresh = defaultRefresh
	}
	if c.Timeout == 0 && !c.written("timeout") {
		c.Timeout = defaultTimeout
		// A poll must end before the next is due: a short refresh shortens the default.
		if c.Refresh >= minRefresh && c.Timeout > c.Refresh {
			c.Timeout = c.Refresh
		}
	}
	first := ""
	if len(c.Prometheus) > 0 {
		first = c.Prometheus[0].Name
	}
	if s := c.Signals; s != nil {
		if s.By == "" {
			s.By = defaultBy
		}
		if s.Prometheus == "" {
			s.Prometheus = first
		}
	}
	for i := range c.Services {
		s := &c.Services[i]
		if s.Prometheus != "" {
			continue
		}
		if c.Signals != nil {
			s.Prometheus = c.Signals.Prometheus
		} else {
			s.Prometheus = first
		}
	}
	for i := range c.SLOs {
		if !c.isImport(i) && c.SLOs[i].Prometheus == "" {
			c.SLOs[i].Prometheus = first
		}
	}
	if c.PagerDuty != nil {
		c.PagerDuty.setDefaults(c.written("pagerduty.requests_per_minute"))
	}
	c.setTriageDefaults()
}

func (k *checker) durations() {
	c := k.c
	switch {
	case c.Refresh < minRefresh:
		k.fail("refresh", "must be at least %s, got %s", minRefresh, c.Refresh)
	case c.Refresh < quickRefresh:
		k.warn("refresh", "%s asks every source %d times a minute; %s or more spares Prometheus and PagerDuty's rate limit",
			c.Refresh, int(model.Duration(time.Minute)/c.Refresh), quickRefresh)
	}
	switch {
	case !(c.Timeout > 0):
		k.fail("timeout", "must be above 0")
	case c.Refresh >= minRefresh && c.Timeout > c.Refresh:
		k.fail("timeout", "must not be longer than refresh (%s): a poll must end before the next is due", c.Refresh)
	}
}

func (k *checker) endpoints() {
	var names, urls []string
	for i := range k.c.Prometheus {
		p := &k.c.Prometheus[i]
		names, urls = append(names, p.Name), append(urls, p.URL)
		k.httpClient(fmt.Sprintf("prometheus[%d]", i), &p.HTTP)
	}
	k.endpointList("prometheus", names, urls)
	names, urls = nil, nil
	for i := range k.c.Alertmanager {
		a := &k.c.Alertmanager[i]
		names, urls = append(names, a.Name), append(urls, a.URL)
		k.httpClient(fmt.Sprintf("alertmanager[%d]", i), &a.HTTP)
	}
	k.endpointList("alertmanager", names, urls)
}

func (k *checker) endpointList(kind string, names, urls []string) {
	paths := make([]string, len(names))
	for i := range names {
		paths[i] = fmt.Sprintf("%s[%d]", kind, i)
		if urls[i] == "" {
			k.fail(paths[i]+".url", "required")
		} else {
			k.checkURL(paths[i]+".url", urls[i])
		}
	}
	k.uniqueNames(paths, names)
}

// uniqueNames reports entries without a name and names used twice; paths[i] is the
// entry whose name is names[i].
func (k *checker) uniqueNames(paths, names []string) {
	first := map[string]string{}
	for i, name := range names {
		path := paths[i] + ".name"
		if name == "" {
			k.fail(path, "required")
			continue
		}
		if at, dup := first[name]; dup {
			k.fail(path, "duplicate name %q (first at %s)", name, k.where(at))
			continue
		}
		first[name] = path
	}
}

// where names the place of path for a message: its line, or the path itself when the
// config has no lines.
func (k *checker) where(path string) string {
	if l := k.c.line(path); l > 0 {
		return fmt.Sprintf("line %d", l)
	}
	return path
}

func (k *checker) checkURL(path, s string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		k.fail(path, "must be an http:// or https:// URL, got %s", quote(RedactURL(s)))
	}
}

// checkPrometheus checks a reference to a prometheus entry. An empty name is the
// default (the first entry) with no entry to default to; needed says whether anything
// would query it.
func (k *checker) checkPrometheus(path, name string, needed bool) {
	if name == "" {
		if needed && len(k.c.Prometheus) == 0 {
			k.fail(path, "no prometheus configured")
		}
		return
	}
	if _, ok := k.c.PrometheusByName(name); ok {
		return
	}
	var have []string
	for _, p := range k.c.Prometheus {
		if p.Name != "" {
			have = append(have, p.Name)
		}
	}
	if len(have) == 0 {
		k.fail(path, "unknown prometheus %q: no prometheus configured", name)
		return
	}
	k.fail(path, "unknown prometheus %q (configured: %s)", name, strings.Join(have, ", "))
}

func (k *checker) signals() {
	s := k.c.Signals
	if s == nil {
		return
	}
	k.checkPrometheus("signals.prometheus", s.Prometheus, true)
	k.queries("signals", s.Latency, s.Traffic, s.Errors, s.Saturation)
	k.query("signals.health", s.Health)
	k.thresholds("signals.thresholds", &s.Thresholds)
	if s.Services != "" && s.Services != "all" {
		k.fail("signals.services", "must be all (every service the server has) or left out (the configured services), got %s", quote(s.Services))
	}
}

// services checks services[]. A service without queries of its own is fine: it takes
// the profile's signals, or has none and is there for its SLOs.
func (k *checker) services() {
	c := k.c
	if n := len(c.Services); n > MaxServices {
		k.fail("services", "%d services are more than vigil's limit of %d", n, MaxServices)
		return
	}
	paths := make([]string, len(c.Services))
	names := make([]string, len(c.Services))
	for i := range c.Services {
		s := &c.Services[i]
		path := fmt.Sprintf("services[%d]", i)
		paths[i], names[i] = path, s.Name
		own := s.Latency+s.Traffic+s.Errors+s.Saturation != ""
		k.checkPrometheus(path+".prometheus", s.Prometheus, own)
		k.queries(path, s.Latency, s.Traffic, s.Errors, s.Saturation)
		if s.Thresholds != nil {
			k.thresholds(path+".thresholds", s.Thresholds)
		}
	}
	k.uniqueNames(paths, names)
}

func (k *checker) queries(path, latency, traffic, errors, saturation string) {
	k.query(path+".latency", latency)
	k.query(path+".traffic", traffic)
	k.query(path+".errors", errors)
	k.query(path+".saturation", saturation)
}

// query checks q as an instant query; "" is no query and is fine.
func (k *checker) query(path, q string) {
	if q == "" || k.tooLong(path, q) {
		return
	}
	p := k.parse(windowVar.ReplaceAllString(q, windowForCheck))
	if p.err != nil {
		k.fail(path, "bad PromQL: %s", oneLine(p.err))
		return
	}
	if t := p.typ; t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
		k.fail(path, "must return an instant vector or a scalar, not a %s", t)
	}
}

// parse parses a query, once per text.
func (k *checker) parse(q string) parsedQuery {
	if p, ok := k.parsed[q]; ok {
		return p
	}
	var p parsedQuery
	expr, err := promql.ParseExpr(q)
	if err != nil {
		p.err = err
	} else {
		p.typ = expr.Type()
	}
	k.parsed[q] = p
	return p
}

// tooLong reports (and fails) a query past MaxQueryBytes, before anything parses it:
// the parser's time grows faster than the query.
func (k *checker) tooLong(path, q string) bool {
	if len(q) <= MaxQueryBytes {
		return false
	}
	k.fail(path, "%s", queryTooLong(q))
	return true
}

func queryTooLong(q string) string {
	return fmt.Sprintf("query is %d bytes, more than the %s limit", len(q), size(MaxQueryBytes))
}

// thresholds checks the ranges of thresholds set in code; decoding checks those read
// from a file, with what was written at hand.
func (k *checker) thresholds(path string, t *Thresholds) {
	for _, kt := range []struct {
		kind string
		th   *Threshold
	}{{"latency", t.Latency}, {"errors", t.Errors}, {"saturation", t.Saturation}} {
		if kt.th == nil {
			continue
		}
		if msg := thresholdProblem(kt.kind, *kt.th); msg != "" {
			k.fail(path+"."+kt.kind, "%s", msg)
		}
	}
}
