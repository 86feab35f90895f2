package apis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestUnknownFields(t *testing.T) {
	tests := []struct {
		name      string
		manifest  string
		federated bool
		want      []string
	}{
		{"a federated object as kubefed writes it", `apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: demo, labels: {app: web}}
spec:
  template: {spec: {replicas: 3, anything: [1]}}
  placement: {clusters: [{name: c1}], clusterSelector: {matchLabels: {region: us}, matchExpressions: [{key: k, operator: In, values: [v]}]}}
  overrides: [{clusterName: c1, clusterOverrides: [{op: add, path: /spec/replicas, value: 1}]}]
  retainReplicas: true
status: {clusters: [{name: c1}]}
`, true, nil},
		{"a misspelt placement", "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedDeployment\nmetadata: {name: web}\nspec: {template: {}, placment: {clusters: []}}\n", true,
			[]string{"spec.placment"}},
		{"misspelt fields at the top, in metadata, placement and overrides", `apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: web, lables: {a: b}}
spce: {}
spec:
  placement: {cluster: [{name: c1}], clusterSelector: {matchLabel: {a: b}}}
  overrides: [{clusterName: c1, clusterOverride: []}]
`, true, []string{"metadata.lables", "spce", "spec.overrides[0].clusterOverride", "spec.placement.cluster", "spec.placement.clusterSelector.matchLabel"}},
		{"a KubeFedCluster with status", `apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: c1}
spec: {apiEndpoint: https://c1, secretRef: {name: s}, caBundle: Y2E=, disabledTLSValidations: ["*"], proxyURL: http://p}
status: {conditions: [{type: Ready, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}
`, false, nil},
		{"a KubeFedCluster's misspelt endpoint", "apiVersion: core.kubefed.io/v1beta1\nkind: KubeFedCluster\nmetadata: {name: c1}\nspec: {apiEndPoint: https://c1, secretRef: {name: s, namespace: x}}\n", false,
			[]string{"spec.apiEndPoint", "spec.secretRef.namespace"}},
		{"a FederatedTypeConfig", `apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: deployments.apps}
spec:
  targetType: {group: apps, version: v1, kind: Deployment, pluralName: deployments, scope: Namespaced}
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedDeployment, pluralName: federateddeployments, scope: Namespaced}
  propagation: Enabled
  propogation: Enabled
`, false, []string{"spec.propogation"}},
		{"a ReplicaSchedulingPreference", `apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web}
spec: {targetKind: FederatedDeployment, totalReplicas: 4, rebalance: true, clusters: {c1: {weight: 1, minReplica: 1}}}
`, false, []string{"spec.clusters.minReplica"}},
		{"another kind is not checked", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\nwhatever: 1\n", false, nil},
		{"a field of the wrong type is left to reading", "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedDeployment\nmetadata: {name: web}\nspec: {placement: 3}\n", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := &unstructured.Unstructured{}
			require.NoError(t, yaml.Unmarshal([]byte(tt.manifest), &obj.Object))
			assert.Equal(t, tt.want, UnknownFields(obj, tt.federated))
		})
	}
}
