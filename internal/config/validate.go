package config

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
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
	defaultRegion  = "us"
)

// window stands in for {{.window}} when a query is checked: any valid range will do.
const (
	windowPlaceholder = "{{.window}}" // as written in messages; spaces inside the braces are fine too
	windowForCheck    = "5m"
)

var severities = []string{"info", "warning", "error", "critical"}

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
	c    *Config
	opts options
	errs []*Error
}

func (k *checker) fail(path, format string, args ...any) {
	c := k.c
	k.errs = append(k.errs, &Error{File: c.File, Line: c.line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *Config) validate(opts options) error {
	if opts.importFile == nil {
		opts.importFile = slo.ImportFile
	}
	c.setDefaults()
	k := &checker{c: c, opts: opts}
	k.durations()
	k.endpoints()
	k.pagerDuty()
	k.signals()
	k.services()
	k.slos()
	k.triage()
	return joinErrors(k.errs)
}

// setDefaults fills what was left out. A key written with a zero value is not left
// out: "refresh: 0s" is an error, not a request for the default.
func (c *Config) setDefaults() {
	if c.Refresh == 0 && !c.written("refresh") {
		c.Refresh = defaultRefresh
	}
	if c.Timeout == 0 && !c.written("timeout") {
		c.Timeout = defaultTimeout
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
	if c.PagerDuty != nil && c.PagerDuty.Region == "" {
		c.PagerDuty.Region = defaultRegion
	}
}

func (k *checker) durations() {
	if !(k.c.Refresh > 0) {
		k.fail("refresh", "must be above 0")
	}
	if !(k.c.Timeout > 0) {
		k.fail("timeout", "must be above 0")
	}
}

func (k *checker) endpoints() {
	var names, urls []string
	for _, p := range k.c.Prometheus {
		names, urls = append(names, p.Name), append(urls, p.URL)
	}
	k.endpointList("prometheus", names, urls)
	names, urls = nil, nil
	for _, a := range k.c.Alertmanager {
		names, urls = append(names, a.Name), append(urls, a.URL)
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
		k.fail(path, "must be an http:// or https:// URL, got %s", quote(s))
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

func (k *checker) pagerDuty() {
	pd := k.c.PagerDuty
	if pd == nil {
		return
	}
	if (pd.TokenEnv == "") == (pd.TokenFile == "") {
		k.fail("pagerduty", "set exactly one of token_env or token_file")
	}
	if pd.Region != "us" && pd.Region != "eu" {
		k.fail("pagerduty.region", "must be us or eu, got %s", quote(pd.Region))
	}
	if pd.URL != "" {
		k.checkURL("pagerduty.url", pd.URL)
	}
	for i, s := range pd.Services {
		if s == "" {
			k.fail(fmt.Sprintf("pagerduty.services[%d]", i), "must not be empty")
		}
	}
	if pd.TokenFile != "" && k.opts.checkTokenFile {
		k.checkTokenFile("pagerduty.token_file", pd.TokenFile)
	}
}

// checkTokenFile refuses a token others could read, as ssh does with private keys.
func (k *checker) checkTokenFile(path, file string) {
	fi, err := os.Stat(file)
	if err != nil {
		k.fail(path, "%s", oneLine(err))
		return
	}
	if !fi.Mode().IsRegular() {
		k.fail(path, "%s is not a regular file", file)
		return
	}
	// Windows has no such permission bits: os.Stat makes them up.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		k.fail(path, "%s is accessible by group or others (mode %04o): chmod 600 %s", file, fi.Mode().Perm(), file)
	}
}

func (k *checker) signals() {
	s := k.c.Signals
	if s == nil {
		return
	}
	k.checkPrometheus("signals.prometheus", s.Prometheus, true)
	k.queries("signals", s.Latency, s.Traffic, s.Errors, s.Saturation)
	k.thresholds("signals.thresholds", &s.Thresholds)
}

func (k *checker) services() {
	c := k.c
	profile := c.Signals != nil && c.Signals.Latency+c.Signals.Traffic+c.Signals.Errors+c.Signals.Saturation != ""
	paths := make([]string, len(c.Services))
	names := make([]string, len(c.Services))
	for i := range c.Services {
		s := &c.Services[i]
		path := fmt.Sprintf("services[%d]", i)
		paths[i], names[i] = path, s.Name
		own := s.Latency+s.Traffic+s.Errors+s.Saturation != ""
		if !own && !profile {
			k.fail(path, "no queries: set signals or this service's own latency, traffic, errors or saturation")
		}
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
	if q == "" {
		return
	}
	expr, err := promql.ParseExpr(windowVar.ReplaceAllString(q, windowForCheck))
	if err != nil {
		k.fail(path, "bad PromQL: %s", oneLine(err))
		return
	}
	if t := expr.Type(); t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
		k.fail(path, "must return an instant vector or a scalar, not a %s", t)
	}
}

func (k *checker) thresholds(path string, t *Thresholds) {
	if t.Latency != nil && !t.Latency.None && !(t.Latency.Value > 0) {
		k.fail(path+".latency", "must be above 0")
	}
	if t.Errors != nil && !t.Errors.None {
		switch e := t.Errors.Value; {
		case !(e > 0):
			k.fail(path+".errors", "must be above 0")
		case e > 1:
			k.fail(path+".errors", "must be at most 1 (a fraction of requests: 0.01 is 1%%)")
		}
	}
	if t.Saturation != nil && !t.Saturation.None && !(t.Saturation.Value > 0) {
		k.fail(path+".saturation", "must be above 0")
	}
}

func (k *checker) triage() {
	t := k.c.Triage
	if t.MinSeverity != "" && !slices.Contains(severities, t.MinSeverity) {
		k.fail("triage.min_severity", "must be one of %s, got %s", strings.Join(severities, ", "), quote(t.MinSeverity))
	}
	for i, h := range t.Hide {
		path := fmt.Sprintf("triage.hide[%d].match", i)
		if h.Match == "" {
			k.fail(path, "required")
			continue
		}
		if _, err := promql.ParseMetricSelector(h.Match); err != nil {
			k.fail(path, "bad matcher: %s", oneLine(err))
		}
	}
}
