package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/join"
)

var roleBindingsGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}

// joinResources are every kind join or unjoin could write.
var joinResources = []schema.GroupVersionResource{namespacesGVR, serviceAccountsGVR, secretsGVR, configMapsGVR,
	clusterRolesGVR, clusterRoleBindingsGVR, rolesGVR, roleBindingsGVR, apis.KubeFedClusterResource}

// clusterSnapshots are the resourceVersions of joinResources in every cluster.
func clusterSnapshots(t *testing.T) map[string][]string {
	out := map[string][]string{}
	for _, cp := range fed.All() {
		out[cp.Name] = snapshot(t, dynamicFor(t, cp.Name), joinResources...)
	}
	return out
}

// secondFederation initialises another federation on the host, in its own KubeFed namespace,
// and removes it (the host namespace, gone) when the test ends.
func secondFederation(t *testing.T, namespace, scope string) {
	t.Helper()
	if scope == apis.ScopeCluster {
		// init refuses a second Cluster-scoped federation on a host; one made by other means
		// (kubefed's own chart, say) must still be safe to join beside the first.
		r := kubefedctl(t, "--kubefed-namespace", namespace, "init", "--scope", scope)
		require.Equal(t, cli.ExitError, r.code, r.stdout)
		require.Contains(t, r.stderr, "the host already has a Cluster-scoped federation")
		ensureNamespace(t, "host", namespace)
		require.NoError(t, create(t, "host", fmt.Sprintf("apiVersion: core.kubefed.io/v1beta1\nkind: KubeFedConfig\nmetadata: {name: kubefed, namespace: %s}\nspec: {scope: Cluster}\n", namespace)))
	} else {
		mustRun(t, "--kubefed-namespace", namespace, "init", "--scope", scope)
	}
	t.Cleanup(func() {
		host := fed.Host.Config()
		client, err := kubernetes.NewForConfig(host)
		require.NoError(t, err)
		require.NoError(t, ignoreNotFound(client.CoreV1().Namespaces().Delete(context.Background(), namespace, metav1.DeleteOptions{})))
		waitGone(t, client, namespace)
	})
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// waitGone waits, bounded, until a namespace no longer exists.
func waitGone(t *testing.T, client kubernetes.Interface, namespace string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	require.NoError(t, err, "namespace %q is gone", namespace)
}

func kubeClient(t *testing.T, context string) kubernetes.Interface {
	t.Helper()
	for _, cp := range fed.All() {
		if cp.Name == context {
			client, err := kubernetes.NewForConfig(cp.Config())
			require.NoError(t, err)
			return client
		}
	}
	t.Fatalf("no cluster %q", context)
	return nil
}

// storedClient reaches a member with only what a federation's join stored in the host.
func storedClient(t *testing.T, kubefedNamespace, name string) kubernetes.Interface {
	t.Helper()
	host := hostClients(t)
	clusters, err := join.ListClusters(context.Background(), host, kubefedNamespace)
	require.NoError(t, err)
	for _, c := range clusters {
		if c.Name == name {
			config, err := join.MemberConfig(context.Background(), host, c)
			require.NoError(t, err)
			client, err := kubernetes.NewForConfig(config)
			require.NoError(t, err)
			return client
		}
	}
	t.Fatalf("no KubeFedCluster %s/%s", kubefedNamespace, name)
	return nil
}

// rv is "name@resourceVersion" of a cluster-scoped object, or "absent".
func rv(t *testing.T, cluster string, gvr schema.GroupVersionResource, namespace, name string) string {
	t.Helper()
	obj, err := dynamicFor(t, cluster).Resource(gvr).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "absent"
	}
	require.NoError(t, err)
	return name + "@" + obj.GetResourceVersion()
}

// Two federations on one host, each joining member1 under the same host cluster name, never
// change each other's credentials or RBAC.
func TestJoinTwoFederationsOnOneHost(t *testing.T) {
	mustRun(t, "init")
	secondFederation(t, "fed-b", apis.ScopeNamespaced)
	secondFederation(t, "fed-c", apis.ScopeCluster)
	defer func() {
		kubefedctl(t, "--kubefed-namespace", "fed-b", "unjoin", "member1", "--force")
		kubefedctl(t, "--kubefed-namespace", "fed-c", "unjoin", "member1", "--force", "--host-cluster-name", "host-fed-c")
		unjoinQuietly(t, "member1")
	}()

	mustRun(t, "join", "member1")
	const global = "kubefed-controller-manager:member1-host"
	ownRBAC := func() []string {
		return []string{
			rv(t, "member1", clusterRolesGVR, "", global), rv(t, "member1", clusterRoleBindingsGVR, "", global),
			rv(t, "member1", serviceAccountsGVR, kfns, "member1-host"), rv(t, "member1", secretsGVR, kfns, "member1-host"),
		}
	}
	before := ownRBAC()
	require.NotContains(t, before, "absent")
	stillWorks := func(why string) {
		t.Helper()
		_, err := storedClient(t, kfns, "member1").CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{Limit: 1})
		require.NoError(t, err, "the first federation's credentials still work %s", why)
		assert.Equal(t, before, ownRBAC(), "the first federation's RBAC and credentials are untouched %s", why)
	}

	// A Namespaced federation: its own namespace, its own health ClusterRole; nothing shared.
	mustRun(t, "--kubefed-namespace", "fed-b", "join", "member1")
	stillWorks("after a Namespaced federation joined the same member")
	fedB := storedClient(t, "fed-b", "member1")
	_, err := fedB.CoreV1().ConfigMaps("fed-b").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err, "the Namespaced federation manages its namespace")
	_, err = fedB.CoreV1().ConfigMaps("default").List(context.Background(), metav1.ListOptions{})
	assert.True(t, apierrors.IsForbidden(err), "and nothing outside it: %v", err)

	// A second Cluster-scoped federation would take the first one's ClusterRole and binding:
	// refused in every variant, nothing written anywhere.
	snapshots := clusterSnapshots(t)
	for _, args := range [][]string{
		{"join", "member1"},
		{"join", "member1", "--error-on-existing=false"},
		{"join", "member1", "--rbac=scoped", "--error-on-existing=false"},
		{"join", "member1", "--dry-run=server"},
		{"join", "member1", "--dry-run=client"},
		{"join", "member1", "--cluster-context", "member1", "--host-cluster-name", "host"},
	} {
		r := kubefedctl(t, append([]string{"--kubefed-namespace", "fed-c"}, args...)...)
		assert.Equal(t, cli.ExitError, r.code, "%v", args)
		assert.Contains(t, r.stderr, `ClusterRoleBinding "kubefed-controller-manager:member1-host" in member cluster "member1" is not this federation's: `+
			`it binds ServiceAccount kube-federation-system/member1-host, not this federation's ServiceAccount fed-c/member1-host`, "%v", args)
		assert.Contains(t, r.stderr, "whatever --error-on-existing says: pass a --host-cluster-name no other federation uses with this member (e.g. --host-cluster-name host-fed-c)")
		assert.NotContains(t, r.stdout, "joined")
	}
	assert.Equal(t, snapshots, clusterSnapshots(t), "the refused joins wrote nothing in any cluster")

	// With its own host cluster name it joins, and the first federation keeps its grant.
	mustRun(t, "--kubefed-namespace", "fed-c", "join", "member1", "--host-cluster-name", "host-fed-c")
	stillWorks("after a second Cluster-scoped federation joined under another host cluster name")

	// Unjoins of the other federations, under the shared name too, leave the first one's
	// ClusterRole and binding: they say why.
	for _, mode := range []string{"client", "server"} {
		r := mustRun(t, "--kubefed-namespace", "fed-b", "unjoin", "member1", "--dry-run="+mode)
		assert.Contains(t, r.stdout, "clusterrolebinding.rbac.authorization.k8s.io/"+global+" kept in the member: not this federation's: "+
			"it binds ServiceAccount kube-federation-system/member1-host, not this federation's ServiceAccount fed-b/member1-host")
		assert.Contains(t, r.stdout, "clusterrole.rbac.authorization.k8s.io/kubefed-controller-manager:fed-b:healthcheck-member1-host deleted in the member")
		assert.Contains(t, r.stdout, "namespace/fed-b deleted in the member")
	}
	mustRun(t, "--kubefed-namespace", "fed-b", "unjoin", "member1")
	stillWorks("after the Namespaced federation unjoined")
	assert.Equal(t, "absent", rv(t, "member1", clusterRolesGVR, "", "kubefed-controller-manager:fed-b:healthcheck-member1-host"))
	assert.Equal(t, "absent", rv(t, "member1", namespacesGVR, "", "fed-b"), "the namespace the Namespaced join made is gone")
	mustRun(t, "--kubefed-namespace", "fed-c", "unjoin", "member1", "--host-cluster-name", "host-fed-c")
	stillWorks("after the second Cluster-scoped federation unjoined")
	assert.Equal(t, "absent", rv(t, "member1", clusterRoleBindingsGVR, "", "kubefed-controller-manager:member1-host-fed-c"))
	r := mustRun(t, "--kubefed-namespace", "fed-c", "unjoin", "member1", "--force")
	assert.Contains(t, r.stderr, "ClusterRoleBinding "+global+": not this federation's: it binds ServiceAccount kube-federation-system/member1-host")
	assert.Contains(t, r.stderr, "ClusterRole "+global+": not this federation's: its ClusterRoleBinding of the same name is not this federation's")
	stillWorks("after unjoin --force of a federation under the shared name it never joined with")

	// A binding someone else added a subject to is not ours any more: kept, and join refuses it.
	mustRun(t, "unjoin", "member1")
	mustRun(t, "join", "member1")
	crb, err := dynamicFor(t, "member1").Resource(clusterRoleBindingsGVR).Get(context.Background(), global, metav1.GetOptions{})
	require.NoError(t, err)
	subjects, _, _ := unstructured.NestedSlice(crb.Object, "subjects")
	require.NoError(t, unstructured.SetNestedSlice(crb.Object, append(subjects, map[string]any{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}), "subjects"))
	_, err = dynamicFor(t, "member1").Resource(clusterRoleBindingsGVR).Update(context.Background(), crb, metav1.UpdateOptions{})
	require.NoError(t, err)
	snapshots = clusterSnapshots(t)
	r = kubefedctl(t, "join", "member1", "--error-on-existing=false")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "it binds User alice, not this federation's ServiceAccount kube-federation-system/member1-host")
	assert.Equal(t, snapshots, clusterSnapshots(t), "the refused join wrote nothing")
	r = mustRun(t, "unjoin", "member1")
	assert.Contains(t, r.stderr, "ClusterRoleBinding "+global+": not this federation's: it binds User alice")
	assert.NotEqual(t, "absent", rv(t, "member1", clusterRoleBindingsGVR, "", global), "a binding that is not provably ours stays")
	assert.NotEqual(t, "absent", rv(t, "member1", clusterRolesGVR, "", global), "nor the ClusterRole that binding grants")
	require.NoError(t, dynamicFor(t, "member1").Resource(clusterRoleBindingsGVR).Delete(context.Background(), global, metav1.DeleteOptions{}))
	mustRun(t, "unjoin", "member1", "--force")
	assert.Equal(t, "absent", rv(t, "member1", clusterRolesGVR, "", global), "once the binding is gone, the ClusterRole its annotation proves ours goes")
}

// Unjoin removes what join created and keeps the member's KubeFed namespace whenever deleting
// it would lose something: a namespace that was there before, one holding others' objects,
// the host's own.
func TestUnjoinKeepsWhatJoinDidNotCreate(t *testing.T) {
	mustRun(t, "init")
	member := kubeClient(t, "member2")
	ctx := context.Background()
	gone := func(what string) {
		t.Helper()
		for _, check := range [][3]any{{serviceAccountsGVR, kfns, "member2-host"}, {secretsGVR, kfns, "member2-host"},
			{clusterRolesGVR, "", "kubefed-controller-manager:member2-host"}, {clusterRoleBindingsGVR, "", "kubefed-controller-manager:member2-host"}} {
			assert.Equal(t, "absent", rv(t, "member2", check[0].(schema.GroupVersionResource), check[1].(string), check[2].(string)), "%s: %v", what, check)
		}
	}
	namespaceKept := func(what string) {
		t.Helper()
		ns, err := member.CoreV1().Namespaces().Get(ctx, kfns, metav1.GetOptions{})
		require.NoError(t, err, "%s: the namespace is kept", what)
		assert.Nil(t, ns.DeletionTimestamp, "%s: the namespace is not being deleted", what)
	}
	defer unjoinQuietly(t, "member2", "member2b")

	// 1. The namespace existed before join: never deleted, said so.
	require.NoError(t, ignoreNotFound(member.CoreV1().Namespaces().Delete(ctx, kfns, metav1.DeleteOptions{})))
	waitGone(t, member, kfns)
	_, err := member.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: kfns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	r := mustRun(t, "join", "member2", "--dry-run=server")
	assert.Contains(t, r.stdout, "namespace/kube-federation-system unchanged in the member (server dry run; it existed, so unjoin keeps it)")
	mustRun(t, "join", "member2")
	r = mustRun(t, "unjoin", "member2")
	assert.Contains(t, r.stderr, `left in cluster "member2": Namespace kube-federation-system: no kubefedctl join created it (it has no kubefedctl.io/joined-by annotation): it existed before, or kubefed made it`)
	gone("pre-existing namespace")
	namespaceKept("pre-existing namespace")
	require.NoError(t, member.CoreV1().Namespaces().Delete(ctx, kfns, metav1.DeleteOptions{}))
	waitGone(t, member, kfns)

	// 2. Join creates it; a user's ConfigMap in it keeps it. The dry runs list both halves and
	// delete nothing.
	mustRun(t, "join", "member2")
	_, err = member.CoreV1().ConfigMaps(kfns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "user-data"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	snapshots := clusterSnapshots(t)
	for _, mode := range []string{"client", "server"} {
		r := mustRun(t, "unjoin", "member2", "--dry-run="+mode)
		suffix := map[string]string{"client": " (dry run)", "server": " (server dry run)"}[mode]
		for _, line := range []string{
			"clusterrolebinding.rbac.authorization.k8s.io/kubefed-controller-manager:member2-host deleted in the member",
			"clusterrole.rbac.authorization.k8s.io/kubefed-controller-manager:member2-host deleted in the member",
			"secret/member2-host deleted in the member",
			"serviceaccount/member2-host deleted in the member",
			"namespace/kube-federation-system kept in the member: it holds objects join did not create: ConfigMap user-data",
			"kubefedcluster.core.kubefed.io/member2 deleted in the host",
			"kubefedcluster.core.kubefed.io/member2 unjoined",
		} {
			assert.Contains(t, r.stdout, line+suffix+"\n", "--dry-run=%s", mode)
		}
		assert.Regexp(t, `(?m)^secret/member2-\w{5} deleted in the host`+regexpQuote(suffix)+`$`, r.stdout)
	}
	assert.Equal(t, snapshots, clusterSnapshots(t), "unjoin dry runs delete nothing")
	r = mustRun(t, "unjoin", "member2")
	assert.Contains(t, r.stderr, "Namespace kube-federation-system: it holds objects join did not create: ConfigMap user-data")
	gone("namespace with a user's ConfigMap")
	namespaceKept("namespace with a user's ConfigMap")
	cm, err := member.CoreV1().ConfigMaps(kfns).Get(ctx, "user-data", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "v", cm.Data["k"])

	// 3. Once the user's object is gone, the namespace join made goes with the next unjoin.
	require.NoError(t, member.CoreV1().ConfigMaps(kfns).Delete(ctx, "user-data", metav1.DeleteOptions{}))
	mustRun(t, "join", "member2")
	r = mustRun(t, "unjoin", "member2")
	assert.NotContains(t, r.stderr, "left in cluster")
	assert.Equal(t, "absent", rv(t, "member2", namespacesGVR, "", kfns), "the empty namespace join made is deleted")

	// 4. A second host's join into the same namespace keeps it, and still works; the last
	// unjoin deletes it.
	mustRun(t, "join", "member2")
	mustRun(t, "join", "member2b", "--cluster-context", "member2", "--host-cluster-name", "host2")
	r = mustRun(t, "unjoin", "member2")
	assert.Contains(t, r.stderr, "Namespace kube-federation-system: it holds objects join did not create: Secret member2b-host2, ServiceAccount member2b-host2")
	gone("namespace shared with a second join")
	_, err = storedClient(t, kfns, "member2b").CoreV1().Namespaces().List(ctx, metav1.ListOptions{Limit: 1})
	require.NoError(t, err, "the second join's credentials survive the first one's unjoin")
	r = mustRun(t, "unjoin", "member2b", "--cluster-context", "member2", "--host-cluster-name", "host2")
	assert.NotContains(t, r.stderr, "left in cluster")
	assert.Equal(t, "absent", rv(t, "member2", namespacesGVR, "", kfns))

	// 5. The member is the host itself: its KubeFed namespace is never deleted.
	hostNS, err := kubeClient(t, "host").CoreV1().Namespaces().Get(ctx, kfns, metav1.GetOptions{})
	require.NoError(t, err)
	mustRun(t, "join", "hostself", "--cluster-context", "host")
	defer unjoinQuietly(t, "hostself")
	r = mustRun(t, "unjoin", "hostself", "--cluster-context", "host", "--dry-run=server")
	assert.Contains(t, r.stdout, "namespace/kube-federation-system kept in the member: the member is the host itself and this is the federation's own namespace (server dry run)")
	mustRun(t, "unjoin", "hostself", "--cluster-context", "host")
	after, err := kubeClient(t, "host").CoreV1().Namespaces().Get(ctx, kfns, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, hostNS.UID, after.UID)
	assert.Nil(t, after.DeletionTimestamp)
	assert.Equal(t, "absent", rv(t, "host", serviceAccountsGVR, kfns, "hostself-host"))
}

func regexpQuote(s string) string {
	return strings.NewReplacer("(", `\(`, ")", `\)`).Replace(s)
}

// Join proves the credentials it stores work against the endpoint it stores, and rolls back
// with a message that says which part is wrong.
func TestJoinVerifiesStoredCredentials(t *testing.T) {
	mustRun(t, "init")
	member1, member2 := fed.Members[0], fed.Members[1]

	// A context whose CA bundle also verifies member2: the TLS check passes there, and only
	// the token tells the clusters apart.
	config, err := clientcmd.LoadFromFile(fed.Kubeconfig)
	require.NoError(t, err)
	config.Clusters["member1-both-cas"] = &clientcmdapi.Cluster{Server: member1.Server, CertificateAuthorityData: append(append([]byte{}, member1.CAPEM...), member2.CAPEM...)}
	config.Contexts["member1-both-cas"] = &clientcmdapi.Context{Cluster: "member1-both-cas", AuthInfo: "member1"}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*config, kubeconfig))

	snapshots := clusterSnapshots(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"another member's apiserver", []string{"join", "member1", "--api-endpoint", member2.Server},
			"the server at " + member2.Server + " presented a certificate that the CA bundle join would store does not verify (x509: certificate signed by unknown authority"},
		{"the host's apiserver", []string{"join", "member1", "--api-endpoint", fed.Host.Server},
			"the server at " + fed.Host.Server + " presented a certificate that the CA bundle join would store does not verify (x509: certificate signed by unknown authority"},
		{"another member that the CA verifies", []string{"--kubeconfig", kubeconfig, "join", "member1", "--cluster-context", "member1-both-cas", "--api-endpoint", member2.Server},
			"the server at " + member2.Server + " does not accept the new service account's token (401 Unauthorized)"},
		{"nothing listens there", []string{"join", "member1", "--api-endpoint", "https://127.0.0.1:1"},
			"cannot read the API discovery at https://127.0.0.1:1 with the credentials join would store"},
		{"scoped RBAC, another member's apiserver", []string{"join", "member1", "--rbac=scoped", "--api-endpoint", member2.Server},
			"the server at " + member2.Server + " presented a certificate that the CA bundle join would store does not verify (x509: certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := kubefedctl(t, tt.args...)
			assert.Equal(t, cli.ExitError, r.code)
			assert.Contains(t, r.stderr, `joining cluster "member1": the credentials join would store do not work: `+tt.want)
			assert.Contains(t, r.stderr, "; what this join had created was removed")
			assert.Empty(t, r.stdout)
			assert.Less(t, time.Since(start), 60*time.Second)
		})
	}
	assert.Equal(t, snapshots, clusterSnapshots(t), "every failed join was rolled back entirely, in every cluster")

	// The endpoint under another name the certificate holds: verified, stored as given.
	endpoint := strings.Replace(member1.Server, "127.0.0.1", "localhost", 1)
	mustRun(t, "join", "member1", "--api-endpoint", endpoint)
	defer unjoinQuietly(t, "member1")
	cluster, err := dynamicFor(t, "host").Resource(apis.KubeFedClusterResource).Namespace(kfns).Get(context.Background(), "member1", metav1.GetOptions{})
	require.NoError(t, err)
	stored, _, _ := unstructured.NestedString(cluster.Object, "spec", "apiEndpoint")
	assert.Equal(t, endpoint, stored)
	_, err = storedClient(t, kfns, "member1").CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{Limit: 1})
	require.NoError(t, err)
}

// --rbac=scoped grants exactly what the README lists: in Namespaced scope, the enabled
// namespaced types in the KubeFed namespace and GET on the health and discovery URLs.
func TestScopedRBACIsConfinedInNamespacedScope(t *testing.T) {
	secondFederation(t, "fed-n", apis.ScopeNamespaced)
	host := dynamicFor(t, "host")
	mustRun(t, "--kubefed-namespace", "fed-n", "enable", "configmaps")
	ftc := apis.NewTypeConfig(apis.APIResource{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", PluralName: "clusterroles", Scope: apis.ScopeCluster},
		apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
	ftc.Namespace = "fed-n"
	content, err := toUnstructured(ftc)
	require.NoError(t, err)
	_, err = host.Resource(apis.FederatedTypeConfigResource).Namespace("fed-n").Create(context.Background(), content, metav1.CreateOptions{})
	require.NoError(t, err)
	mustRun(t, "--kubefed-namespace", "fed-n", "join", "member2", "--rbac=scoped")
	defer kubefedctl(t, "--kubefed-namespace", "fed-n", "unjoin", "member2", "--force")

	creds := storedClient(t, "fed-n", "member2")
	ctx := context.Background()
	_, err = creds.CoreV1().ConfigMaps("fed-n").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "allowed"}}, metav1.CreateOptions{})
	require.NoError(t, err, "the enabled type, in the KubeFed namespace")
	require.NoError(t, creds.CoreV1().ConfigMaps("fed-n").Delete(ctx, "allowed", metav1.DeleteOptions{}))
	body, err := creds.Discovery().RESTClient().Get().AbsPath("/healthz").DoRaw(ctx)
	require.NoError(t, err, "the health check")
	assert.Equal(t, "ok", string(body))
	_, err = creds.Discovery().ServerGroups()
	require.NoError(t, err, "discovery")

	denied := map[string]error{}
	_, denied["configmaps in default"] = creds.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{})
	_, denied["configmaps cluster-wide"] = creds.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{})
	_, denied["secrets in fed-n (not enabled)"] = creds.CoreV1().Secrets("fed-n").List(ctx, metav1.ListOptions{})
	_, denied["pods in fed-n"] = creds.CoreV1().Pods("fed-n").List(ctx, metav1.ListOptions{})
	_, denied["namespaces"] = creds.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	_, denied["the fed-n namespace"] = creds.CoreV1().Namespaces().Get(ctx, "fed-n", metav1.GetOptions{})
	_, denied["nodes"] = creds.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	_, denied["clusterroles (cluster-scoped, enabled)"] = creds.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	_, denied["/metrics"] = creds.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	for what, err := range denied {
		assert.True(t, apierrors.IsForbidden(err), "%s is forbidden: %v", what, err)
	}

	member := dynamicFor(t, "member2")
	role, err := member.Resource(rolesGVR).Namespace("fed-n").Get(ctx, "kubefed-controller-manager:member2-host", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"},
		"verbs": []any{"get", "list", "watch", "create", "update", "patch", "delete"}}}, role.Object["rules"])
	health, err := member.Resource(clusterRolesGVR).Get(ctx, "kubefed-controller-manager:fed-n:healthcheck-member2-host", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []any{map[string]any{"nonResourceURLs": []any{"/healthz", "/version", "/api", "/api/*", "/apis", "/apis/*"}, "verbs": []any{"get"}}}, health.Object["rules"])
	assert.Equal(t, fmt.Sprintf("%s/%s", "fed-n", "member2-host"), health.GetAnnotations()[join.JoinedByAnnotation])

	// What propagate puts in the member's KubeFed namespace keeps it when the member unjoins.
	federated := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apis.DefaultFederatedGroup + "/" + apis.DefaultFederatedVersion, "kind": "FederatedConfigMap",
		"metadata": map[string]any{"name": "propagated", "namespace": "fed-n"},
		"spec": map[string]any{
			"template":  map[string]any{"data": map[string]any{"k": "v"}},
			"placement": map[string]any{"clusters": []any{map[string]any{"name": "member2"}}},
		},
	}}
	_, err = host.Resource(federatedGVR("federatedconfigmaps")).Namespace("fed-n").Create(ctx, federated, metav1.CreateOptions{})
	require.NoError(t, err)
	defer func() {
		// The finalizer waits for a member that is no longer joined: released by hand.
		patch := []byte(`{"metadata":{"finalizers":null}}`)
		_, _ = host.Resource(federatedGVR("federatedconfigmaps")).Namespace("fed-n").Patch(ctx, "propagated", types.MergePatchType, patch, metav1.PatchOptions{})
		_ = host.Resource(federatedGVR("federatedconfigmaps")).Namespace("fed-n").Delete(ctx, "propagated", metav1.DeleteOptions{})
	}()
	// The enabled cluster-scoped type is neither listed nor written in Namespaced scope, so
	// the confined grant suffices for the whole pass.
	mustRun(t, "--kubefed-namespace", "fed-n", "propagate")
	_, err = kubeClient(t, "member2").CoreV1().ConfigMaps("fed-n").Get(ctx, "propagated", metav1.GetOptions{})
	require.NoError(t, err, "propagated into the member's KubeFed namespace")
	r := mustRun(t, "--kubefed-namespace", "fed-n", "unjoin", "member2", "--dry-run=server")
	assert.Contains(t, r.stdout, "namespace/fed-n kept in the member: it holds objects join did not create: ConfigMap propagated (server dry run)")
	r = mustRun(t, "--kubefed-namespace", "fed-n", "unjoin", "member2")
	assert.Contains(t, r.stderr, "Namespace fed-n: it holds objects join did not create: ConfigMap propagated")
	_, err = kubeClient(t, "member2").CoreV1().ConfigMaps("fed-n").Get(ctx, "propagated", metav1.GetOptions{})
	require.NoError(t, err, "the propagated object is still there")
	assert.Equal(t, "absent", rv(t, "member2", rolesGVR, "fed-n", "kubefed-controller-manager:member2-host"))
	assert.Equal(t, "absent", rv(t, "member2", clusterRolesGVR, "", "kubefed-controller-manager:fed-n:healthcheck-member2-host"))
	require.NoError(t, kubeClient(t, "member2").CoreV1().Namespaces().Delete(ctx, "fed-n", metav1.DeleteOptions{}))
	waitGone(t, kubeClient(t, "member2"), "fed-n")
}
