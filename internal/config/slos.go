package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
)

// slos turns slos[] into SLODefs, reading imports. Only entries without errors become
// definitions, so the rest of the program never sees a half-checked SLO.
func (k *checker) slos() {
	c := k.c
	c.SLODefs, c.SLOSkipped = nil, nil
	c.SLOPrometheus = map[string]string{}
	seen := map[string]string{} // SLO name -> origin of its first definition
	add := func(path string, d slo.Definition, prom string) {
		if at, dup := seen[d.Name]; dup {
			k.fail(path, "duplicate SLO name %q (first at %s)", d.Name, at)
			return
		}
		seen[d.Name] = d.Origin
		c.SLODefs = append(c.SLODefs, d)
		c.SLOPrometheus[d.Name] = prom
	}
	for i := range c.SLOs {
		s := &c.SLOs[i]
		path := fmt.Sprintf("slos[%d]", i)
		if c.isImport(i) {
			k.importSLOs(path, s, add)
			continue
		}
		before := len(k.errs)
		d := k.inlineSLO(path, s)
		if len(k.errs) == before {
			add(path+".name", d, s.Prometheus)
		}
	}
}

func (k *checker) importSLOs(path string, s *SLO, add func(string, slo.Definition, string)) {
	c := k.c
	alone := true
	v := reflect.ValueOf(*s)
	for i := range v.NumField() {
		key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		if key == "import" || key == "prometheus" {
			continue // which Prometheus evaluates them is ours to say, not the file's
		}
		if c.written(path+"."+key) || !v.Field(i).IsZero() {
			k.fail(path+"."+key, "not allowed with import: an imported file defines the whole SLO")
			alone = false
		}
	}
	ipath := path + ".import"
	if s.Import == "" {
		k.fail(ipath, "must name a file")
		return
	}
	if !alone {
		return
	}
	file := s.Import
	if !filepath.IsAbs(file) {
		file = filepath.Join(c.baseDir(), file)
	}
	defs, skipped, err := k.opts.importFile(file)
	if err != nil {
		k.fail(ipath, "%s", oneLine(err))
		return
	}
	c.SLOSkipped = append(c.SLOSkipped, skipped...)
	prom := ""
	switch {
	case s.Prometheus != "":
		if _, ok := c.PrometheusByName(s.Prometheus); !ok {
			k.checkPrometheus(path+".prometheus", s.Prometheus, true)
			return
		}
		prom = s.Prometheus
	case len(c.Prometheus) > 0:
		prom = c.Prometheus[0].Name
	case len(defs) > 0:
		k.fail(ipath, "no prometheus configured")
		return
	}
	for _, d := range defs {
		if d.Name == "" {
			k.fail(ipath, "a definition from %s has no name", d.Origin)
			continue
		}
		// The importer checks the shape of what it reads, not the PromQL inside: check
		// it here, so one broken query is a config error and not a poll that fails.
		errs, total := d.Queries(windowForCheck)
		bad := false
		for _, q := range []string{errs, total} {
			if q == "" {
				continue
			}
			if len(q) > MaxQueryBytes {
				k.fail(ipath, "%s: %s: %s", d.Origin, d.Name, queryTooLong(q))
				bad = true
				break
			}
			if p := k.parse(q); p.err != nil {
				k.fail(ipath, "%s: %s: bad PromQL: %s", d.Origin, d.Name, oneLine(p.err))
				bad = true
				break
			}
		}
		if !bad {
			add(ipath, d, prom)
		}
	}
}

// windowVar is the {{.window}} placeholder, with or without spaces inside the braces,
// as the slo package accepts it.
var windowVar = regexp.MustCompile(`\{\{\s*\.window\s*\}\}`)

// isImport reports whether slos[i] is an import. "import:" without a file is a
// forgotten file name, not an inline SLO.
func (c *Config) isImport(i int) bool {
	_, written := c.lines[fmt.Sprintf("slos[%d].import", i)]
	return written || c.SLOs[i].Import != ""
}

func (c *Config) baseDir() string {
	switch {
	case c.dir != "":
		return c.dir
	case c.File != "":
		return filepath.Dir(c.File)
	}
	return "."
}

// inlineSLO checks one inline entry and converts it; the result is only meaningful
// when no error was reported.
func (k *checker) inlineSLO(path string, s *SLO) slo.Definition {
	c := k.c
	if s.Name == "" {
		k.fail(path+".name", "required")
	}
	switch o := s.Objective; {
	case o == 0 && !c.written(path+".objective"):
		k.fail(path+".objective", "required (a percentage such as 99.9)")
	case !(o > 0):
		k.fail(path+".objective", "must be above 0")
	case o < 1:
		k.fail(path+".objective", "%s would mean %s %%; objectives are percentages: did you mean %s?", format(o), format(o), format(shift(o, 2)))
	case !(o < 100):
		k.fail(path+".objective", "must be below 100")
	}
	k.positiveDuration(path+".window", s.Window)
	k.checkPrometheus(path+".prometheus", s.Prometheus, true)

	ratio := s.Errors != "" || s.Good != ""
	switch {
	case s.Errors != "" && s.Good != "":
		k.fail(path+".good", "set errors or good, not both")
	case ratio && s.Latency != nil:
		k.fail(path+".latency", "set latency or errors/good with total, not both")
	case ratio:
		if s.Total == "" {
			k.fail(path+".total", "required with errors or good")
		}
		k.ratioQuery(path+".errors", s.Errors)
		k.ratioQuery(path+".good", s.Good)
		k.ratioQuery(path+".total", s.Total)
	case s.Latency != nil:
		if s.Total != "" {
			k.fail(path+".total", "not used with latency")
		}
		k.latencySLI(path+".latency", s.Latency)
	default:
		k.fail(path, "no SLI: set errors and total, good and total, or latency")
	}

	d := slo.Definition{
		Name:      s.Name,
		Service:   s.Service,
		Objective: slo.FromPercent(s.Objective),
		Window:    time.Duration(s.Window),
		SLI:       slo.SLI{Errors: s.Errors, Good: s.Good, Total: s.Total},
		Origin:    c.origin(path),
	}
	if l := s.Latency; l != nil {
		d.SLI.Latency = &slo.LatencySLI{Histogram: l.Histogram, Selector: l.Selector, Threshold: time.Duration(l.Threshold)}
	}
	return d
}

func (k *checker) positiveDuration(path string, d model.Duration) {
	switch {
	case d == 0 && !k.c.written(path):
		k.fail(path, "required")
	case !(d > 0):
		k.fail(path, "must be above 0")
	}
}

// ratioQuery checks a query counting events over the SLO's window: the window is
// filled in per burn-rate window, so a fixed range would silently measure the wrong span.
func (k *checker) ratioQuery(path, q string) {
	if q == "" || k.tooLong(path, q) {
		return
	}
	if !windowVar.MatchString(q) {
		k.fail(path, "must use %s as its range, e.g. [%s]", windowPlaceholder, windowPlaceholder)
		return
	}
	k.query(path, q)
}

func (k *checker) latencySLI(path string, l *LatencySLI) {
	switch {
	case l.Histogram == "":
		k.fail(path+".histogram", "required")
	case !model.LegacyValidation.IsValidMetricName(l.Histogram):
		k.fail(path+".histogram", "must be a metric name without _bucket, got %s", quote(l.Histogram))
	}
	if l.Selector != "" && !k.tooLong(path+".selector", l.Selector) {
		if _, err := promql.ParseMetricSelector(l.Selector); err != nil {
			k.fail(path+".selector", "bad selector: %s", oneLine(err))
		}
	}
	k.positiveDuration(path+".threshold", l.Threshold)
}
