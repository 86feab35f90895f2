package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string}
`

func federatedGVR(plural string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: apis.DefaultFederatedGroup, Version: apis.DefaultFederatedVersion, Resource: plural}
}

func create(t *testing.T, contextName, manifestText string) error {
	t.Helper()
	obj := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal([]byte(manifestText), &obj.Object))
	gvk := obj.GroupVersionKind()
	resource := strings.ToLower(gvk.Kind) + "s"
	gvr := gvk.GroupVersion().WithResource(resource)
	if gvk.Kind == "CustomResourceDefinition" {
		gvr = crdsGVR
	}
	client := dynamicFor(t, contextName).Resource(gvr)
	if ns := obj.GetNamespace(); ns != "" {
		_, err := client.Namespace(ns).Create(context.Background(), obj, metav1.CreateOptions{})
		return err
	}
	_, err := client.Create(context.Background(), obj, metav1.CreateOptions{})
	return err
}

func ensureNamespace(t *testing.T, contextName, name string) {
	_, err := dynamicFor(t, contextName).Resource(namespacesGVR).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name},
	}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
}

func TestEnableTypesWithSchemas(t *testing.T) {
	mustRun(t, "init")
	require.NoError(t, ignoreExists(create(t, "host", widgetCRD)))
	for _, typ := range []string{"deployments.apps", "configmaps", "services", "namespaces", "widgets.example.com"} {
		r := mustRun(t, "enable", typ)
		assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/"+typ)
	}
	mustRun(t, "enable", "deploy") // idempotent, by short name
	for _, crd := range []string{"federateddeployments", "federatedconfigmaps", "federatedservices", "federatednamespaces", "federatedwidgets"} {
		live, err := dynamicFor(t, "host").Resource(crdsGVR).Get(context.Background(), crd+"."+apis.DefaultFederatedGroup, metav1.GetOptions{})
		require.NoError(t, err)
		assert.True(t, apis.CRDEstablished(live), crd)
	}
	ensureNamespace(t, "host", "test-namespace")
	err := create(t, "host", `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: wrong, namespace: test-namespace}
spec:
  template:
    spec:
      replicas: "x"
  placement: {clusterSelector: {}}
`)
	require.Error(t, err, "the host checks the template against the Deployment schema")
	assert.Contains(t, err.Error(), "spec.template.spec.replicas")
	err = create(t, "host", `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedWidget
metadata: {name: wrong, namespace: test-namespace}
spec:
  template:
    spec: {size: big}
`)
	require.Error(t, err, "the host checks the template against the CRD's schema")
	assert.Contains(t, err.Error(), "spec.template.spec.size")

	// kubefed's user guide manifests are accepted unchanged.
	for _, file := range []string{"federateddeployment.yaml", "federatedconfigmap.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "kubefed-userguide", file))
		require.NoError(t, err)
		require.NoError(t, ignoreExists(create(t, "host", string(data))), file)
	}
}

func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// Federating live objects and rendering the result gives the objects back, but for the fields
// kubefed strips and the managed label.
func TestFederateRendersBackToTheOriginals(t *testing.T) {
	mustRun(t, "init")
	ns := "federate-e2e"
	ensureNamespace(t, "host", ns)
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: federate-e2e, labels: {app: web}, annotations: {note: dropped}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
`)))
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: federate-e2e}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`)))
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: federate-e2e}
data: {greeting: hello}
`)))

	r := mustRun(t, "federate", "namespace", ns, "--contents", "--enable-type")
	assert.Contains(t, r.stdout, "federatednamespace.types.kubefed.io/federate-e2e created")
	assert.Contains(t, r.stdout, "federateddeployment.types.kubefed.io/web created")
	assert.Contains(t, r.stdout, "federatedservice.types.kubefed.io/web created")
	assert.Contains(t, r.stdout, "federatedconfigmap.types.kubefed.io/settings created")
	assert.NotContains(t, r.stdout, "replicaset", "objects that controllers own are not federated")
	assert.NotContains(t, r.stdout, "kube-root-ca.crt")
	assert.Contains(t, r.stderr, `the annotations of Deployment "federate-e2e/web" (deployment.kubernetes.io/revision, note)`)
	r = kubefedctl(t, "federate", "deployments.apps", "web", "-n", ns)
	assert.Equal(t, cli.ExitError, r.code, "an existing federated object is an error")
	assert.Contains(t, r.stderr, `FederatedDeployment "federate-e2e/web" already exists`)

	// Render the federated objects as they are in the host, for one cluster.
	var docs []apis.Document
	host := dynamicFor(t, "host")
	for _, plural := range []string{"federatednamespaces", "federateddeployments", "federatedservices", "federatedconfigmaps"} {
		list, err := host.Resource(federatedGVR(plural)).Namespace(ns).List(context.Background(), metav1.ListOptions{})
		require.NoError(t, err)
		for i := range list.Items {
			docs = append(docs, apis.Document{Source: "host", Object: &list.Items[i]})
		}
	}
	clusters, err := manifest.Parse("clusters", []byte("apiVersion: core.kubefed.io/v1beta1\nkind: KubeFedCluster\nmetadata: {name: c1}\nspec: {apiEndpoint: https://c1, secretRef: {name: s}}\nstatus: {conditions: [{type: Ready, status: \"True\", lastProbeTime: \"2026-01-01T00:00:00Z\"}]}\n"))
	require.NoError(t, err)
	fedModel, err := apis.Assemble(append(docs, clusters...), kfns, ns)
	require.NoError(t, err)
	result, err := render.Render(fedModel, render.Options{})
	require.NoError(t, err)
	rendered, err := result.Objects("c1")
	require.NoError(t, err)
	byKind := map[string]*unstructured.Unstructured{}
	for _, obj := range rendered {
		byKind[obj.GetKind()] = obj
	}
	require.Len(t, byKind, 4)

	for _, kind := range []string{"Deployment", "Service", "ConfigMap"} {
		gvr := map[string]schema.GroupVersionResource{
			"Deployment": {Group: "apps", Version: "v1", Resource: "deployments"}, "Service": {Version: "v1", Resource: "services"}, "ConfigMap": configMapsGVR,
		}[kind]
		name := map[string]string{"Deployment": "web", "Service": "web", "ConfigMap": "settings"}[kind]
		original, err := host.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
		require.NoError(t, err)
		want := comparable(original)
		if kind == "Service" {
			unstructured.RemoveNestedField(want, "spec", "clusterIP")
			unstructured.RemoveNestedField(want, "spec", "clusterIPs")
			ports, _, _ := unstructured.NestedSlice(want, "spec", "ports")
			for _, p := range ports {
				delete(p.(map[string]any), "nodePort")
			}
			unstructured.SetNestedSlice(want, ports, "spec", "ports")
		}
		got := comparable(byKind[kind])
		labels, _, _ := unstructured.NestedStringMap(got, "metadata", "labels")
		assert.Equal(t, "true", labels[apis.ManagedLabel])
		delete(labels, apis.ManagedLabel)
		if len(labels) == 0 {
			unstructured.RemoveNestedField(got, "metadata", "labels")
		} else {
			unstructured.SetNestedStringMap(got, labels, "metadata", "labels")
		}
		assert.Equal(t, want, got, kind)
	}
}

// comparable keeps what a federated object carries: no status, no server metadata, no annotations.
func comparable(obj *unstructured.Unstructured) map[string]any {
	out := obj.DeepCopy().Object
	delete(out, "status")
	meta := map[string]any{"name": obj.GetName(), "namespace": obj.GetNamespace()}
	if labels := obj.GetLabels(); len(labels) > 0 {
		l := map[string]any{}
		for k, v := range labels {
			l[k] = v
		}
		meta["labels"] = l
	}
	out["metadata"] = meta
	return out
}

func TestDisableDeleteCRDRefusesWhileInstancesExist(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "enable", "secrets")
	ensureNamespace(t, "host", "disable-e2e")
	require.NoError(t, create(t, "host", `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: token, namespace: disable-e2e}
spec:
  template: {data: {a: YQ==}}
`))
	r := kubefedctl(t, "disable", "secrets", "--delete-crd")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "cannot delete CRD federatedsecrets.types.kubefed.io while FederatedSecret objects exist (disable-e2e/token)")
	_, err := dynamicFor(t, "host").Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Get(context.Background(), "secrets", metav1.GetOptions{})
	require.NoError(t, err, "a refused disable changes nothing")

	require.NoError(t, dynamicFor(t, "host").Resource(federatedGVR("federatedsecrets")).Namespace("disable-e2e").Delete(context.Background(), "token", metav1.DeleteOptions{}))
	r = mustRun(t, "disable", "secrets", "--delete-crd")
	assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/secrets deleted")
	assert.Contains(t, r.stdout, "customresourcedefinition.apiextensions.k8s.io/federatedsecrets.types.kubefed.io deleted")
	_, err = dynamicFor(t, "host").Resource(crdsGVR).Get(context.Background(), "federatedsecrets.types.kubefed.io", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err) || err == nil, "the CRD is gone or terminating")
}

func TestEnableFederateBadInput(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "enable", "configmaps")
	ensureNamespace(t, "host", "bad-input")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown type", []string{"enable", "gizmos"}, `the host serves no API type named "gizmos"`},
		{"type not served", []string{"enable", "widgets.nowhere.example"}, `the host serves no API type named "widgets.nowhere.example"`},
		{"object that does not exist", []string{"federate", "configmaps", "missing", "-n", "bad-input"}, `ConfigMap "bad-input/missing" does not exist in the host`},
		{"type not enabled", []string{"federate", "persistentvolumeclaims", "data", "-n", "bad-input"}, "federation of persistentvolumeclaims is not enabled"},
		{"contents of a non-namespace", []string{"federate", "configmaps", "x", "--contents"}, "--contents applies to namespaces only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := kubefedctl(t, tt.args...)
			assert.Equal(t, cli.ExitError, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestOrphaningDeletion(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "enable", "configmaps")
	ensureNamespace(t, "host", "orphaning")
	require.NoError(t, ignoreExists(create(t, "host", `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: orphaning}
spec:
  template: {data: {a: "1"}}
`)))
	status := func() string {
		return strings.TrimSpace(mustRun(t, "orphaning-deletion", "status", "federatedconfigmaps", "settings", "-n", "orphaning").stdout)
	}
	assert.Equal(t, "Disabled", status())
	mustRun(t, "orphaning-deletion", "enable", "fcm", "settings", "-n", "orphaning")
	assert.Equal(t, "Enabled", status())
	obj, err := dynamicFor(t, "host").Resource(federatedGVR("federatedconfigmaps")).Namespace("orphaning").Get(context.Background(), "settings", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "true", obj.GetAnnotations()[apis.OrphanAnnotation])
	mustRun(t, "orphaning-deletion", "disable", "FederatedConfigMap", "settings", "-n", "orphaning")
	assert.Equal(t, "Disabled", status())

	r := kubefedctl(t, "orphaning-deletion", "status", "federatedconfigmaps", "missing", "-n", "orphaning")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, `FederatedConfigMap "orphaning/missing" does not exist in the host`)
}
