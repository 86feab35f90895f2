package render

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// identityPath reports whether an override at path could change a member object's identity:
// its apiVersion, kind, name, namespace or generateName, or a parent of them (the metadata as a
// whole). kubefed refused four paths exactly; this decodes the pointer and compares its tokens
// without regard to case, so that no escape or spelling reaches the same fields.
func identityPath(path string) bool {
	tokens := strings.Split(path, "/")[1:]
	for i := range tokens {
		tokens[i] = strings.ToLower(decodePointerToken(tokens[i]))
	}
	switch {
	case len(tokens) == 0:
		return true
	case tokens[0] == "apiversion" || tokens[0] == "kind":
		return true
	case tokens[0] != "metadata":
		return false
	case len(tokens) == 1:
		return true
	}
	switch tokens[1] {
	case "name", "namespace", "generatename":
		return true
	}
	return false
}

// overridesByCluster validates spec.overrides as kubefed does, plus the checks the CRD schema
// makes (op and path shape), and indexes them by cluster. Any error fails the whole object.
func overridesByCluster(items []apis.ClusterOverrides) (map[string][]apis.Override, error) {
	result := make(map[string][]apis.Override, len(items))
	for _, item := range items {
		if _, dup := result[item.ClusterName]; dup {
			return nil, fmt.Errorf("spec.overrides: cluster %q appears more than once", item.ClusterName)
		}
		paths := map[string]bool{}
		for i, o := range item.ClusterOverrides {
			where := fmt.Sprintf("spec.overrides: cluster %q: override[%d] path %q", item.ClusterName, i, o.Path)
			switch o.Op {
			case "", "add", "remove", "replace":
			default:
				return nil, fmt.Errorf("%s: unknown op %q; use add, remove or replace (replace when omitted)", where, o.Op)
			}
			if !strings.HasPrefix(o.Path, "/") {
				return nil, fmt.Errorf("%s: a path is a JSON pointer starting with \"/\", such as /spec/replicas", where)
			}
			if identityPath(o.Path) {
				return nil, fmt.Errorf("%s: invalid path: the apiVersion, kind, name, namespace and generateName of a member object (and the metadata as a whole) cannot be overridden", where)
			}
			if paths[o.Path] {
				return nil, fmt.Errorf("spec.overrides: path %q appears more than once for cluster %q", o.Path, item.ClusterName)
			}
			paths[o.Path] = true
			if o.Path == ReplicasPath && o.Op != "remove" {
				if err := checkReplicas(o.Value); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
			}
		}
		result[item.ClusterName] = item.ClusterOverrides
	}
	return result, nil
}

// applyOverrides applies one cluster's overrides in order, with kubefed's JSON-patch semantics
// (evanphx/json-patch v4 rules: replace of a missing key adds it, remove of a missing key fails,
// negative array indices count from the end). It works on the object itself rather than on
// its JSON text; a test holds it to json-patch's results.
func applyOverrides(obj *unstructured.Unstructured, overrides []apis.Override) error {
	for _, o := range overrides {
		op := o.Op
		if op == "" {
			op = "replace"
		}
		var value any
		if op != "remove" {
			value = jsonValue(o.Value)
		}
		if err := applyOp(obj.Object, op, o.Path, value); err != nil {
			return fmt.Errorf("override %s %s: %w", op, o.Path, err)
		}
	}
	return nil
}

// applyOp applies one operation to doc in place.
func applyOp(doc map[string]any, op, path string, value any) error {
	parts := strings.Split(path, "/")
	if len(parts) < 2 {
		return fmt.Errorf("%s operation does not apply: doc is missing path: %q (the path does not exist in the object)", op, path)
	}
	key := decodePointerToken(parts[len(parts)-1])
	var container any = doc
	// setParent replaces the container in its parent: inserting into or removing from a list
	// makes a new slice.
	setParent := func(any) {}
	for _, part := range parts[1 : len(parts)-1] {
		token := decodePointerToken(part)
		switch c := container.(type) {
		case map[string]any:
			next, ok := c[token]
			if !ok || !isContainer(next) {
				return missingPath(op, path)
			}
			setParent = func(v any) { c[token] = v }
			container = next
		case []any:
			i, ok := listIndex(token, len(c))
			if !ok || !isContainer(c[i]) {
				return missingPath(op, path)
			}
			setParent = func(v any) { c[i] = v }
			container = c[i]
		}
	}
	switch c := container.(type) {
	case map[string]any:
		switch op {
		case "add", "replace":
			c[key] = value
		case "remove":
			if _, ok := c[key]; !ok {
				return fmt.Errorf("Unable to remove nonexistent key: %s (the path does not exist in the object)", key)
			}
			delete(c, key)
		}
	case []any:
		switch op {
		case "add":
			if key == "-" {
				setParent(append(c, value))
				return nil
			}
			i, err := strconv.Atoi(key)
			if err != nil {
				return fmt.Errorf("value was not a proper array index: %q", key)
			}
			if i < 0 && i >= -(len(c)+1) {
				i += len(c) + 1
			}
			if i < 0 || i > len(c) {
				return fmt.Errorf("unable to access invalid index: %s", key)
			}
			grown := make([]any, 0, len(c)+1)
			grown = append(append(append(grown, c[:i]...), value), c[i:]...)
			setParent(grown)
		case "replace":
			i, ok := listIndex(key, len(c))
			if !ok {
				return fmt.Errorf("replace operation does not apply: doc is missing key: %s (the path does not exist in the object)", path)
			}
			c[i] = value
		case "remove":
			i, ok := listIndex(key, len(c))
			if !ok {
				return fmt.Errorf("unable to access invalid index: %s (the path does not exist in the object)", key)
			}
			setParent(append(append(make([]any, 0, len(c)-1), c[:i]...), c[i+1:]...))
		}
	}
	return nil
}

func missingPath(op, path string) error {
	if op == "replace" {
		return fmt.Errorf("replace operation does not apply: doc is missing path: %s (the path does not exist in the object)", path)
	}
	return fmt.Errorf("%s operation does not apply: doc is missing path: %q (the path does not exist in the object)", op, path)
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// listIndex resolves an existing element's index; negative indices count from the end.
func listIndex(token string, n int) (int, bool) {
	i, err := strconv.Atoi(token)
	if err != nil {
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

var pointerDecoder = strings.NewReplacer("~1", "/", "~0", "~")

func decodePointerToken(token string) string {
	return pointerDecoder.Replace(token)
}

// jsonValue copies an override value into the types an unstructured object holds, as the
// round trip through JSON would: whole numbers become int64.
func jsonValue(v any) any {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
			return int64(v)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = jsonValue(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = jsonValue(item)
		}
		return out
	}
	return v
}

func describeOverride(o apis.Override) string {
	op := o.Op
	if op == "" {
		op = "replace"
	}
	if op == "remove" {
		return op + " " + o.Path
	}
	value, _ := json.Marshal(o.Value)
	return fmt.Sprintf("%s %s = %s", op, o.Path, value)
}

// checkReplicas accepts a whole number that a workload's int32 replicas can hold, however it
// was decoded.
func checkReplicas(v any) error {
	var n float64
	switch v := v.(type) {
	case int64:
		n = float64(v)
	case float64:
		n = v
	default:
		return fmt.Errorf("replicas must be a whole number of zero or more, not %s", describeValue(v))
	}
	switch {
	case n < 0 || n != math.Trunc(n):
		return fmt.Errorf("replicas must be a whole number of zero or more, not %s", describeValue(v))
	case n > math.MaxInt32:
		return fmt.Errorf("replicas is %s, more than a workload's replicas (an int32) can hold: at most %d", describeValue(v), math.MaxInt32)
	}
	return nil
}

// describeValue shows a number as it is and anything else by its JSON type only: the value may
// be a Secret's.
func describeValue(v any) string {
	switch v.(type) {
	case int64, float64:
		return fmt.Sprint(v)
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}
