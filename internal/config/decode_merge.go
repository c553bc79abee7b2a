package config

// Merge keys (<<): a mapping's pairs with the merged ones expanded, bounded in depth
// and charged to the walk's budget like every other node.

import "go.yaml.in/yaml/v3"

// pair is one key and its value in a mapping.
type pair struct{ key, value *yaml.Node }

// pairs lists a mapping's key/value pairs with merge keys (<<) expanded. Keys written
// in the mapping win over merged ones, and earlier merge sources over later ones, as
// YAML specifies; repeated written keys are kept so that the caller reports them.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var written, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, d.mergeSources(v, path, depth)...)
			continue
		}
		written = append(written, pair{k, v})
	}
	if len(merged) == 0 {
		return written
	}
	have := map[string]bool{}
	for _, p := range written {
		if k := d.deref(p.key, path); k != nil {
			have[k.Value] = true
		}
	}
	out := written
	for _, p := range merged {
		k := d.deref(p.key, path)
		if k == nil || have[k.Value] {
			continue
		}
		have[k.Value] = true
		out = append(out, p)
	}
	return out
}

func (d *decoder) mergeSources(v *yaml.Node, path string, depth int) []pair {
	if !d.count(v, path) {
		return nil
	}
	if depth >= maxMergeDepth {
		d.fail(v.Line, path, "merge keys (<<) nested too deeply")
		return nil
	}
	if v = d.deref(v, path); v == nil {
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v, path, depth+1)
	case yaml.SequenceNode:
		var out []pair
		for _, e := range v.Content {
			if e = d.deref(e, path); e == nil {
				continue
			}
			if e.Kind != yaml.MappingNode {
				d.fail(e.Line, path, "merge key (<<) takes a mapping or a list of mappings")
				continue
			}
			out = append(out, d.mergeSources(e, path, depth+1)...)
		}
		return out
	}
	d.fail(v.Line, path, "merge key (<<) takes a mapping or a list of mappings")
	return nil
}
