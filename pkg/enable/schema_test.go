package enable

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// A small OpenAPI v3 document with what real ones hold: references, allOf wrappers, an
// int-or-string, a one-of quantity, a recursive type, descriptions, defaults and required lists.
var doc = map[string]any{"components": map[string]any{"schemas": map[string]any{
	"io.example.Thing": map[string]any{
		"type":                            "object",
		"x-kubernetes-group-version-kind": []any{map[string]any{"group": "example.io", "version": "v1", "kind": "Thing"}},
		"properties": map[string]any{
			"apiVersion": map[string]any{"type": "string"},
			"kind":       map[string]any{"type": "string"},
			"metadata":   map[string]any{"$ref": "#/components/schemas/io.example.Meta"},
			"status":     map[string]any{"type": "object"},
			"spec":       map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/io.example.Spec"}}, "default": map[string]any{}},
		},
	},
	"io.example.Meta": map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}},
	"io.example.Spec": map[string]any{
		"type":        "object",
		"description": "dropped",
		"required":    []any{"replicas"},
		"properties": map[string]any{
			"replicas": map[string]any{"type": "integer", "format": "int32", "default": 1},
			"port":     map[string]any{"x-kubernetes-int-or-string": true, "anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}},
			"cpu":      map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}},
			"mode":     map[string]any{"type": "string", "enum": []any{"a", "b"}},
			"tree":     map[string]any{"$ref": "#/components/schemas/io.example.Node"},
			"tags":     map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		},
	},
	"io.example.Node": map[string]any{"type": "object", "properties": map[string]any{
		"children": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/io.example.Node"}},
	}},
}}}

func TestTemplateSchema(t *testing.T) {
	root := FindSchema(doc, "example.io", "v1", "Thing")
	assert.NotNil(t, root)
	assert.Nil(t, FindSchema(doc, "example.io", "v2", "Thing"))

	got := TemplateSchema(doc, root)
	recursion := map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
	want := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"metadata": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true},
			"spec": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"replicas": map[string]any{"type": "integer", "format": "int32"},
					"port":     map[string]any{"x-kubernetes-int-or-string": true},
					"cpu":      map[string]any{"x-kubernetes-preserve-unknown-fields": true},
					"mode":     map[string]any{"type": "string", "enum": []any{"a", "b"}},
					"tree": map[string]any{"type": "object", "properties": map[string]any{
						"children": map[string]any{"type": "array", "items": recursion},
					}},
					"tags": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
				},
			},
		},
	}
	assert.Equal(t, want, got)
}

func TestFederatedCRD(t *testing.T) {
	target := Target{Resource: apis.APIResource{Group: "example.io", Version: "v1", Kind: "Thing", PluralName: "things", Scope: apis.ScopeNamespaced}, ShortNames: []string{"th"}}
	target.Schema = TemplateSchema(doc, FindSchema(doc, "example.io", "v1", "Thing"))
	tc := apis.NewTypeConfig(target.Resource, apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
	assert.Equal(t, "things.example.io", tc.Name)
	crd := FederatedCRD(tc, target, TemplateTyped)
	assert.Equal(t, "federatedthings.types.kubefed.io", crd.GetName())
	names := crd.Object["spec"].(map[string]any)["names"].(map[string]any)
	assert.Equal(t, "FederatedThing", names["kind"])
	assert.Equal(t, []any{"fth"}, names["shortNames"])
	version := crd.Object["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	spec := version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["properties"].(map[string]any)["spec"].(map[string]any)["properties"].(map[string]any)
	assert.Equal(t, keepUnknown(target.Schema), spec["template"])
	assert.Equal(t, map[string]any{"type": "boolean"}, spec["retainReplicas"], "an integer spec.replicas can be retained")
	assert.Contains(t, spec, "placement")
	assert.Contains(t, spec, "overrides")

	crd = FederatedCRD(tc, target, TemplateOpen)
	version = crd.Object["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	spec = version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["properties"].(map[string]any)["spec"].(map[string]any)["properties"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}, spec["template"], "kubefed's open template schema, exactly")
	assert.Equal(t, map[string]any{"type": "boolean"}, spec["retainReplicas"], "retainReplicas comes from the target's schema either way, as in kubefed")

	target.Schema = nil
	crd = FederatedCRD(tc, target, TemplateTyped)
	version = crd.Object["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	spec = version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["properties"].(map[string]any)["spec"].(map[string]any)["properties"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}, spec["template"], "no published schema: anything goes")
	assert.NotContains(t, spec, "retainReplicas")
}

func TestKeepUnknown(t *testing.T) {
	open := map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
	tests := []struct {
		name   string
		schema map[string]any
		want   map[string]any
	}{
		{"an object with properties keeps unknown fields, its typed fields still typed",
			map[string]any{"type": "object", "properties": map[string]any{"size": map[string]any{"type": "integer"}}},
			map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{"size": map[string]any{"type": "integer"}}}},
		{"nested objects, in properties and in array items, too",
			map[string]any{"type": "object", "properties": map[string]any{"spec": map[string]any{"type": "object", "properties": map[string]any{
				"containers": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}}},
			}}}},
			map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{"spec": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{
				"containers": map[string]any{"type": "array", "items": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{"name": map[string]any{"type": "string"}}}},
			}}}}},
		{"a map's values are checked as before, and objects in them keep unknown fields",
			map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}}},
			map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{"a": map[string]any{"type": "string"}}}}},
		{"scalars and open parts are left as they are", open, open},
		{"an int-or-string", map[string]any{"x-kubernetes-int-or-string": true}, map[string]any{"x-kubernetes-int-or-string": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, keepUnknown(tt.schema))
		})
	}
}
