package install

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// chartDefaults are the sections of kubefed v0.10's chart KubeFedConfig that its controller
// manager refuses to start without, at the chart's values. kubefedctl reads only scope and
// syncController.adoptResources; the rest is there so that kubefed's own controller can run
// on the host (to roll back, or beside kubefedctl during a migration).
func chartDefaults() map[string]any {
	return map[string]any{
		"controllerDuration": map[string]any{"availableDelay": "20s", "unavailableDelay": "60s", "cacheSyncTimeout": "5m"},
		"leaderElect":        map[string]any{"leaseDuration": "15s", "renewDeadline": "10s", "retryPeriod": "5s", "resourceLock": "configmaps"},
		"clusterHealthCheck": map[string]any{"period": "10s", "failureThreshold": int64(3), "successThreshold": int64(1), "timeout": "3s"},
		"syncController":     map[string]any{"maxConcurrentReconciles": int64(1), "adoptResources": apis.AdoptResourcesEnabled},
		"statusController":   map[string]any{"maxConcurrentReconciles": int64(1)},
		"featureGates": []any{
			map[string]any{"name": "PushReconciler", "configuration": "Enabled"},
			map[string]any{"name": "SchedulerPreferences", "configuration": "Enabled"},
		},
	}
}

// ConfigSpec is the spec init writes into the KubeFedConfig: what the host holds (existing, nil
// when there is none), completed with kubefed's chart defaults where a field is missing. A value
// already present is kept as it is, whoever set it (kubefed's chart, a user), fields kubefedctl
// does not know included; only an explicit --adopt-resources (adopt not empty) changes one. The
// scope is the existing one when set (init refuses a change before it gets here), else scope.
func ConfigSpec(existing map[string]any, scope, adopt string) map[string]any {
	spec := map[string]any{}
	if existing != nil {
		spec = runtime.DeepCopyJSON(existing)
	}
	if s, _ := spec["scope"].(string); s == "" {
		spec["scope"] = scope
	}
	for key, value := range chartDefaults() {
		switch defaults := value.(type) {
		case map[string]any:
			section, ok := spec[key].(map[string]any)
			if !ok {
				spec[key] = defaults
				continue
			}
			for field, v := range defaults {
				if _, present := section[field]; !present {
					section[field] = v
				}
			}
		case []any:
			// A list of gates is the user's choice as a whole: kubefed fills the gates it
			// leaves out with their defaults itself.
			if gates, _ := spec[key].([]any); len(gates) == 0 {
				spec[key] = defaults
			}
		}
	}
	if adopt != "" {
		spec["syncController"].(map[string]any)["adoptResources"] = adopt
	}
	return spec
}
