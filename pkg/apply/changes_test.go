package apply

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(content map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: content}
}

func TestChanges(t *testing.T) {
	role := func(rv, time string, rules []any, labels map[string]any) *unstructured.Unstructured {
		meta := map[string]any{
			"name":            "r",
			"resourceVersion": rv,
			"managedFields":   []any{map[string]any{"manager": "kubefedctl", "operation": "Apply", "time": time, "fieldsV1": map[string]any{"f:rules": map[string]any{}}}},
		}
		if labels != nil {
			meta["labels"] = labels
		}
		return obj(map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta, "rules": rules})
	}
	all := []any{map[string]any{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"*"}}}
	some := []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"}, "verbs": []any{"get"}}}
	cluster := func(endpoint string, labels map[string]any) *unstructured.Unstructured {
		meta := map[string]any{"name": "c1", "resourceVersion": "1"}
		if labels != nil {
			meta["labels"] = labels
		}
		return obj(map[string]any{"kind": "KubeFedCluster", "metadata": meta, "spec": map[string]any{"apiEndpoint": endpoint, "secretRef": map[string]any{"name": "s"}}})
	}
	tests := []struct {
		name          string
		before, after *unstructured.Unstructured
		want          []string
	}{
		{"the same object", role("1", "t1", all, nil), role("1", "t1", all, nil), nil},
		{"a new resourceVersion and entry time alone", role("1", "t1", all, nil), role("2", "t2", all, nil), nil},
		{"rules rewritten", role("1", "t1", all, nil), role("2", "t2", some, nil), []string{"rules"}},
		{"a label added", role("1", "t1", all, nil), role("2", "t1", all, map[string]any{"a": "b"}), []string{"metadata.labels.a"}},
		{"a label removed and one changed", cluster("https://x", map[string]any{"region": "us", "tier": "1"}), cluster("https://x", map[string]any{"region": "eu"}),
			[]string{"metadata.labels.region", "metadata.labels.tier"}},
		{"the endpoint", cluster("https://x", nil), cluster("https://y", nil), []string{"spec.apiEndpoint"}},
		{"a field manager's fields", role("1", "t1", all, nil),
			obj(map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "rules": all, "metadata": map[string]any{
				"name": "r", "resourceVersion": "2",
				"managedFields": []any{map[string]any{"manager": "kubectl", "operation": "Apply", "time": "t1", "fieldsV1": map[string]any{"f:rules": map[string]any{}}}},
			}}), []string{"metadata.managedFields"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Changes(tt.before, tt.after))
		})
	}
}

func TestMissing(t *testing.T) {
	live := obj(map[string]any{"kind": "KubeFedCluster", "metadata": map[string]any{"name": "c1", "uid": "u", "labels": map[string]any{"region": "us", "tier": "1"}},
		"spec": map[string]any{"apiEndpoint": "https://x", "secretRef": map[string]any{"name": "s"}}})
	tests := []struct {
		name    string
		desired map[string]any
		want    []string
	}{
		{"a subset of what is there", map[string]any{"kind": "KubeFedCluster", "metadata": map[string]any{"name": "c1", "labels": map[string]any{"region": "us"}}, "spec": map[string]any{"apiEndpoint": "https://x"}}, nil},
		{"another label value", map[string]any{"kind": "KubeFedCluster", "metadata": map[string]any{"name": "c1", "labels": map[string]any{"region": "eu"}}}, []string{"metadata.labels"}},
		{"another endpoint and a new field", map[string]any{"kind": "KubeFedCluster", "spec": map[string]any{"apiEndpoint": "https://y", "proxyURL": "http://p"}}, []string{"spec.apiEndpoint", "spec.proxyURL"}},
		{"a top-level field", map[string]any{"kind": "KubeFedCluster", "rules": []any{}}, []string{"rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Missing(live, obj(tt.desired)))
		})
	}
}
