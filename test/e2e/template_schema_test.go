package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// skewedCRD is a cluster-scoped type whose members' version knows a field, color, that the
// host's does not: a host older than its members.
func skewedCRD(withColor bool) string {
	color := ""
	if withColor {
		color = "\n              color: {type: string}"
	}
	return `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  names: {kind: Gizmo, plural: gizmos, singular: gizmo}
  scope: Cluster
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
              size: {type: integer}` + color + "\n"
}

var gizmosGVR = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "gizmos"}

func waitEstablished(t *testing.T, contextName, crd string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		live, err := dynamicFor(t, contextName).Resource(crdsGVR).Get(ctx, crd, metav1.GetOptions{})
		return err == nil && apis.CRDEstablished(live), nil
	})
	require.NoError(t, err, "%s established in %s", crd, contextName)
}

// A template field the host's schema does not know is kept end to end, under both template
// schemas: accepted by the host with strict field validation and stored, rendered, and
// propagated to a member whose type has it.
func TestTemplateFieldUnknownToTheHostIsKept(t *testing.T) {
	mustRun(t, "init")
	mustRun(t, "join", "member1", "--error-on-existing=false")
	mustRun(t, "join", "member2", "--error-on-existing=false")
	require.NoError(t, ignoreExists(create(t, "host", skewedCRD(false))))
	waitEstablished(t, "host", "gizmos.example.com")
	for _, member := range []string{"member1", "member2"} {
		require.NoError(t, ignoreExists(create(t, member, skewedCRD(true))))
		waitEstablished(t, member, "gizmos.example.com")
	}
	ctx := context.Background()
	host := dynamicFor(t, "host")
	federated := host.Resource(federatedGVR("federatedgizmos"))
	t.Cleanup(func() {
		for _, name := range []string{"typed", "open"} {
			_ = federated.Delete(ctx, "gizmo-"+name, metav1.DeleteOptions{})
		}
		kubefedctl(t, "propagate", "gizmos.example.com")
		kubefedctl(t, "disable", "gizmos.example.com", "--force")
	})

	for _, choice := range []string{"typed", "open"} {
		name := "gizmo-" + choice
		mustRun(t, "enable", "gizmos.example.com", "--template-schema="+choice)
		crd, err := host.Resource(crdsGVR).Get(ctx, "federatedgizmos.types.kubefed.io", metav1.GetOptions{})
		require.NoError(t, err)
		versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
		templateSchema, _, _ := unstructured.NestedMap(versions[0].(map[string]any), "schema", "openAPIV3Schema", "properties", "spec", "properties", "template")
		if choice == "open" {
			assert.Equal(t, map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}, templateSchema, "kubefed's open template schema, exactly")
		} else {
			assert.Equal(t, true, templateSchema["x-kubernetes-preserve-unknown-fields"])
			size, _, _ := unstructured.NestedMap(templateSchema, "properties", "spec", "properties", "size")
			assert.Equal(t, map[string]any{"type": "integer"}, size, "typed where the host knows the field")
		}

		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": apis.DefaultFederatedGroup + "/" + apis.DefaultFederatedVersion, "kind": "FederatedGizmo",
			"metadata": map[string]any{"name": name},
			"spec": map[string]any{
				"template":  map[string]any{"spec": map[string]any{"size": int64(3), "color": "red"}},
				"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}}},
			},
		}}
		// Strict field validation, as kubectl apply does by default; polled while the host
		// starts serving the schema enable just changed.
		err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 15*time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := federated.Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"})
			return err == nil, nil
		})
		require.NoError(t, err, "the host accepts a template field its schema does not know (%s)", choice)
		stored, err := federated.Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		color, _, _ := unstructured.NestedString(stored.Object, "spec", "template", "spec", "color")
		assert.Equal(t, "red", color, "the host keeps the field (%s)", choice)

		wrong := obj.DeepCopy()
		wrong.SetName(name + "-wrong")
		unstructured.SetNestedField(wrong.Object, "big", "spec", "template", "spec", "size")
		_, err = federated.Create(ctx, wrong, metav1.CreateOptions{FieldValidation: "Strict"})
		if choice == "typed" {
			require.Error(t, err, "typed: a known field of the wrong type is rejected")
			assert.Contains(t, err.Error(), "spec.template.spec.size")
		} else {
			require.NoError(t, err, "open: nothing in the template is checked")
			require.NoError(t, federated.Delete(ctx, wrong.GetName(), metav1.DeleteOptions{}))
		}

		// render, from the host's object.
		dir := t.TempDir()
		ftc, err := host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).Get(ctx, "gizmos.example.com", metav1.GetOptions{})
		require.NoError(t, err)
		files := map[string]any{
			"cluster.yaml": map[string]any{"apiVersion": apis.CoreGroup + "/" + apis.CoreVersion, "kind": "KubeFedCluster",
				"metadata": map[string]any{"name": "member1", "namespace": kfns},
				"spec":     map[string]any{"apiEndpoint": "https://member1.example.com", "secretRef": map[string]any{"name": "s"}},
				"status":   map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "lastProbeTime": "2026-01-01T00:00:00Z"}}}},
			"ftc.yaml": map[string]any{"apiVersion": ftc.GetAPIVersion(), "kind": ftc.GetKind(),
				"metadata": map[string]any{"name": ftc.GetName(), "namespace": kfns}, "spec": ftc.Object["spec"]},
			"gizmo.yaml": map[string]any{"apiVersion": stored.GetAPIVersion(), "kind": stored.GetKind(),
				"metadata": map[string]any{"name": name}, "spec": stored.Object["spec"]},
		}
		for file, content := range files {
			data, err := yaml.Marshal(content)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, file), data, 0o600))
		}
		r := mustRun(t, "render", "-f", dir, "--cluster", "member1", "-o", "json")
		rendered := map[string]any{}
		require.NoError(t, yaml.Unmarshal([]byte(r.stdout), &rendered))
		items, _ := rendered["items"].([]any)
		require.Len(t, items, 1, r.stdout)
		color, _, _ = unstructured.NestedString(items[0].(map[string]any), "spec", "color")
		assert.Equal(t, "red", color, "render keeps the field (%s)", choice)

		// propagate, into a member whose type has the field.
		mustRun(t, "propagate", "gizmos.example.com", name)
		copied, err := dynamicFor(t, "member1").Resource(gizmosGVR).Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		color, _, _ = unstructured.NestedString(copied.Object, "spec", "color")
		assert.Equal(t, "red", color, "the member's copy has the field (%s)", choice)
		size, _, _ := unstructured.NestedInt64(copied.Object, "spec", "size")
		assert.Equal(t, int64(3), size)
	}
}

// federate --enable-type takes enable's --template-schema: open gives kubefed's open template.
func TestFederateEnableTypeWithOpenTemplateSchema(t *testing.T) {
	mustRun(t, "init")
	ctx := context.Background()
	host := dynamicFor(t, "host")
	const ns = "open-schema"
	ensureNamespace(t, "host", ns)
	crdName := "federatedresourcequotas.types.kubefed.io"
	t.Cleanup(func() {
		_ = host.Resource(federatedGVR("federatedresourcequotas")).Namespace(ns).Delete(ctx, "quota", metav1.DeleteOptions{})
		kubefedctl(t, "disable", "resourcequotas", "--force", "--delete-crd")
		_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
	})
	_, err := clientFor(t, "host").CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "quota"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("10")}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	r := mustRun(t, "federate", "resourcequotas", "quota", "-n", ns, "--enable-type", "--template-schema=open")
	assert.Contains(t, r.stdout, "customresourcedefinition.apiextensions.k8s.io/"+crdName+" created")
	crd, err := host.Resource(crdsGVR).Get(ctx, crdName, metav1.GetOptions{})
	require.NoError(t, err)
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	require.Len(t, versions, 1)
	template, _, _ := unstructured.NestedMap(versions[0].(map[string]any), "schema", "openAPIV3Schema", "properties", "spec", "properties", "template")
	assert.Equal(t, map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}, template, "kubefed's open template schema")
	federated := getObject(t, host, federatedGVR("federatedresourcequotas"), ns, "quota")
	hard, _, _ := unstructured.NestedString(federated.Object, "spec", "template", "spec", "hard", "pods")
	assert.Equal(t, "10", hard)
}
