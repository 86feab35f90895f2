package render

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/mask"
	core "github.com/kubefedctl/kubefedctl/pkg/render"
)

// maskSecret returns obj with its values hidden when obj is a Secret. The kind of a member
// object always comes from its type config, but its apiVersion may come from the template, so
// any object of kind Secret counts: hiding too much is harmless, printing a value is not.
// Anything else is returned as it is.
func maskSecret(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if obj.GetKind() != "Secret" {
		return obj
	}
	if mask.IsSecret(obj.Object) {
		return &unstructured.Unstructured{Object: mask.Object(obj.Object)}
	}
	asCore := maps.Clone(obj.Object)
	asCore["apiVersion"] = "v1"
	out := mask.Object(asCore)
	if v, ok := obj.Object["apiVersion"]; ok {
		out["apiVersion"] = v
	} else {
		delete(out, "apiVersion")
	}
	return &unstructured.Unstructured{Object: out}
}

// targetsSecret reports whether a federated object's members are core Secrets, whatever the
// federated kind is called.
func targetsSecret(o *apis.FederatedObject) bool {
	t := o.TypeConfig.Spec.TargetType
	return t.Group == "" && t.Kind == "Secret"
}

// maskExplanations hides, in --explain's override lines, the values of the overrides that set a
// Secret's values, as mask.Object hides them in the federated object itself.
func maskExplanations(fed *apis.Federation, explanations []core.Explanation) {
	type id struct{ kind, namespace, name string }
	// hidden[object][cluster][i] is override i's line with its value masked, where masking
	// changed the value.
	hidden := map[id]map[string]map[int]string{}
	for _, o := range fed.Objects {
		if !targetsSecret(o) {
			continue
		}
		byCluster := maskedOverrideLines(o.Object.Object)
		if len(byCluster) > 0 {
			hidden[id{o.Object.GetKind(), o.Object.GetNamespace(), o.Object.GetName()}] = byCluster
		}
	}
	for e := range explanations {
		exp := &explanations[e]
		byCluster := hidden[id{exp.Kind, exp.Namespace, exp.Name}]
		if byCluster == nil {
			continue
		}
		for c := range exp.Clusters {
			ce := &exp.Clusters[c]
			for i, line := range byCluster[ce.Cluster] {
				if i < len(ce.Overrides) {
					ce.Overrides[i] = line
				}
			}
		}
	}
}

// maskedOverrideLines masks a federated Secret and returns, per cluster, the explained line of
// each override whose value masking changed, by its index in that cluster's list. The line is
// built here rather than edited, since a path may hold any text, " = " included.
func maskedOverrideLines(obj map[string]any) map[string]map[int]string {
	// mask knows a federated Secret by its kind; the type config already said this is one.
	asFederatedSecret := maps.Clone(obj)
	asFederatedSecret["kind"] = "FederatedSecret"
	masked := mask.Object(asFederatedSecret)
	original, _, _ := unstructured.NestedSlice(obj, "spec", "overrides")
	maskedList, _, _ := unstructured.NestedSlice(masked, "spec", "overrides")
	out := map[string]map[int]string{}
	for i := range min(len(original), len(maskedList)) {
		before, _ := original[i].(map[string]any)
		after, _ := maskedList[i].(map[string]any)
		cluster, _ := before["clusterName"].(string)
		beforeList, _ := before["clusterOverrides"].([]any)
		afterList, _ := after["clusterOverrides"].([]any)
		for j := range min(len(beforeList), len(afterList)) {
			b, _ := beforeList[j].(map[string]any)
			a, _ := afterList[j].(map[string]any)
			op, _ := b["op"].(string)
			if op == "remove" || reflect.DeepEqual(b["value"], a["value"]) {
				// An explained remove shows no value.
				continue
			}
			if op == "" {
				op = "replace"
			}
			path, _ := b["path"].(string)
			value, err := json.Marshal(a["value"])
			if err != nil {
				value = []byte(`"***"`)
			}
			if out[cluster] == nil {
				out[cluster] = map[int]string{}
			}
			out[cluster][j] = fmt.Sprintf("%s %s = %s", op, path, value)
		}
	}
	return out
}
