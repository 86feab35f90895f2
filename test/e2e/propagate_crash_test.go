package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// crashMembers are the clusters of the convergence test: the suite's two, and a third joined
// for it alone.
var crashMembers = []string{"member1", "member2", "member3"}

// A pass interrupted in every way lets nothing leak: three members, a few hundred objects, and
// rounds of deletions, orphanings, placement moves and new objects, each followed by one of
// a pass SIGKILLed at a random point, two passes started together, or a pass during which one
// member's RBAC is revoked (and restored after). One pass to the end then leaves every copy
// where its federated object places it, none where it does not, orphans unlabelled, no
// finalizer stuck, every status true and naming exactly the clusters placed.
func TestCrashKilledPassesConverge(t *testing.T) {
	federation(t)
	mustRun(t, "join", "member3", "--labels", "region=ap-south", "--error-on-existing=false")
	t.Cleanup(func() { kubefedctl(t, "unjoin", "member3", "--force") })
	ctx := context.Background()
	host := dynamicFor(t, "host")
	const ns = "crash"
	ensureNamespace(t, "host", ns)
	binary := filepath.Join(t.TempDir(), "kubefedctl")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/kubefedctl")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	placements := []string{`{clusterSelector: {}}`, `{clusters: [{name: member1}]}`, `{clusters: [{name: member2}, {name: member3}]}`,
		`{clusterSelector: {matchLabels: {region: ap-south}}}`, `{clusters: []}`}
	var docs strings.Builder
	fmt.Fprintf(&docs, "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedNamespace\nmetadata: {name: %[1]s, namespace: %[1]s}\nspec: {placement: {clusterSelector: {}}}\n", ns)
	const configMaps, deployments = 240, 30
	for i := 0; i < configMaps; i++ {
		fmt.Fprintf(&docs, "---\napiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: cm-%d, namespace: %s}\nspec:\n  template: {data: {i: \"%d\"}}\n  placement: %s\n", i, ns, i, placements[i%len(placements)])
	}
	for i := 0; i < deployments; i++ {
		fmt.Fprintf(&docs, `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: app-%d, namespace: %s}
spec:
  template:
    spec:
      replicas: 1
      selector: {matchLabels: {app: app-%d}}
      template:
        metadata: {labels: {app: app-%d}}
        spec: {containers: [{name: c, image: "registry.example/app:%d"}]}
  placement: {clusterSelector: {}}
`, i, ns, i, i, i)
		if i%3 == 0 {
			fmt.Fprintf(&docs, "---\napiVersion: scheduling.kubefed.io/v1alpha1\nkind: ReplicaSchedulingPreference\nmetadata: {name: app-%d, namespace: %s}\nspec: {targetKind: FederatedDeployment, totalReplicas: %d, clusters: {member1: {weight: 2}, member3: {weight: 1}}}\n", i, ns, 3+i)
		}
	}
	applyFiles(t, writeFile(t, docs.String()))
	fcms := host.Resource(federatedConfigMapsGVR).Namespace(ns)

	orphaned := map[string]bool{}
	deleted := map[string]bool{}
	next := configMaps
	start := func(extra ...string) (*exec.Cmd, chan error) {
		args := append([]string{"--kubeconfig", fed.Kubeconfig, "propagate"}, extra...)
		cmd := exec.Command(binary, args...)
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		return cmd, done
	}
	// A killed pass's Lease would keep the next out for its 30 s; the test does not wait for
	// that (TestProtocolOnePassAtATime covers expiry).
	dropLease := func() {
		_ = clientFor(t, "host").CoordinationV1().Leases(kfns).Delete(ctx, protocol.LeaseName, metav1.DeleteOptions{})
	}
	kill := func(round int) {
		cmd, done := start("--lock-timeout", "0s")
		delay := time.Duration(20+rng.Intn(3000)) * time.Millisecond
		select {
		case <-done:
			t.Logf("round %d: the pass ended before its kill at %s", round, delay)
		case <-time.After(delay):
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			<-done
			t.Logf("round %d: killed after %s", round, delay)
		}
		dropLease()
	}
	both := func(round int) {
		codes := together(t, 2, "propagate", "--lock-timeout", "2m")
		t.Logf("round %d: two passes together exited %v", round, codes)
		for _, code := range codes {
			assert.NotEqual(t, cli.ExitError, code, "round %d: a pass that waited for the other's Lease succeeds", round)
		}
	}
	revoke := func(round int) {
		cmd, done := start("--lock-timeout", "0s")
		time.Sleep(time.Duration(rng.Intn(2000)) * time.Millisecond)
		binding := revokeMemberRBAC(t, "member3")
		err := <-done
		t.Logf("round %d: member3's %s removed mid-pass; the pass exited %v", round, binding, err)
		_ = cmd
		dropLease()
		// While it is revoked, the member is named, the pass fails, and no deleted object
		// whose copy member3 may hold loses its finalizer.
		r := kubefedctl(t, "propagate")
		assert.Equal(t, cli.ExitError, r.code, "round %d: a member that forbids the pass fails it:\n%s", round, r.stdout)
		assert.Contains(t, r.stdout+r.stderr, "member3")
		for name := range deleted {
			obj, err := fcms.Get(ctx, name, metav1.GetOptions{})
			if err == nil && placedIn(obj, "member3") {
				assert.Contains(t, obj.GetFinalizers(), apis.SyncFinalizer, "round %d: %s keeps its finalizer while member3 cannot be read", round, name)
			}
		}
		dropLease()
		mustRun(t, "join", "member3", "--labels", "region=ap-south", "--error-on-existing=false")
	}
	for round := 0; round < 9; round++ {
		switch round % 3 {
		case 0:
			kill(round)
		case 1:
			both(round)
		case 2:
			revoke(round)
		}
		for i := 0; i < next; i++ {
			name := fmt.Sprintf("cm-%d", i)
			if deleted[name] || orphaned[name] {
				continue
			}
			switch rng.Intn(10) {
			case 0:
				require.NoError(t, ignoreNotFound(fcms.Delete(ctx, name, metav1.DeleteOptions{})))
				deleted[name] = true
			case 1:
				_, err := fcms.Patch(ctx, name, "application/merge-patch+json", []byte(`{"metadata":{"annotations":{"kubefed.io/orphan":"true"}}}`), metav1.PatchOptions{})
				require.NoError(t, err)
				require.NoError(t, ignoreNotFound(fcms.Delete(ctx, name, metav1.DeleteOptions{})))
				orphaned[name] = true
			case 2:
				patch := fmt.Sprintf(`{"spec":{"placement":{"clusters":[{"name":"%s"}],"clusterSelector":null}}}`, crashMembers[rng.Intn(len(crashMembers))])
				_, err := fcms.Patch(ctx, name, "application/merge-patch+json", []byte(patch), metav1.PatchOptions{})
				require.NoError(t, err)
			}
		}
		var more strings.Builder
		for j := 0; j < 10; j++ {
			fmt.Fprintf(&more, "---\napiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: cm-%d, namespace: %s}\nspec:\n  template: {data: {i: \"%d\"}}\n  placement: {clusterSelector: {}}\n", next, ns, next)
			next++
		}
		applyFiles(t, writeFile(t, more.String()))
	}
	kill(9)

	// To the end: a pass, and more while copies are still going.
	require.Eventually(t, func() bool {
		r := kubefedctl(t, "propagate", "-n", ns)
		return r.code == 0 && !strings.Contains(r.stdout, "waiting:")
	}, 2*time.Minute, time.Second)
	r := kubefedctl(t, "propagate", "-n", ns, "--detailed-exitcode")
	assert.Equal(t, 0, r.code, "a fixed point: %s", r.stdout)

	checkConverged(t, fcms, configMapsGVR, ns, deleted, orphaned)
	// A preference plans over every ready cluster, and places the workload in each, with 0
	// replicas where it has no entry (member2), as kubefed's scheduler did.
	checkConverged(t, host.Resource(federatedGVR("federateddeployments")).Namespace(ns), deploymentsGVR, ns, nil, nil)

	require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace(ns).Delete(ctx, ns, metav1.DeleteOptions{}))
	for _, plural := range []string{"federatedconfigmaps", "federateddeployments"} {
		require.NoError(t, host.Resource(federatedGVR(plural)).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}))
	}
	require.Eventually(t, func() bool {
		kubefedctl(t, "propagate")
		l, err := fcms.List(ctx, metav1.ListOptions{})
		return err == nil && len(l.Items) == 0
	}, 2*time.Minute, time.Second)
	// A member namespace that holds orphans is the user's now: unlabelled, kept, holding only them.
	for _, m := range crashMembers {
		left, err := dynamicFor(t, m).Resource(configMapsGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		orphans := 0
		for _, c := range left.Items {
			if c.GetName() != "kube-root-ca.crt" {
				assert.True(t, orphaned[c.GetName()], "%s/%s: only orphans stay", m, c.GetName())
				orphans++
			}
		}
		namespace, err := kubeClient(t, m).CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if orphans > 0 {
			require.NoError(t, err, "%s: the namespace holding %d orphans is kept", m, orphans)
			assert.NotEqual(t, apis.ManagedLabelTrue, namespace.Labels[apis.ManagedLabel], "%s: the namespace holding orphans is unlabelled", m)
			require.NoError(t, kubeClient(t, m).CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}))
		}
		waitGone(t, kubeClient(t, m), ns)
	}
	_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
}

// checkConverged holds every federated object of one type in ns, and its copies in every
// member, to what the objects say: no finalizer stuck, Propagation True, status naming the
// clusters placed, a copy (labelled managed) exactly where placed, orphans unlabelled and no
// copy of a deleted object anywhere.
func checkConverged(t *testing.T, federated dynamic.ResourceInterface, target schema.GroupVersionResource, ns string, deleted, orphaned map[string]bool) {
	t.Helper()
	ctx := context.Background()
	list, err := federated.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	placed := map[string]map[string]bool{}
	for _, m := range crashMembers {
		placed[m] = map[string]bool{}
	}
	remaining := map[string]bool{}
	for _, item := range list.Items {
		name := item.GetName()
		assert.Nil(t, item.GetDeletionTimestamp(), "%s: no finalizer stuck", name)
		remaining[name] = true
		conditions, _, _ := unstructured.NestedSlice(item.Object, "status", "conditions")
		if assert.NotEmpty(t, conditions, name) {
			assert.Equal(t, "True", conditions[0].(map[string]any)["status"], "%s: status", name)
		}
		var want, got []string
		for _, m := range crashMembers {
			placed[m][name] = placedIn(&item, m)
			if placed[m][name] {
				want = append(want, m)
			}
		}
		statusClusters, _, _ := unstructured.NestedSlice(item.Object, "status", "clusters")
		for _, c := range statusClusters {
			got = append(got, c.(map[string]any)["name"].(string))
		}
		sort.Strings(got)
		assert.Equal(t, want, got, "%s: status.clusters are the clusters placed, each once", name)
	}
	for name := range deleted {
		assert.False(t, remaining[name], "%s was deleted", name)
	}
	for _, m := range crashMembers {
		copies, err := dynamicFor(t, m).Resource(target).Namespace(ns).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, c := range copies.Items {
			name := c.GetName()
			if name == "kube-root-ca.crt" {
				continue
			}
			seen[name] = true
			managed := c.GetLabels()[apis.ManagedLabel] == apis.ManagedLabelTrue
			switch {
			case orphaned[name]:
				assert.False(t, managed, "%s/%s: an orphan is unlabelled", m, name)
			case deleted[name]:
				t.Errorf("%s/%s: a copy of a deleted federated object was left behind (managed %t)", m, name, managed)
			default:
				assert.True(t, placed[m][name], "%s/%s: a copy where its federated object does not place it", m, name)
				assert.True(t, managed, "%s/%s", m, name)
			}
		}
		for name, in := range placed[m] {
			if in {
				assert.True(t, seen[name], "%s/%s: placed but missing", m, name)
			}
		}
	}
}

// placedIn reads an object's placement as the test wrote it: a list of cluster names, an
// empty selector (every member), or a selector on the region label.
func placedIn(obj *unstructured.Unstructured, member string) bool {
	clusters, hasClusters, _ := unstructured.NestedSlice(obj.Object, "spec", "placement", "clusters")
	if hasClusters {
		for _, c := range clusters {
			if c.(map[string]any)["name"] == member {
				return true
			}
		}
		return false
	}
	selector, hasSelector, _ := unstructured.NestedMap(obj.Object, "spec", "placement", "clusterSelector")
	if !hasSelector {
		return false
	}
	labels, _, _ := unstructured.NestedStringMap(selector, "matchLabels")
	if len(labels) == 0 {
		return true
	}
	return labels["region"] == "ap-south" && member == "member3"
}

// revokeMemberRBAC deletes the ClusterRoleBinding that gives the federation's service account
// its rights in a member, as an administrator revoking them would, and returns its name.
func revokeMemberRBAC(t *testing.T, member string) string {
	t.Helper()
	bindings, err := kubeClient(t, member).RbacV1().ClusterRoleBindings().List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, b := range bindings.Items {
		if strings.HasPrefix(b.Name, "kubefed-controller-manager:"+member+"-") && !strings.Contains(b.Name, "healthcheck") {
			require.NoError(t, kubeClient(t, member).RbacV1().ClusterRoleBindings().Delete(context.Background(), b.Name, metav1.DeleteOptions{}))
			return b.Name
		}
	}
	t.Fatalf("%s: no ClusterRoleBinding of the federation's service account", member)
	return ""
}
