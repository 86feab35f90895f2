package propagate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestCovers(t *testing.T) {
	desired := map[string]any{"spec": map[string]any{"replicas": int64(2), "ports": []any{map[string]any{"port": int64(80)}}}}
	tests := []struct {
		name string
		live any
		want bool
	}{
		{"equal", map[string]any{"spec": map[string]any{"replicas": int64(2), "ports": []any{map[string]any{"port": int64(80)}}}}, true},
		{"server defaults added", map[string]any{"spec": map[string]any{"replicas": int64(2), "strategy": "x", "ports": []any{map[string]any{"port": int64(80), "protocol": "TCP"}}}}, true},
		{"a value changed", map[string]any{"spec": map[string]any{"replicas": int64(3), "ports": []any{map[string]any{"port": int64(80)}}}}, false},
		{"a list grew", map[string]any{"spec": map[string]any{"replicas": int64(2), "ports": []any{map[string]any{"port": int64(80)}, map[string]any{"port": int64(81)}}}}, false},
		{"a field missing", map[string]any{"spec": map[string]any{"ports": []any{map[string]any{"port": int64(80)}}}}, false},
		{"float equal to int", map[string]any{"spec": map[string]any{"replicas": float64(2), "ports": []any{map[string]any{"port": int64(80)}}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, covers(tt.live, desired))
		})
	}
}

func TestUpToDateNeedsTheSameDigest(t *testing.T) {
	desired := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a"}, "data": map[string]any{"k": "v"}}}
	applied, hash := withHash(desired)
	// What the member returns: the object applied, with what the server adds.
	live := applied.DeepCopy()
	live.SetResourceVersion("42")
	live.SetUID("0a1b")
	live.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "kubefedctl"}})
	assert.True(t, upToDate(live, applied, hash))
	// A value changed in the member under the same digest is not up to date.
	edited := live.DeepCopy()
	require.NoError(t, unstructured.SetNestedField(edited.Object, "w", "data", "k"))
	assert.False(t, upToDate(edited, applied, hash))
	// The template lost a field: the live object still covers the new desired object, but the
	// digest says the field must go.
	smaller := desired.DeepCopy()
	unstructured.RemoveNestedField(smaller.Object, "data", "k")
	smallerApplied, smallerHash := withHash(smaller)
	assert.NotEqual(t, hash, smallerHash)
	assert.False(t, upToDate(live, smallerApplied, smallerHash))
	assert.Equal(t, hash, applied.GetAnnotations()[HashAnnotation])
}

func TestSameStoredIgnoresBookkeepingAndTheDigest(t *testing.T) {
	object := func(annotations map[string]any, replicas int64, meta map[string]any) *unstructured.Unstructured {
		m := map[string]any{"name": "web", "namespace": "demo", "labels": map[string]any{"kubefed.io/managed": "true"}}
		for k, v := range meta {
			m[k] = v
		}
		if annotations != nil {
			m["annotations"] = annotations
		}
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": m, "spec": map[string]any{"replicas": replicas}}}
	}
	kubefeds := object(nil, 2, map[string]any{"resourceVersion": "10", "generation": int64(1), "managedFields": []any{map[string]any{"manager": "kubefed"}}})
	tests := []struct {
		name string
		b    *unstructured.Unstructured
		want bool
	}{
		{"the same", object(nil, 2, nil), true},
		{"a dry run adding only the digest to kubefed's copy", object(map[string]any{HashAnnotation: "abc"}, 2, map[string]any{"resourceVersion": "10", "managedFields": []any{map[string]any{"manager": "kubefedctl"}}}), true},
		{"the digest and another annotation", object(map[string]any{HashAnnotation: "abc", "team": "web"}, 2, nil), false},
		{"another figure", object(map[string]any{HashAnnotation: "abc"}, 3, nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, sameStored(kubefeds, tt.b))
			assert.Equal(t, tt.want, sameStored(tt.b, kubefeds))
		})
	}
}
