package apis

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resources of kubefed's APIs and the ones its commands touch.
var (
	KubeFedClusterResource      = schema.GroupVersionResource{Group: CoreGroup, Version: CoreVersion, Resource: "kubefedclusters"}
	KubeFedConfigResource       = schema.GroupVersionResource{Group: CoreGroup, Version: CoreVersion, Resource: "kubefedconfigs"}
	FederatedTypeConfigResource = schema.GroupVersionResource{Group: CoreGroup, Version: CoreVersion, Resource: "federatedtypeconfigs"}
	PreferenceResource          = schema.GroupVersionResource{Group: SchedulingGroup, Version: SchedulingVersion, Resource: "replicaschedulingpreferences"}
	CRDResource                 = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// KubeFedClusterGVK is the kind of a member's registration.
var KubeFedClusterGVK = schema.GroupVersionKind{Group: CoreGroup, Version: CoreVersion, Kind: KindKubeFedCluster}

// CRDEstablished reports whether a CustomResourceDefinition is served.
func CRDEstablished(crd *unstructured.Unstructured) bool {
	conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conditions {
		cond, _ := c.(map[string]any)
		if cond["type"] == "Established" && cond["status"] == "True" {
			return true
		}
	}
	return false
}
