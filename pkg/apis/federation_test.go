package apis

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func doc(source string, obj map[string]any) Document {
	return Document{Source: source, Object: &unstructured.Unstructured{Object: obj}}
}

func federated(kind, ns, name string) map[string]any {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	return map[string]any{"apiVersion": "types.kubefed.io/v1beta1", "kind": kind, "metadata": meta}
}

func TestAssembleBuiltinConventions(t *testing.T) {
	tests := []struct {
		kind       string
		apiVersion string
		target     string
		namespaced bool
	}{
		{"FederatedDeployment", "apps/v1", "Deployment", true},
		{"FederatedConfigMap", "v1", "ConfigMap", true},
		{"FederatedService", "v1", "Service", true},
		{"FederatedSecret", "v1", "Secret", true},
		{"FederatedServiceAccount", "v1", "ServiceAccount", true},
		{"FederatedNamespace", "v1", "Namespace", false},
		{"FederatedJob", "batch/v1", "Job", true},
		{"FederatedIngress", "networking.k8s.io/v1", "Ingress", true},
		{"FederatedClusterRole", "rbac.authorization.k8s.io/v1", "ClusterRole", false},
		{"FederatedReplicaSet", "apps/v1", "ReplicaSet", true},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			fed, err := Assemble([]Document{doc("a.yaml", federated(tt.kind, "demo", "demo"))}, DefaultKubeFedNamespace, "default")
			require.NoError(t, err)
			require.Len(t, fed.Objects, 1)
			tc := fed.Objects[0].TypeConfig
			assert.Equal(t, tt.apiVersion, tc.Spec.TargetType.APIVersion())
			assert.Equal(t, tt.target, tc.Spec.TargetType.Kind)
			assert.Equal(t, tt.namespaced, tc.Namespaced())
			assert.Equal(t, tt.kind, tc.Spec.FederatedType.Kind)
		})
	}
}

func TestAssembleTypeConfigFromInputWins(t *testing.T) {
	ftc := map[string]any{
		"apiVersion": "core.kubefed.io/v1beta1", "kind": "FederatedTypeConfig",
		"metadata": map[string]any{"name": "deployments.apps", "namespace": DefaultKubeFedNamespace},
		"spec": map[string]any{
			"targetType":    map[string]any{"version": "v1", "kind": "Deployment", "scope": "Namespaced"},
			"propagation":   "Disabled",
			"federatedType": map[string]any{"group": "types.kubefed.io", "version": "v1beta1", "kind": "FederatedDeployment", "pluralName": "federateddeployments", "scope": "Namespaced"},
		},
	}
	fed, err := Assemble([]Document{doc("a.yaml", federated("FederatedDeployment", "", "web")), doc("ftc.yaml", ftc)}, DefaultKubeFedNamespace, "team")
	require.NoError(t, err)
	tc := fed.Objects[0].TypeConfig
	assert.False(t, tc.Enabled())
	assert.Equal(t, "apps", tc.Spec.TargetType.Group, "defaulted from the name")
	assert.Equal(t, "deployments", tc.Spec.TargetType.PluralName, "defaulted from the name")
	assert.Equal(t, "team", fed.Objects[0].Object.GetNamespace(), "a namespaced object without namespace gets the default")
}

func TestAssemblePlacementKeepsNilAndEmpty(t *testing.T) {
	withClusters := federated("FederatedConfigMap", "demo", "a")
	withClusters["spec"] = map[string]any{"placement": map[string]any{"clusters": []any{}, "clusterSelector": map[string]any{}}}
	without := federated("FederatedConfigMap", "demo", "b")
	without["spec"] = map[string]any{"placement": map[string]any{"clusterSelector": map[string]any{}}}
	fed, err := Assemble([]Document{doc("a.yaml", withClusters), doc("a.yaml", without)}, DefaultKubeFedNamespace, "default")
	require.NoError(t, err)
	assert.NotNil(t, fed.Objects[0].Placement.Clusters)
	assert.Empty(t, fed.Objects[0].Placement.Clusters)
	assert.Nil(t, fed.Objects[1].Placement.Clusters)
	assert.NotNil(t, fed.Objects[1].Placement.ClusterSelector)
}

func TestAssembleRejects(t *testing.T) {
	cluster := func(ns string) map[string]any {
		return map[string]any{"apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedCluster", "metadata": map[string]any{"name": "c1", "namespace": ns},
			"spec": map[string]any{"apiEndpoint": "https://c1", "secretRef": map[string]any{"name": "s"}}}
	}
	badPlacement := federated("FederatedConfigMap", "demo", "a")
	badPlacement["spec"] = map[string]any{"placement": map[string]any{"clusters": "all"}}
	tests := []struct {
		name string
		docs []Document
		want string
	}{
		{"unknown federated kind", []Document{doc("w.yaml", federated("FederatedWidget", "demo", "w"))}, "w.yaml: unknown federated kind FederatedWidget (types.kubefed.io/v1beta1)"},
		{"not a kubefed object", []Document{doc("d.yaml", map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"}})}, `d.yaml: Deployment "web" is not a kubefed object (apps/v1)`},
		{"duplicate", []Document{doc("a.yaml", federated("FederatedConfigMap", "demo", "a")), doc("b.yaml", federated("FederatedConfigMap", "demo", "a"))}, `b.yaml: FederatedConfigMap "demo/a" is defined twice, here and in a.yaml`},
		{"cluster elsewhere", []Document{doc("c.yaml", cluster("other"))}, `c.yaml: KubeFedCluster "c1" is in namespace "other", but clusters are read from "kube-federation-system"`},
		{"placement of the wrong shape", []Document{doc("p.yaml", badPlacement)}, `p.yaml: FederatedConfigMap "demo/a": spec.placement: clusters must be a list, not string`},
		{"no name", []Document{doc("n.yaml", map[string]any{"apiVersion": "v1", "kind": "ConfigMap"})}, "n.yaml: ConfigMap has no metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Assemble(tt.docs, DefaultKubeFedNamespace, "default")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A cluster is ready as in kubefed: a Ready condition that is True; no status yet is not ready.
func TestReady(t *testing.T) {
	conditions := func(c ...ClusterCondition) *KubeFedClusterStatus { return &KubeFedClusterStatus{Conditions: c} }
	tests := []struct {
		name   string
		status *KubeFedClusterStatus
		want   bool
	}{
		{"no status yet", nil, false},
		{"no conditions", conditions(), false},
		{"Ready False", conditions(ClusterCondition{Type: ClusterReady, Status: "False"}), false},
		{"Ready Unknown", conditions(ClusterCondition{Type: ClusterReady, Status: "Unknown"}), false},
		{"Ready true in lower case", conditions(ClusterCondition{Type: ClusterReady, Status: "true"}), false},
		{"only Offline False", conditions(ClusterCondition{Type: ClusterOffline, Status: "False"}), false},
		{"Offline True, as an unreachable cluster has", conditions(ClusterCondition{Type: ClusterOffline, Status: "True"}), false},
		{"Ready True", conditions(ClusterCondition{Type: ClusterReady, Status: "True"}), true},
		{"Ready True after others", conditions(ClusterCondition{Type: ClusterOffline, Status: "False"}, ClusterCondition{Type: ClusterReady, Status: "True"}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, (&KubeFedCluster{Status: tt.status}).Ready())
		})
	}
}

// Figures no workload can hold are refused by name, not wrapped round by decoding into int32.
func TestAssemblePreferenceFigures(t *testing.T) {
	preference := func(spec map[string]any) Document {
		spec["targetKind"] = KindFederatedDeployment
		return doc("rsp.yaml", map[string]any{"apiVersion": "scheduling.kubefed.io/v1alpha1", "kind": KindReplicaSchedulingPreference,
			"metadata": map[string]any{"name": "web", "namespace": "demo"}, "spec": spec})
	}
	cluster := func(field string, v any) map[string]any {
		return map[string]any{"totalReplicas": int64(3), "clusters": map[string]any{"east": map[string]any{field: v}}}
	}
	const where = `rsp.yaml: ReplicaSchedulingPreference "demo/web": `
	rejected := []struct {
		name string
		spec map[string]any
		want string
	}{
		{"total beyond int32", map[string]any{"totalReplicas": int64(math.MaxInt32) + 1},
			where + "spec.totalReplicas is 2147483648, more than a workload's replicas (an int32) can hold: at most 2147483647"},
		{"total of int64's maximum", map[string]any{"totalReplicas": int64(math.MaxInt64)}, "spec.totalReplicas is 9223372036854775807, more than"},
		{"total beyond int64", map[string]any{"totalReplicas": 9.223372036854775808e18}, "spec.totalReplicas is 9.223372036854776e+18, more than"},
		{"total negative", map[string]any{"totalReplicas": int64(-1)}, "not -1"},
		{"total fractional", map[string]any{"totalReplicas": 1.5}, "not 1.5"},
		{"total a string", map[string]any{"totalReplicas": "3"}, `not the string "3"`},
		{"total a list", map[string]any{"totalReplicas": []any{int64(3)}}, "not a list"},
		{"total true", map[string]any{"totalReplicas": true}, "not true"},
		{"minReplicas beyond int32", cluster("minReplicas", int64(math.MaxInt32)+1), where + "spec.clusters.east.minReplicas is 2147483648, more than a workload's replicas (an int32) can hold"},
		{"maxReplicas beyond int32", cluster("maxReplicas", int64(1)<<40), where + "spec.clusters.east.maxReplicas is 1099511627776, more than a workload's replicas (an int32) can hold"},
		{"maxReplicas negative", cluster("maxReplicas", int64(-5)), "spec.clusters.east.maxReplicas must be a whole number of zero or more, not -5"},
		{"weight negative", cluster("weight", int64(-1)), where + "spec.clusters.east.weight must be a whole number of zero or more, not -1"},
		{"weight beyond int64", cluster("weight", 1e19), "spec.clusters.east.weight is 1e+19, more than 9223372036854775807"},
		{"weight fractional", cluster("weight", 0.5), "spec.clusters.east.weight must be a whole number of zero or more, not 0.5"},
		{"weight a string", cluster("weight", "1"), `spec.clusters.east.weight must be a whole number of zero or more, not the string "1"`},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Assemble([]Document{preference(tt.spec)}, DefaultKubeFedNamespace, "default")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	t.Run("the largest figures are kept exactly", func(t *testing.T) {
		spec := map[string]any{"totalReplicas": int64(math.MaxInt32), "clusters": map[string]any{
			"east": map[string]any{"minReplicas": int64(math.MaxInt32), "maxReplicas": int64(math.MaxInt32), "weight": int64(math.MaxInt64)}}}
		f, err := Assemble([]Document{preference(spec)}, DefaultKubeFedNamespace, "default")
		require.NoError(t, err)
		require.Len(t, f.Preferences, 1)
		got := f.Preferences[0].Spec
		max := int64(math.MaxInt32)
		assert.Equal(t, int32(math.MaxInt32), got.TotalReplicas)
		assert.Equal(t, ClusterPreferences{MinReplicas: math.MaxInt32, MaxReplicas: &max, Weight: math.MaxInt64}, got.Clusters["east"])
	})
}
