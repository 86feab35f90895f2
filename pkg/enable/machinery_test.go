package enable

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func TestRefuseMachinery(t *testing.T) {
	groups := apis.MachineryGroups("fed.example.com", "")
	tests := []struct {
		resource apis.APIResource
		refused  string // part of the error, or "" when enabled
	}{
		{apis.APIResource{Group: "types.kubefed.io", Kind: "FederatedConfigMap", PluralName: "federatedconfigmaps"}, "such as configmaps"},
		{apis.APIResource{Group: "fed.example.com", Kind: "FederatedDeployment", PluralName: "federateddeployments"}, "group fed.example.com"},
		{apis.APIResource{Group: "core.kubefed.io", Kind: "KubeFedCluster", PluralName: "kubefedclusters"}, "kubefedclusters.core.kubefed.io is one of the federation's own types"},
		{apis.APIResource{Group: "core.kubefed.io", Kind: "FederatedTypeConfig", PluralName: "federatedtypeconfigs"}, "such as configmaps or deployments.apps"},
		{apis.APIResource{Group: "scheduling.kubefed.io", Kind: "ReplicaSchedulingPreference", PluralName: "replicaschedulingpreferences"}, "such as configmaps or deployments.apps"},
		{apis.APIResource{Group: "", Kind: "ConfigMap", PluralName: "configmaps"}, ""},
		{apis.APIResource{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", PluralName: "customresourcedefinitions"}, ""},
		// A kind named Federated... of a group that is not the federation's is a user's type.
		{apis.APIResource{Group: "ml.example.com", Kind: "FederatedLearningJob", PluralName: "federatedlearningjobs"}, ""},
		// A group that merely ends like kubefed's is not kubefed's.
		{apis.APIResource{Group: "types.kubefed.io.example.com", Kind: "Widget", PluralName: "widgets"}, ""},
	}
	for _, tt := range tests {
		t.Run(apis.TypeConfigName(tt.resource), func(t *testing.T) {
			err := RefuseMachinery(tt.resource, groups)
			if tt.refused == "" {
				assert.NoError(t, err)
				return
			}
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.refused)
			}
		})
	}
}
