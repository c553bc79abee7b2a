package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Messages name what was found without breaking the one-line form of an error.

// describe names a node's kind, quoting a scalar's value.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return quote(n.Value)
	}
	return "nothing"
}

// shown describes n for a message about path. Under an endpoint, whose HTTP client
// settings hold passwords, tokens and secret headers, a value is never quoted: a secret
// written in the wrong place must not end up in an error, a terminal and a log.
func shown(n *yaml.Node, path string) string {
	if n.Kind == yaml.ScalarNode && (strings.HasPrefix(path, "prometheus[") || strings.HasPrefix(path, "alertmanager[")) {
		return "a value (not shown: it may be a secret)"
	}
	return describe(n)
}

// quote quotes s for a one-line message, shortening what could be a whole paragraph.
func quote(s string) string {
	const limit = 60
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

var yamlLinePrefix = regexp.MustCompile(`^line \d+: `)

// cleanYAMLError turns a decoding error from the YAML library into one line without
// the library's prefix and line number: the caller names the line and the path.
func cleanYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			msgs[i] = yamlLinePrefix.ReplaceAllString(m, "")
		}
		return oneLine(errors.New(strings.Join(msgs, "; ")))
	}
	return oneLine(errors.New(strings.TrimPrefix(err.Error(), "yaml: ")))
}

// oneLine keeps an error to the first line of its message, so that each config error
// stays one line.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSpace(s)
}
