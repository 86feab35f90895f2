package apis

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The shapes the host's CRDs give kubefed's own kinds, status included, for finding fields they
// do not have. A Federated<Kind>'s template is the target type's, not checked here.
type (
	clusterFields struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata,omitempty"`
		Spec              KubeFedClusterSpec    `json:"spec"`
		Status            *KubeFedClusterStatus `json:"status,omitempty"`
	}
	typeConfigFields struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata,omitempty"`
		Spec              FederatedTypeConfigSpec `json:"spec"`
		Status            map[string]any          `json:"status,omitempty"`
	}
	preferenceFields struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata,omitempty"`
		Spec              ReplicaSchedulingPreferenceSpec `json:"spec"`
		Status            map[string]any                  `json:"status,omitempty"`
	}
	federatedFields struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata,omitempty"`
		Spec              struct {
			Template  map[string]any     `json:"template,omitempty"`
			Placement *Placement         `json:"placement,omitempty"`
			Overrides []ClusterOverrides `json:"overrides,omitempty"`
			// Scalable types' (kubefed adds it where the target's spec.replicas is an int32).
			RetainReplicas *bool `json:"retainReplicas,omitempty"`
		} `json:"spec"`
		Status map[string]any `json:"status,omitempty"`
	}
)

// UnknownFields lists, sorted, the fields of one of kubefed's own kinds that its schema does not
// have (spec.placment, metadata.lables), as the host's strict field validation names them:
// KubeFedCluster, FederatedTypeConfig and ReplicaSchedulingPreference, and a Federated<Kind>
// (federated true) at the top level and in spec, placement and overrides. Any other object has
// none. A field of the wrong type is not reported here: reading the object says what it must be.
func UnknownFields(obj *unstructured.Unstructured, federated bool) []string {
	var into any
	gvk := obj.GroupVersionKind()
	switch {
	case federated:
		into = &federatedFields{}
	case gvk.Group == CoreGroup && gvk.Kind == KindKubeFedCluster:
		into = &clusterFields{}
	case gvk.Group == CoreGroup && gvk.Kind == KindFederatedTypeConfig:
		into = &typeConfigFields{}
	case gvk.Group == SchedulingGroup && gvk.Kind == KindReplicaSchedulingPreference:
		into = &preferenceFields{}
	default:
		return nil
	}
	err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj.Object, into, true)
	strict, ok := runtime.AsStrictDecodingError(err)
	if !ok {
		return nil
	}
	var fields []string
	for _, e := range strict.Errors() {
		field := strings.TrimSuffix(strings.TrimPrefix(e.Error(), `unknown field "`), `"`)
		fields = append(fields, field)
	}
	return fields
}
