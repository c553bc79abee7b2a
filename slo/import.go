package slo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Skipped is a definition an importer read but could not use, with why.
type Skipped struct {
	File   string
	Line   int
	Name   string
	Reason string // e.g. `timeslices budgeting method is not supported`
}

func (s Skipped) String() string {
	return fmt.Sprintf("%s:%d: %s: skipped: %s", s.File, s.Line, s.Name, s.Reason)
}

// ImportFile reads OpenSLO v1, Sloth prometheus/v1 or Pyrra ServiceLevelObjective
// definitions from path (a multi-document YAML file may mix them).
//
// What a format allows but vigil cannot evaluate faithfully (OpenSLO threshold
// metrics, timeslices or calendar windows, Sloth SLI plugins, Pyrra bool gauges,
// native histograms or grouping, documents of other kinds) is returned as Skipped,
// whole: an SLO is imported completely or not at all. What breaks a format's own
// rules (bad YAML, a missing objective, an unparsable selector) is an error naming
// the file and line, and then nothing is returned.
//
// The file must be a regular file of at most MaxImportBytes: a FIFO, a device such as
// /dev/zero or a directory is refused without reading from it, and an endless file is
// read no further than the limit.
func ImportFile(path string) ([]Definition, []Skipped, error) {
	data, err := readImport(path)
	if err != nil {
		return nil, nil, err
	}
	return ImportBytes(path, data)
}

// MaxImportBytes caps a file ImportFile reads; an SLO file with hundreds of
// definitions is well under a MiB.
const MaxImportBytes = 4 << 20

// readImport reads the regular file at path, at most MaxImportBytes. It looks before it
// opens, opens non-blocking (a FIFO swapped in meanwhile must not block the open) and
// looks again at what it opened; it reads one byte past the limit, so that even a file
// growing while read cannot exceed it. A missing or unreadable file's error wraps the
// system's, for errors.Is(err, fs.ErrNotExist).
func readImport(path string) ([]byte, error) {
	notRegular := fmt.Errorf("%s is not a regular file", path)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, readError(path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlocking, 0)
	if err != nil {
		return nil, readError(path, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, readError(path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	if err != nil {
		return nil, readError(path, err)
	}
	if fi.Size() > MaxImportBytes || len(data) > MaxImportBytes {
		return nil, fmt.Errorf("%s is larger than the %d MiB limit for SLO files", path, MaxImportBytes>>20)
	}
	return data, nil
}

func readError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot read %s: %w", path, err)
}

// ImportBytes is ImportFile on data already read; file names it in Origin, Skipped
// and errors.
func ImportBytes(file string, data []byte) ([]Definition, []Skipped, error) {
	im := &importer{file: file, slis: map[string]object{}, sources: map[string]string{}}
	objs, err := im.read(data)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range objs { // indicatorRef and metricSourceRef may point forwards
		im.register(o)
	}
	for _, o := range objs {
		im.object(o)
	}
	if len(im.errs) > 0 {
		return nil, nil, errors.Join(im.errs...)
	}
	return im.defs, im.skipped, nil
}

type importer struct {
	file    string
	defs    []Definition
	skipped []Skipped
	errs    []error

	slis    map[string]object // OpenSLO kind: SLI by metadata.name
	sources map[string]string // OpenSLO kind: DataSource name -> spec.type
}

// object is one top-level YAML mapping: a document, or an item of a document that
// is a list of objects.
type object struct {
	node                      *yaml.Node
	line                      int
	apiVersion, kind, version string
	name                      string // metadata.name, "" if none
}

var (
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// The YAML parser's own problems, as opposed to its scanner's.
	parserProblem = regexp.MustCompile(`^(did not find expected (',' or '[\]}]'|'-' indicator|<document start>|<stream-start>|key|node content)|found (duplicate %(TAG|YAML) directive|incompatible YAML document|undefined tag handle))$`)
	// Problems found while decoding bytes, which carry no position.
	readerProblem = regexp.MustCompile(`UTF-8|UTF-16|Unicode|control characters|input error`)
)

// syntaxError names the file and line of a YAML syntax error. The yaml package
// counts lines from 0 for parser errors and from 1 for scanner errors, and drops
// the line altogether when it is the first; this corrects both.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblem.MatchString(msg) {
			line++
		}
	} else if readerProblem.MatchString(msg) {
		return fmt.Errorf("%s: %s", file, msg)
	}
	return fmt.Errorf("%s:%d: %s", file, line, msg)
}

func (im *importer) read(data []byte) ([]object, error) {
	var objs []object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, syntaxError(im.file, err)
		}
		root := &doc
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		items := []*yaml.Node{root}
		if root.Kind == yaml.SequenceNode {
			items = root.Content
		}
		for _, n := range items {
			if n = resolve(n); n == nil {
				continue
			}
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" || n.Kind == yaml.DocumentNode && len(n.Content) == 0 {
				continue // an empty document
			}
			o := object{node: n, line: n.Line}
			if n.Kind == yaml.MappingNode {
				o.apiVersion = scalar(get(n, "apiVersion"))
				o.kind = scalar(get(n, "kind"))
				o.version = scalar(get(n, "version"))
				o.name = scalar(get(get(n, "metadata"), "name"))
			}
			objs = append(objs, o)
		}
	}
}

// resolve follows an alias to the node it stands for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// item returns the line of the i-th element of the sequence at n, or def.
func item(n *yaml.Node, i, def int) int {
	if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) && n.Content[i].Line > 0 {
		return n.Content[i].Line
	}
	return def
}

func (im *importer) register(o object) {
	if o.apiVersion != openSLOv1 || o.name == "" {
		return
	}
	switch o.kind {
	case "SLI":
		im.slis[o.name] = o
	case "DataSource":
		im.sources[o.name] = scalar(get(get(o.node, "spec"), "type"))
	}
}

func (im *importer) object(o object) {
	name := o.name
	if name == "" {
		name = "(unnamed)"
	}
	switch {
	case o.node.Kind != yaml.MappingNode:
		im.skip(o.line, name, "not a mapping: not an OpenSLO, Sloth or Pyrra document")
	case o.apiVersion == openSLOv1:
		im.openSLO(o)
	case strings.HasPrefix(o.apiVersion, "openslo/"):
		im.skip(o.line, name, fmt.Sprintf("OpenSLO %s is not supported, only openslo/v1", o.apiVersion))
	case o.version == slothV1 && o.apiVersion == "":
		im.sloth(o, o.node)
	case o.apiVersion == slothK8s && o.kind == "PrometheusServiceLevel":
		im.sloth(o, get(o.node, "spec"))
	case o.apiVersion == pyrraV1 && o.kind == "ServiceLevelObjective":
		im.pyrra(o)
	case o.version != "" && o.apiVersion == "":
		im.skip(o.line, name, fmt.Sprintf("Sloth spec version %q is not supported, only %s", o.version, slothV1))
	default:
		im.skip(o.line, name, fmt.Sprintf("apiVersion %q kind %q is not an OpenSLO, Sloth or Pyrra SLO", o.apiVersion, o.kind))
	}
}

func (im *importer) skip(line int, name, reason string) {
	im.skipped = append(im.skipped, Skipped{File: im.file, Line: line, Name: name, Reason: reason})
}

func (im *importer) fail(line int, name, format string, args ...any) {
	im.errs = append(im.errs, fmt.Errorf("%s:%d: %s: %s", im.file, line, name, fmt.Sprintf(format, args...)))
}

func (im *importer) origin(line int, format string) string {
	return im.file + ":" + strconv.Itoa(line) + " (" + format + ")"
}

// decode decodes n into v, reporting type errors at their own lines.
func (im *importer) decode(n *yaml.Node, v any, line int, name string) bool {
	err := n.Decode(v)
	if err == nil {
		return true
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			l := line
			if rest, ok := strings.CutPrefix(e, "line "); ok {
				if num, msg, ok := strings.Cut(rest, ": "); ok {
					if n, err := strconv.Atoi(num); err == nil {
						l, e = n, msg
					}
				}
			}
			im.fail(l, name, "%s", e)
		}
		return false
	}
	im.fail(line, name, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	return false
}

// add keeps d if it validates: an importer bug must not hand Evaluate a definition
// it cannot use.
func (im *importer) add(line int, d Definition) {
	if err := d.Validate(); err != nil {
		im.fail(line, d.Name, "%v", err)
		return
	}
	im.defs = append(im.defs, d)
}

// FromPercent turns an objective written in percent into a fraction. It moves the
// decimal point in the number's shortest spelling rather than dividing by 100, so
// 99.9 becomes exactly the float 0.999 and not 0.9990000000000001.
func FromPercent(p float64) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(p, 'g', -1, 64)+"e-2", 64)
	if err != nil {
		return p / 100
	}
	return f
}
