package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-sre/vigil/slo"
)

// Error is one problem with a config file. Load and Parse return every Error they find,
// joined and ordered by line; errors.As finds the first.
type Error struct {
	File string
	Line int    // 0 when unknown, e.g. for a config built in code
	Path string // key path such as slos[2].objective; "" for the whole file
	Msg  string
}

// Error formats as file:line: path: message, the form editors and terminals link.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// redactErrors takes every secret out of the messages: errors are shown and logged.
func redactErrors(errs []*Error, secrets []string) []*Error {
	for _, e := range errs {
		e.Msg = redactText(e.Msg, secrets)
	}
	return errs
}

func joinErrors(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int { return a.Line - b.Line })
	if len(errs) > maxErrors {
		first := errs[maxErrors]
		errs = append(errs[:maxErrors:maxErrors], &Error{File: first.File, Line: first.Line, Msg: fmt.Sprintf("more errors from here on; the first %d are above", maxErrors)})
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// DefaultPath is $XDG_CONFIG_HOME/vigil/config.yaml, or $HOME/.config/vigil/config.yaml
// when XDG_CONFIG_HOME is unset. It is "" when neither can be found.
func DefaultPath() string {
	// The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "vigil", "config.yaml")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "vigil", "config.yaml")
}

// Load reads, decodes, defaults and validates the config file at path. Relative paths in
// it (TLS and credential files, token_file, SLO imports) are relative to its directory.
// Unlike Parse, it also reads every file the config names, as the sources will, so that
// a missing, unreadable or oversized secret is a config error now rather than a failed
// poll later; and it refuses a PagerDuty token_file that others can read.
//
// A config file that does not exist or cannot be opened is returned as the system's
// *fs.PathError; one that is not a regular file or is larger than MaxConfigBytes as an
// *Error.
func Load(path string) (*Config, error) {
	data, err := readFile(path, configFile)
	var fp *fileProblem
	if errors.As(err, &fp) {
		return nil, &Error{File: path, Msg: fp.msg}
	}
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	return parse(path, dir, data, options{importFile: slo.ImportFile, readFiles: true})
}

// Parse decodes, defaults and validates a config held in memory; file names it in
// errors, and relative paths in it are relative to file's directory.
func Parse(file string, data []byte) (*Config, error) {
	return parse(file, filepath.Dir(file), data, options{importFile: slo.ImportFile})
}

type options struct {
	importFile func(path string) ([]slo.Definition, []slo.Skipped, error)
	readFiles  bool // read the secret and TLS files the config names
}

func parse(file, dir string, data []byte, opts options) (*Config, error) {
	root, err := readDocument(file, data)
	if err != nil {
		return nil, err
	}
	c := &Config{File: file, dir: dir}
	d := newDecoder(file, root)
	d.decode(root, reflect.ValueOf(c).Elem(), "")
	if err := joinErrors(redactErrors(d.errs, c.secrets())); err != nil {
		return nil, err
	}
	c.lines, c.nulls = d.lines, d.nulls
	for i := range c.Prometheus {
		c.Prometheus[i].HTTP.SetDirectory(dir)
	}
	for i := range c.Alertmanager {
		c.Alertmanager[i].HTTP.SetDirectory(dir)
	}
	if c.PagerDuty != nil && c.PagerDuty.TokenFile != "" && !filepath.IsAbs(c.PagerDuty.TokenFile) {
		c.PagerDuty.TokenFile = filepath.Join(dir, c.PagerDuty.TokenFile)
	}
	if err := c.validate(opts); err != nil {
		return nil, err
	}
	return c, nil
}

var yamlSyntax = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readDocument parses data as a single YAML document whose top level is a mapping.
func readDocument(file string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Msg: "file is empty"}
		}
		return nil, syntaxError(file, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Msg: "file is empty"}
	}
	root := doc.Content[0]
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		if len(extra.Content) > 0 && !isNull(extra.Content[0]) {
			return nil, &Error{File: file, Line: extra.Content[0].Line, Msg: "a second YAML document: the config is one document"}
		}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(file, data, err)
	}
	if isNull(root) {
		return nil, &Error{File: file, Msg: "file is empty"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Line, Msg: "expected a mapping of settings (prometheus, services, slos, ...), got " + describe(root)}
	}
	return root, nil
}

var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

var unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

func syntaxError(file string, data []byte, err error) error {
	msg := oneLine(err)
	if m := yamlSyntax.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// The YAML library counts lines from 0 in its parser's errors, from 1 in its
		// scanner's.
		if parserProblems[m[2]] {
			line++
		}
		return &Error{File: file, Line: line, Msg: "bad YAML: " + m[2]}
	}
	// The YAML library leaves the line out of this message, and out of any other when
	// the line is the first.
	line := 1
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		for i, l := range bytes.Split(data, []byte("\n")) {
			if bytes.Contains(l, []byte("*"+m[1])) {
				line = i + 1
				break
			}
		}
	}
	return &Error{File: file, Line: line, Msg: "bad YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// PrometheusByName returns the prometheus entry with the given name.
func (c *Config) PrometheusByName(name string) (*Prometheus, bool) {
	for i := range c.Prometheus {
		if c.Prometheus[i].Name == name {
			return &c.Prometheus[i], true
		}
	}
	return nil, false
}

// AlertmanagerByName returns the alertmanager entry with the given name.
func (c *Config) AlertmanagerByName(name string) (*Alertmanager, bool) {
	for i := range c.Alertmanager {
		if c.Alertmanager[i].Name == name {
			return &c.Alertmanager[i], true
		}
	}
	return nil, false
}

// line is where path was written, or where its closest written ancestor was: a value
// filled in by a default has no line of its own.
func (c *Config) line(path string) int {
	for path != "" {
		if l, ok := c.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// written reports whether path was a key with a value in the file.
func (c *Config) written(path string) bool {
	_, ok := c.lines[path]
	return ok && !c.nulls[path]
}

func (c *Config) origin(path string) string {
	name := c.File
	if name == "" {
		name = "config"
	}
	if l := c.line(path); l > 0 {
		return fmt.Sprintf("%s:%d", name, l)
	}
	return name + ": " + path
}
