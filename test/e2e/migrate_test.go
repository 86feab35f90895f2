package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

// A federation as kubefed's controller-manager leaves it: the preference's workload carries the
// scheduler's placement and /spec/replicas overrides, type configs carry kubefed's finalizer, the
// federated objects kubefed's sync finalizer, and the members hold exactly what kubefed wrote
// (managed label, no kubefedctl annotation, written by another field manager). migrate refuses
// while kubefed's controller may run; its dry run changes nothing; then the first pass writes
// nothing to any member, a raised preference rescales the members, and disable completes.
func TestMigrateFromKubefedWritesNothing(t *testing.T) {
	federation(t)
	mustRun(t, "enable", "limitranges")
	ctx := context.Background()
	host := dynamicFor(t, "host")
	const ns = "handover"
	ensureNamespace(t, "host", ns)
	t.Cleanup(func() {
		kubefedctl(t, "disable", "limitranges", "--force")
		for _, plural := range []string{"federateddeployments", "federatedconfigmaps", "federatednamespaces"} {
			_ = host.Resource(federatedGVR(plural)).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}
		kubefedctl(t, "propagate")
		_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
	})
	kubefeds := writeFile(t, fmt.Sprintf(`
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: %[1]s, namespace: %[1]s, finalizers: [%[2]s]}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: %[1]s, finalizers: [%[2]s]}
spec:
  template: {data: {color: blue, cpu: 1000m}}
  placement: {clusters: [{name: member1}, {name: member2}]}
  overrides: [{clusterName: member2, clusterOverrides: [{path: /data/color, value: red}]}]
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: %[1]s, finalizers: [%[2]s]}
spec:
  template:
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: "nginx:1.27", resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
  placement: {clusters: [{name: member1}, {name: member2}]}
  overrides:
  - clusterName: member1
    clusterOverrides: [{path: /spec/replicas, value: 6}]
  - clusterName: member2
    clusterOverrides: [{path: /spec/template/spec/containers/0/image, value: "nginx:1.26"}, {path: /spec/replicas, value: 4}]
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: %[1]s}
spec: {targetKind: FederatedDeployment, totalReplicas: 10, clusters: {member1: {weight: 3}, member2: {weight: 2}}}
`, ns, apis.SyncFinalizer))
	applyFiles(t, kubefeds)
	for _, name := range []string{"deployments.apps", "limitranges"} {
		_, err := host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Patch(ctx, name, types.MergePatchType,
			[]byte(fmt.Sprintf(`{"metadata":{"finalizers":[%q]}}`, apis.TypeConfigFinalizer)), metav1.PatchOptions{})
		require.NoError(t, err)
	}
	t.Cleanup(func() {
		_, _ = host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Patch(ctx, "deployments.apps", types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	})

	// The members hold what kubefed's sync controller wrote: the planned objects, created by
	// another field manager.
	docs, err := manifest.Read([]string{filepath.Join("..", "..", "testdata", "examples", "clusters.yaml"), kubefeds}, nil)
	require.NoError(t, err)
	model, err := apis.Assemble(docs, kfns, "default")
	require.NoError(t, err)
	plan, err := render.Render(model, render.Options{})
	require.NoError(t, err)
	for _, member := range []string{"member1", "member2"} {
		objects, err := plan.Objects(member)
		require.NoError(t, err)
		require.Len(t, objects, 3, member)
		sort.SliceStable(objects, func(i, j int) bool { return objects[i].GetKind() == "Namespace" && objects[j].GetKind() != "Namespace" })
		for _, obj := range objects {
			gvk := obj.GroupVersionKind()
			gvr := gvk.GroupVersion().WithResource(strings.ToLower(gvk.Kind) + "s")
			client := dynamicFor(t, member).Resource(gvr)
			if obj.GetNamespace() == "" {
				_, err = client.Create(ctx, obj, metav1.CreateOptions{FieldManager: "kubefed"})
			} else {
				_, err = client.Namespace(obj.GetNamespace()).Create(ctx, obj, metav1.CreateOptions{FieldManager: "kubefed"})
			}
			require.NoError(t, err, "%s %s in %s", gvk.Kind, obj.GetName(), member)
		}
	}

	// While kubefed's controller may run, migrate refuses before anything.
	leases := clientFor(t, "host").CoordinationV1().Leases(kfns)
	now := metav1.NewMicroTime(time.Now())
	holder, seconds := "kubefed-host_1234", int32(15)
	lease := map[string]any{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": map[string]any{"name": "kubefed-controller-manager", "namespace": kfns},
		"spec": map[string]any{"holderIdentity": holder, "leaseDurationSeconds": int64(seconds), "renewTime": now.UTC().Format("2006-01-02T15:04:05.000000Z07:00")}}
	_, err = host.Resource(schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}).Namespace(kfns).Create(ctx, &unstructured.Unstructured{Object: lease}, metav1.CreateOptions{})
	require.NoError(t, err)
	hostResources := []schema.GroupVersionResource{apis.FederatedTypeConfigResource, federatedGVR("federateddeployments"), federatedConfigMapsGVR}
	// Member Deployments are left out: their own controllers write their status.
	before := hostAndMemberSnapshots(t, hostResources, configMapsGVR)
	r := kubefedctl(t, "migrate")
	assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stderr, `kubefed's controller-manager may be running in the host (context "host"): its leader record Lease kube-federation-system/kubefed-controller-manager is held by "kubefed-host_1234"`)
	assert.Contains(t, r.stderr, "kubectl -n kube-federation-system scale deployment kubefed-controller-manager --replicas=0")
	assert.Empty(t, r.stdout)
	require.NoError(t, leases.Delete(ctx, "kubefed-controller-manager", metav1.DeleteOptions{}))

	// The dry run says what it would do and does nothing.
	r = mustRun(t, "migrate", "--dry-run=client", "--prune-scheduler-overrides")
	assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/deployments.apps: finalizer core.kubefed.io/federated-type-config removed (dry run)\n")
	assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/limitranges: finalizer core.kubefed.io/federated-type-config removed (dry run)\n")
	assert.Contains(t, r.stdout, "federateddeployment.types.kubefed.io/web -n handover: /spec/replicas overrides for member1 (6), member2 (4) removed (dry run)\n")
	assert.Equal(t, before, hostAndMemberSnapshots(t, hostResources, configMapsGVR), "a dry run writes nothing")
	r = mustRun(t, "migrate")
	assert.Contains(t, r.stdout, `federateddeployment.types.kubefed.io/web -n handover: /spec/replicas overrides for member1 (6), member2 (4), as kubefed's scheduler wrote them; ignored, since ReplicaSchedulingPreference "handover/web" sets the replicas on every pass (--prune-scheduler-overrides removes them)`)

	r = mustRun(t, "migrate", "--prune-scheduler-overrides")
	assert.Contains(t, r.stdout, "federateddeployment.types.kubefed.io/web -n handover: /spec/replicas overrides for member1 (6), member2 (4) removed\n")
	assert.Contains(t, r.stdout, "What a pass would now change (propagate --dry-run=server):\n")
	// Other tests' objects may be waiting for a pass; this federation's handover is not.
	assert.Regexp(t, `(?m)^member1\s+Deployment\s+handover\s+web\s+unchanged`, r.stdout)
	assert.NotRegexp(t, `(?m)^\S+\s+\S+\s+(handover\s+\S+|-\s+handover)\s+(created|updated|adopted|deleted|unlabelled)`, r.stdout, "the closing dry run sees nothing to change")
	for _, name := range []string{"deployments.apps", "limitranges"} {
		ftc := getObject(t, host, apis.FederatedTypeConfigResource, kfns, name)
		assert.NotContains(t, ftc.GetFinalizers(), apis.TypeConfigFinalizer, name)
	}
	web := getObject(t, host, federatedGVR("federateddeployments"), ns, "web")
	overrides, _, _ := unstructured.NestedSlice(web.Object, "spec", "overrides")
	assert.Equal(t, []any{map[string]any{"clusterName": "member2", "clusterOverrides": []any{map[string]any{"path": "/spec/template/spec/containers/0/image", "value": "nginx:1.26"}}}}, overrides, "the user's override stays")

	// The first pass writes nothing to any member: kubefed's copies already hold the plan.
	writes := []int{memberWrites(t, fed.Members[0]), memberWrites(t, fed.Members[1])}
	r = kubefedctl(t, "propagate", "-n", ns, "--detailed-exitcode")
	assert.Equal(t, cli.ExitOK, r.code, "nothing differs from what kubefed left:\n%s%s", r.stdout, r.stderr)
	assert.Equal(t, writes, []int{memberWrites(t, fed.Members[0]), memberWrites(t, fed.Members[1])}, "a handover makes no member write")
	for _, member := range []string{"member1", "member2"} {
		d := getObject(t, dynamicFor(t, member), deploymentsGVR, ns, "web")
		assert.NotContains(t, d.GetAnnotations(), "kubefedctl.io/applied-hash", "%s: no write only to add kubefedctl's digest", member)
	}

	// The preference raised: the members rescale, and the copies are kubefedctl's from then on.
	_, err = host.Resource(apis.PreferenceResource).Namespace(ns).Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"totalReplicas":20}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	r = mustRun(t, "propagate", "-n", ns)
	assert.Regexp(t, `(?m)^member1\s+Deployment\s+handover\s+web\s+updated`, r.stdout)
	for member, want := range map[string]int64{"member1": 12, "member2": 8} {
		d := getObject(t, dynamicFor(t, member), deploymentsGVR, ns, "web")
		replicas, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
		assert.Equal(t, want, replicas, member)
	}
	mustRun(t, "propagate", "-n", ns, "--detailed-exitcode")

	// And back: the host holds what kubefed's controller-manager needs to take over again, as
	// README's procedure says: the KubeFedConfig it requires, its seven CRDs, the type configs
	// enabled, the federated objects still held by its sync finalizer, and no pass holding the
	// Lease.
	spec := kubeFedConfigSpec(t)
	for _, field := range []string{"scope", "controllerDuration", "leaderElect", "clusterHealthCheck", "syncController", "statusController", "featureGates"} {
		assert.Contains(t, spec, field, "the KubeFedConfig kubefed requires")
	}
	for _, name := range kubefedCoreCRDs {
		_, err := host.Resource(crdsGVR).Get(ctx, name, metav1.GetOptions{})
		assert.NoError(t, err, name)
	}
	for _, name := range []string{"deployments.apps", "configmaps", "namespaces"} {
		propagation, _, _ := unstructured.NestedString(getObject(t, host, apis.FederatedTypeConfigResource, kfns, name).Object, "spec", "propagation")
		assert.Equal(t, apis.PropagationEnabled, propagation, name)
	}
	for _, obj := range []*unstructured.Unstructured{getObject(t, host, federatedGVR("federateddeployments"), ns, "web"), getObject(t, host, federatedConfigMapsGVR, ns, "settings")} {
		assert.Equal(t, []string{apis.SyncFinalizer}, obj.GetFinalizers(), obj.GetName())
	}
	passLease, err := leases.Get(ctx, protocol.LeaseName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Empty(t, *passLease.Spec.HolderIdentity, "no pass holds the Lease")

	// A type config kubefed's finalizer no longer holds is deleted outright.
	mustRun(t, "disable", "limitranges")
	require.NoError(t, wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Get(ctx, "limitranges", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}), "disable completes")
}
