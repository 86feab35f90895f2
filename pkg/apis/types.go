package apis

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KubeFedCluster registers a member cluster (core.kubefed.io/v1beta1).
type KubeFedCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              KubeFedClusterSpec `json:"spec"`
	// Status is nil for a cluster that has none yet, which is not ready.
	Status *KubeFedClusterStatus `json:"status,omitempty"`
}

type KubeFedClusterSpec struct {
	APIEndpoint            string               `json:"apiEndpoint"`
	CABundle               []byte               `json:"caBundle,omitempty"`
	SecretRef              LocalSecretReference `json:"secretRef"`
	DisabledTLSValidations []string             `json:"disabledTLSValidations,omitempty"`
	ProxyURL               string               `json:"proxyURL,omitempty"`
}

type LocalSecretReference struct {
	Name string `json:"name"`
}

type KubeFedClusterStatus struct {
	Conditions        []ClusterCondition `json:"conditions,omitempty"`
	KubernetesVersion string             `json:"kubernetesVersion,omitempty"`
	Zones             []string           `json:"zones,omitempty"`
	Region            *string            `json:"region,omitempty"`
}

type ClusterCondition struct {
	Type               string       `json:"type"`
	Status             string       `json:"status"`
	LastProbeTime      metav1.Time  `json:"lastProbeTime"`
	LastTransitionTime *metav1.Time `json:"lastTransitionTime,omitempty"`
	Reason             string       `json:"reason,omitempty"`
	Message            string       `json:"message,omitempty"`
}

// Ready reports kubefed's notion of a ready cluster: its status has a Ready condition that is
// True. A cluster without a status yet is not ready.
func (c *KubeFedCluster) Ready() bool {
	if c.Status == nil {
		return false
	}
	for _, cond := range c.Status.Conditions {
		if cond.Type == ClusterReady && cond.Status == "True" {
			return true
		}
	}
	return false
}

// KubeFedConfig is the federation-wide configuration (core.kubefed.io/v1beta1, name "kubefed").
type KubeFedConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              KubeFedConfigSpec `json:"spec"`
}

type KubeFedConfigSpec struct {
	Scope          string                `json:"scope,omitempty"`
	SyncController *SyncControllerConfig `json:"syncController,omitempty"`
}

type SyncControllerConfig struct {
	AdoptResources string `json:"adoptResources,omitempty"`
}

// FederatedTypeConfig enables propagation of one target type (core.kubefed.io/v1beta1).
type FederatedTypeConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              FederatedTypeConfigSpec `json:"spec"`
}

type FederatedTypeConfigSpec struct {
	TargetType       APIResource  `json:"targetType"`
	Propagation      string       `json:"propagation"`
	FederatedType    APIResource  `json:"federatedType"`
	StatusType       *APIResource `json:"statusType,omitempty"`
	StatusCollection string       `json:"statusCollection,omitempty"`
}

type APIResource struct {
	Group      string `json:"group,omitempty"`
	Version    string `json:"version"`
	Kind       string `json:"kind"`
	PluralName string `json:"pluralName"`
	Scope      string `json:"scope"`
}

// APIVersion is the group/version string of the resource, "v1" for the core group.
func (r APIResource) APIVersion() string {
	if r.Group == "" {
		return r.Version
	}
	return r.Group + "/" + r.Version
}

// Namespaced reports whether the target of the type config lives in namespaces.
func (t *FederatedTypeConfig) Namespaced() bool {
	return t.Spec.TargetType.Scope == ScopeNamespaced
}

// FederatedResource is the resource of the type config's federated type, in the host.
func (t *FederatedTypeConfig) FederatedResource() schema.GroupVersionResource {
	f := t.Spec.FederatedType
	return schema.GroupVersionResource{Group: f.Group, Version: f.Version, Resource: f.PluralName}
}

// Enabled reports whether propagation is on. kubefed treats anything but Disabled as enabled.
func (t *FederatedTypeConfig) Enabled() bool {
	return t.Spec.Propagation != PropagationDisabled
}

// ReplicaSchedulingPreference splits the replicas of a federated workload across clusters
// (scheduling.kubefed.io/v1alpha1).
type ReplicaSchedulingPreference struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ReplicaSchedulingPreferenceSpec `json:"spec"`
}

type ReplicaSchedulingPreferenceSpec struct {
	TargetKind                   string                        `json:"targetKind"`
	TotalReplicas                int32                         `json:"totalReplicas"`
	Rebalance                    bool                          `json:"rebalance,omitempty"`
	IntersectWithClusterSelector bool                          `json:"intersectWithClusterSelector,omitempty"`
	Clusters                     map[string]ClusterPreferences `json:"clusters,omitempty"`
}

type ClusterPreferences struct {
	MinReplicas int64  `json:"minReplicas,omitempty"`
	MaxReplicas *int64 `json:"maxReplicas,omitempty"`
	Weight      int64  `json:"weight,omitempty"`
}

// Placement is spec.placement of a federated object. Clusters keeps the difference between
// absent (nil: the selector decides) and empty (no cluster at all), as kubefed does.
type Placement struct {
	Clusters        []ClusterReference    `json:"clusters"`
	ClusterSelector *metav1.LabelSelector `json:"clusterSelector,omitempty"`
}

type ClusterReference struct {
	Name string `json:"name"`
}

// ClusterOverrides is one entry of spec.overrides.
type ClusterOverrides struct {
	ClusterName      string     `json:"clusterName"`
	ClusterOverrides []Override `json:"clusterOverrides,omitempty"`
}

// Override is one JSON-patch operation; an empty Op means replace.
type Override struct {
	Op    string `json:"op,omitempty"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}
