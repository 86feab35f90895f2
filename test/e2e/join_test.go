package e2e

import (
	"context"
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
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/join"
)

const kfns = apis.DefaultKubeFedNamespace

// hostClients are the host's clients as kubefedctl builds them.
func hostClients(t *testing.T) *cli.Clients {
	t.Helper()
	clients, err := cli.NewClients("host", fed.Host.Config())
	require.NoError(t, err)
	return clients
}

// storedCredentialClient reaches a member with only what join stored in the host.
func storedCredentialClient(t *testing.T, name string) kubernetes.Interface {
	t.Helper()
	host := hostClients(t)
	clusters, err := join.ListClusters(context.Background(), host, kfns)
	require.NoError(t, err)
	for _, c := range clusters {
		if c.Name == name {
			config, err := join.MemberConfig(context.Background(), host, c)
			require.NoError(t, err)
			assert.False(t, config.Insecure, "TLS must be verified")
			assert.NotEmpty(t, config.CAData, "the CA bundle comes from join")
			client, err := kubernetes.NewForConfig(config)
			require.NoError(t, err)
			return client
		}
	}
	t.Fatalf("no KubeFedCluster %q", name)
	return nil
}

func unjoinQuietly(t *testing.T, names ...string) {
	for _, n := range names {
		kubefedctl(t, "unjoin", n, "--force")
	}
}

func TestJoinReachMembersWithStoredCredentialsAndUnjoin(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "init") // idempotent
	r := mustRun(t, "join", "member1", "--labels", "region=us")
	assert.Contains(t, r.stdout, "serviceaccount/member1-host created in the member\n")
	assert.True(t, strings.HasSuffix(r.stdout, "kubefedcluster.core.kubefed.io/member1 created in the host\nkubefedcluster.core.kubefed.io/member1 joined\n"), r.stdout)
	mustRun(t, "join", "member2", "--labels", "region=eu")
	defer unjoinQuietly(t, "member1", "member2")

	for _, name := range []string{"member1", "member2"} {
		namespaces, err := storedCredentialClient(t, name).CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
		require.NoError(t, err, "the stored credentials of %s list namespaces", name)
		assert.NotEmpty(t, namespaces.Items)
	}

	r = mustRun(t, "clusters")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Regexp(t, `^NAME\s+READY\s+VERSION\s+ENDPOINT\s+LABELS\s+AGE$`, lines[0])
	assert.Regexp(t, `^member1\s+True\s+v1\.34\.4\s+https://127\.0\.0\.1:\d+\s+region=us\s+\S+$`, lines[1])
	assert.Regexp(t, `^member2\s+True\s+v1\.34\.4\s+https://127\.0\.0\.1:\d+\s+region=eu\s+\S+$`, lines[2])
	r = mustRun(t, "get", "clusters", "--update-status")
	cluster, err := dynamicFor(t, "host").Resource(apis.KubeFedClusterResource).Namespace(kfns).Get(context.Background(), "member1", metav1.GetOptions{})
	require.NoError(t, err)
	version, _, _ := unstructured.NestedString(cluster.Object, "status", "kubernetesVersion")
	assert.Equal(t, "v1.34.4", version)
	conditions, _, _ := unstructured.NestedSlice(cluster.Object, "status", "conditions")
	require.Len(t, conditions, 1)
	assert.Equal(t, "Ready", conditions[0].(map[string]any)["type"])
	assert.Equal(t, "True", conditions[0].(map[string]any)["status"])

	// Joining again follows --error-on-existing.
	r = kubefedctl(t, "join", "member1")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "already joined")
	host := dynamicFor(t, "host")
	secretsBefore := names(t, host, secretsGVR, kfns, "member1-")
	mustRun(t, "join", "member1", "--error-on-existing=false", "--labels", "region=us")
	assert.Equal(t, secretsBefore, names(t, host, secretsGVR, kfns, "member1-"), "re-joining reuses the host secret")

	// Unjoin leaves nothing of ours in the member nor in the host.
	r = mustRun(t, "unjoin", "member1")
	assert.Equal(t, "kubefedcluster.core.kubefed.io/member1 unjoined\n", r.stdout)
	member1 := dynamicFor(t, "member1")
	assert.Empty(t, names(t, member1, serviceAccountsGVR, kfns, "member1-host"))
	assert.Empty(t, names(t, member1, secretsGVR, kfns, "member1-host"))
	assert.Empty(t, names(t, member1, clusterRolesGVR, "", "member1-host"))
	assert.Empty(t, names(t, member1, clusterRoleBindingsGVR, "", "member1-host"))
	ns, err := member1.Resource(namespacesGVR).Get(context.Background(), kfns, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err) || ns.GetDeletionTimestamp() != nil, "the member's KubeFed namespace is removed")
	assert.Empty(t, names(t, host, apis.KubeFedClusterResource, kfns, "member1"))
	assert.Empty(t, names(t, host, secretsGVR, kfns, "member1-"))
}

func TestJoinScopedRBAC(t *testing.T) {
	mustRun(t, "init")
	host := dynamicFor(t, "host")
	ftc := apis.NewTypeConfig(apis.APIResource{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps", Scope: apis.ScopeNamespaced}, apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
	ftc.Namespace = kfns
	content, err := toUnstructured(ftc)
	require.NoError(t, err)
	_, err = host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Create(context.Background(), content, metav1.CreateOptions{})
	require.NoError(t, ignoreExists(err))

	mustRun(t, "join", "member2", "--rbac=scoped")
	defer unjoinQuietly(t, "member2")
	member := storedCredentialClient(t, "member2")
	ctx := context.Background()
	_, err = member.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "scoped"}}, metav1.CreateOptions{})
	require.NoError(t, err, "namespaces are always manageable")
	_, err = member.CoreV1().ConfigMaps("scoped").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "allowed"}}, metav1.CreateOptions{})
	require.NoError(t, err, "an enabled type is manageable")
	_, err = member.CoreV1().Secrets("scoped").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "denied"}}, metav1.CreateOptions{})
	assert.True(t, apierrors.IsForbidden(err), "a type that is not enabled is forbidden: %v", err)
	_, err = member.CoreV1().Namespaces().Get(ctx, "scoped", metav1.GetOptions{})
	require.NoError(t, err)
	require.NoError(t, member.CoreV1().Namespaces().Delete(ctx, "scoped", metav1.DeleteOptions{}))
}

func TestUnreachableMember(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "join", "member2")
	member2 := fed.Members[1]
	member2.StopAPIServer()
	restarted := false
	defer func() {
		if !restarted {
			require.NoError(t, member2.StartAPIServer(context.Background()))
		}
		unjoinQuietly(t, "member2")
	}()

	start := time.Now()
	r := mustRun(t, "clusters", "--request-timeout", "3s", "-o", "wide")
	assert.Less(t, time.Since(start), 10*time.Second, "probes are bounded by --request-timeout")
	assert.Regexp(t, `(?m)^member2\s+False\s+<unknown>\s+.*cluster is not reachable`, r.stdout)

	r = kubefedctl(t, "unjoin", "member2", "--request-timeout", "3s")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "pass --force")
	assert.NotEmpty(t, names(t, dynamicFor(t, "host"), apis.KubeFedClusterResource, kfns, "member2"), "without --force nothing is removed")

	r = mustRun(t, "unjoin", "member2", "--force", "--request-timeout", "3s")
	assert.Contains(t, r.stderr, `left in cluster "member2"`)
	assert.Contains(t, r.stderr, "ServiceAccount kube-federation-system/member2-host")
	host := dynamicFor(t, "host")
	assert.Empty(t, names(t, host, apis.KubeFedClusterResource, kfns, "member2"))
	assert.Empty(t, names(t, host, secretsGVR, kfns, "member2-"))

	require.NoError(t, member2.StartAPIServer(context.Background()))
	restarted = true
	// With the member back, --force cleans what was left there although the host side is gone.
	mustRun(t, "unjoin", "member2", "--force")
	assert.Empty(t, names(t, dynamicFor(t, "member2"), serviceAccountsGVR, kfns, "member2-host"))
}

func TestDryRunsChangeNothing(t *testing.T) {
	host, member := dynamicFor(t, "host"), dynamicFor(t, "member1")
	resources := []schema.GroupVersionResource{namespacesGVR, serviceAccountsGVR, secretsGVR, clusterRolesGVR, clusterRoleBindingsGVR, rolesGVR, crdsGVR, apis.KubeFedClusterResource, apis.KubeFedConfigResource}
	before := [2][]string{snapshot(t, host, resources...), snapshot(t, member, resources...)}
	for _, mode := range []string{"client", "server"} {
		mustRun(t, "init", "--dry-run="+mode, "--scope", currentScope(t))
		mustRun(t, "join", "member1", "--dry-run="+mode)
	}
	assert.Equal(t, before, [2][]string{snapshot(t, host, resources...), snapshot(t, member, resources...)}, "init and join dry runs change nothing")
	mustRun(t, "init")
	before = [2][]string{snapshot(t, host, resources...), snapshot(t, member, resources...)}
	for _, mode := range []string{"client", "server"} {
		r := mustRun(t, "join", "member1", "--dry-run="+mode)
		assert.Contains(t, r.stdout, "serviceaccount/member1-host created in the member")
		assert.Contains(t, r.stdout, "kubefedcluster.core.kubefed.io/member1 joined")
	}
	assert.Equal(t, before, [2][]string{snapshot(t, host, resources...), snapshot(t, member, resources...)}, "join dry runs change nothing")

	mustRun(t, "join", "member1")
	defer unjoinQuietly(t, "member1")
	before = [2][]string{snapshot(t, host, resources...), snapshot(t, member, resources...)}
	for _, mode := range []string{"client", "server"} {
		mustRun(t, "init", "--dry-run="+mode)
		mustRun(t, "unjoin", "member1", "--dry-run="+mode)
	}
	assert.Equal(t, before, [2][]string{snapshot(t, host, resources...), snapshot(t, member, resources...)}, "init and unjoin dry runs change nothing")
}

func TestJoinBadInput(t *testing.T) {
	mustRun(t, "init")
	host, member1 := dynamicFor(t, "host"), dynamicFor(t, "member1")
	resources := []schema.GroupVersionResource{serviceAccountsGVR, secretsGVR, clusterRolesGVR, apis.KubeFedClusterResource}
	before := [2][]string{snapshot(t, host, resources...), snapshot(t, member1, resources...)}

	// A context whose token the member refuses.
	config, err := clientcmd.LoadFromFile(fed.Kubeconfig)
	require.NoError(t, err)
	config.AuthInfos["impostor"] = &clientcmdapi.AuthInfo{Token: "not-a-real-token"}
	config.Contexts["impostor"] = &clientcmdapi.Context{Cluster: "member1", AuthInfo: "impostor"}
	badKubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*config, badKubeconfig))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown context", []string{"join", "member1", "--cluster-context", "nowhere"}, `--cluster-context: context "nowhere" is not in the kubeconfig`},
		{"invalid cluster name", []string{"join", "Bad_Name", "--cluster-context", "member1"}, `invalid cluster name "Bad_Name"`},
		{"join before init", []string{"join", "member2", "--context", "member1", "--cluster-context", "member2"}, "run kubefedctl init first"},
		{"credentials refused", []string{"--kubeconfig", badKubeconfig, "join", "member1", "--cluster-context", "impostor"}, "Unauthorized"},
		{"bad rbac mode", []string{"join", "member1", "--rbac", "some"}, "--rbac must be full or scoped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := kubefedctl(t, tt.args...)
			assert.Equal(t, cli.ExitError, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Equal(t, before, [2][]string{snapshot(t, host, resources...), snapshot(t, member1, resources...)}, "nothing was created")
}

func TestTokenNeverPrinted(t *testing.T) {
	mustRun(t, "init")
	var outputs []string
	for _, args := range [][]string{
		{"join", "member1", "--dry-run=client"}, {"join", "member1", "--dry-run=server"}, {"join", "member1"},
		{"clusters", "-o", "yaml"}, {"clusters", "-o", "json"}, {"clusters", "-o", "wide"},
		{"join", "member1", "--error-on-existing=false", "--dry-run=server"}, {"unjoin", "member1", "--dry-run=server"},
	} {
		r := mustRun(t, args...)
		outputs = append(outputs, r.stdout, r.stderr)
	}
	secret, err := dynamicFor(t, "member1").Resource(secretsGVR).Namespace(kfns).Get(context.Background(), "member1-host", metav1.GetOptions{})
	require.NoError(t, err)
	encoded, _, _ := unstructured.NestedString(secret.Object, "data", "token")
	require.NotEmpty(t, encoded)
	token := decodeBase64(t, encoded)
	outputs = append(outputs, mustRun(t, "unjoin", "member1").stdout)
	for _, out := range outputs {
		assert.NotContains(t, out, token)
		assert.NotContains(t, out, encoded)
	}
}

func currentScope(t *testing.T) string {
	config, err := dynamicFor(t, "host").Resource(apis.KubeFedConfigResource).Namespace(kfns).Get(context.Background(), apis.KubeFedConfigName, metav1.GetOptions{})
	if err != nil {
		return apis.ScopeCluster
	}
	scope, _, _ := unstructured.NestedString(config.Object, "spec", "scope")
	return scope
}

// A member that refuses the stored token is reachable: clusters says the credentials were refused
// and how to store new ones, not that the network failed, and a re-join stores a working token.
func TestRevokedMemberToken(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "join", "member2", "--labels", "region=eu")
	defer unjoinQuietly(t, "member2")
	ctx := context.Background()
	member := dynamicFor(t, "member2")
	require.NoError(t, member.Resource(secretsGVR).Namespace(kfns).Delete(ctx, "member2-host", metav1.DeleteOptions{}))

	var out string
	require.Eventually(t, func() bool {
		out = mustRun(t, "clusters", "-o", "wide", "--request-timeout", "5s").stdout
		return strings.Contains(out, "401 Unauthorized")
	}, 30*time.Second, time.Second, "the member stops accepting the token of a deleted Secret: %s", out)
	assert.Regexp(t, `(?m)^member2\s+False\s+`, out)
	assert.Contains(t, out, "cluster is reachable but refuses the stored credentials")
	assert.Contains(t, out, "kubefedctl join member2 --error-on-existing=false")
	assert.NotContains(t, out, "not reachable")

	mustRun(t, "join", "member2", "--error-on-existing=false", "--labels", "region=eu")
	out = mustRun(t, "clusters").stdout
	assert.Regexp(t, `(?m)^member2\s+True\s+v1\.34\.4\s+\S+\s+region=eu\s`, out)
}

// TestRejoinKeepsWhatTheUserSet: a re-join keeps the labels unless --labels changes them, says
// what it changes, its server dry run reports exactly what the real run then does, and the same
// arguments again change nothing.
func TestRejoinKeepsWhatTheUserSet(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "join", "member1", "--labels", "region=us")
	defer unjoinQuietly(t, "member1")
	host := dynamicFor(t, "host")
	labels := func() map[string]string {
		cluster, err := host.Resource(apis.KubeFedClusterResource).Namespace(kfns).Get(context.Background(), "member1", metav1.GetOptions{})
		require.NoError(t, err)
		return cluster.GetLabels()
	}
	resources := []schema.GroupVersionResource{namespacesGVR, serviceAccountsGVR, secretsGVR, clusterRolesGVR, clusterRoleBindingsGVR, rolesGVR, apis.KubeFedClusterResource}
	state := func() [2][]string {
		return [2][]string{snapshot(t, host, resources...), snapshot(t, dynamicFor(t, "member1"), resources...)}
	}

	r := mustRun(t, "join", "member1", "--error-on-existing=false")
	assert.Equal(t, map[string]string{"region": "us"}, labels(), "a re-join without --labels keeps them")
	assert.NotContains(t, r.stdout, "configured", "nothing changed")

	// Each change, previewed by a server dry run and then made: the dry run's lines are the real
	// run's, with "(server dry run)".
	for _, args := range [][]string{
		{"--labels", "region=eu"},
		{"--rbac=scoped"},
		{"--rbac=full"},
	} {
		before := state()
		args = append([]string{"join", "member1", "--error-on-existing=false"}, args...)
		dry := mustRun(t, append(args, "--dry-run=server")...)
		assert.Equal(t, before, state(), "the server dry run changes nothing")
		real := mustRun(t, args...)
		t.Logf("%v:\n%s", args, real.stdout)
		assert.Equal(t, real.stdout, strings.ReplaceAll(strings.ReplaceAll(dry.stdout, " (server dry run; ", " ("), " (server dry run)", ""), "%v", args)
		assert.Contains(t, real.stdout, " configured in the ", "%v changes something and says so", args)
		again := mustRun(t, args...)
		assert.NotContains(t, again.stdout, "configured", "%v again changes nothing", args)
		assert.NotContains(t, again.stdout, "created", "%v again creates nothing", args)
	}
	assert.Equal(t, map[string]string{"region": "eu"}, labels())
	r = mustRun(t, "join", "member1", "--error-on-existing=false", "--labels", "region=us", "--dry-run=server")
	assert.Contains(t, r.stdout, "kubefedcluster.core.kubefed.io/member1 configured in the host: metadata.labels.region (server dry run)\n")

	// The same arguments again: no write at all, anywhere.
	before := state()
	r = mustRun(t, "join", "member1", "--error-on-existing=false", "--rbac=full")
	assert.Equal(t, before, state(), "re-running join with the same arguments writes nothing")
	assert.NotContains(t, r.stdout, "configured")
}
