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

// IsSystemNamespace reports whether kubefed refuses to propagate a FederatedNamespace of this
// name: the namespaces every cluster already has, and kubefed's own. kube-node-lease, which
// kubefed's list predates, holds each node's heartbeat Lease.
func IsSystemNamespace(name, kubefedNamespace string) bool {
	switch name {
	case "kube-system", "kube-public", "kube-node-lease", "default", kubefedNamespace:
		return true
	}
	return false
}
