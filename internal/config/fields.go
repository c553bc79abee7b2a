package config

import (
	"reflect"
	"strings"
	"sync"
)

// structInfo is how the walk sees a Go struct: which YAML key lands in which field.
type structInfo struct {
	fields    map[string][]int // YAML key -> field index path, through inlined structs
	inlineMap []int            // a map collecting the keys no field takes, or nil
	hooks     [][]int          // the struct itself and its inlined structs
}

var structInfos sync.Map // reflect.Type -> *structInfo

func structInfoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string][]int{}, hooks: [][]int{{}}}
	collectFields(t, nil, si)
	structInfos.Store(t, si)
	return si
}

// collectFields follows YAML v3's rules: the tag names the key (the lower-cased field
// name without one), "-" skips the field, and ",inline" merges a struct's keys, or
// hands every otherwise unknown key to a map.
func collectFields(t reflect.Type, prefix []int, si *structInfo) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), prefix...), i)
		if hasOption(opts, "inline") {
			switch f.Type.Kind() {
			case reflect.Struct:
				si.hooks = append(si.hooks, idx)
				collectFields(f.Type, idx, si)
			case reflect.Map:
				si.inlineMap = idx
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, taken := si.fields[name]; !taken {
			si.fields[name] = idx
		}
	}
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}
