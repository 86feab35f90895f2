package federate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestPlural(t *testing.T) {
	for kind, want := range map[string]string{
		"Deployment": "deployments", "Ingress": "ingresses", "NetworkPolicy": "networkpolicies", "Gateway": "gateways",
		"Endpoints": "endpoints", "Box": "boxes", "Patch": "patches", "Mesh": "meshes",
	} {
		assert.Equal(t, want, plural(kind), kind)
	}
}

func TestGuessTypeConfig(t *testing.T) {
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": map[string]any{"name": "g", "namespace": "x"}}}
	tc := GuessTypeConfig(obj, "types.kubefed.io", "v1beta1")
	assert.Equal(t, "gizmos.example.com", tc.Name)
	assert.True(t, tc.Namespaced())
	assert.Equal(t, "FederatedGizmo", tc.Spec.FederatedType.Kind)

	deployment := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "d"}}}
	assert.True(t, GuessTypeConfig(deployment, "types.kubefed.io", "v1beta1").Namespaced(), "a built-in kind keeps its scope without a namespace")
}

func TestFromTargetPlacement(t *testing.T) {
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c", "namespace": "x"}}}
	tc := GuessTypeConfig(cm, "types.kubefed.io", "v1beta1")
	fed, warnings := FromTarget(tc, cm, Placement{Clusters: []string{"a", "b"}})
	assert.Empty(t, warnings)
	assert.Equal(t, map[string]any{"clusters": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}}, fed.Object["spec"].(map[string]any)["placement"])
	fed, _ = FromTarget(tc, cm, Placement{Selector: map[string]string{"region": "eu"}})
	assert.Equal(t, map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{"region": "eu"}}}, fed.Object["spec"].(map[string]any)["placement"])
}
