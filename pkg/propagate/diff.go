package propagate

import (
	"fmt"

	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/mask"
)

// diff is a unified diff of what a write changes in one member object, in YAML: for a client
// dry run, the live object's fields that the desired object sets against the desired object; for
// a server dry run, the live object against what the server answered; for a delete, the object
// against nothing.
func diff(a *action, after *unstructured.Unstructured) string {
	var before map[string]any
	if a.live != nil {
		before = a.live.Object
	}
	var afterObj map[string]any
	if after != nil {
		afterObj = after.Object
	}
	if a.desired != nil && after == a.desired && before != nil {
		// Client dry run: only the fields kubefedctl sets can differ.
		before = project(before, a.desired.Object).(map[string]any)
	}
	if a.result.Outcome == Deleted {
		afterObj = nil
	}
	name := fmt.Sprintf("%s/%s %s", a.result.Kind, a.result.Name, a.result.Cluster)
	if a.result.Namespace != "" {
		name = fmt.Sprintf("%s/%s/%s %s", a.result.Kind, a.result.Namespace, a.result.Name, a.result.Cluster)
	}
	maskedBefore, maskedAfter := maskPair(clean(before), clean(afterObj))
	text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(maskedBefore), B: lines(maskedAfter),
		FromFile: "live " + name, ToFile: "desired " + name, Context: 3,
	})
	return text
}

// maskPair hides a Secret's values on both sides as kubectl diff does, a changed value showing
// as "*** (before)" and "*** (after)". The digest of a Secret is hidden the same way: it is a
// hash of the values, which a short password does not survive.
func maskPair(before, after map[string]any) (map[string]any, map[string]any) {
	if !mask.IsSecret(before) && !mask.IsSecret(after) {
		return before, after
	}
	// clean gave copies, which Pair copies again: the inputs stay as they were either way.
	before, after = mask.Pair(before, after)
	b, hasB, _ := unstructured.NestedString(before, "metadata", "annotations", HashAnnotation)
	a, hasA, _ := unstructured.NestedString(after, "metadata", "annotations", HashAnnotation)
	markB, markA := "***", "***"
	if !hasA || !hasB || a != b {
		markB, markA = "*** (before)", "*** (after)"
	}
	if hasB {
		unstructured.SetNestedField(before, markB, "metadata", "annotations", HashAnnotation)
	}
	if hasA {
		unstructured.SetNestedField(after, markA, "metadata", "annotations", HashAnnotation)
	}
	return before, after
}

// project keeps the parts of live that desired has.
func project(live, desired any) any {
	switch d := desired.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return live
		}
		out := map[string]any{}
		for k, v := range d {
			if lv, found := l[k]; found {
				out[k] = project(lv, v)
			}
		}
		return out
	case []any:
		l, ok := live.([]any)
		if !ok {
			return live
		}
		out := make([]any, len(l))
		for i := range l {
			if i < len(d) {
				out[i] = project(l[i], d[i])
			} else {
				out[i] = l[i]
			}
		}
		return out
	}
	return live
}

// clean drops what only the server keeps.
func clean(obj map[string]any) map[string]any {
	if obj == nil {
		return nil
	}
	u := (&unstructured.Unstructured{Object: obj}).DeepCopy()
	for _, f := range []string{"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	delete(u.Object, "status")
	return u.Object
}

func lines(obj map[string]any) []string {
	if obj == nil {
		return nil
	}
	data, err := cli.MarshalYAML(obj)
	if err != nil {
		return []string{err.Error()}
	}
	return difflib.SplitLines(string(data))
}
