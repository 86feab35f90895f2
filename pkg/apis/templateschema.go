package apis

import (
	"encoding/json"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// addFederatedCRD keeps, from a Federated CRD in the input (as enable -o yaml prints it), the
// schema of spec.template of each version it serves, so that templates are checked offline
// against the type's schema as the host checks them. A CRD of any other kind of object is not
// part of a federation's manifests.
func (f *Federation) addFederatedCRD(doc Document) error {
	u := doc.Object
	group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
	versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
	found := false
	for _, v := range versions {
		version, _ := v.(map[string]any)
		name, _ := version["name"].(string)
		template, ok, _ := unstructured.NestedMap(version, "schema", "openAPIV3Schema", "properties", "spec", "properties", "template")
		if !ok {
			continue
		}
		var s spec.Schema
		data, err := json.Marshal(template)
		if err == nil {
			err = json.Unmarshal(data, &s)
		}
		if err != nil {
			return fmt.Errorf("%s: CustomResourceDefinition %q: the schema of spec.template in version %s cannot be read: %w", doc.Source, u.GetName(), name, err)
		}
		if f.TemplateSchemas == nil {
			f.TemplateSchemas = map[schema.GroupVersionKind]*spec.Schema{}
		}
		f.TemplateSchemas[schema.GroupVersionKind{Group: group, Version: name, Kind: kind}] = &s
		found = true
	}
	if !found {
		return fmt.Errorf("%s: CustomResourceDefinition %q is not a Federated CRD (no version has a schema for spec.template): the input may hold the Federated CRDs that kubefedctl enable -o yaml prints, and kubefed's own objects",
			doc.Source, u.GetName())
	}
	return nil
}

// TemplateErrors checks each federated object's template against its Federated CRD's schema,
// where the input holds the CRD: a field of the wrong type or value, as the host would refuse it.
// Fields the schema does not name are not errors (the template schema keeps unknown fields).
func (f *Federation) TemplateErrors() []string {
	var out []string
	for _, o := range f.Objects {
		s := f.TemplateSchemas[o.Object.GroupVersionKind()]
		if s == nil {
			continue
		}
		template, _, _ := unstructured.NestedFieldNoCopy(o.Object.Object, "spec", "template")
		result := validate.NewSchemaValidator(s, nil, "spec.template", strfmt.Default).Validate(template)
		var messages []string
		for _, err := range result.Errors {
			messages = append(messages, err.Error())
		}
		sort.Strings(messages)
		for _, m := range messages {
			out = append(out, fmt.Sprintf("%s: %s: %s (the schema of its Federated CRD)", o.Source, o.Describe(), m))
		}
	}
	return out
}
