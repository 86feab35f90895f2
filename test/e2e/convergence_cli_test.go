package e2e

import (
	"context"
	"fmt"
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
)

var federatedSecretsGVR = federatedGVR("federatedsecrets")

// hostAndMemberSnapshots are the resourceVersions a refused or dry-run command must leave as
// they are: the host's federated objects and type configs, and every member's copies.
func hostAndMemberSnapshots(t *testing.T, host []schema.GroupVersionResource, member ...schema.GroupVersionResource) map[string][]string {
	t.Helper()
	out := memberSnapshots(t, member...)
	out["host"] = snapshot(t, dynamicFor(t, "host"), host...)
	return out
}

// disable with live federated objects refuses, naming them and saying what --force does; dry
// runs change nothing; --force removes the sync finalizer (and only it) so that a FederatedSecret
// being deleted is gone, while the member copies stay, still labelled managed.
func TestConvergenceCLIDisableForce(t *testing.T) {
	federation(t)
	// The join tests that follow start from no joined cluster; registered first, this runs last.
	t.Cleanup(func() { unjoinQuietly(t, "member1", "member2") })
	mustRun(t, "enable", "secrets")
	ctx := context.Background()
	host := dynamicFor(t, "host")
	ns := "disable-force"
	ensureNamespace(t, "host", ns)
	const hold = "e2e.example.com/hold"
	t.Cleanup(func() {
		// Leave no federated object, copy or namespace behind for the tests after this one.
		_, _ = host.Resource(federatedSecretsGVR).Namespace(ns).Patch(ctx, "keep", types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		_ = host.Resource(federatedSecretsGVR).Namespace(ns).Delete(ctx, "keep", metav1.DeleteOptions{})
		_ = host.Resource(federatedSecretsGVR).Namespace(ns).Delete(ctx, "gone", metav1.DeleteOptions{})
		for _, m := range []string{"member1", "member2"} {
			for _, name := range []string{"keep", "gone"} {
				_ = dynamicFor(t, m).Resource(secretsGVR).Namespace(ns).Delete(ctx, name, metav1.DeleteOptions{})
			}
		}
		_ = host.Resource(federatedGVR("federatednamespaces")).Namespace(ns).Delete(ctx, ns, metav1.DeleteOptions{})
		kubefedctl(t, "propagate")
		_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
	})
	applyFiles(t, writeFile(t, fmt.Sprintf(`---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: %[1]s, namespace: %[1]s}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: keep, namespace: %[1]s, finalizers: [%[2]s]}
spec:
  template: {data: {a: YQ==}}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: gone, namespace: %[1]s}
spec:
  template: {data: {b: Yg==}}
  placement: {clusterSelector: {}}
`, ns, hold)))
	mustRun(t, "propagate")
	for _, name := range []string{"keep", "gone"} {
		obj := getObject(t, host, federatedSecretsGVR, ns, name)
		require.Contains(t, obj.GetFinalizers(), apis.SyncFinalizer, "propagate put its finalizer on %s", name)
		for _, m := range []string{"member1", "member2"} {
			copy := getObject(t, dynamicFor(t, m), secretsGVR, ns, name)
			require.Equal(t, apis.ManagedLabelTrue, copy.GetLabels()[apis.ManagedLabel], "%s in %s", name, m)
		}
	}
	// Deleted while the type is still enabled and before a pass: Terminating, held by the finalizer.
	require.NoError(t, host.Resource(federatedSecretsGVR).Namespace(ns).Delete(ctx, "gone", metav1.DeleteOptions{}))
	require.NotNil(t, getObject(t, host, federatedSecretsGVR, ns, "gone").GetDeletionTimestamp())

	hostResources := []schema.GroupVersionResource{federatedSecretsGVR, apis.FederatedTypeConfigResource}
	before := hostAndMemberSnapshots(t, hostResources, secretsGVR)

	r := kubefedctl(t, "disable", "secrets")
	assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stderr, "error: cannot disable secrets while 2 FederatedSecret objects exist (disable-force/gone (being deleted), disable-force/keep)")
	assert.Contains(t, r.stderr, "or pass --force, which removes the finalizer kubefed.io/sync-controller from each of them")
	assert.Contains(t, r.stderr, "still labelled kubefed.io/managed=true")
	assert.Empty(t, r.stdout)
	assert.Equal(t, before, hostAndMemberSnapshots(t, hostResources, secretsGVR), "a refused disable writes nothing")

	for _, dryRun := range []struct{ flag, suffix string }{{"client", " (dry run)"}, {"server", " (server dry run)"}} {
		r := mustRun(t, "disable", "secrets", "--force", "--dry-run="+dryRun.flag)
		assert.Contains(t, r.stdout, `Disabled propagation for FederatedTypeConfig "kube-federation-system/secrets"`+dryRun.suffix)
		assert.Contains(t, r.stdout, "federatedsecret.types.kubefed.io/gone -n disable-force: finalizer kubefed.io/sync-controller removed"+dryRun.suffix)
		assert.Contains(t, r.stdout, "federatedsecret.types.kubefed.io/keep -n disable-force: finalizer kubefed.io/sync-controller removed"+dryRun.suffix)
		assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/secrets deleted"+dryRun.suffix)
		assert.Contains(t, r.stderr, "Warning: the copies in the member clusters of 2 FederatedSecret objects (disable-force/gone (being deleted), disable-force/keep) would be left as they are, still labelled kubefed.io/managed=true")
		assert.Equal(t, before, hostAndMemberSnapshots(t, hostResources, secretsGVR), "--dry-run=%s writes nothing", dryRun.flag)
	}

	r = mustRun(t, "disable", "secrets", "--force")
	assert.Contains(t, r.stdout, "federatedsecret.types.kubefed.io/gone -n disable-force: finalizer kubefed.io/sync-controller removed\n")
	assert.Contains(t, r.stdout, "federatedsecret.types.kubefed.io/keep -n disable-force: finalizer kubefed.io/sync-controller removed\n")
	assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/secrets deleted\n")
	assert.Contains(t, r.stderr, "Warning: the copies in the member clusters of 2 FederatedSecret objects (disable-force/gone (being deleted), disable-force/keep) are left as they are, still labelled kubefed.io/managed=true")

	// The object being deleted is gone: nothing holds it any more.
	require.NoError(t, wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := host.Resource(federatedSecretsGVR).Namespace(ns).Get(ctx, "gone", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}), "the FederatedSecret being deleted is gone once its finalizer is")
	// The other keeps every finalizer but ours.
	assert.Equal(t, []string{hold}, getObject(t, host, federatedSecretsGVR, ns, "keep").GetFinalizers())
	_, err := host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Get(ctx, "secrets", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the type config is removed: %v", err)
	// The member copies are as they were, labelled managed: what the message said.
	for _, m := range []string{"member1", "member2"} {
		assert.Equal(t, only(before[m], "secrets "+ns+"/"), only(snapshot(t, dynamicFor(t, m), secretsGVR), "secrets "+ns+"/"), m)
		for _, name := range []string{"keep", "gone"} {
			copy := getObject(t, dynamicFor(t, m), secretsGVR, ns, name)
			assert.Equal(t, apis.ManagedLabelTrue, copy.GetLabels()[apis.ManagedLabel], "%s in %s", name, m)
		}
	}
	// A type config gone while objects still hold the finalizer (deleted by hand, by kubefed's
	// own disable, or by a disable older than --force): disable names them, and --force releases
	// the one being deleted, keeping the other finalizer.
	_, err = host.Resource(federatedSecretsGVR).Namespace(ns).Patch(ctx, "keep", types.MergePatchType,
		[]byte(fmt.Sprintf(`{"metadata":{"finalizers":[%q,%q]}}`, hold, apis.SyncFinalizer)), metav1.PatchOptions{})
	require.NoError(t, err)
	require.NoError(t, host.Resource(federatedSecretsGVR).Namespace(ns).Delete(ctx, "keep", metav1.DeleteOptions{}))
	held := hostAndMemberSnapshots(t, hostResources, secretsGVR)
	r = kubefedctl(t, "disable", "secrets")
	assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stderr, `federation of "secrets" is not enabled: the host has no FederatedTypeConfig kube-federation-system/secrets, yet 1 FederatedSecret object still holds the finalizer kubefed.io/sync-controller (disable-force/keep (being deleted))`)
	assert.Contains(t, r.stderr, "pass --force, which removes the finalizer")
	r = mustRun(t, "disable", "secrets", "--force", "--dry-run=server")
	assert.Contains(t, r.stdout, "federatedsecret.types.kubefed.io/keep -n disable-force: finalizer kubefed.io/sync-controller removed (server dry run)")
	assert.Equal(t, held, hostAndMemberSnapshots(t, hostResources, secretsGVR), "a refusal and a dry run write nothing")
	r = mustRun(t, "disable", "secrets", "--force")
	assert.Equal(t, "federatedsecret.types.kubefed.io/keep -n disable-force: finalizer kubefed.io/sync-controller removed\n", r.stdout)
	assert.Equal(t, []string{hold}, getObject(t, host, federatedSecretsGVR, ns, "keep").GetFinalizers())

	// With nothing left of the type to hold, disable has nothing more to do.
	r = kubefedctl(t, "disable", "secrets", "--force")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, `federation of "secrets" is not enabled`)
}

// federate refuses cluster names and selectors the host could never match, from the host and
// from files, before it writes or prints anything, and warns of clusters that are not joined.
func TestConvergenceCLIFederatePlacementChecks(t *testing.T) {
	federation(t)
	t.Cleanup(func() { unjoinQuietly(t, "member1", "member2") })
	ctx := context.Background()
	host := dynamicFor(t, "host")
	ns := "federate-checks"
	ensureNamespace(t, "host", ns)
	t.Cleanup(func() {
		_ = host.Resource(federatedConfigMapsGVR).Namespace(ns).Delete(ctx, "settings", metav1.DeleteOptions{})
		_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
	})
	require.NoError(t, ignoreExists(create(t, "host", `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "`+ns+`"}, "data": {"a": "1"}}`)))
	file := writeFile(t, `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "`+ns+`"}, "data": {"a": "1"}}`)

	hostResources := []schema.GroupVersionResource{federatedConfigMapsGVR, apis.FederatedTypeConfigResource, configMapsGVR}
	before := snapshot(t, host, hostResources...)
	refusals := []struct {
		name string
		args []string
		want string
	}{
		{"selector key", []string{"federate", "configmaps", "settings", "-n", ns, "--cluster-selector", "bad key!!=x"},
			`error: --cluster-selector: "bad key!!" is not a label key: name part must consist of alphanumeric characters`},
		{"selector value", []string{"federate", "configmaps", "settings", "-n", ns, "--cluster-selector", "region=eu west"},
			`error: --cluster-selector: "eu west" (of key "region") is not a label value`},
		{"cluster name", []string{"federate", "configmaps", "settings", "-n", ns, "--clusters", "member1,Member2"},
			`error: --clusters: "Member2" is not a cluster name: a lowercase RFC 1123 subdomain`},
		{"cluster named twice", []string{"federate", "configmaps", "settings", "-n", ns, "--clusters", "member1,member1"},
			`error: --clusters names "member1" twice`},
		{"file with a bad selector", []string{"federate", "-f", file, "-o", "yaml", "--cluster-selector", "bad key!!=x"},
			`error: --cluster-selector: "bad key!!" is not a label key`},
		{"file with a bad cluster", []string{"federate", "-f", file, "-o", "yaml", "--clusters", "member_1"},
			`error: --clusters: "member_1" is not a cluster name`},
		{"negative request timeout", []string{"federate", "configmaps", "settings", "-n", ns, "--request-timeout", "-5s"},
			`error: invalid --request-timeout "-5s": the timeout must be a positive duration`},
		{"negative request timeout, propagate", []string{"propagate", "--request-timeout=-1s"},
			`error: invalid --request-timeout "-1s": the timeout must be a positive duration`},
		{"negative request timeout, disable", []string{"disable", "configmaps", "--request-timeout", "-1m"},
			`error: invalid --request-timeout "-1m": the timeout must be a positive duration`},
		{"negative request timeout, join", []string{"join", "member3", "--cluster-context", "member1", "--request-timeout", "-1"},
			`error: invalid --request-timeout "-1": the timeout must be a positive duration`},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			r := kubefedctl(t, tt.args...)
			assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout, "nothing is printed")
			assert.Equal(t, before, snapshot(t, host, hostResources...), "nothing is written")
		})
	}

	// kubectl reads a bare number as seconds; so does every command now.
	mustRun(t, "clusters", "--request-timeout", "5")

	// A selector no joined cluster matches is valid, and said so; one that matches says nothing.
	r := mustRun(t, "federate", "configmaps", "settings", "-n", ns, "--cluster-selector", "region=ap-south", "-o", "yaml")
	assert.Contains(t, r.stderr, "Warning: --cluster-selector region=ap-south matches no joined cluster")
	assert.Contains(t, r.stdout, "region: ap-south")
	r = mustRun(t, "federate", "configmaps", "settings", "-n", ns, "--cluster-selector", "region=eu-west", "-o", "yaml")
	assert.NotContains(t, r.stderr, "Warning")
	assert.Equal(t, before, snapshot(t, host, hostResources...), "printing writes nothing")

	// A cluster that is not joined is warned of, as kubectl warns, and the object is created:
	// the cluster may join later.
	r = mustRun(t, "federate", "configmaps", "settings", "-n", ns, "--clusters", "member1,ghost")
	assert.Contains(t, r.stderr, `Warning: cluster "ghost" named by --clusters is not joined to the federation (no KubeFedCluster "ghost" in namespace "kube-federation-system")`)
	assert.NotContains(t, r.stderr, `"member1"`)
	assert.Contains(t, r.stdout, "federatedconfigmap.types.kubefed.io/settings created")
	created := getObject(t, host, federatedConfigMapsGVR, ns, "settings")
	clusters, _, _ := unstructured.NestedSlice(created.Object, "spec", "placement", "clusters")
	assert.Equal(t, []any{map[string]any{"name": "member1"}, map[string]any{"name": "ghost"}}, clusters)
}
