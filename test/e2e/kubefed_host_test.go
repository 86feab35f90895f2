package e2e

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// chartConfigSpec is kubefed v0.10's chart KubeFedConfig spec at the chart's values.
const chartConfigSpec = `
scope: Cluster
controllerDuration: {availableDelay: 20s, unavailableDelay: 60s, cacheSyncTimeout: 5m}
leaderElect: {leaseDuration: 15s, renewDeadline: 10s, retryPeriod: 5s, resourceLock: configmaps}
clusterHealthCheck: {period: 10s, failureThreshold: 3, successThreshold: 1, timeout: 3s}
syncController: {maxConcurrentReconciles: 1, adoptResources: Enabled}
statusController: {maxConcurrentReconciles: 1}
featureGates:
- {name: PushReconciler, configuration: Enabled}
- {name: SchedulerPreferences, configuration: Enabled}
`

// A user's kubefed chart install, with values of its own.
const customConfigSpec = `
scope: Cluster
controllerDuration: {availableDelay: 30s, unavailableDelay: 90s, cacheSyncTimeout: 10m}
leaderElect: {leaseDuration: 30s, renewDeadline: 20s, retryPeriod: 10s, resourceLock: endpoints}
clusterHealthCheck: {period: 20s, failureThreshold: 5, successThreshold: 2, timeout: 6s}
syncController: {maxConcurrentReconciles: 4, adoptResources: Enabled}
statusController: {maxConcurrentReconciles: 2}
featureGates:
- {name: PushReconciler, configuration: Enabled}
- {name: SchedulerPreferences, configuration: Enabled}
- {name: RawResourceStatusCollection, configuration: Enabled}
`

func specOf(t *testing.T, text string) map[string]any {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(text))
	require.NoError(t, err)
	spec := map[string]any{}
	// apimachinery's decoder gives int64 integers, as the server's answers do.
	require.NoError(t, utiljson.Unmarshal(data, &spec))
	return spec
}

// replaceKubeFedConfig makes the host's KubeFedConfig hold spec, written by another tool than
// kubefedctl (as kubefed's chart or an older kubefedctl left it).
func replaceKubeFedConfig(t *testing.T, spec map[string]any) {
	t.Helper()
	client := dynamicFor(t, "host").Resource(apis.KubeFedConfigResource).Namespace(kfns)
	ctx := context.Background()
	require.NoError(t, ignoreNotFound(client.Delete(ctx, apis.KubeFedConfigName, metav1.DeleteOptions{})))
	_, err := client.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apis.CoreGroup + "/" + apis.CoreVersion, "kind": apis.KindKubeFedConfig,
		"metadata": map[string]any{"name": apis.KubeFedConfigName, "namespace": kfns},
		"spec":     spec,
	}}, metav1.CreateOptions{FieldManager: "helm"})
	require.NoError(t, err)
}

// kubefedCoreCRDs are the seven CRDs kubefed v0.10's controller-manager needs on its host.
var kubefedCoreCRDs = []string{"clusterpropagatedversions.core.kubefed.io", "federatedservicestatuses.core.kubefed.io",
	"federatedtypeconfigs.core.kubefed.io", "kubefedclusters.core.kubefed.io", "kubefedconfigs.core.kubefed.io",
	"propagatedversions.core.kubefed.io", "replicaschedulingpreferences.scheduling.kubefed.io"}

func kubeFedConfigSpec(t *testing.T) map[string]any {
	t.Helper()
	live, err := dynamicFor(t, "host").Resource(apis.KubeFedConfigResource).Namespace(kfns).Get(context.Background(), apis.KubeFedConfigName, metav1.GetOptions{})
	require.NoError(t, err)
	return live.Object["spec"].(map[string]any)
}

// init leaves a host kubefed v0.10's controller manager accepts: every KubeFedConfig section it
// requires, at the chart's values unless the host already holds values, and all seven core CRDs,
// which take what kubefed's controllers write.
func TestInitMakesAHostKubefedAccepts(t *testing.T) {
	mustRun(t, "init")
	t.Cleanup(func() {
		replaceKubeFedConfig(t, specOf(t, chartConfigSpec))
		mustRun(t, "init")
	})

	// What an older kubefedctl init left: scope and adoption only.
	replaceKubeFedConfig(t, map[string]any{"scope": "Cluster", "syncController": map[string]any{"adoptResources": "Enabled"}})
	r := mustRun(t, "init")
	assert.Contains(t, r.stdout, "kubefedconfig.core.kubefed.io/kubefed configured")
	assert.Equal(t, specOf(t, chartConfigSpec), kubeFedConfigSpec(t))

	// kubefed's chart with values of its own: kept as they are, unknown gates included.
	replaceKubeFedConfig(t, specOf(t, customConfigSpec))
	mustRun(t, "init")
	assert.Equal(t, specOf(t, customConfigSpec), kubeFedConfigSpec(t))
	// Only an explicit flag changes a value.
	mustRun(t, "init", "--adopt-resources=false")
	want := specOf(t, customConfigSpec)
	want["syncController"].(map[string]any)["adoptResources"] = "Disabled"
	assert.Equal(t, want, kubeFedConfigSpec(t))

	ctx := context.Background()
	host := dynamicFor(t, "host")
	for _, name := range kubefedCoreCRDs {
		crd, err := host.Resource(crdsGVR).Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err, name)
		assert.True(t, apis.CRDEstablished(crd), name)
	}

	// What kubefed's sync controller records, through the status subresource as it does.
	ensureNamespace(t, "host", "kubefed-records")
	versions := map[string]any{"templateVersion": "0cc175b9c0f1b6a831c399e269772661", "overridesVersion": "92eb5ffee6ae2fec3ad71c777531578f",
		"clusterVersions": []any{map[string]any{"clusterName": "member1", "version": "gen:1"}, map[string]any{"clusterName": "member2", "version": "rv:42"}}}
	for _, tc := range []struct {
		resource  string
		kind      string
		namespace string
	}{{"propagatedversions", "PropagatedVersion", "kubefed-records"}, {"clusterpropagatedversions", "ClusterPropagatedVersion", ""}} {
		var client = host.Resource(schema.GroupVersionResource{Group: apis.CoreGroup, Version: "v1alpha1", Resource: tc.resource})
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": apis.CoreGroup + "/v1alpha1", "kind": tc.kind,
			"metadata": map[string]any{"name": "deployment-web"},
		}}
		var c interface {
			Create(context.Context, *unstructured.Unstructured, metav1.CreateOptions, ...string) (*unstructured.Unstructured, error)
			UpdateStatus(context.Context, *unstructured.Unstructured, metav1.UpdateOptions) (*unstructured.Unstructured, error)
			Get(context.Context, string, metav1.GetOptions, ...string) (*unstructured.Unstructured, error)
			Delete(context.Context, string, metav1.DeleteOptions, ...string) error
		} = client
		if tc.namespace != "" {
			obj.SetNamespace(tc.namespace)
			c = client.Namespace(tc.namespace)
		}
		created, err := c.Create(ctx, obj, metav1.CreateOptions{})
		require.NoError(t, err, tc.kind)
		created.Object["status"] = versions
		_, err = c.UpdateStatus(ctx, created, metav1.UpdateOptions{FieldValidation: "Strict"})
		require.NoError(t, err, tc.kind)
		live, err := c.Get(ctx, "deployment-web", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, versions, live.Object["status"], tc.kind)
		require.NoError(t, c.Delete(ctx, "deployment-web", metav1.DeleteOptions{}))
	}
	statuses := host.Resource(schema.GroupVersionResource{Group: apis.CoreGroup, Version: "v1alpha1", Resource: "federatedservicestatuses"}).Namespace("kubefed-records")
	clusterStatus := []any{map[string]any{"clusterName": "member1", "status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": "10.0.0.1"}}}}}}
	_, err := statuses.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apis.CoreGroup + "/v1alpha1", "kind": "FederatedServiceStatus",
		"metadata":      map[string]any{"name": "web", "namespace": "kubefed-records"},
		"clusterStatus": clusterStatus,
	}}, metav1.CreateOptions{FieldValidation: "Strict"})
	require.NoError(t, err)
	live, err := statuses.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, clusterStatus, live.Object["clusterStatus"])
	require.NoError(t, statuses.Delete(ctx, "web", metav1.DeleteOptions{}))
}

// The member's service account is kubefed's: no automounted token, and only the secrets it lists
// mountable.
func TestJoinServiceAccountIsKubefeds(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "join", "member3")
	defer unjoinQuietly(t, "member3")
	sa, err := dynamicFor(t, "member3").Resource(serviceAccountsGVR).Namespace(kfns).Get(context.Background(), "member3-host", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "true", sa.GetAnnotations()["kubernetes.io/enforce-mountable-secrets"])
	assert.Equal(t, false, sa.Object["automountServiceAccountToken"])
}
