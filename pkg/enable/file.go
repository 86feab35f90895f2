package enable

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// TargetFromObject reads the target type from a file's object, with no cluster: a
// CustomResourceDefinition (with its schema), or an APIResource description
// (group, version, kind, name, namespaced, shortNames), whose template then accepts anything.
func TargetFromObject(source string, obj *unstructured.Unstructured) (Target, error) {
	switch obj.GetKind() {
	case "CustomResourceDefinition":
		return targetFromCRD(source, obj)
	case "APIResource":
		get := func(field string) string { s, _, _ := unstructured.NestedString(obj.Object, field); return s }
		namespaced, _, _ := unstructured.NestedBool(obj.Object, "namespaced")
		shortNames, _, _ := unstructured.NestedStringSlice(obj.Object, "shortNames")
		r := apis.APIResource{Group: get("group"), Version: get("version"), Kind: get("kind"), PluralName: get("name"), Scope: apis.ScopeCluster}
		if namespaced {
			r.Scope = apis.ScopeNamespaced
		}
		if r.Version == "" || r.Kind == "" || r.PluralName == "" {
			return Target{}, fmt.Errorf("%s: an APIResource needs version, kind and name (the plural)", source)
		}
		return Target{Resource: r, ShortNames: shortNames}, nil
	}
	return Target{}, fmt.Errorf("%s: %s %q is neither a CustomResourceDefinition nor an APIResource", source, obj.GetKind(), obj.GetName())
}

func targetFromCRD(source string, crd *unstructured.Unstructured) (Target, error) {
	get := func(path ...string) string { s, _, _ := unstructured.NestedString(crd.Object, path...); return s }
	shortNames, _, _ := unstructured.NestedStringSlice(crd.Object, "spec", "names", "shortNames")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	var chosen map[string]any
	for _, v := range versions {
		version, _ := v.(map[string]any)
		if version["storage"] == true || chosen == nil {
			chosen = version
		}
	}
	if chosen == nil {
		return Target{}, fmt.Errorf("%s: CustomResourceDefinition %q lists no version", source, crd.GetName())
	}
	r := apis.APIResource{
		Group: get("spec", "group"), Version: fmt.Sprint(chosen["name"]), Kind: get("spec", "names", "kind"),
		PluralName: get("spec", "names", "plural"), Scope: get("spec", "scope"),
	}
	return Target{Resource: r, ShortNames: shortNames, Schema: versionSchema(chosen)}, nil
}

// crdSchema is the template schema of one version of a CRD, or nil.
func crdSchema(crd *unstructured.Unstructured, version string) map[string]any {
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		if v, _ := v.(map[string]any); v["name"] == version {
			return versionSchema(v)
		}
	}
	return nil
}

func versionSchema(version map[string]any) map[string]any {
	if root, found, _ := unstructured.NestedMap(version, "schema", "openAPIV3Schema"); found {
		return TemplateSchema(nil, root)
	}
	return nil
}
