package apis

import "strings"

// builtinTargets are the target types a Federated<Kind> in the default federated group maps to
// when the input carries no FederatedTypeConfig for it: kubefed's default type configs and the
// other workload, configuration and RBAC types people federate most.
var builtinTargets = []APIResource{
	{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps", Scope: ScopeNamespaced},
	{Version: "v1", Kind: "LimitRange", PluralName: "limitranges", Scope: ScopeNamespaced},
	{Version: "v1", Kind: "Namespace", PluralName: "namespaces", Scope: ScopeCluster},
	{Version: "v1", Kind: "PersistentVolumeClaim", PluralName: "persistentvolumeclaims", Scope: ScopeNamespaced},
	{Version: "v1", Kind: "ResourceQuota", PluralName: "resourcequotas", Scope: ScopeNamespaced},
	{Version: "v1", Kind: "Secret", PluralName: "secrets", Scope: ScopeNamespaced},
	{Version: "v1", Kind: "Service", PluralName: "services", Scope: ScopeNamespaced},
	{Version: "v1", Kind: "ServiceAccount", PluralName: "serviceaccounts", Scope: ScopeNamespaced},
	{Group: "apps", Version: "v1", Kind: "DaemonSet", PluralName: "daemonsets", Scope: ScopeNamespaced},
	{Group: "apps", Version: "v1", Kind: "Deployment", PluralName: "deployments", Scope: ScopeNamespaced},
	{Group: "apps", Version: "v1", Kind: "ReplicaSet", PluralName: "replicasets", Scope: ScopeNamespaced},
	{Group: "apps", Version: "v1", Kind: "StatefulSet", PluralName: "statefulsets", Scope: ScopeNamespaced},
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler", PluralName: "horizontalpodautoscalers", Scope: ScopeNamespaced},
	{Group: "batch", Version: "v1", Kind: "CronJob", PluralName: "cronjobs", Scope: ScopeNamespaced},
	{Group: "batch", Version: "v1", Kind: "Job", PluralName: "jobs", Scope: ScopeNamespaced},
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress", PluralName: "ingresses", Scope: ScopeNamespaced},
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy", PluralName: "networkpolicies", Scope: ScopeNamespaced},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget", PluralName: "poddisruptionbudgets", Scope: ScopeNamespaced},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", PluralName: "clusterroles", Scope: ScopeCluster},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding", PluralName: "clusterrolebindings", Scope: ScopeCluster},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role", PluralName: "roles", Scope: ScopeNamespaced},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding", PluralName: "rolebindings", Scope: ScopeNamespaced},
}

// BuiltinScope is the scope of a built-in kind that kubefedctl knows, so that a type config
// cannot declare another.
func BuiltinScope(group, kind string) (string, bool) {
	for _, target := range builtinTargets {
		if target.Group == group && target.Kind == kind {
			return target.Scope, true
		}
	}
	return "", false
}

// BuiltinTypeConfig returns the type config kubefedctl assumes for a federated kind of the default
// federated group when none is given, as `kubefedctl enable` would generate it.
func BuiltinTypeConfig(federatedKind string) (*FederatedTypeConfig, bool) {
	kind, ok := strings.CutPrefix(federatedKind, FederatedKindPrefix)
	if !ok {
		return nil, false
	}
	for _, target := range builtinTargets {
		if target.Kind == kind {
			return NewTypeConfig(target, DefaultFederatedGroup, DefaultFederatedVersion), true
		}
	}
	return nil, false
}

// NewTypeConfig builds the FederatedTypeConfig kubefed generates for a target type.
func NewTypeConfig(target APIResource, federatedGroup, federatedVersion string) *FederatedTypeConfig {
	federatedScope := target.Scope
	if target.Group == "" && target.PluralName == "namespaces" {
		// A FederatedNamespace lives in the namespace it federates.
		federatedScope = ScopeNamespaced
	}
	tc := &FederatedTypeConfig{
		Spec: FederatedTypeConfigSpec{
			TargetType:  target,
			Propagation: PropagationEnabled,
			FederatedType: APIResource{
				Group:      federatedGroup,
				Version:    federatedVersion,
				Kind:       FederatedKindPrefix + target.Kind,
				PluralName: "federated" + target.PluralName,
				Scope:      federatedScope,
			},
		},
	}
	tc.APIVersion = CoreGroup + "/" + CoreVersion
	tc.Kind = KindFederatedTypeConfig
	tc.Name = TypeConfigName(target)
	return tc
}

// TypeConfigName is kubefed's name for a type config: the plural, qualified by the group
// unless it is the core group (configmaps, deployments.apps).
func TypeConfigName(target APIResource) string {
	if target.Group == "" {
		return target.PluralName
	}
	return target.PluralName + "." + target.Group
}
