package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
)

// The scheduled pass's manifests, applied with kubectl to the host, give a ServiceAccount whose
// token alone propagates the example to both members, finalizers, status and deletions
// included, and can do nothing else.
func TestScheduledPassRunsWithItsServiceAccountAlone(t *testing.T) {
	kubectlPath, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	ctx := context.Background()
	federation(t)
	ensureNamespace(t, "host", "demo")
	ensureNamespace(t, "host", "scheduled-other")
	applyFiles(t, filepath.Join("..", "..", "testdata", "examples"))

	printed := mustRun(t, "propagate", "--print-cronjob", "--schedule", "*/10 * * * *", "--image", "registry.example/kubefedctl:e2e")
	kubectl := func(stdin string, args ...string) string {
		t.Helper()
		c := exec.Command(kubectlPath, append([]string{"--kubeconfig", fed.Kubeconfig, "--context", "host"}, args...)...)
		c.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		require.NoError(t, err, "kubectl %s: %s", strings.Join(args, " "), stderr.String())
		return string(out)
	}
	applied := kubectl(printed.stdout, "apply", "-f", "-")
	for _, want := range []string{
		"serviceaccount/kubefedctl-propagate", "role.rbac.authorization.k8s.io/kubefedctl-propagate",
		"rolebinding.rbac.authorization.k8s.io/kubefedctl-propagate", "clusterrole.rbac.authorization.k8s.io/kubefedctl-propagate:" + kfns,
		"clusterrolebinding.rbac.authorization.k8s.io/kubefedctl-propagate:" + kfns, "cronjob.batch/kubefedctl-propagate",
	} {
		assert.Contains(t, applied, want)
	}
	t.Cleanup(func() {
		c := exec.Command(kubectlPath, "--kubeconfig", fed.Kubeconfig, "--context", "host", "delete", "--ignore-not-found", "-f", "-")
		c.Stdin = strings.NewReader(printed.stdout)
		_ = c.Run()
	})
	cron, err := dynamicFor(t, "host").Resource(schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}).Namespace(kfns).Get(ctx, "kubefedctl-propagate", metav1.GetOptions{})
	require.NoError(t, err)
	policy, _, _ := unstructured.NestedString(cron.Object, "spec", "concurrencyPolicy")
	assert.Equal(t, "Forbid", policy)

	// A kubeconfig holding nothing but a token of that ServiceAccount, as the CronJob's pod has.
	token := strings.TrimSpace(kubectl("", "create", "token", "kubefedctl-propagate", "-n", kfns, "--duration", "1h"))
	config := clientcmdapi.NewConfig()
	config.Clusters["host"] = &clientcmdapi.Cluster{Server: fed.Host.Server, CertificateAuthorityData: fed.Host.CAPEM}
	config.AuthInfos["scheduled"] = &clientcmdapi.AuthInfo{Token: token}
	config.Contexts["scheduled"] = &clientcmdapi.Context{Cluster: "host", AuthInfo: "scheduled"}
	config.CurrentContext = "scheduled"
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*config, kubeconfig))
	asServiceAccount := func(args ...string) result {
		t.Helper()
		var out, errOut bytes.Buffer
		streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		root := cmd.NewRootCommand(streams, "kubefedctl")
		root.SetArgs(append([]string{"--kubeconfig", kubeconfig}, args...))
		return result{cli.Execute(root, streams), out.String(), errOut.String()}
	}

	// Members that lost their copies, and a federated object new to the pass (no finalizer, no
	// status yet): the pass with the token alone restores, creates, adds and writes.
	for _, m := range []string{"member1", "member2"} {
		err := dynamicFor(t, m).Resource(deploymentsGVR).Namespace("demo").Delete(ctx, "web", metav1.DeleteOptions{})
		require.True(t, err == nil || apierrors.IsNotFound(err), "%v", err)
	}
	fcm := federatedGVR("federatedconfigmaps")
	require.NoError(t, create(t, "host", `apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: scheduled, namespace: demo}
spec:
  template: {data: {pass: scheduled}}
  placement: {clusterSelector: {}}
`))
	r := asServiceAccount("propagate")
	require.Equal(t, cli.ExitOK, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	for _, m := range []string{"member1", "member2"} {
		_, err := dynamicFor(t, m).Resource(deploymentsGVR).Namespace("demo").Get(ctx, "web", metav1.GetOptions{})
		assert.NoError(t, err, "the example's Deployment is back in %s", m)
		_, err = dynamicFor(t, m).Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("demo").Get(ctx, "scheduled", metav1.GetOptions{})
		assert.NoError(t, err, "the new ConfigMap is in %s", m)
	}
	obj, err := dynamicFor(t, "host").Resource(fcm).Namespace("demo").Get(ctx, "scheduled", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Contains(t, obj.GetFinalizers(), apis.SyncFinalizer)
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	assert.NotEmpty(t, conditions, "the pass wrote the status")

	// A deletion: the copies go, then the finalizer.
	require.NoError(t, dynamicFor(t, "host").Resource(fcm).Namespace("demo").Delete(ctx, "scheduled", metav1.DeleteOptions{}))
	r = asServiceAccount("propagate")
	require.Equal(t, cli.ExitOK, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	_, err = dynamicFor(t, "host").Resource(fcm).Namespace("demo").Get(ctx, "scheduled", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the finalizer came off: %v", err)

	// What the token may do, as the host says: exactly the stated rules beside what every
	// authenticated user may do, in the KubeFed namespace and in a namespace of the federation.
	canI := func(namespace string) []string {
		c := exec.Command(kubectlPath, "--kubeconfig", kubeconfig, "auth", "can-i", "--list", "-n", namespace)
		out, err := c.Output()
		require.NoError(t, err)
		var rows []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) >= 4 && !strings.HasPrefix(f[1], "[/") && !everyoneMay[f[0]] {
				rows = append(rows, f[0]+" "+f[2]+" "+strings.Join(f[3:], " "))
			}
		}
		return mergeRows(rows)
	}
	federatedTypes := federatedPlurals(t)
	var everywhere []string
	everywhere = append(everywhere, "kubefedconfigs.core.kubefed.io [] [list]", "replicaschedulingpreferences.scheduling.kubefed.io [] [list]")
	for _, plural := range federatedTypes {
		everywhere = append(everywhere, plural+".types.kubefed.io [] [list get patch]", plural+".types.kubefed.io/status [] [patch]")
	}
	inKubeFed := append([]string{
		"federatedtypeconfigs.core.kubefed.io [] [list]",
		"kubefedclusters.core.kubefed.io [] [list]",
		"kubefedconfigs.core.kubefed.io [kubefed] [get]",
		"leases.coordination.k8s.io [] [create]",
		"leases.coordination.k8s.io [kubefedctl-propagate] [get update]",
		"secrets [] [get]",
	}, everywhere...)
	sort.Strings(inKubeFed)
	sort.Strings(everywhere)
	assert.Equal(t, mergeRows(inKubeFed), canI(kfns))
	assert.Equal(t, mergeRows(everywhere), canI("scheduled-other"), "no Secret, Lease or cluster credential outside the KubeFed namespace")
	for _, denied := range [][]string{
		{"get", "secrets", "-n", "demo"},
		{"list", "secrets", "-n", kfns},
		{"create", "deployments.apps", "-n", "demo"},
		{"delete", "federateddeployments.types.kubefed.io", "-n", "demo"},
		{"update", "kubefedclusters.core.kubefed.io", "-n", kfns},
		{"create", "namespaces"},
	} {
		c := exec.Command(kubectlPath, append([]string{"--kubeconfig", kubeconfig, "auth", "can-i"}, denied...)...)
		out, _ := c.Output()
		assert.Equal(t, "no", strings.TrimSpace(string(out)), "can-i %s", strings.Join(denied, " "))
	}
}

// everyoneMay are the resources system:basic-user grants every authenticated user.
var everyoneMay = map[string]bool{
	"selfsubjectreviews.authentication.k8s.io":      true,
	"selfsubjectaccessreviews.authorization.k8s.io": true,
	"selfsubjectrulesreviews.authorization.k8s.io":  true,
}

// federatedPlurals are the federated resources of the enabled type configs, as the printed
// RBAC names them.
func federatedPlurals(t *testing.T) []string {
	t.Helper()
	list, err := dynamicFor(t, "host").Resource(apis.FederatedTypeConfigResource).Namespace(kfns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var plurals []string
	for _, item := range list.Items {
		if enabled, _, _ := unstructured.NestedString(item.Object, "spec", "propagation"); enabled != "Enabled" {
			continue
		}
		plural, _, _ := unstructured.NestedString(item.Object, "spec", "federatedType", "pluralName")
		plurals = append(plurals, plural)
	}
	return plurals
}

// canIRow is "RESOURCE [NAMES] [VERBS]".
var canIRow = regexp.MustCompile(`^(\S+ \[[^\]]*\]) \[([^\]]*)\]$`)

// mergeRows folds rows of one resource and names into one, its verbs sorted, as kubectl auth
// can-i --list may print them in several rows or one.
func mergeRows(rows []string) []string {
	verbs := map[string][]string{}
	var keys []string
	for _, r := range rows {
		m := canIRow.FindStringSubmatch(r)
		if m == nil {
			panic("not a row of kubectl auth can-i --list: " + r)
		}
		if _, ok := verbs[m[1]]; !ok {
			keys = append(keys, m[1])
		}
		verbs[m[1]] = append(verbs[m[1]], strings.Fields(m[2])...)
	}
	var out []string
	for _, k := range keys {
		sort.Strings(verbs[k])
		out = append(out, k+" ["+strings.Join(verbs[k], " ")+"]")
	}
	sort.Strings(out)
	return out
}
