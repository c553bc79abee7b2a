package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// The YAML library's own strict mode stops at the first unknown key and cannot name
// the key path, so the document is decoded into a node tree and walked here against
// the Go types, collecting every error with its line and path.

// maxExpansion bounds the walk: anchors, aliases and merge keys can make a small file
// describe an enormous (or, with self-reference, endless) tree. The walk may visit every
// node written in the file, plus this many more reached through aliases. No real config
// comes close.
const maxExpansion = 200_000

// maxMergeDepth bounds nested merge keys (<<), which can refer to each other in a cycle.
const maxMergeDepth = 32

// legacyUnmarshaler is the YAML v2-style unmarshaler that prometheus/common implements;
// YAML v3 still calls it, but keeps its interface unexported.
type legacyUnmarshaler interface {
	UnmarshalYAML(unmarshal func(any) error) error
}

var (
	unmarshalerType       = reflect.TypeFor[yaml.Unmarshaler]()
	legacyUnmarshalerType = reflect.TypeFor[legacyUnmarshaler]()
	durationType          = reflect.TypeFor[model.Duration]()
	httpClientConfigType  = reflect.TypeFor[promconfig.HTTPClientConfig]()
	urlType               = reflect.TypeFor[promconfig.URL]()

	// structured are types with their own unmarshaler that is only a plain decode
	// followed by defaults or Validate: they are walked key by key like any struct so
	// that their keys are checked strictly, and the defaults and Validate are applied
	// here instead.
	structured = map[reflect.Type]bool{
		httpClientConfigType:                    true,
		reflect.TypeFor[promconfig.TLSConfig](): true,
		reflect.TypeFor[promconfig.OAuth2]():    true,
		reflect.TypeFor[promconfig.BasicAuth](): true,
	}

	// validated are the structured types whose unmarshaler ends with Validate.
	validated = map[reflect.Type]bool{
		httpClientConfigType:                    true,
		reflect.TypeFor[promconfig.TLSConfig](): true,
		reflect.TypeFor[promconfig.OAuth2]():    true,
	}
)

type decoder struct {
	file    string
	lines   map[string]int  // key path -> line, for errors found after decoding
	nulls   map[string]bool // key paths written with no value, which count as left out
	errs    []*Error
	visits  int
	budget  int // visits allowed: the nodes in the file plus maxExpansion
	tooBig  bool
	full    bool                // more than maxErrors errors: the walk stops
	walking map[*yaml.Node]bool // collections being walked, to catch an alias to an ancestor
}

func newDecoder(file string, root *yaml.Node) *decoder {
	return &decoder{
		file: file, lines: map[string]int{}, nulls: map[string]bool{}, walking: map[*yaml.Node]bool{},
		budget: countNodes(root) + maxExpansion,
	}
}

// countNodes counts the nodes written in the document, not following aliases.
func countNodes(root *yaml.Node) int {
	n := 0
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = append(stack[:len(stack)-1], top.Content...)
		n++
	}
	return n
}

// fail records an error. Past maxErrors it records one more, which joinErrors turns
// into a note that more follow, and the walk stops: a file of a million wrong entries
// must not become a million messages.
func (d *decoder) fail(line int, path, format string, args ...any) {
	if d.full {
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
	d.full = len(d.errs) > maxErrors
}

// count charges one unit of the walk's budget and reports whether the walk may go on.
func (d *decoder) count(n *yaml.Node, path string) bool {
	if d.tooBig || d.full {
		return false
	}
	d.visits++
	if d.visits > d.budget {
		d.tooBig = true
		d.fail(n.Line, path, "aliases expand to more than %d values", maxExpansion)
		return false
	}
	return true
}

func (d *decoder) deref(n *yaml.Node, path string) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.fail(n.Line, path, "alias %q refers to nothing", n.Value)
			return nil
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// join appends key to path, quoting a key that would break the one-line message.
func join(path, key string) string {
	if key == "" || strings.IndexFunc(key, unicode.IsControl) >= 0 {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode stores n into v, which must be settable.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if !d.count(n, path) {
		return
	}
	if n = d.deref(n, path); n == nil {
		return
	}
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		d.nulls[path] = true
		return
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if v.Type() == thresholdType {
		d.threshold(n, v, path)
		return
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if d.walking[n] {
			d.fail(n.Line, path, "alias refers to a value that contains it")
			return
		}
		d.walking[n] = true
		defer delete(d.walking, n)
	}
	if v.Type() == notifyType {
		d.notify(n, v, path)
		return
	}
	t := v.Type()
	if hasUnmarshaler(t) && !structured[t] {
		d.leaf(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		d.leaf(n, v, path)
	}
}

func hasUnmarshaler(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(unmarshalerType) || pt.Implements(legacyUnmarshalerType)
}

// tooMany refuses a list or mapping of more than maxEntries before anything is made
// for its entries.
func (d *decoder) tooMany(n *yaml.Node, path string, entries int, kind string) bool {
	if entries <= maxEntries {
		return false
	}
	line := n.Line
	if l, ok := d.lines[path]; ok {
		line = l
	}
	if path == "services" {
		d.fail(line, path, "%d services are more than vigil's limit of %d", entries, MaxServices)
	} else {
		d.fail(line, path, "%d entries are more than vigil's limit of %d for a %s", entries, maxEntries, kind)
	}
	return true
}

// entry is one key of a mapping with its value and key path.
type entry struct {
	pair pair
	key  string
	path string
}

// entries lists a mapping's keys in order, reporting (and dropping) keys that are
// not scalars or that repeat an earlier key.
func (d *decoder) entries(n *yaml.Node, path string) []entry {
	if d.tooMany(n, path, len(n.Content)/2, "mapping") {
		return nil
	}
	var out []entry
	seen := map[string]int{}
	for _, p := range d.pairs(n, path, 0) {
		key, ok := d.mapKey(p.key, path)
		if !ok {
			continue
		}
		kpath := join(path, key)
		if first, dup := seen[key]; dup {
			d.fail(p.key.Line, kpath, "duplicate key (first at line %d)", first)
			continue
		}
		seen[key] = p.key.Line
		out = append(out, entry{pair: p, key: key, path: kpath})
	}
	return out
}

// mapKey returns the text of a mapping key, which must be a scalar.
func (d *decoder) mapKey(k *yaml.Node, path string) (string, bool) {
	if k = d.deref(k, path); k == nil {
		return "", false
	}
	if k.Kind != yaml.ScalarNode {
		d.fail(k.Line, path, "a key must be a string, not %s", describe(k))
		return "", false
	}
	return k.Value, true
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n.Line, path, "expected a mapping, got %s", shown(n, path))
		return
	}
	info := structInfoOf(v.Type())
	for _, idx := range info.hooks {
		if f := v.FieldByIndex(idx); f.Type() == httpClientConfigType {
			f.Set(reflect.ValueOf(promconfig.DefaultHTTPClientConfig))
		}
	}
	before := len(d.errs)
	for _, e := range d.entries(n, path) {
		p, key, kpath := e.pair, e.key, e.path
		if f, ok := info.fields[key]; ok {
			d.lines[kpath] = p.key.Line
			d.decode(p.value, v.FieldByIndex(f), kpath)
			continue
		}
		if info.inlineMap != nil {
			d.lines[kpath] = p.key.Line
			d.mapEntry(p.key, p.value, v.FieldByIndex(info.inlineMap), kpath)
			continue
		}
		d.fail(p.key.Line, kpath, "unknown key")
	}
	if len(d.errs) > before {
		return
	}
	for _, idx := range info.hooks {
		f := v.FieldByIndex(idx)
		if !validated[f.Type()] {
			continue
		}
		if err := f.Addr().Interface().(interface{ Validate() error }).Validate(); err != nil {
			d.fail(n.Line, path, "%s", oneLine(err))
		}
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n.Line, path, "expected a list, got %s", shown(n, path))
		return
	}
	if d.tooMany(n, path, len(n.Content), "list") {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		d.lines[ipath] = e.Line
		d.decode(e, s.Index(i), ipath)
	}
	v.Set(s)
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n.Line, path, "expected a mapping, got %s", shown(n, path))
		return
	}
	v.Set(reflect.MakeMap(v.Type()))
	for _, e := range d.entries(n, path) {
		d.lines[e.path] = e.pair.key.Line
		d.mapEntry(e.pair.key, e.pair.value, v, e.path)
	}
}

// mapEntry decodes one key and value into the map m, creating m if needed.
func (d *decoder) mapEntry(k, val *yaml.Node, m reflect.Value, path string) {
	t := m.Type()
	if m.IsNil() {
		m.Set(reflect.MakeMap(t))
	}
	kv := reflect.New(t.Key()).Elem()
	if k = d.deref(k, path); k == nil {
		return
	}
	if err := k.Decode(kv.Addr().Interface()); err != nil {
		d.fail(k.Line, path, "bad key: %s", cleanYAMLError(err))
		return
	}
	ev := reflect.New(t.Elem()).Elem()
	d.decode(val, ev, path)
	m.SetMapIndex(kv, ev)
}

// leaf decodes a value the walk does not look inside: a scalar, or a type with its
// own unmarshaler.
func (d *decoder) leaf(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	want := expected(t)
	if want != "" && n.Kind != yaml.ScalarNode {
		d.fail(n.Line, path, "expected %s, got %s", want, shown(n, path))
		return
	}
	if t == durationType {
		dur, err := model.ParseDuration(n.Value)
		if err != nil {
			d.fail(n.Line, path, "bad duration %s", quote(n.Value))
			return
		}
		v.SetInt(int64(dur))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		if want != "" && !hasUnmarshaler(t) {
			d.fail(n.Line, path, "expected %s, got %s", want, shown(n, path))
			return
		}
		if t == urlType {
			// The parser's message quotes the URL and may quote part of its password.
			d.fail(n.Line, path, "not a valid URL: %s", quote(RedactURL(n.Value)))
			return
		}
		d.fail(n.Line, path, "%s", cleanYAMLError(err))
	}
}

// expected names what a scalar type accepts, or "" for types that are not scalars.
func expected(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 30s, 5m or 1d"
	}
	if hasUnmarshaler(t) && t.Kind() != reflect.String {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return ""
}
