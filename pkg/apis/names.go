package apis

// API groups and versions kubefed serves.
const (
	CoreGroup                       = "core.kubefed.io"
	CoreVersion                     = "v1beta1"
	SchedulingGroup                 = "scheduling.kubefed.io"
	SchedulingVersion               = "v1alpha1"
	DefaultFederatedGroup           = "types.kubefed.io"
	DefaultFederatedVersion         = "v1beta1"
	DefaultKubeFedNamespace         = "kube-federation-system"
	KubeFedConfigName               = "kubefed"
	FederatedKindPrefix             = "Federated"
	KindKubeFedCluster              = "KubeFedCluster"
	KindKubeFedConfig               = "KubeFedConfig"
	KindFederatedTypeConfig         = "FederatedTypeConfig"
	KindReplicaSchedulingPreference = "ReplicaSchedulingPreference"
)

// Labels, annotations and finalizers with kubefed's exact values.
const (
	ManagedLabel           = "kubefed.io/managed"
	ManagedLabelTrue       = "true"
	ManagedLabelFalse      = "false"
	OrphanAnnotation       = "kubefed.io/orphan"
	DeleteOptionAnnotation = "kubefed.io/deleteoption"
	SyncFinalizer          = "kubefed.io/sync-controller"
	// TypeConfigFinalizer is what kubefed's type-config controller puts on FederatedTypeConfigs;
	// with no such controller running, disable removes it.
	TypeConfigFinalizer = "core.kubefed.io/federated-type-config"
)

// Scope of an API type or of the federation.
const (
	ScopeNamespaced = "Namespaced"
	ScopeCluster    = "Cluster"
)

// Propagation and adoption switches.
const (
	PropagationEnabled     = "Enabled"
	PropagationDisabled    = "Disabled"
	AdoptResourcesEnabled  = "Enabled"
	AdoptResourcesDisabled = "Disabled"
)

// Cluster condition types.
const (
	ClusterReady           = "Ready"
	ClusterOffline         = "Offline"
	ClusterConfigMalformed = "ConfigMalformed"
)

// Kinds a ReplicaSchedulingPreference may target.
const (
	KindFederatedDeployment = "FederatedDeployment"
	KindFederatedReplicaSet = "FederatedReplicaSet"
)

// IsSystemNamespace reports whether a FederatedNamespace of this name is never propagated: the
// namespaces every cluster already has (kubefed's list, and kube-node-lease), and the
// federation's own.
func IsSystemNamespace(name, kubefedNamespace string) bool {
	return name == "default" || IsReservedNamespace(name, kubefedNamespace)
}

// IsReservedNamespace reports whether nothing may be propagated into a namespace: the
// clusters' own system namespaces and the namespace of the federation's machinery (its
// service accounts, tokens and roles in every member). A Namespaced-scope federation, whose
// objects live in its KubeFed namespace, is the one exception, and its callers make it.
func IsReservedNamespace(name, kubefedNamespace string) bool {
	switch name {
	case "kube-system", "kube-public", "kube-node-lease", kubefedNamespace:
		return true
	}
	return false
}

// MachineryGroups are the API groups of the federation itself: its cluster registry and type
// configs, its scheduling preferences, and every group its federated types live in (the
// default one and those given: the configured one, those the host's type configs name). Their
// objects are never federated, and their types are never enabled or propagated: a federated
// FederatedConfigMap would let whoever may write one place any object anywhere.
func MachineryGroups(federatedGroups ...string) map[string]bool {
	groups := map[string]bool{CoreGroup: true, SchedulingGroup: true, DefaultFederatedGroup: true}
	for _, g := range federatedGroups {
		if g != "" {
			groups[g] = true
		}
	}
	return groups
}

// IsMachineryGroup reports whether an API group holds the federation's own types, for a type
// whose federated group is federatedGroup.
func IsMachineryGroup(group, federatedGroup string) bool {
	return MachineryGroups(federatedGroup)[group]
}
