// Package mask hides the values of Secrets before anything prints them, the way kubectl diff
// does: each value becomes "***", and where a diff compares two versions of a key whose value
// changed, "*** (before)" and "*** (after)", so a reader sees that it changed and never what it is.
package mask

import (
	"encoding/base64"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

const (
	hidden = "***"
	before = "*** (before)"
	after  = "*** (after)"
)

// lastApplied is kubectl's copy of the whole applied object, Secret values included.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// secretFields are a Secret's fields that hold values.
var secretFields = []string{"data", "stringData"}

// IsSecret reports whether obj is a core Secret.
func IsSecret(obj map[string]any) bool {
	return obj != nil && obj["kind"] == "Secret" && obj["apiVersion"] == "v1"
}

// IsFederatedSecret reports whether obj is a federated object whose members are Secrets: a kind
// Federated<Kind> named after Secret, in any federated group.
func IsFederatedSecret(obj map[string]any) bool {
	if obj == nil || obj["kind"] != "FederatedSecret" {
		return false
	}
	_, hasSpec := obj["spec"].(map[string]any)
	return hasSpec
}

// Contains reports whether obj holds values that Object would hide.
func Contains(obj map[string]any) bool {
	return IsSecret(obj) || IsFederatedSecret(obj)
}

// Object returns obj with every Secret value hidden: a Secret's data, stringData and kubectl's
// last-applied annotation; a FederatedSecret's template values and the values of its overrides
// of those fields. Anything else is returned as it is, not copied.
func Object(obj map[string]any) map[string]any {
	if !Contains(obj) {
		return obj
	}
	out := runtime.DeepCopyJSON(obj)
	if IsSecret(out) {
		hideSecret(out, nil, hidden)
		return out
	}
	if template, ok := nestedMap(out, "spec", "template"); ok {
		hideSecret(template, nil, hidden)
	}
	// The federated object's own last-applied copy holds the template's values.
	if annotations, ok := nestedMap(out, "metadata", "annotations"); ok {
		if _, found := annotations[lastApplied]; found {
			annotations[lastApplied] = hidden
		}
	}
	for _, override := range overrideValues(out) {
		path, _ := override["path"].(string)
		if _, has := override["value"]; has && touchesValues(path) {
			override["value"] = hideAll(override["value"])
		}
	}
	return out
}

// overrideValues are the override entries of a federated object, in place.
func overrideValues(obj map[string]any) []map[string]any {
	var out []map[string]any
	overrides, _, _ := unstructured.NestedFieldNoCopy(obj, "spec", "overrides")
	items, _ := overrides.([]any)
	for _, item := range items {
		cluster, _ := item.(map[string]any)
		list, _ := cluster["clusterOverrides"].([]any)
		for _, o := range list {
			if override, ok := o.(map[string]any); ok {
				out = append(out, override)
			}
		}
	}
	return out
}

// Pair hides the values of two versions of one object for a diff: keys whose values are equal
// show "***" on both sides, changed ones "*** (before)" and "*** (after)".
func Pair(a, b map[string]any) (map[string]any, map[string]any) {
	if !IsSecret(a) && !IsSecret(b) {
		return Object(a), Object(b)
	}
	var outA, outB map[string]any
	if a != nil {
		outA = runtime.DeepCopyJSON(a)
	}
	if b != nil {
		outB = runtime.DeepCopyJSON(b)
	}
	if outA != nil {
		hideSecret(outA, outB, before)
	}
	if outB != nil {
		hideSecret(outB, a, after)
	}
	return outA, outB
}

// hideSecret replaces each value of a Secret's value fields: with mark where other (the other
// side of a diff, unmasked or nil) has no equal value under the same key, else with "***".
func hideSecret(obj, other map[string]any, mark string) {
	for _, field := range secretFields {
		values, ok := obj[field].(map[string]any)
		if !ok {
			if _, present := obj[field]; present && obj[field] != nil {
				obj[field] = hidden
			}
			continue
		}
		theirs, _ := other[field].(map[string]any)
		for k, v := range values {
			if mark == hidden {
				values[k] = hidden
				continue
			}
			if tv, found := theirs[k]; found && equal(tv, v) {
				values[k] = hidden
			} else {
				values[k] = mark
			}
		}
	}
	if annotations, ok := nestedMap(obj, "metadata", "annotations"); ok {
		if _, found := annotations[lastApplied]; found {
			annotations[lastApplied] = hidden
		}
	}
}

// equal compares two JSON values of a Secret field; those are strings, but a hand-written
// object may hold anything.
func equal(a, b any) bool {
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return sa == sb
	}
	return false
}

// touchesValues reports whether an override path reaches into a Secret's values, or replaces
// a parent of them.
func touchesValues(path string) bool {
	for _, field := range secretFields {
		if path == "/"+field || strings.HasPrefix(path, "/"+field+"/") {
			return true
		}
	}
	// kubectl's copy of the whole object, or the metadata or annotations that hold it.
	for _, parent := range []string{"/metadata", "/metadata/annotations", "/metadata/annotations/" + strings.ReplaceAll(lastApplied, "/", "~1")} {
		if path == parent {
			return true
		}
	}
	return path == "" || path == "/"
}

// hideAll replaces every leaf of a JSON value.
func hideAll(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k := range t {
			t[k] = hideAll(t[k])
		}
		return t
	case []any:
		for i := range t {
			t[i] = hideAll(t[i])
		}
		return t
	}
	return hidden
}

func nestedMap(obj map[string]any, fields ...string) (map[string]any, bool) {
	v, found, err := unstructured.NestedFieldNoCopy(obj, fields...)
	if !found || err != nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// Text hides, in a message about obj (a server's error, say), every value obj's Secret fields
// hold, in the clear and as the API encodes it.
func Text(msg string, obj map[string]any) string {
	if !Contains(obj) {
		return msg
	}
	var holders []map[string]any
	if IsSecret(obj) {
		holders = append(holders, obj)
	} else if template, ok := nestedMap(obj, "spec", "template"); ok {
		holders = append(holders, template)
	}
	var values []any
	for _, h := range holders {
		for _, field := range secretFields {
			// Leaves, not values: a value of the wrong shape (an object, a number) is what a
			// server's error quotes.
			values = append(values, leaves(h[field])...)
		}
	}
	for _, override := range overrideValues(obj) {
		if path, _ := override["path"].(string); touchesValues(path) {
			values = append(values, leaves(override["value"])...)
		}
	}
	for _, v := range values {
		for _, s := range encodings(v) {
			if len(s) >= minHidden {
				msg = strings.ReplaceAll(msg, s, hidden)
			}
		}
	}
	return msg
}

// leaves lists the leaf values of a JSON value.
func leaves(v any) []any {
	switch t := v.(type) {
	case map[string]any:
		var out []any
		for _, item := range t {
			out = append(out, leaves(item)...)
		}
		return out
	case []any:
		var out []any
		for _, item := range t {
			out = append(out, leaves(item)...)
		}
		return out
	}
	return []any{v}
}

// minHidden is the shortest value Text replaces: shorter ones would blank out ordinary words.
const minHidden = 3

// encodings are the forms a value may take in a message: as stored, and base64 either way.
func encodings(v any) []string {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case int64, float64, bool:
		s = fmt.Sprint(t)
	}
	if s == "" {
		return nil
	}
	out := []string{s, base64.StdEncoding.EncodeToString([]byte(s))}
	if decoded, err := base64.StdEncoding.DecodeString(s); err == nil && len(decoded) > 0 {
		out = append(out, string(decoded))
	}
	return out
}
