// Package propagate is the one-shot pass that replaces kubefed's controllers: it reads the
// federation from the host, plans every member's objects with pkg/render, and makes the members
// match by server-side apply, pruning, deleting and orphaning with kubefed's semantics, then
// writes kubefed-compatible status.
package propagate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// HashAnnotation records, on each member object, a digest of what kubefedctl last applied: a
// field removed from a template is then seen as a change even though the live object still
// covers the new desired one.
const HashAnnotation = "kubefedctl.io/applied-hash"

// withHash returns desired with its digest recorded.
func withHash(desired *unstructured.Unstructured) (*unstructured.Unstructured, string) {
	data, _ := json.Marshal(desired.Object)
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:8])
	out := desired.DeepCopy()
	annotations := out.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[HashAnnotation] = hash
	out.SetAnnotations(annotations)
	return out, hash
}

// upToDate reports whether a live object already holds what would be applied: the same digest,
// and every field of desired with the same value (the server may add fields, not change ours).
func upToDate(live, desired *unstructured.Unstructured, hash string) bool {
	return live.GetAnnotations()[HashAnnotation] == hash && covers(live.Object, desired.Object)
}

// covers reports whether live holds every field of desired with an equal value.
func covers(live, desired any) bool {
	switch d := desired.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return len(d) == 0 && live == nil
		}
		for k, v := range d {
			lv, found := l[k]
			if !found {
				if v == nil {
					continue
				}
				return false
			}
			if !covers(lv, v) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(d) {
			return len(d) == 0 && live == nil
		}
		for i := range d {
			if !covers(l[i], d[i]) {
				return false
			}
		}
		return true
	case int64:
		return numberEquals(live, float64(d))
	case float64:
		return numberEquals(live, d)
	}
	return reflect.DeepEqual(live, desired)
}

func numberEquals(v any, f float64) bool {
	switch n := v.(type) {
	case int64:
		return float64(n) == f
	case float64:
		return n == f
	}
	return false
}
