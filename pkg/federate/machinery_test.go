package federate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func TestRefuseNamespaceName(t *testing.T) {
	tests := []struct{ name, refused string }{
		{"kube-system", "system namespace"},
		{"kube-public", "system namespace"},
		{"kube-node-lease", "system namespace"},
		{"default", "kubefed never propagates it"},
		{"kube-federation-system", "the KubeFed namespace"},
		{"Kube-System", "not a valid namespace name"},
		{"kube_system", "not a valid namespace name"},
		{"kube-system.", "not a valid namespace name"},
		{"", "not a valid namespace name"},
		{"kube-systems", ""},
		{"shop", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refuseNamespaceName(tt.name, apis.DefaultKubeFedNamespace)
			if tt.refused == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.refused)
			}
		})
	}
	// Another KubeFed namespace is refused as such, and the default one is then an ordinary name.
	assert.ErrorContains(t, refuseNamespaceName("fed-b", "fed-b"), "the KubeFed namespace")
	assert.NoError(t, refuseNamespaceName("kube-federation-system", "fed-b"))
}

func TestRefuseObject(t *testing.T) {
	obj := func(apiVersion, kind, namespace, name string, fields map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
		for k, v := range fields {
			u.Object[k] = v
		}
		u.SetName(name)
		u.SetNamespace(namespace)
		return u
	}
	secret := apis.APIResource{Version: "v1", Kind: "Secret", PluralName: "secrets"}
	configMap := apis.APIResource{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps"}
	namespace := apis.APIResource{Version: "v1", Kind: "Namespace", PluralName: "namespaces"}
	groups := apis.MachineryGroups("fed.example.com")
	tests := []struct {
		name     string
		resource apis.APIResource
		obj      *unstructured.Unstructured
		refused  string
	}{
		{"token Secret", secret, obj("v1", "Secret", "shop", "t", map[string]any{"type": "kubernetes.io/service-account-token"}), "service-account token"},
		{"Opaque Secret", secret, obj("v1", "Secret", "shop", "s", map[string]any{"type": "Opaque"}), ""},
		{"join's host Secret (Opaque, in the KubeFed namespace)", secret, obj("v1", "Secret", "kube-federation-system", "member1-abcde", map[string]any{"data": map[string]any{"token": "dA=="}}), "in the KubeFed namespace"},
		{"ConfigMap in the KubeFed namespace", configMap, obj("v1", "ConfigMap", "kube-federation-system", "c", nil), "in the KubeFed namespace"},
		{"ConfigMap in kube-system", configMap, obj("v1", "ConfigMap", "kube-system", "c", nil), ""},
		{"Namespace kube-system", namespace, obj("v1", "Namespace", "", "kube-system", nil), "system namespace"},
		{"Namespace Kube-System", namespace, obj("v1", "Namespace", "", "Kube-System", nil), "not a valid namespace name"},
		{"FederatedConfigMap", apis.APIResource{Group: "types.kubefed.io", Kind: "FederatedConfigMap", PluralName: "federatedconfigmaps"},
			obj("types.kubefed.io/v1beta1", "FederatedConfigMap", "shop", "c", nil), "federation's own types"},
		{"FederatedSecret of a configured group", apis.APIResource{Group: "fed.example.com", Kind: "FederatedSecret", PluralName: "federatedsecrets"},
			obj("fed.example.com/v1", "FederatedSecret", "shop", "s", nil), "federation's own types"},
		{"KubeFedCluster", apis.APIResource{Group: "core.kubefed.io", Kind: "KubeFedCluster", PluralName: "kubefedclusters"},
			obj("core.kubefed.io/v1beta1", "KubeFedCluster", "kube-federation-system", "member1", nil), "federation's own types"},
		// A kind named Secret in another group is not a core Secret.
		{"a Secret of another group", apis.APIResource{Group: "example.com", Kind: "Secret", PluralName: "secrets"},
			obj("example.com/v1", "Secret", "shop", "t", map[string]any{"type": "kubernetes.io/service-account-token"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refuseObject(tt.resource, tt.obj, apis.DefaultKubeFedNamespace, groups)
			if tt.refused == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.refused)
			}
		})
	}
}
