package enable

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Target is the type being federated, as discovery or a file describes it.
type Target struct {
	Resource   apis.APIResource
	ShortNames []string
	// Schema is the structural schema of spec.template; nil accepts anything.
	Schema map[string]any
}

// CRDName is the Federated CRD's name: federated<plural>.<federated group>.
func CRDName(tc *apis.FederatedTypeConfig) string {
	return tc.Spec.FederatedType.PluralName + "." + tc.Spec.FederatedType.Group
}

// The choices of spec.template's schema (enable --template-schema).
const (
	// TemplateTyped is the target's schema, each object in it also keeping fields the schema
	// does not know: a field of a known name and the wrong type is rejected, an unknown one kept.
	TemplateTyped = "typed"
	// TemplateOpen is kubefed's schema exactly: anything is accepted and kept.
	TemplateOpen = "open"
)

// FederatedCRD is the CustomResourceDefinition of Federated<Kind>: kubefed's spec.placement,
// spec.overrides and status, spec.template as choice says (TemplateTyped or TemplateOpen), and
// retainReplicas for a target with an integer spec.replicas.
func FederatedCRD(tc *apis.FederatedTypeConfig, target Target, choice string) *unstructured.Unstructured {
	ft := tc.Spec.FederatedType
	template := anything()
	if target.Schema != nil && choice != TemplateOpen {
		template = keepUnknown(target.Schema)
	}
	specProps := map[string]any{
		"template":  template,
		"placement": placementSchema(),
		"overrides": overridesSchema(),
	}
	if hasIntegerReplicas(target.Schema) {
		specProps["retainReplicas"] = map[string]any{"type": "boolean"}
	}
	names := map[string]any{
		"kind":     ft.Kind,
		"listKind": ft.Kind + "List",
		"plural":   ft.PluralName,
		"singular": strings.ToLower(ft.Kind),
	}
	if len(target.ShortNames) > 0 {
		var short []any
		for _, s := range target.ShortNames {
			short = append(short, "f"+s)
		}
		names["shortNames"] = short
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": CRDName(tc)},
		"spec": map[string]any{
			"group": ft.Group,
			"names": names,
			"scope": ft.Scope,
			"versions": []any{map[string]any{
				"name":         ft.Version,
				"served":       true,
				"storage":      true,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type":     "object",
					"required": []any{"spec"},
					"properties": map[string]any{
						"apiVersion": map[string]any{"type": "string"},
						"kind":       map[string]any{"type": "string"},
						"metadata":   map[string]any{"type": "object"},
						"spec":       map[string]any{"type": "object", "properties": specProps},
						"status":     statusSchema(),
					},
				}},
			}},
		},
	}}
}

// keepUnknown is a copy of a structural schema in which every object with properties also
// keeps the fields it does not list (x-kubernetes-preserve-unknown-fields): a member newer than
// the host may know fields the host's schema lacks, and the host must neither reject nor prune
// them. Listed fields are still checked.
func keepUnknown(s map[string]any) map[string]any {
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	if props, ok := s["properties"].(map[string]any); ok {
		kept := make(map[string]any, len(props))
		for name, p := range props {
			if p, ok := p.(map[string]any); ok {
				kept[name] = keepUnknown(p)
				continue
			}
			kept[name] = p
		}
		out["properties"] = kept
		out["x-kubernetes-preserve-unknown-fields"] = true
	}
	for _, key := range []string{"items", "additionalProperties"} {
		if inner, ok := s[key].(map[string]any); ok {
			out[key] = keepUnknown(inner)
		}
	}
	return out
}

func hasIntegerReplicas(template map[string]any) bool {
	props, _ := template["properties"].(map[string]any)
	spec, _ := props["spec"].(map[string]any)
	specProps, _ := spec["properties"].(map[string]any)
	replicas, _ := specProps["replicas"].(map[string]any)
	return replicas["type"] == "integer"
}

func str() map[string]any { return map[string]any{"type": "string"} }

func stringList() map[string]any { return map[string]any{"type": "array", "items": str()} }

func placementSchema() map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"clusters": map[string]any{
				"type": "array",
				"items": map[string]any{
					"type": "object", "required": []any{"name"},
					"properties": map[string]any{"name": str()},
				},
			},
			"clusterSelector": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"matchExpressions": map[string]any{
						"type": "array",
						"items": map[string]any{
							"type": "object", "required": []any{"key", "operator"},
							"properties": map[string]any{"key": str(), "operator": str(), "values": stringList()},
						},
					},
					"matchLabels": map[string]any{"type": "object", "additionalProperties": str()},
				},
			},
		},
	}
}

func overridesSchema() map[string]any {
	return map[string]any{
		"type": "array",
		"items": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"clusterName": str(),
				"clusterOverrides": map[string]any{
					"type": "array",
					"items": map[string]any{
						"type": "object", "required": []any{"path"},
						"properties": map[string]any{
							"op":    map[string]any{"type": "string", "pattern": "^(add|remove|replace)?$"},
							"path":  str(),
							"value": map[string]any{"x-kubernetes-preserve-unknown-fields": true},
						},
					},
				},
			},
		},
	}
}

func statusSchema() map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"conditions": map[string]any{
				"type": "array",
				"items": map[string]any{
					"type": "object", "required": []any{"type", "status"},
					"properties": map[string]any{
						"type": str(), "status": str(), "reason": str(),
						"lastUpdateTime":     map[string]any{"type": "string", "format": "date-time"},
						"lastTransitionTime": map[string]any{"type": "string", "format": "date-time"},
					},
				},
			},
			"clusters": map[string]any{
				"type": "array",
				"items": map[string]any{
					"type": "object", "required": []any{"name"},
					"properties": map[string]any{
						"name": str(), "status": str(),
						"remoteStatus": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true},
					},
				},
			},
			"observedGeneration": map[string]any{"type": "integer", "format": "int64"},
		},
	}
}
