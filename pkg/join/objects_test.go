package join

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func TestMemberObjectsUseKubefedNames(t *testing.T) {
	n := names{cluster: "east", hostCluster: "host", namespace: apis.DefaultKubeFedNamespace}
	var got []string
	for _, obj := range memberObjects(n, apis.ScopeCluster, grants(apis.ScopeCluster, RBACFull, nil)) {
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
	for _, obj := range memberObjects(n, apis.ScopeNamespaced, grants(apis.ScopeNamespaced, RBACFull, nil)) {
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

func TestServiceAccountEnforcesMountableSecrets(t *testing.T) {
	n := names{cluster: "east", hostCluster: "host", namespace: apis.DefaultKubeFedNamespace}
	for _, scope := range []string{apis.ScopeCluster, apis.ScopeNamespaced} {
		for _, obj := range memberObjects(n, scope, grants(scope, RBACFull, nil)) {
			want := map[string]string(nil)
			if obj.GetKind() == "ServiceAccount" {
				want = map[string]string{"kubernetes.io/enforce-mountable-secrets": "true"}
			} else if obj.GetKind() == "Secret" || obj.GetNamespace() == "" {
				continue // annotated otherwise, by TestWhatLiesOutsideTheNamespaceNamesTheJoin
			}
			assert.Equal(t, want, obj.GetAnnotations(), "%s in %s scope", describe(obj), scope)
		}
	}
}

func TestWhatLiesOutsideTheNamespaceNamesTheJoin(t *testing.T) {
	n := names{cluster: "east", hostCluster: "host", namespace: "fed-b"}
	for _, scope := range []string{apis.ScopeCluster, apis.ScopeNamespaced} {
		for _, obj := range memberObjects(n, scope, grants(scope, RBACScoped, nil)) {
			want := ""
			if obj.GetNamespace() == "" {
				want = "fed-b/east-host"
			}
			assert.Equal(t, want, obj.GetAnnotations()[JoinedByAnnotation], "%s in %s scope", describe(obj), scope)
		}
	}
}

func typeConfig(group, version, kind, plural, scope string) *apis.FederatedTypeConfig {
	return apis.NewTypeConfig(apis.APIResource{Group: group, Version: version, Kind: kind, PluralName: plural, Scope: scope}, "types.kubefed.io", "v1beta1")
}

func TestGrants(t *testing.T) {
	deployments := typeConfig("apps", "v1", "Deployment", "deployments", apis.ScopeNamespaced)
	configmaps := typeConfig("", "v1", "ConfigMap", "configmaps", apis.ScopeNamespaced)
	clusterRoles := typeConfig("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", apis.ScopeCluster)
	disabled := typeConfig("", "v1", "Secret", "secrets", apis.ScopeNamespaced)
	disabled.Spec.Propagation = apis.PropagationDisabled
	enabled := []*apis.FederatedTypeConfig{deployments, configmaps, clusterRoles, disabled}
	health := []any{map[string]any{"nonResourceURLs": []any{"/healthz", "/version", "/api", "/api/*", "/apis", "/apis/*"}, "verbs": []any{"get"}}}
	all := map[string]any{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"*"}}
	tests := []struct {
		name, scope, mode string
		want              grant
	}{
		{"full, Cluster scope: kubefed's", apis.ScopeCluster, RBACFull, grant{role: []any{all, map[string]any{"nonResourceURLs": []any{"*"}, "verbs": []any{"get"}}}}},
		{"full, Namespaced scope: everything in the namespace, health URLs cluster-wide", apis.ScopeNamespaced, RBACFull, grant{role: []any{all}, health: health}},
		{"scoped, Cluster scope: the enabled types and namespaces, the health URLs", apis.ScopeCluster, RBACScoped, grant{role: []any{
			map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps", "namespaces"}, "verbs": manageVerbs},
			map[string]any{"apiGroups": []any{"apps"}, "resources": []any{"deployments"}, "verbs": manageVerbs},
			map[string]any{"apiGroups": []any{"rbac.authorization.k8s.io"}, "resources": []any{"clusterroles"}, "verbs": manageVerbs},
			health[0],
		}}},
		{"scoped, Namespaced scope: the enabled namespaced types only, in the namespace", apis.ScopeNamespaced, RBACScoped, grant{role: []any{
			map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"}, "verbs": manageVerbs},
			map[string]any{"apiGroups": []any{"apps"}, "resources": []any{"deployments"}, "verbs": manageVerbs},
		}, health: health}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, grants(tt.scope, tt.mode, enabled))
		})
	}
	assert.Equal(t, grant{role: []any{}, health: health}, grants(apis.ScopeNamespaced, RBACScoped, []*apis.FederatedTypeConfig{disabled, clusterRoles}),
		"nothing enabled that Namespaced scope propagates: an empty Role")
}

func TestReadToVerify(t *testing.T) {
	deployments := typeConfig("apps", "v1", "Deployment", "deployments", apis.ScopeNamespaced)
	configmaps := typeConfig("", "v1", "ConfigMap", "configmaps", apis.ScopeNamespaced)
	clusterRoles := typeConfig("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", apis.ScopeCluster)
	tests := []struct {
		name  string
		scope string
		tcs   []*apis.FederatedTypeConfig
		want  federationRead
		says  string
	}{
		{"Cluster scope, no types", apis.ScopeCluster, nil, federationRead{version: "v1", resource: "namespaces"}, "list namespaces"},
		{"Cluster scope, first type by group", apis.ScopeCluster, []*apis.FederatedTypeConfig{deployments, configmaps}, federationRead{version: "v1", resource: "configmaps"}, "list configmaps"},
		{"Namespaced scope lists in the namespace", apis.ScopeNamespaced, []*apis.FederatedTypeConfig{clusterRoles, deployments}, federationRead{group: "apps", version: "v1", resource: "deployments", namespace: "fed"}, "list deployments.apps in namespace fed"},
		{"Namespaced scope, no namespaced type: discovery", apis.ScopeNamespaced, []*apis.FederatedTypeConfig{clusterRoles}, federationRead{}, "read the API discovery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readToVerify(tt.scope, tt.tcs, "fed")
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.says, got.String())
		})
	}
}
