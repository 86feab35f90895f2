package install

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// complete is kubefed v0.10's chart KubeFedConfig spec at its defaults.
func complete(scope, adopt string) map[string]any {
	return map[string]any{
		"scope":              scope,
		"controllerDuration": map[string]any{"availableDelay": "20s", "unavailableDelay": "60s", "cacheSyncTimeout": "5m"},
		"leaderElect":        map[string]any{"leaseDuration": "15s", "renewDeadline": "10s", "retryPeriod": "5s", "resourceLock": "configmaps"},
		"clusterHealthCheck": map[string]any{"period": "10s", "failureThreshold": int64(3), "successThreshold": int64(1), "timeout": "3s"},
		"syncController":     map[string]any{"maxConcurrentReconciles": int64(1), "adoptResources": adopt},
		"statusController":   map[string]any{"maxConcurrentReconciles": int64(1)},
		"featureGates": []any{
			map[string]any{"name": "PushReconciler", "configuration": "Enabled"},
			map[string]any{"name": "SchedulerPreferences", "configuration": "Enabled"},
		},
	}
}

func TestConfigSpec(t *testing.T) {
	custom := func() map[string]any {
		spec := complete(apis.ScopeNamespaced, apis.AdoptResourcesDisabled)
		spec["controllerDuration"].(map[string]any)["availableDelay"] = "30s"
		spec["leaderElect"].(map[string]any)["resourceLock"] = "endpoints"
		spec["clusterHealthCheck"].(map[string]any)["failureThreshold"] = int64(5)
		spec["featureGates"] = []any{map[string]any{"name": "RawResourceStatusCollection", "configuration": "Enabled"}}
		return spec
	}
	tests := []struct {
		name     string
		existing map[string]any
		scope    string
		adopt    string
		want     map[string]any
	}{
		{"no KubeFedConfig yet", nil, apis.ScopeCluster, "", complete(apis.ScopeCluster, apis.AdoptResourcesEnabled)},
		{"no KubeFedConfig yet, adoption disabled", nil, apis.ScopeNamespaced, apis.AdoptResourcesDisabled, complete(apis.ScopeNamespaced, apis.AdoptResourcesDisabled)},
		{"an older kubefedctl's: scope and adoption kept, the rest filled in",
			map[string]any{"scope": apis.ScopeNamespaced, "syncController": map[string]any{"adoptResources": apis.AdoptResourcesDisabled}},
			apis.ScopeCluster, "", complete(apis.ScopeNamespaced, apis.AdoptResourcesDisabled)},
		{"kubefed's chart with values of its own: kept as they are", custom(), apis.ScopeCluster, "", custom()},
		{"an explicit --adopt-resources changes that value alone",
			custom(), apis.ScopeCluster, apis.AdoptResourcesEnabled,
			func() map[string]any {
				spec := custom()
				spec["syncController"].(map[string]any)["adoptResources"] = apis.AdoptResourcesEnabled
				return spec
			}()},
		{"a section partly set: its missing fields filled, fields unknown to kubefedctl kept",
			map[string]any{"scope": apis.ScopeCluster, "leaderElect": map[string]any{"leaseDuration": "60s", "renewDeadline": "40s"}, "extra": "kept"},
			apis.ScopeCluster, "",
			func() map[string]any {
				spec := complete(apis.ScopeCluster, apis.AdoptResourcesEnabled)
				spec["leaderElect"] = map[string]any{"leaseDuration": "60s", "renewDeadline": "40s", "retryPeriod": "5s", "resourceLock": "configmaps"}
				spec["extra"] = "kept"
				return spec
			}()},
		{"an empty gate list is filled", map[string]any{"featureGates": []any{}}, apis.ScopeCluster, "", complete(apis.ScopeCluster, apis.AdoptResourcesEnabled)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before map[string]any
			if tt.existing != nil {
				before = runtime.DeepCopyJSON(tt.existing)
			}
			assert.Equal(t, tt.want, ConfigSpec(tt.existing, tt.scope, tt.adopt))
			if tt.existing != nil {
				assert.Equal(t, before, tt.existing, "existing is left as it was")
			}
		})
	}
}

func TestCRDsAreKubefedsSeven(t *testing.T) {
	crds, err := CRDs()
	require.NoError(t, err)
	type crd struct{ name, group, version, kind, scope, short string }
	var got []crd
	for _, c := range crds {
		spec := c.Object["spec"].(map[string]any)
		names := spec["names"].(map[string]any)
		versions := spec["versions"].([]any)
		require.Len(t, versions, 1, c.GetName())
		short := ""
		if s, ok := names["shortNames"].([]any); ok {
			require.Len(t, s, 1)
			short = s[0].(string)
		}
		got = append(got, crd{c.GetName(), spec["group"].(string), versions[0].(map[string]any)["name"].(string), names["kind"].(string), spec["scope"].(string), short})
		assert.Equal(t, names["plural"].(string)+"."+spec["group"].(string), c.GetName())
	}
	assert.Equal(t, []crd{
		{"clusterpropagatedversions.core.kubefed.io", "core.kubefed.io", "v1alpha1", "ClusterPropagatedVersion", "Cluster", ""},
		{"federatedservicestatuses.core.kubefed.io", "core.kubefed.io", "v1alpha1", "FederatedServiceStatus", "Namespaced", ""},
		{"federatedtypeconfigs.core.kubefed.io", "core.kubefed.io", "v1beta1", "FederatedTypeConfig", "Namespaced", "ftc"},
		{"kubefedclusters.core.kubefed.io", "core.kubefed.io", "v1beta1", "KubeFedCluster", "Namespaced", "kfc"},
		{"kubefedconfigs.core.kubefed.io", "core.kubefed.io", "v1beta1", "KubeFedConfig", "Namespaced", ""},
		{"propagatedversions.core.kubefed.io", "core.kubefed.io", "v1alpha1", "PropagatedVersion", "Namespaced", ""},
		{"replicaschedulingpreferences.scheduling.kubefed.io", "scheduling.kubefed.io", "v1alpha1", "ReplicaSchedulingPreference", "Namespaced", "rsp"},
	}, got)
}

func TestObjectsOrder(t *testing.T) {
	objects, err := Objects(Settings{Namespace: "fed", Scope: apis.ScopeCluster})
	require.NoError(t, err)
	require.Len(t, objects, 9)
	assert.Equal(t, "Namespace", objects[0].GetKind())
	for _, crd := range objects[1:8] {
		assert.Equal(t, "CustomResourceDefinition", crd.GetKind())
	}
	assert.Equal(t, apis.KindKubeFedConfig, objects[8].GetKind())
	assert.Equal(t, "fed", objects[8].GetNamespace())
	assert.Equal(t, complete(apis.ScopeCluster, apis.AdoptResourcesEnabled), objects[8].Object["spec"])
}
