package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// A pass killed at any point loses nothing: rounds of deletions, orphanings, placement moves and
// new objects, each followed by a pass SIGKILLed after a random delay, then one pass to the end,
// leave every copy where its federated object places it, none where it does not, orphans
// unlabelled, no finalizer stuck and every status true.
func TestCrashKilledPassesConverge(t *testing.T) {
	federation(t)
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
	placements := []string{`{clusterSelector: {}}`, `{clusters: [{name: member1}]}`, `{clusters: [{name: member2}]}`, `{clusters: []}`}
	var docs strings.Builder
	fmt.Fprintf(&docs, "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedNamespace\nmetadata: {name: %[1]s, namespace: %[1]s}\nspec: {placement: {clusterSelector: {}}}\n", ns)
	const objects = 80
	for i := 0; i < objects; i++ {
		fmt.Fprintf(&docs, "---\napiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: cm-%d, namespace: %s}\nspec:\n  template: {data: {i: \"%d\"}}\n  placement: %s\n", i, ns, i, placements[i%len(placements)])
	}
	applyFiles(t, writeFile(t, docs.String()))
	fcms := host.Resource(federatedConfigMapsGVR).Namespace(ns)

	orphaned := map[string]bool{}
	deleted := map[string]bool{}
	next := objects
	kill := func(round int) {
		cmd := exec.Command(binary, "--kubeconfig", fed.Kubeconfig, "propagate", "--lock-timeout", "0s")
		require.NoError(t, cmd.Start())
		delay := time.Duration(20+rng.Intn(700)) * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
			t.Logf("round %d: the pass ended before its kill at %s", round, delay)
		case <-time.After(delay):
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			<-done
			t.Logf("round %d: killed after %s", round, delay)
		}
		// A killed pass's Lease would keep the next out for its 30 s; the test does not wait
		// for that (TestProtocolOnePassAtATime covers expiry).
		_ = clientFor(t, "host").CoordinationV1().Leases(kfns).Delete(ctx, protocol.LeaseName, metav1.DeleteOptions{})
	}
	for round := 0; round < 6; round++ {
		kill(round)
		for i := 0; i < next; i++ {
			name := fmt.Sprintf("cm-%d", i)
			if deleted[name] || orphaned[name] {
				continue
			}
			switch rng.Intn(8) {
			case 0:
				require.NoError(t, ignoreNotFound(fcms.Delete(ctx, name, metav1.DeleteOptions{})))
				deleted[name] = true
			case 1:
				_, err := fcms.Patch(ctx, name, "application/merge-patch+json", []byte(`{"metadata":{"annotations":{"kubefed.io/orphan":"true"}}}`), metav1.PatchOptions{})
				require.NoError(t, err)
				require.NoError(t, ignoreNotFound(fcms.Delete(ctx, name, metav1.DeleteOptions{})))
				orphaned[name] = true
			case 2:
				patch := fmt.Sprintf(`{"spec":{"placement":{"clusters":[{"name":"member%d"}],"clusterSelector":null}}}`, 1+rng.Intn(2))
				_, err := fcms.Patch(ctx, name, "application/merge-patch+json", []byte(patch), metav1.PatchOptions{})
				require.NoError(t, err)
			}
		}
		var more strings.Builder
		for j := 0; j < 5; j++ {
			fmt.Fprintf(&more, "---\napiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: cm-%d, namespace: %s}\nspec:\n  template: {data: {i: \"%d\"}}\n  placement: {clusterSelector: {}}\n", next, ns, next)
			next++
		}
		applyFiles(t, writeFile(t, more.String()))
	}
	kill(6)

	// To the end: a pass, and more while copies are still going.
	require.Eventually(t, func() bool {
		r := kubefedctl(t, "propagate", "-n", ns)
		return r.code == 0 && !strings.Contains(r.stdout, "waiting:")
	}, 90*time.Second, time.Second)
	r := kubefedctl(t, "propagate", "-n", ns, "--detailed-exitcode")
	assert.Equal(t, 0, r.code, "a fixed point: %s", r.stdout)

	list, err := fcms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	placed := map[string]map[string]bool{"member1": {}, "member2": {}}
	remaining := map[string]bool{}
	for _, item := range list.Items {
		assert.Nil(t, item.GetDeletionTimestamp(), "%s: no finalizer stuck", item.GetName())
		remaining[item.GetName()] = true
		conditions, _, _ := unstructured.NestedSlice(item.Object, "status", "conditions")
		if assert.NotEmpty(t, conditions, item.GetName()) {
			assert.Equal(t, "True", conditions[0].(map[string]any)["status"], "%s: status", item.GetName())
		}
		clusters, _, _ := unstructured.NestedSlice(item.Object, "spec", "placement", "clusters")
		selector, hasSelector, _ := unstructured.NestedMap(item.Object, "spec", "placement", "clusterSelector")
		for _, m := range []string{"member1", "member2"} {
			in := false
			for _, c := range clusters {
				in = in || c.(map[string]any)["name"] == m
			}
			if clusters == nil && hasSelector && len(selector) == 0 {
				in = true
			}
			placed[m][item.GetName()] = in
		}
	}
	for name := range deleted {
		assert.False(t, remaining[name], "%s was deleted", name)
	}
	for _, m := range []string{"member1", "member2"} {
		copies, err := dynamicFor(t, m).Resource(configMapsGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
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

	require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace(ns).Delete(ctx, ns, metav1.DeleteOptions{}))
	for name := range remaining {
		require.NoError(t, ignoreNotFound(fcms.Delete(ctx, name, metav1.DeleteOptions{})))
	}
	require.Eventually(t, func() bool {
		kubefedctl(t, "propagate")
		l, err := fcms.List(ctx, metav1.ListOptions{})
		return err == nil && len(l.Items) == 0
	}, 90*time.Second, time.Second)
	_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
}
