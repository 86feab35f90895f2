package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const gadgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`

// The federation's own machinery is never federated or enabled: the KubeFed namespace (this
// federation's and another's), the credentials join stored there, service-account tokens, the
// kubefed types (of every federated group), and the namespaces every cluster has. Each refusal
// is checked against resourceVersions in every cluster: nothing was written.
func TestMachineryNeverFederatedOrEnabled(t *testing.T) {
	federation(t)
	mustRun(t, "enable", "secrets")
	ctx := context.Background()
	host := dynamicFor(t, "host")

	// A type enabled under another federated group: its Federated type is machinery too.
	require.NoError(t, ignoreExists(create(t, "host", gadgetCRD)))
	untilCode(t, cli.ExitOK, "enable", "gadgets.example.com", "--federated-group", "fed.example.com") // once discovery serves it
	t.Cleanup(func() {
		kubefedctl(t, "disable", "gadgets.example.com", "--delete-crd")
		_ = host.Resource(crdsGVR).Delete(ctx, "gadgets.example.com", metav1.DeleteOptions{})
	})

	// A user namespace holding a service-account token and an ordinary Secret.
	ns := "machinery-e2e"
	ensureNamespace(t, "host", ns)
	t.Cleanup(func() { _ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{}) })
	require.NoError(t, ignoreExists(create(t, "host", `{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "`+ns+`"}}`)))
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: v1
kind: Secret
metadata: {name: robot-token, namespace: `+ns+`, annotations: {kubernetes.io/service-account.name: robot}}
type: kubernetes.io/service-account-token
`)))
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: v1
kind: Secret
metadata: {name: app, namespace: `+ns+`}
type: Opaque
stringData: {password: machinery-app-password}
`)))
	// The token controller fills the token in: what a leak would print.
	var token string
	require.NoError(t, wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		s, err := host.Resource(secretsGVR).Namespace(ns).Get(ctx, "robot-token", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		token, _, _ = unstructured.NestedString(s.Object, "data", "token")
		return token != "", nil
	}))

	// Another federation's KubeFed namespace on the same host: it holds a KubeFedCluster.
	ensureNamespace(t, "host", "fed-b")
	t.Cleanup(func() { _ = host.Resource(namespacesGVR).Delete(ctx, "fed-b", metav1.DeleteOptions{}) })
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: east, namespace: fed-b}
spec: {apiEndpoint: "https://127.0.0.1:1", secretRef: {name: east-creds}}
`)))
	require.NoError(t, ignoreExists(create(t, "host", `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "fed-b"}}`)))

	// The credentials join stored in the host: an Opaque Secret in the KubeFed namespace.
	cluster, err := host.Resource(apis.KubeFedClusterResource).Namespace(kfns).Get(ctx, "member1", metav1.GetOptions{})
	require.NoError(t, err)
	joinSecret, _, _ := unstructured.NestedString(cluster.Object, "spec", "secretRef", "name")
	require.NotEmpty(t, joinSecret)
	stored, err := host.Resource(secretsGVR).Namespace(kfns).Get(ctx, joinSecret, metav1.GetOptions{})
	require.NoError(t, err)
	storedToken, _, _ := unstructured.NestedString(stored.Object, "data", "token")
	require.NotEmpty(t, storedToken)

	file := writeFile(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: fine, namespace: `+ns+`}
---
apiVersion: v1
kind: Secret
metadata: {name: `+joinSecret+`, namespace: `+kfns+`}
data: {token: `+storedToken+`}
`)
	tokenFile := writeFile(t, `
apiVersion: v1
kind: Secret
metadata: {name: robot-token, namespace: `+ns+`}
type: kubernetes.io/service-account-token
data: {token: `+token+`}
`)

	hostResources := []schema.GroupVersionResource{namespacesGVR, secretsGVR, configMapsGVR, serviceAccountsGVR, crdsGVR,
		apis.FederatedTypeConfigResource, apis.KubeFedClusterResource, federatedGVR("federatednamespaces"), federatedGVR("federatedsecrets"),
		federatedGVR("federatedconfigmaps"), {Group: "fed.example.com", Version: "v1beta1", Resource: "federatedgadgets"}}
	memberResources := []schema.GroupVersionResource{namespacesGVR, secretsGVR, configMapsGVR}
	snapshotAll := func() [3][]string {
		return [3][]string{snapshot(t, host, hostResources...), snapshot(t, dynamicFor(t, "member1"), memberResources...), snapshot(t, dynamicFor(t, "member2"), memberResources...)}
	}
	before := snapshotAll()

	tests := []struct {
		args    []string
		refused string
	}{
		{[]string{"enable", "federatedconfigmaps.types.kubefed.io"}, "federatedconfigmaps.types.kubefed.io is one of the federation's own types"},
		{[]string{"enable", "fcm"}, "such as configmaps"},
		{[]string{"enable", "FederatedNamespace"}, "one of the federation's own types"},
		{[]string{"enable", "federatedgadgets.fed.example.com"}, "group fed.example.com"},
		{[]string{"enable", "federatedgadgets", "--dry-run=server"}, "group fed.example.com"},
		{[]string{"enable", "kubefedclusters"}, "kubefedclusters.core.kubefed.io is one of the federation's own types"},
		{[]string{"enable", "federatedtypeconfigs.core.kubefed.io"}, "one of the federation's own types"},
		{[]string{"enable", "kubefedconfig", "-o", "yaml"}, "one of the federation's own types"},
		{[]string{"enable", "replicaschedulingpreferences"}, "group scheduling.kubefed.io"},

		{[]string{"federate", "namespace", "kube-system"}, `namespace "kube-system" is a system namespace`},
		{[]string{"federate", "ns", "kube-public", "--contents"}, `namespace "kube-public" is a system namespace`},
		{[]string{"federate", "namespaces", "kube-node-lease", "-o", "yaml"}, `namespace "kube-node-lease" is a system namespace`},
		{[]string{"federate", "Namespace", "default", "--contents", "--enable-type"}, "kubefed never propagates it"},
		{[]string{"federate", "namespace", "Kube-System"}, `"Kube-System" is not a valid namespace name`},
		{[]string{"federate", "namespace", kfns}, "is the KubeFed namespace"},
		{[]string{"federate", "namespace", kfns, "--contents", "-o", "yaml"}, "is the KubeFed namespace"},
		{[]string{"federate", "namespace", kfns, "--kubefed-namespace", "fed-b"}, "holds a federation's KubeFedCluster"},
		{[]string{"federate", "namespace", "fed-b", "--contents"}, `namespace "fed-b" holds a federation's KubeFedCluster "east"`},
		{[]string{"federate", "configmap", "settings", "-n", "fed-b", "-o", "yaml"}, "holds a federation's KubeFedCluster"},
		{[]string{"federate", "namespace", "fed-b", "--kubefed-namespace", "fed-b"}, "is the KubeFed namespace"},
		{[]string{"federate", "secret", joinSecret, "-n", kfns, "-o", "yaml", "--show-secrets"}, "in the KubeFed namespace"},
		{[]string{"federate", "secret", joinSecret, "-n", kfns, "--dry-run=server"}, "in the KubeFed namespace"},
		{[]string{"federate", "configmap", "kube-root-ca.crt", "-n", kfns}, "in the KubeFed namespace"},
		{[]string{"federate", "secret", "robot-token", "-n", ns}, "is a service-account token"},
		{[]string{"federate", "secrets", "robot-token", "-n", ns, "-o", "json", "--show-secrets"}, "is a service-account token"},
		{[]string{"federate", "federatedconfigmaps", "settings", "-n", ns}, "one of the federation's own types"},
		{[]string{"federate", "kubefedcluster", "member1", "-n", kfns, "-o", "yaml"}, "one of the federation's own types"},
		{[]string{"federate", "federatedtypeconfigs", "secrets", "-n", kfns}, "one of the federation's own types"},
		{[]string{"federate", "federatedgadgets", "g", "-n", ns}, "group fed.example.com"},
		{[]string{"federate", "-f", file, "-o", "yaml", "--show-secrets"}, "in the KubeFed namespace"},
		{[]string{"federate", "-f", tokenFile, "-o", "json"}, "is a service-account token"},
	}
	for _, tt := range tests {
		r := kubefedctl(t, tt.args...)
		assert.Equal(t, cli.ExitError, r.code, "%v: %s%s", tt.args, r.stdout, r.stderr)
		assert.Contains(t, r.stderr, tt.refused, "%v", tt.args)
		assert.Empty(t, r.stdout, "%v: nothing printed", tt.args)
		for _, secret := range []string{token, decodeBase64(t, token), storedToken, decodeBase64(t, storedToken)} {
			assert.NotContains(t, r.stderr, secret, "%v", tt.args)
		}
	}
	assert.Equal(t, before, snapshotAll(), "no refusal wrote anything in host or members")

	// --contents of a user namespace skips the token with a warning and federates the rest.
	r := mustRun(t, "federate", "namespace", ns, "--contents", "-o", "yaml", "--show-secrets")
	assert.Contains(t, r.stderr, `Warning: not federated: Secret "`+ns+`/robot-token" is a service-account token`)
	assert.Contains(t, r.stdout, "name: app")
	assert.NotContains(t, r.stdout, "robot-token")
	assert.NotContains(t, r.stdout, token)
	assert.Equal(t, before, snapshotAll(), "printing writes nothing")

	r = mustRun(t, "federate", "namespace", ns, "--contents")
	assert.Contains(t, r.stdout, "federatedsecret.types.kubefed.io/app created")
	assert.NotContains(t, r.stdout, "robot-token")
	t.Cleanup(func() {
		for _, plural := range []string{"federatedsecrets", "federatedconfigmaps", "federatednamespaces"} {
			_ = host.Resource(federatedGVR(plural)).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}
	})
	assert.Equal(t, []string{"app"}, names(t, host, federatedGVR("federatedsecrets"), ns, ""))
	assert.Equal(t, []string{ns}, names(t, host, federatedGVR("federatednamespaces"), ns, ""))
}
