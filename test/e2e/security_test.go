package e2e

import (
	"context"
	"fmt"
	"strings"
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
	"github.com/kubefedctl/kubefedctl/pkg/propagate"
)

var federatedConfigMapsGVR = federatedGVR("federatedconfigmaps")

// memberSnapshots lists the resourceVersions of what a pass could reach in both members. The
// federation's token Secrets are left out: the apiserver labels a legacy token when it is
// first used each day, which is the members' doing, not a pass's.
func memberSnapshots(t *testing.T, resources ...schema.GroupVersionResource) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range []string{"member1", "member2"} {
		out[m] = without(snapshot(t, dynamicFor(t, m), resources...), "secrets "+kfns+"/"+m+"-")
	}
	return out
}

// without drops the entries of a snapshot that name part.
func without(snap []string, part string) []string {
	var out []string
	for _, s := range snap {
		if !strings.Contains(s, part) {
			out = append(out, s)
		}
	}
	return out
}

// reservedEntries pick, from a snapshot, the reserved namespaces and what is in them.
var reservedEntries = []string{" kube-system/", " kube-public/", " kube-node-lease/", " default/", " " + kfns + "/",
	"namespaces /kube-system@", "namespaces /kube-public@", "namespaces /kube-node-lease@", "namespaces /default@", "namespaces /" + kfns + "@"}

// only keeps the entries of a snapshot that name one of parts.
func only(snap []string, parts ...string) []string {
	var out []string
	for _, s := range snap {
		for _, p := range parts {
			if strings.Contains(s, p) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func getObject(t *testing.T, client dynamic.Interface, gvr schema.GroupVersionResource, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := client.Resource(gvr).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err, "%s %s/%s", gvr.Resource, namespace, name)
	return obj
}

// Invariants 1 and 2: a tenant's overrides cannot move a member object into another namespace,
// rename or retype it. Each attack fails alone, is named, and writes nothing anywhere; an
// object that was propagated before it was turned into an attack keeps its copies as they were.
func TestSecurityIdentityCannotBeOverridden(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "tenant")
	attacks := []string{
		`{path: /metadata/namespace, value: kube-system}`,
		`{op: remove, path: /metadata/namespace}`,
		`{path: /metadata, value: {name: evil, namespace: kube-system, labels: {kubefed.io/managed: "true"}}}`,
		`{op: add, path: /metadata, value: {namespace: kube-system}}`,
		`{path: /Metadata, value: {namespace: kube-system}}`,
		`{path: /metadata/Namespace, value: kube-system}`,
		`{path: /metadata/name, value: coredns}`,
		`{path: /kind, value: Secret}`,
		`{path: /apiVersion, value: v2}`,
	}
	var docs strings.Builder
	docs.WriteString(`
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: tenant, namespace: tenant}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: innocent, namespace: tenant}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: turned, namespace: tenant}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`)
	for i, a := range attacks {
		fmt.Fprintf(&docs, `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: attack-%d, namespace: tenant}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: member2
    clusterOverrides: [%s]
`, i, a)
	}
	// A first pass without the attack on "turned", then the attack added to it.
	applyFiles(t, writeFile(t, docs.String()))
	before := memberSnapshots(t, configMapsGVR, secretsGVR, namespacesGVR)
	r := kubefedctl(t, "propagate", "-n", "tenant")
	require.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	for i, a := range attacks {
		for _, m := range []string{"member1", "member2"} {
			assert.Regexp(t, fmt.Sprintf(`%s\s+ConfigMap\s+tenant\s+attack-%d\s+failed\s+.*invalid path`, m, i), r.stdout, a)
		}
	}
	assert.Regexp(t, `member1\s+ConfigMap\s+tenant\s+innocent\s+created`, r.stdout, "one bad object fails alone")
	assert.Regexp(t, `member2\s+ConfigMap\s+tenant\s+turned\s+created`, r.stdout)
	after := memberSnapshots(t, configMapsGVR, secretsGVR, namespacesGVR)
	for _, m := range []string{"member1", "member2"} {
		// What changed is exactly the tenant namespace's two objects and the namespace itself.
		// Other tests' namespaces may still be going away; the attacks aimed at these.
		assert.Equal(t, only(before[m], reservedEntries...), only(after[m], reservedEntries...), "%s: nothing in the reserved namespaces was written", m)
		assert.Empty(t, names(t, dynamicFor(t, m), configMapsGVR, "", "attack-"), "%s: no attack object anywhere", m)
		assert.Empty(t, names(t, dynamicFor(t, m), configMapsGVR, "", "evil"), m)
		assert.Empty(t, names(t, dynamicFor(t, m), configMapsGVR, "tenant", "coredns"), m)
		assert.Empty(t, names(t, dynamicFor(t, m), secretsGVR, "tenant", "attack-"), "%s: no object retyped", m)
	}
	status := getObject(t, dynamicFor(t, "host"), federatedConfigMapsGVR, "tenant", "attack-0")
	conditions, _, _ := unstructured.NestedSlice(status.Object, "status", "conditions")
	require.NotEmpty(t, conditions)
	assert.Equal(t, "False", conditions[0].(map[string]any)["status"], "the failed object's status says so")

	// Turn a propagated object into an attack: its copies stay as they were, nowhere else gains one.
	turnedBefore := memberSnapshots(t, configMapsGVR)
	_, err := dynamicFor(t, "host").Resource(federatedConfigMapsGVR).Namespace("tenant").Patch(context.Background(), "turned", "application/merge-patch+json",
		[]byte(`{"spec":{"template":{"data":{"a":"2"}},"overrides":[{"clusterName":"member2","clusterOverrides":[{"path":"/metadata","value":{"namespace":"kube-system"}}]}]}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	r = kubefedctl(t, "propagate", "-n", "tenant")
	require.Equal(t, cli.ExitError, r.code)
	assert.Regexp(t, `member1\s+ConfigMap\s+tenant\s+turned\s+failed`, r.stdout, "fails in every member, not only where the override applies")
	assert.Equal(t, turnedBefore, memberSnapshots(t, configMapsGVR), "the copies are neither changed, deleted nor moved")
	for _, m := range []string{"member1", "member2"} {
		cm := getObject(t, dynamicFor(t, m), configMapsGVR, "tenant", "turned")
		assert.Equal(t, "1", cm.Object["data"].(map[string]any)["a"])
	}

	// The attacks gone, the next pass converges, and the one after writes nothing.
	for i := range attacks {
		require.NoError(t, dynamicFor(t, "host").Resource(federatedConfigMapsGVR).Namespace("tenant").Delete(context.Background(), fmt.Sprintf("attack-%d", i), metav1.DeleteOptions{}))
	}
	require.NoError(t, dynamicFor(t, "host").Resource(federatedConfigMapsGVR).Namespace("tenant").Delete(context.Background(), "turned", metav1.DeleteOptions{}))
	mustRun(t, "propagate", "-n", "tenant")
	r = kubefedctl(t, "propagate", "-n", "tenant", "--detailed-exitcode")
	assert.Equal(t, cli.ExitOK, r.code, r.stdout)
	assert.Empty(t, names(t, dynamicFor(t, "host"), federatedConfigMapsGVR, "tenant", "attack-"), "their finalizers were removed")
}

// Invariants 2 and 3: nothing lands in the clusters' system namespaces or in the KubeFed
// namespace, whatever FederatedNamespaces say, and no service-account token or type of the
// federation's own is propagated.
func TestSecurityMachineryIsNeverPropagated(t *testing.T) {
	federation(t)
	mustRun(t, "enable", "secrets")
	ensureNamespace(t, "host", "tenant")
	ensureNamespace(t, "host", "kube-node-lease")
	var docs strings.Builder
	for _, ns := range []string{"kube-system", "kube-public", "kube-node-lease", kfns} {
		fmt.Fprintf(&docs, `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: %[1]s, namespace: %[1]s}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: planted, namespace: %[1]s}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`, ns)
	}
	docs.WriteString(`---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: tenant, namespace: tenant}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: stolen-token, namespace: tenant}
spec:
  template:
    type: kubernetes.io/service-account-token
    metadata: {annotations: {kubernetes.io/service-account.name: default}}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: retyped, namespace: tenant}
spec:
  template: {type: Opaque, data: {a: YQ==}}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: member1
    clusterOverrides: [{path: /type, value: kubernetes.io/service-account-token}]
`)
	applyFiles(t, writeFile(t, docs.String()))
	// Labelled objects in reserved namespaces (kubefed's leftovers, say) are not pruned either.
	for _, ns := range []string{"kube-system", kfns} {
		_, err := dynamicFor(t, "member1").Resource(configMapsGVR).Namespace(ns).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "labelled", "namespace": ns, "labels": map[string]any{apis.ManagedLabel: "true"}}}}, metav1.CreateOptions{})
		require.NoError(t, ignoreExists(err))
	}
	before := memberSnapshots(t, configMapsGVR, secretsGVR, namespacesGVR)
	r := kubefedctl(t, "propagate")
	require.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	assert.NotRegexp(t, `labelled\s+unlabelled`, r.stdout)
	assert.Regexp(t, `member1\s+Secret\s+tenant\s+stolen-token\s+failed\s+.*never propagated`, r.stdout)
	assert.Regexp(t, `member1\s+Secret\s+tenant\s+retyped\s+failed\s+.*service-account-token`, r.stdout)
	assert.NotRegexp(t, `planted`, r.stdout, "objects in reserved namespaces are not even considered")
	after := memberSnapshots(t, configMapsGVR, secretsGVR, namespacesGVR)
	for _, m := range []string{"member1", "member2"} {
		for _, ns := range []string{"kube-system", "kube-public", "kube-node-lease", kfns} {
			assert.Empty(t, names(t, dynamicFor(t, m), configMapsGVR, ns, "planted"), "%s: %s", m, ns)
		}
		// The system namespaces themselves are neither labelled nor changed.
		assert.Equal(t, only(before[m], reservedEntries...), only(after[m], reservedEntries...), m)
		assert.Empty(t, names(t, dynamicFor(t, m), secretsGVR, "tenant", "stolen-token"), m)
	}
	assert.Empty(t, names(t, dynamicFor(t, "member1"), secretsGVR, "tenant", "retyped"), "member1's copy would be a token")
	assert.Equal(t, []string{"retyped"}, names(t, dynamicFor(t, "member2"), secretsGVR, "tenant", "retyped"), "member2's is an ordinary Secret")

	// The planted objects in reserved namespaces got no finalizer or status: the pass ignores them.
	planted := getObject(t, dynamicFor(t, "host"), federatedConfigMapsGVR, "kube-system", "planted")
	assert.Empty(t, planted.GetFinalizers())
	_, hasStatus := planted.Object["status"]
	assert.False(t, hasStatus)

	host := dynamicFor(t, "host")
	for _, ns := range []string{"kube-system", "kube-public", "kube-node-lease", kfns} {
		require.NoError(t, host.Resource(federatedConfigMapsGVR).Namespace(ns).Delete(context.Background(), "planted", metav1.DeleteOptions{}))
		require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace(ns).Delete(context.Background(), ns, metav1.DeleteOptions{}))
	}
	for _, name := range []string{"stolen-token", "retyped"} {
		require.NoError(t, host.Resource(federatedGVR("federatedsecrets")).Namespace("tenant").Delete(context.Background(), name, metav1.DeleteOptions{}))
	}
	mustRun(t, "propagate")
	mustRun(t, "disable", "secrets")
}

// Invariant 4: a second federation on the same host, Namespaced in its own KubeFed namespace,
// and the first, Cluster-scoped, never touch each other's objects, finalizers or status, on the
// host or in a member they share; a second Cluster-scoped federation is refused.
func TestSecurityTwoFederationsOnOneHost(t *testing.T) {
	federation(t)
	const other = "fed-b"
	ctx := context.Background()
	host := dynamicFor(t, "host")
	mustRun(t, "--kubefed-namespace", other, "init", "--scope", "Namespaced")
	mustRun(t, "--kubefed-namespace", other, "join", "member1", "--host-cluster-name", "host-b", "--error-on-existing=false")
	mustRun(t, "--kubefed-namespace", other, "enable", "configmaps")
	t.Cleanup(func() {
		kubefedctl(t, "--kubefed-namespace", other, "unjoin", "member1", "--host-cluster-name", "host-b", "--force")
		for _, c := range []string{"host", "member1"} {
			_ = dynamicFor(t, c).Resource(namespacesGVR).Delete(ctx, other, metav1.DeleteOptions{})
		}
	})

	ensureNamespace(t, "host", "tenant-a")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: tenant-a, namespace: tenant-a}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: a-config, namespace: tenant-a}
spec:
  template: {data: {owner: a}}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: b-config, namespace: fed-b}
spec:
  template: {data: {owner: b}}
  placement: {clusterSelector: {}}
`))
	mustRun(t, "propagate")
	mustRun(t, "--kubefed-namespace", other, "propagate")
	b := getObject(t, dynamicFor(t, "member1"), configMapsGVR, other, "b-config")
	assert.Equal(t, apis.ManagedLabelTrue, b.GetLabels()[apis.ManagedLabel], "the second federation propagated its own object")
	assert.Empty(t, names(t, dynamicFor(t, "member2"), configMapsGVR, other, "b-config"), "member2 is not joined to it")

	// The two federations' federated objects (other tests' may still be finishing their deletion).
	federated := func() []string {
		return only(snapshot(t, host, federatedConfigMapsGVR, federatedGVR("federatednamespaces")), " tenant-a/", " "+other+"/")
	}
	// Both federations' namespaces, the reserved ones and the cluster-wide RBAC: what either
	// federation could touch (other tests' namespaces may still be going away meanwhile).
	members := func() map[string][]string {
		out := memberSnapshots(t, configMapsGVR, namespacesGVR, serviceAccountsGVR, secretsGVR, clusterRoleBindingsGVR)
		for m, snap := range out {
			out[m] = only(snap, append([]string{" tenant-a/", " " + other + "/", "namespaces /tenant-a@", "namespaces /" + other + "@", "clusterrolebindings "}, reservedEntries...)...)
		}
		return out
	}
	hostBefore, membersBefore := federated(), members()

	// Each federation's pass, run again and with its dry runs, changes nothing of the other's.
	for _, args := range [][]string{
		{"propagate"}, {"propagate", "-n", other}, {"--kubefed-namespace", other, "propagate"},
		{"--kubefed-namespace", other, "propagate", "-A"}, {"propagate", "--dry-run=server"},
	} {
		r := kubefedctl(t, args...)
		require.Equal(t, cli.ExitOK, r.code, "%v: %s%s", args, r.stdout, r.stderr)
		assert.NotRegexp(t, `(?m)\s(unlabelled|deleted|updated|adopted)(\s{2,}|$)`, r.stdout, "%v: the RESULT column", args)
	}
	assert.Equal(t, hostBefore, federated(), "no finalizer or status of either was rewritten by the other")
	assert.Equal(t, membersBefore, members())
	for _, f := range []struct{ ns, name string }{{"tenant-a", "a-config"}, {other, "b-config"}} {
		obj := getObject(t, host, federatedConfigMapsGVR, f.ns, f.name)
		assert.Equal(t, []string{apis.SyncFinalizer}, obj.GetFinalizers(), f.name)
	}

	// The Namespaced federation refuses other namespaces outright.
	r := kubefedctl(t, "--kubefed-namespace", other, "propagate", "-n", "tenant-a")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, `is Namespaced: it propagates only namespace "fed-b"`)

	// A second Cluster-scoped federation would claim every namespace: init refuses it, and if
	// one is made by hand, both federations' passes refuse to run.
	r = kubefedctl(t, "--kubefed-namespace", "fed-c", "init")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, `the host already has a Cluster-scoped federation, in namespace "kube-federation-system"`)
	ensureNamespace(t, "host", "fed-c")
	t.Cleanup(func() { _ = host.Resource(namespacesGVR).Delete(ctx, "fed-c", metav1.DeleteOptions{}) })
	require.NoError(t, create(t, "host", `
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedConfig
metadata: {name: kubefed, namespace: fed-c}
spec: {scope: Cluster}
`))
	for _, ns := range []string{kfns, "fed-c"} {
		r := kubefedctl(t, "--kubefed-namespace", ns, "propagate")
		assert.Equal(t, cli.ExitError, r.code, ns)
		assert.Contains(t, r.stderr, "second Cluster-scoped federation", ns)
	}
	require.NoError(t, host.Resource(apis.KubeFedConfigResource).Namespace("fed-c").Delete(ctx, apis.KubeFedConfigName, metav1.DeleteOptions{}))
	assert.Equal(t, membersBefore, members(), "the refused passes wrote nothing")

	require.NoError(t, host.Resource(federatedConfigMapsGVR).Namespace(other).Delete(ctx, "b-config", metav1.DeleteOptions{}))
	mustRun(t, "--kubefed-namespace", other, "propagate")
	assert.Empty(t, names(t, dynamicFor(t, "member1"), configMapsGVR, other, "b-config"))
}

// Invariant 5, propagate's half: a member namespace the federation adopted, or one that holds
// objects it does not manage, is unlabelled, never deleted, when its FederatedNamespace goes or
// stops placing it there; one that holds only the federation's objects is deleted, as in kubefed.
func TestSecurityNamespacesWithOthersDataAreNeverDeleted(t *testing.T) {
	federation(t)
	ctx := context.Background()
	host, m1 := dynamicFor(t, "host"), dynamicFor(t, "member1")
	userConfigMap := func(ns, name string, labels map[string]any) {
		cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": name, "namespace": ns}, "data": map[string]any{"precious": "yes"}}}
		if labels != nil {
			cm.SetLabels(map[string]string{apis.ManagedLabel: labels[apis.ManagedLabel].(string)})
		}
		_, err := m1.Resource(configMapsGVR).Namespace(ns).Create(ctx, cm, metav1.CreateOptions{})
		require.NoError(t, ignoreExists(err))
	}
	// adopted: existed in member1 before, with the user's data.
	ensureNamespace(t, "member1", "ns-adopted")
	userConfigMap("ns-adopted", "mine", nil)
	// created: the federation creates them; then users put things in them.
	var docs strings.Builder
	for _, ns := range []string{"ns-adopted", "ns-user-data", "ns-hands-off", "ns-moved", "ns-ours"} {
		ensureNamespace(t, "host", ns)
		fmt.Fprintf(&docs, `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: %[1]s, namespace: %[1]s}
spec: {placement: {clusters: [{name: member1}]}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: federated, namespace: %[1]s}
spec:
  template: {data: {a: "1"}}
  placement: {clusters: [{name: member1}]}
`, ns)
	}
	applyFiles(t, writeFile(t, docs.String()))
	r := mustRun(t, "propagate")
	assert.Regexp(t, `member1\s+Namespace\s+-\s+ns-adopted\s+adopted`, r.stdout)
	assert.Equal(t, "true", getObject(t, m1, namespacesGVR, "", "ns-adopted").GetAnnotations()[propagate.AdoptedAnnotation])
	assert.Empty(t, getObject(t, m1, namespacesGVR, "", "ns-ours").GetAnnotations()[propagate.AdoptedAnnotation])
	r = kubefedctl(t, "propagate", "--detailed-exitcode")
	assert.Equal(t, cli.ExitOK, r.code, "the adoption mark is stable: %s", r.stdout)

	userConfigMap("ns-user-data", "mine", nil)
	userConfigMap("ns-hands-off", "mine", map[string]any{apis.ManagedLabel: apis.ManagedLabelFalse})
	userConfigMap("ns-moved", "mine", nil)

	for _, ns := range []string{"ns-adopted", "ns-user-data", "ns-hands-off", "ns-ours"} {
		require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace(ns).Delete(ctx, ns, metav1.DeleteOptions{}))
	}
	_, err := host.Resource(federatedGVR("federatednamespaces")).Namespace("ns-moved").Patch(ctx, "ns-moved", "application/merge-patch+json",
		[]byte(`{"spec":{"placement":{"clusters":[{"name":"member2"}]}}}`), metav1.PatchOptions{})
	require.NoError(t, err)

	// The dry run says what the pass will do, and does nothing.
	before := memberSnapshots(t, namespacesGVR, configMapsGVR)
	dry := mustRun(t, "propagate", "--dry-run=server")
	assert.Equal(t, before, memberSnapshots(t, namespacesGVR, configMapsGVR))
	r = mustRun(t, "propagate")
	for _, out := range []string{dry.stdout, r.stdout} {
		assert.Regexp(t, `member1\s+Namespace\s+-\s+ns-adopted\s+unlabelled\s+the federation adopted this namespace`, out)
		assert.Regexp(t, `member1\s+Namespace\s+-\s+ns-user-data\s+unlabelled\s+it holds objects the federation does not manage \(ConfigMap/mine\)`, out)
		assert.Regexp(t, `member1\s+Namespace\s+-\s+ns-hands-off\s+unlabelled\s+it holds objects the federation does not manage \(ConfigMap/mine\)`, out)
		assert.Regexp(t, `member1\s+Namespace\s+-\s+ns-moved\s+unlabelled\s+it holds objects`, out)
		assert.Regexp(t, `member1\s+Namespace\s+-\s+ns-ours\s+deleted`, out)
	}
	for _, ns := range []string{"ns-adopted", "ns-user-data", "ns-hands-off", "ns-moved"} {
		live := getObject(t, m1, namespacesGVR, "", ns)
		assert.Nil(t, live.GetDeletionTimestamp(), ns)
		assert.NotContains(t, live.GetLabels(), apis.ManagedLabel, ns)
		cm := getObject(t, m1, configMapsGVR, ns, "mine")
		assert.Equal(t, "yes", cm.Object["data"].(map[string]any)["precious"], ns)
	}
	ours := getObject(t, m1, namespacesGVR, "", "ns-ours")
	assert.NotNil(t, ours.GetDeletionTimestamp(), "a namespace holding only the federation's objects is deleted")
	for _, ns := range []string{"ns-adopted", "ns-user-data", "ns-hands-off"} {
		assert.Empty(t, names(t, host, federatedGVR("federatednamespaces"), ns, ns), "%s: the finalizer went", ns)
	}
	// The deleted namespace takes its time to go; its FederatedNamespace waits for it.
	require.Eventually(t, func() bool {
		mustRun(t, "propagate")
		return len(names(t, host, federatedGVR("federatednamespaces"), "ns-ours", "ns-ours")) == 0
	}, 60*time.Second, time.Second, "ns-ours: the finalizer goes once the member namespace is gone")
	for _, ns := range []string{"ns-adopted", "ns-user-data", "ns-hands-off", "ns-moved", "ns-ours"} {
		_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
		_ = m1.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
	}
}

// Invariant 1, through the type config: a hand-made FederatedTypeConfig that gives a namespaced
// federated type a cluster-scoped target, or that targets the federation's own types, would let
// a tenant write cluster-wide. Such objects fail, and no member gains anything.
func TestSecurityTypeConfigsCannotWidenATenantsReach(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "tenant")
	ctx := context.Background()
	host := dynamicFor(t, "host")
	for _, kind := range []string{"ClusterRoleBinding", "KubeFedCluster"} {
		plural := strings.ToLower(kind) + "s"
		require.NoError(t, ignoreExists(create(t, "host", fmt.Sprintf(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: federated%[1]s.types.kubefed.io}
spec:
  group: types.kubefed.io
  scope: Namespaced
  names: {kind: Federated%[2]s, plural: federated%[1]s, singular: federated%[3]s, listKind: Federated%[2]sList}
  versions:
  - name: v1beta1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`, plural, kind, strings.ToLower(kind)))))
		crd := "federated" + plural + ".types.kubefed.io"
		t.Cleanup(func() { _ = host.Resource(crdsGVR).Delete(ctx, crd, metav1.DeleteOptions{}) })
	}
	require.Eventually(t, func() bool {
		_, err := host.Resource(federatedGVR("federatedclusterrolebindings")).Namespace("tenant").List(ctx, metav1.ListOptions{})
		_, err2 := host.Resource(federatedGVR("federatedkubefedclusters")).Namespace("tenant").List(ctx, metav1.ListOptions{})
		return err == nil && err2 == nil
	}, 30*time.Second, 200*time.Millisecond)
	applyFiles(t, writeFile(t, `
apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: clusterrolebindings.rbac.authorization.k8s.io, namespace: kube-federation-system}
spec:
  targetType: {group: rbac.authorization.k8s.io, version: v1, kind: ClusterRoleBinding, pluralName: clusterrolebindings, scope: Namespaced}
  propagation: Enabled
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedClusterRoleBinding, pluralName: federatedclusterrolebindings, scope: Namespaced}
---
apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: kubefedclusters.core.kubefed.io, namespace: kube-federation-system}
spec:
  targetType: {group: core.kubefed.io, version: v1beta1, kind: KubeFedCluster, pluralName: kubefedclusters, scope: Namespaced}
  propagation: Enabled
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedKubeFedCluster, pluralName: federatedkubefedclusters, scope: Namespaced}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: tenant, namespace: tenant}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedClusterRoleBinding
metadata: {name: tenant-admin, namespace: tenant}
spec:
  template:
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    subjects: [{kind: ServiceAccount, name: default, namespace: tenant}]
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedKubeFedCluster
metadata: {name: rogue, namespace: tenant}
spec:
  template: {spec: {apiEndpoint: "https://attacker.example", secretRef: {name: x}}}
  placement: {clusterSelector: {}}
`))
	t.Cleanup(func() {
		for _, name := range []string{"clusterrolebindings.rbac.authorization.k8s.io", "kubefedclusters.core.kubefed.io"} {
			_ = host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Delete(ctx, name, metav1.DeleteOptions{})
		}
	})
	before := memberSnapshots(t, clusterRoleBindingsGVR)
	r := kubefedctl(t, "propagate")
	require.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	for _, m := range []string{"member1", "member2"} {
		assert.Regexp(t, m+`\s+ClusterRoleBinding\s+tenant\s+tenant-admin\s+failed\s+.*declares ClusterRoleBinding Namespaced, but it is not`, r.stdout)
		assert.Regexp(t, m+`\s+KubeFedCluster\s+tenant\s+rogue\s+failed\s+.*federation's own types`, r.stdout)
		assert.Empty(t, names(t, dynamicFor(t, m), clusterRoleBindingsGVR, "", "tenant-admin"), m)
	}
	assert.Equal(t, before, memberSnapshots(t, clusterRoleBindingsGVR))
	for _, plural := range []string{"federatedclusterrolebindings", "federatedkubefedclusters"} {
		list, err := host.Resource(federatedGVR(plural)).Namespace("tenant").List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		for _, item := range list.Items {
			item.SetFinalizers(nil)
			_, err := host.Resource(federatedGVR(plural)).Namespace("tenant").Update(ctx, &item, metav1.UpdateOptions{})
			require.NoError(t, err)
			require.NoError(t, host.Resource(federatedGVR(plural)).Namespace("tenant").Delete(ctx, item.GetName(), metav1.DeleteOptions{}))
		}
	}
}
