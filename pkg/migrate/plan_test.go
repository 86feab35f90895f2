package migrate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestControllerRunning(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	deployment := func(replicas any) *unstructured.Unstructured {
		spec := map[string]any{}
		if replicas != nil {
			spec["replicas"] = replicas
		}
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": ControllerName, "namespace": "kube-federation-system"}, "spec": spec}}
	}
	lease := func(holder string, renewed time.Time) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
			"metadata": map[string]any{"name": ControllerName, "namespace": "kube-federation-system"},
			"spec":     map[string]any{"holderIdentity": holder, "leaseDurationSeconds": int64(15), "renewTime": renewed.Format(time.RFC3339Nano)}}}
	}
	configMap := func(record string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": ControllerName, "namespace": "kube-federation-system", "annotations": map[string]any{leaderAnnotation: record}}}}
	}
	tests := []struct {
		name       string
		deployment *unstructured.Unstructured
		leaders    []*unstructured.Unstructured
		want       string
	}{
		{"nothing of kubefed's", nil, nil, ""},
		{"scaled to zero", deployment(int64(0)), nil, ""},
		{"two replicas", deployment(int64(2)), nil, "Deployment kube-federation-system/kubefed-controller-manager has 2 replicas"},
		{"replicas left to the default", deployment(nil), nil, "Deployment kube-federation-system/kubefed-controller-manager has 1 replicas"},
		{"a lease renewed 5s ago", deployment(int64(0)), []*unstructured.Unstructured{lease("host_1", now.Add(-5*time.Second))},
			`its leader record Lease kube-federation-system/kubefed-controller-manager is held by "host_1", renewed 5s ago (lease 15s)`},
		{"a lease run out", nil, []*unstructured.Unstructured{lease("host_1", now.Add(-time.Minute))}, ""},
		{"a lease released", nil, []*unstructured.Unstructured{lease("", now)}, ""},
		{"a ConfigMap lock renewed now", nil, []*unstructured.Unstructured{configMap(`{"holderIdentity":"host_2","leaseDurationSeconds":15,"renewTime":"2026-12-02T11:59:58Z"}`)},
			`its leader record ConfigMap kube-federation-system/kubefed-controller-manager is held by "host_2", renewed 2s ago (lease 15s)`},
		{"a ConfigMap lock unreadable", nil, []*unstructured.Unstructured{configMap(`not json`)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, controllerRunning(tt.deployment, tt.leaders, now))
		})
	}
}

func TestSchedulerOverrides(t *testing.T) {
	obj := func(overrides []any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"overrides": overrides}}}
	}
	replicas := func(n int64) map[string]any { return map[string]any{"path": "/spec/replicas", "value": n} }
	image := map[string]any{"path": "/spec/template/spec/containers/0/image", "value": "nginx:1.27"}
	tests := []struct {
		name      string
		overrides []any
		found     []schedulerOverride
		rest      []any
	}{
		{"none", nil, nil, nil},
		{"only the scheduler's: every cluster goes",
			[]any{map[string]any{"clusterName": "member2", "clusterOverrides": []any{replicas(4)}}, map[string]any{"clusterName": "member1", "clusterOverrides": []any{replicas(6)}}},
			[]schedulerOverride{{"member1", int64(6)}, {"member2", int64(4)}}, nil},
		{"a user's override beside it stays",
			[]any{map[string]any{"clusterName": "member1", "clusterOverrides": []any{image, replicas(6)}}, map[string]any{"clusterName": "member2", "clusterOverrides": []any{image}}},
			[]schedulerOverride{{"member1", int64(6)}},
			[]any{map[string]any{"clusterName": "member1", "clusterOverrides": []any{image}}, map[string]any{"clusterName": "member2", "clusterOverrides": []any{image}}}},
		{"another path under spec is not the scheduler's",
			[]any{map[string]any{"clusterName": "member1", "clusterOverrides": []any{map[string]any{"path": "/spec/replicasx", "value": int64(1)}}}},
			nil,
			[]any{map[string]any{"clusterName": "member1", "clusterOverrides": []any{map[string]any{"path": "/spec/replicasx", "value": int64(1)}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, rest := schedulerOverrides(obj(tt.overrides))
			assert.Equal(t, tt.found, found)
			assert.Equal(t, tt.rest, rest)
		})
	}
	assert.Equal(t, "member1 (6), member2 (4)", describeOverrides([]schedulerOverride{{"member1", int64(6)}, {"member2", int64(4)}}))
}
