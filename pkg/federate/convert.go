// Package federate is federate and orphaning-deletion: turning objects that run in the host, or
// lie in files, into federated objects by kubefed's rules, and marking federated objects to be
// orphaned on deletion.
package federate

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Placement is where a new federated object goes: the clusters listed, else those the selector
// matches; neither means every cluster (clusterSelector: {}), kubefed's default for federate.
type Placement struct {
	Clusters []string
	Selector map[string]string
}

func (p Placement) spec() map[string]any {
	if len(p.Clusters) > 0 {
		clusters := make([]any, len(p.Clusters))
		for i, c := range p.Clusters {
			clusters[i] = map[string]any{"name": c}
		}
		return map[string]any{"clusters": clusters}
	}
	labels := map[string]any{}
	for k, v := range p.Selector {
		labels[k] = v
	}
	return map[string]any{"clusterSelector": map[string]any{"matchLabels": labels}}
}

// FromTarget converts an object to its federated object as kubefed did: the object becomes the
// template, keeping only metadata.labels of its metadata (annotations are dropped, with a
// warning), without apiVersion, kind and status, and without the fields that belong to one
// cluster (a Service's cluster IPs and node ports, a Namespace's finalizers, a ServiceAccount's
// token secrets).
func FromTarget(tc *apis.FederatedTypeConfig, target *unstructured.Unstructured, placement Placement) (*unstructured.Unstructured, []string) {
	var warnings []string
	template := target.DeepCopy().Object
	switch tc.Spec.TargetType.Kind {
	case "Namespace":
		unstructured.RemoveNestedField(template, "spec", "finalizers")
	case "ServiceAccount":
		delete(template, "secrets")
	case "Service":
		unstructured.RemoveNestedField(template, "spec", "clusterIP")
		unstructured.RemoveNestedField(template, "spec", "clusterIPs")
		unstructured.RemoveNestedField(template, "spec", "healthCheckNodePort")
		if ports, found, _ := unstructured.NestedSlice(template, "spec", "ports"); found {
			for _, p := range ports {
				if port, ok := p.(map[string]any); ok {
					delete(port, "nodePort")
				}
			}
			unstructured.SetNestedSlice(template, ports, "spec", "ports")
		}
	}
	if annotations := target.GetAnnotations(); len(annotations) > 0 {
		keys := make([]string, 0, len(annotations))
		for k := range annotations {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		warnings = append(warnings, fmt.Sprintf("the annotations of %s %q (%s) are not part of the federated object: templates cannot carry annotations; add them with an override",
			target.GetKind(), key(target), strings.Join(keys, ", ")))
	}
	delete(template, "apiVersion")
	delete(template, "kind")
	delete(template, "status")
	delete(template, "metadata")
	if labels := target.GetLabels(); len(labels) > 0 {
		meta := map[string]any{}
		for k, v := range labels {
			meta[k] = v
		}
		template["metadata"] = map[string]any{"labels": meta}
	}

	ft := tc.Spec.FederatedType
	fed := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": ft.Group + "/" + ft.Version,
		"kind":       ft.Kind,
		"metadata":   map[string]any{"name": target.GetName()},
		"spec":       map[string]any{"template": template, "placement": placement.spec()},
	}}
	if ft.Scope == apis.ScopeNamespaced {
		ns := target.GetNamespace()
		if tc.Spec.TargetType.Kind == "Namespace" && tc.Spec.TargetType.Group == "" {
			// A FederatedNamespace lives in the namespace it federates.
			ns = target.GetName()
		}
		fed.SetNamespace(ns)
	}
	return fed, warnings
}

func key(obj metav1.Object) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}

// GuessTypeConfig is the type config for an object of a file: the built-in one for its kind,
// else one guessed from the object itself, as kubefed's -f mode did (plural by English rules,
// namespaced when the object has a namespace).
func GuessTypeConfig(obj *unstructured.Unstructured, federatedGroup, federatedVersion string) *apis.FederatedTypeConfig {
	gvk := obj.GroupVersionKind()
	if tc, ok := apis.BuiltinTypeConfig(apis.FederatedKindPrefix + gvk.Kind); ok && tc.Spec.TargetType.Group == gvk.Group {
		if federatedGroup != apis.DefaultFederatedGroup || federatedVersion != apis.DefaultFederatedVersion {
			return apis.NewTypeConfig(tc.Spec.TargetType, federatedGroup, federatedVersion)
		}
		return tc
	}
	scope := apis.ScopeCluster
	if obj.GetNamespace() != "" {
		scope = apis.ScopeNamespaced
	}
	target := apis.APIResource{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, PluralName: plural(gvk.Kind), Scope: scope}
	return apis.NewTypeConfig(target, federatedGroup, federatedVersion)
}

// plural guesses a kind's resource name as Kubernetes does for unknown kinds.
func plural(kind string) string {
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "endpoints"):
		return k
	case strings.HasSuffix(k, "s"), strings.HasSuffix(k, "x"), strings.HasSuffix(k, "ch"), strings.HasSuffix(k, "sh"):
		return k + "es"
	case strings.HasSuffix(k, "y") && len(k) > 1 && !strings.ContainsRune("aeiou", rune(k[len(k)-2])):
		return k[:len(k)-1] + "ies"
	}
	return k + "s"
}
