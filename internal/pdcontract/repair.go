package pdcontract

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// A patch fixes one mistake in PagerDuty's document: either kin-openapi cannot load it
// at all, or no response PagerDuty sends (nor any response at all) can satisfy it.
// Each is narrow, says why, and reports whether it found the mistake, so that a
// corrected document shows up as a patch that no longer applies. Nothing else of the
// document is changed: every other rule is enforced as written.
type patch struct {
	why   string
	apply func(doc map[string]any) bool
}

var patches = []patch{
	{
		why: "a response refers to a request body (event orchestration cache variables: " +
			`"200": {"$ref": "#/components/requestBodies/..."}), which kin-openapi refuses to load; ` +
			"a request body has a response's fields (description, content), so it is copied in place",
		apply: inlineResponseBodyRefs,
	},
	{
		why: "Channel is a oneOf of five objects none of which has a required, distinguishing field, " +
			"so every channel matches several and none can match exactly one: read as anyOf",
		apply: func(doc map[string]any) bool {
			ch := lookup(doc, "components", "schemas", "Channel")
			one, ok := ch["oneOf"]
			if !ok {
				return false
			}
			delete(ch, "oneOf")
			ch["anyOf"] = one
			return true
		},
	},
	{
		why: `AcknowledgeLogEntry narrows type to "acknowledgement_log_entry", a value its base LogEntry ` +
			`does not allow (its enum, and the API, say "acknowledge_log_entry"): the allOf cannot be met`,
		apply: func(doc map[string]any) bool {
			all, _ := lookup(doc, "components", "schemas", "AcknowledgeLogEntry")["allOf"].([]any)
			for _, part := range all {
				typ := lookup(asMap(part), "properties", "type")
				if enum, _ := typ["enum"].([]any); len(enum) == 1 && enum[0] == "acknowledgement_log_entry" {
					typ["enum"] = []any{"acknowledge_log_entry"}
					return true
				}
			}
			return false
		},
	},
	{
		why: "Oncall's start and end are null for a permanent on-call, as their descriptions say, " +
			"but are not marked nullable",
		apply: func(doc map[string]any) bool {
			props := lookup(doc, "components", "schemas", "Oncall", "properties")
			changed := false
			for _, name := range []string{"start", "end"} {
				if p := asMap(props[name]); p != nil && p["nullable"] != true {
					p["nullable"] = true
					changed = true
				}
			}
			return changed
		},
	},
}

// repair applies the patches to the document's JSON and says what each did.
func repair(raw []byte) ([]byte, []string, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, fmt.Errorf("parse: %w", err)
	}
	var report []string
	for _, p := range patches {
		if p.apply(doc) {
			report = append(report, "patched: "+p.why)
		} else {
			report = append(report, "not needed (the document no longer has it): "+p.why)
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	return out, report, nil
}

// inlineResponseBodyRefs replaces each response that refers to a request body by a
// copy of that body.
func inlineResponseBodyRefs(doc map[string]any) bool {
	bodies := lookup(doc, "components", "requestBodies")
	paths := asMap(doc["paths"])
	changed := false
	for _, path := range sortedKeys(paths) {
		item := asMap(paths[path])
		for _, method := range sortedKeys(item) {
			responses := asMap(asMap(item[method])["responses"])
			for _, status := range sortedKeys(responses) {
				ref, _ := asMap(responses[status])["$ref"].(string)
				name, ok := strings.CutPrefix(ref, "#/components/requestBodies/")
				body := asMap(bodies[name])
				if !ok || body == nil {
					continue
				}
				inline := map[string]any{"description": ""}
				for k, v := range body {
					inline[k] = v
				}
				responses[status] = inline
				changed = true
			}
		}
	}
	return changed
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func lookup(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = asMap(m[k])
	}
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
