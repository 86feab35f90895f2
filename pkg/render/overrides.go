package render

import (
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "github.com/evanphx/json-patch"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// forbiddenPaths are the paths kubefed refuses to override: they fix the object's identity.
var forbiddenPaths = map[string]bool{
	"/metadata/namespace":    true,
	"/metadata/name":         true,
	"/metadata/generateName": true,
	"/kind":                  true,
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
			if forbiddenPaths[o.Path] {
				return nil, fmt.Errorf("%s: invalid path: the name, namespace, generateName and kind of a member object cannot be overridden", where)
			}
			if paths[o.Path] {
				return nil, fmt.Errorf("spec.overrides: path %q appears more than once for cluster %q", o.Path, item.ClusterName)
			}
			paths[o.Path] = true
			if o.Path == "/spec/replicas" && o.Op != "remove" {
				if n, ok := o.Value.(float64); !ok || n < 0 || n != float64(int64(n)) {
					return nil, fmt.Errorf("%s: replicas must be a whole number of zero or more, not %v", where, o.Value)
				}
			}
		}
		result[item.ClusterName] = item.ClusterOverrides
	}
	return result, nil
}

// applyOverrides applies one cluster's overrides in order, with kubefed's JSON-patch semantics
// (evanphx/json-patch v4 rules: replace of a missing key adds it, remove of a missing key fails).
func applyOverrides(obj *unstructured.Unstructured, overrides []apis.Override) error {
	if len(overrides) == 0 {
		return nil
	}
	doc, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	for _, o := range overrides {
		op := o.Op
		if op == "" {
			op = "replace"
		}
		operation := map[string]any{"op": op, "path": o.Path}
		if o.Value != nil && op != "remove" {
			operation["value"] = o.Value
		}
		raw, err := json.Marshal([]any{operation})
		if err != nil {
			return err
		}
		patch, err := jsonpatch.DecodePatch(raw)
		if err != nil {
			return fmt.Errorf("override %s %s: %w", op, o.Path, err)
		}
		if doc, err = patch.Apply(doc); err != nil {
			return fmt.Errorf("override %s %s: %s", op, o.Path, patchMessage(err))
		}
	}
	patched := &unstructured.Unstructured{}
	if err := patched.UnmarshalJSON(doc); err != nil {
		return fmt.Errorf("overrides produce an object that is not valid: %w", err)
	}
	obj.Object = patched.Object
	return nil
}

// patchMessage trims json-patch's trailing ": missing value" decorations.
func patchMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimSuffix(msg, ": missing value")
	msg = strings.TrimPrefix(msg, "error in remove for path: ")
	if strings.Contains(msg, "missing") || strings.Contains(msg, "nonexistent") {
		msg += " (the path does not exist in the object)"
	}
	return msg
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
