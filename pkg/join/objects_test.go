package join

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func TestMemberObjectsUseKubefedNames(t *testing.T) {
	n := names{cluster: "east", hostCluster: "host", namespace: apis.DefaultKubeFedNamespace}
	var got []string
	for _, obj := range memberObjects(n, apis.ScopeCluster, fullRules()) {
		got = append(got, describe(obj))
	}
	assert.Equal(t, []string{
		"Namespace kube-federation-system",
		"ServiceAccount kube-federation-system/east-host",
		"Secret kube-federation-system/east-host",
		"ClusterRole kubefed-controller-manager:east-host",
		"ClusterRoleBinding kubefed-controller-manager:east-host",
	}, got)
	got = nil
	for _, obj := range memberObjects(n, apis.ScopeNamespaced, fullRules()) {
		got = append(got, describe(obj))
	}
	assert.Equal(t, []string{
		"Namespace kube-federation-system",
		"ServiceAccount kube-federation-system/east-host",
		"Secret kube-federation-system/east-host",
		"Role kube-federation-system/kubefed-controller-manager:east-host",
		"RoleBinding kube-federation-system/kubefed-controller-manager:east-host",
		"ClusterRole kubefed-controller-manager:kube-federation-system:healthcheck-east-host",
		"ClusterRoleBinding kubefed-controller-manager:kube-federation-system:healthcheck-east-host",
	}, got)
}

func TestScopedRulesGrantTheEnabledTypesOnly(t *testing.T) {
	deployments := apis.NewTypeConfig(apis.APIResource{Group: "apps", Version: "v1", Kind: "Deployment", PluralName: "deployments", Scope: apis.ScopeNamespaced}, "types.kubefed.io", "v1beta1")
	configmaps := apis.NewTypeConfig(apis.APIResource{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps", Scope: apis.ScopeNamespaced}, "types.kubefed.io", "v1beta1")
	disabled := apis.NewTypeConfig(apis.APIResource{Version: "v1", Kind: "Secret", PluralName: "secrets", Scope: apis.ScopeNamespaced}, "types.kubefed.io", "v1beta1")
	disabled.Spec.Propagation = apis.PropagationDisabled
	verbs := []any{"get", "list", "watch", "create", "update", "patch", "delete"}
	assert.Equal(t, []any{
		map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps", "namespaces"}, "verbs": verbs},
		map[string]any{"apiGroups": []any{"apps"}, "resources": []any{"deployments"}, "verbs": verbs},
		map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get", "list", "watch"}},
		map[string]any{"nonResourceURLs": []any{"/healthz", "/readyz", "/livez", "/version", "/api", "/api/*", "/apis", "/apis/*"}, "verbs": []any{"get"}},
	}, scopedRules([]*apis.FederatedTypeConfig{deployments, configmaps, disabled}))
}
