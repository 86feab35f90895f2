// Package enable is enable and disable: Federated CRDs and FederatedTypeConfigs. Unlike kubefed,
// the Federated CRD carries by default the target's own schema under spec.template, so the host
// rejects a template with a field of the wrong type, yet keeps fields the schema does not know;
// kubefed's open template schema is a choice.
package enable

import (
	"strings"
)

// maxDepth bounds schema expansion; deeper (or recursive) parts accept anything.
const maxDepth = 24

// anything is the schema of a part that is not checked.
func anything() map[string]any {
	return map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
}

// TemplateSchema turns the target's published OpenAPI v3 schema (the document of its group
// version) into a structural schema for spec.template: references resolved, descriptions,
// defaults and required lists dropped (kubefed's manifests may leave out what overrides or
// members fill in), metadata left open, apiVersion, kind and status removed. Parts that a
// structural schema cannot express exactly (one-of types, recursion) accept anything.
func TemplateSchema(doc map[string]any, root map[string]any) map[string]any {
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	c := converter{schemas: schemas}
	out := c.convert(root, 0, map[string]bool{})
	props, _ := out["properties"].(map[string]any)
	if props == nil {
		return anything()
	}
	delete(props, "apiVersion")
	delete(props, "kind")
	delete(props, "status")
	props["metadata"] = anything()
	return out
}

// FindSchema finds the schema of a group-version-kind in an OpenAPI v3 document.
func FindSchema(doc map[string]any, group, version, kind string) map[string]any {
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	for _, s := range schemas {
		schema, _ := s.(map[string]any)
		gvks, _ := schema["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			gvk, _ := g.(map[string]any)
			if gvk["group"] == group && gvk["version"] == version && gvk["kind"] == kind {
				return schema
			}
		}
	}
	return nil
}

type converter struct {
	schemas map[string]any
}

func (c converter) resolve(s map[string]any) (map[string]any, string) {
	ref, _ := s["$ref"].(string)
	if ref == "" {
		if all, ok := s["allOf"].([]any); ok && len(all) == 1 {
			if inner, ok := all[0].(map[string]any); ok {
				ref, _ = inner["$ref"].(string)
			}
		}
	}
	if ref == "" {
		return s, ""
	}
	name := strings.TrimPrefix(ref, "#/components/schemas/")
	target, _ := c.schemas[name].(map[string]any)
	return target, name
}

func (c converter) convert(s map[string]any, depth int, seen map[string]bool) map[string]any {
	if s == nil || depth > maxDepth {
		return anything()
	}
	resolved, name := c.resolve(s)
	if name != "" {
		if seen[name] || resolved == nil {
			return anything()
		}
		seen = copySeen(seen)
		seen[name] = true
		s = resolved
	}
	if s["x-kubernetes-int-or-string"] == true {
		return map[string]any{"x-kubernetes-int-or-string": true}
	}
	if s["x-kubernetes-preserve-unknown-fields"] == true || s["x-kubernetes-embedded-resource"] == true {
		return anything()
	}
	if _, oneOf := s["oneOf"]; oneOf {
		return map[string]any{"x-kubernetes-preserve-unknown-fields": true}
	}
	if _, anyOf := s["anyOf"]; anyOf {
		return map[string]any{"x-kubernetes-preserve-unknown-fields": true}
	}
	t, _ := s["type"].(string)
	out := map[string]any{}
	switch t {
	case "object", "":
		props, _ := s["properties"].(map[string]any)
		additional, hasAdditional := s["additionalProperties"].(map[string]any)
		if len(props) == 0 && !hasAdditional {
			return anything()
		}
		out["type"] = "object"
		if len(props) > 0 {
			converted := map[string]any{}
			for k, v := range props {
				p, _ := v.(map[string]any)
				converted[k] = c.convert(p, depth+1, seen)
			}
			out["properties"] = converted
		}
		if hasAdditional {
			out["additionalProperties"] = c.convert(additional, depth+1, seen)
		}
	case "array":
		out["type"] = "array"
		items, _ := s["items"].(map[string]any)
		out["items"] = c.convert(items, depth+1, seen)
	case "string", "integer", "number", "boolean":
		out["type"] = t
		if f, ok := s["format"].(string); ok && knownFormat(f) {
			out["format"] = f
		}
		if enum, ok := s["enum"].([]any); ok {
			out["enum"] = enum
		}
	default:
		return anything()
	}
	if s["nullable"] == true {
		out["nullable"] = true
	}
	return out
}

func knownFormat(f string) bool {
	switch f {
	case "int32", "int64", "float", "double", "byte", "date", "date-time", "password":
		return true
	}
	return false
}

func copySeen(seen map[string]bool) map[string]bool {
	out := make(map[string]bool, len(seen)+1)
	for k, v := range seen {
		out[k] = v
	}
	return out
}
