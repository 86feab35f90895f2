package e2e

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	"github.com/kubefedctl/kubefedctl/pkg/render"
	"github.com/kubefedctl/kubefedctl/test/framework"
)

var deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

// federation joins both members with the example's region labels and enables the example's types.
func federation(t *testing.T) {
	t.Helper()
	mustRun(t, "init")
	for name, region := range map[string]string{"member1": "us-east", "member2": "eu-west"} {
		mustRun(t, "join", name, "--labels", "region="+region, "--error-on-existing=false")
	}
	for _, typ := range []string{"namespaces", "deployments.apps", "configmaps"} {
		mustRun(t, "enable", typ)
	}
}

func applyFiles(t *testing.T, paths ...string) {
	t.Helper()
	docs, err := manifest.Read(paths, nil)
	require.NoError(t, err)
	host := dynamicFor(t, "host")
	for _, d := range docs {
		gvk := d.Object.GroupVersionKind()
		plural := strings.ToLower(gvk.Kind) + "s"
		if gvk.Kind == "KubeFedCluster" {
			continue
		}
		client := host.Resource(gvk.GroupVersion().WithResource(plural))
		_, err := client.Namespace(d.Object.GetNamespace()).Apply(context.Background(), d.Object.GetName(), d.Object, metav1.ApplyOptions{FieldManager: "e2e", Force: true})
		require.NoError(t, err, "%s %s", gvk.Kind, d.Object.GetName())
	}
}

// memberWrites counts the write requests a member's apiserver has served: server-side applies,
// patches and deletes, the verbs propagate writes with (controllers in the member use others).
func memberWrites(t *testing.T, cp *framework.ControlPlane) int {
	t.Helper()
	transport, err := rest.TransportFor(cp.Config())
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: transport}).Get(cp.Server + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	total := 0
	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		if !(strings.Contains(line, `verb="APPLY"`) || strings.Contains(line, `verb="PATCH"`) || strings.Contains(line, `verb="DELETE"`)) {
			continue
		}
		if strings.Contains(line, `dry_run="All"`) {
			continue // a server dry run stores nothing
		}
		n, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		require.NoError(t, err)
		total += int(n)
	}
	return total
}

func TestPropagateExampleApplication(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "demo")
	examples := filepath.Join("..", "..", "testdata", "examples")
	applyFiles(t, examples)

	r := mustRun(t, "propagate")
	assert.Contains(t, r.stdout, "created")

	// Each member holds what render prints for it from the same files.
	docs, err := manifest.Read([]string{examples}, nil)
	require.NoError(t, err)
	model, err := apis.Assemble(docs, kfns, "default")
	require.NoError(t, err)
	result, err := render.Render(model, render.Options{})
	require.NoError(t, err)
	for _, member := range []string{"member1", "member2"} {
		want, err := result.Objects(member)
		require.NoError(t, err)
		require.NotEmpty(t, want)
		client := dynamicFor(t, member)
		for _, obj := range want {
			gvk := obj.GroupVersionKind()
			live, err := client.Resource(gvk.GroupVersion().WithResource(strings.ToLower(gvk.Kind)+"s")).Namespace(obj.GetNamespace()).Get(context.Background(), obj.GetName(), metav1.GetOptions{})
			require.NoError(t, err, "%s %s in %s", gvk.Kind, obj.GetName(), member)
			assertHolds(t, live.Object, obj.Object, member+" "+gvk.Kind+" "+obj.GetName())
		}
	}
	replicas := func(member string) int64 {
		d, err := dynamicFor(t, member).Resource(deploymentsGVR).Namespace("demo").Get(context.Background(), "web", metav1.GetOptions{})
		require.NoError(t, err)
		n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
		return n
	}
	assert.Equal(t, int64(8), replicas("member1"), "the preference's split")
	assert.Equal(t, int64(2), replicas("member2"))

	fedDeployment, err := dynamicFor(t, "host").Resource(federatedGVR("federateddeployments")).Namespace("demo").Get(context.Background(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Contains(t, fedDeployment.GetFinalizers(), apis.SyncFinalizer)
	clusters, _, _ := unstructured.NestedSlice(fedDeployment.Object, "status", "clusters")
	assert.Equal(t, []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}, clusters)
	conditions, _, _ := unstructured.NestedSlice(fedDeployment.Object, "status", "conditions")
	require.Len(t, conditions, 1)
	assert.Equal(t, "True", conditions[0].(map[string]any)["status"])

	// A second pass writes nothing to any member and reports everything unchanged.
	before := []int{memberWrites(t, fed.Members[0]), memberWrites(t, fed.Members[1])}
	r = mustRun(t, "propagate", "--detailed-exitcode")
	assert.NotContains(t, r.stdout, "created")
	assert.NotContains(t, r.stdout, "updated")
	assert.Contains(t, r.stdout, "unchanged in 2 clusters")
	assert.Equal(t, before, []int{memberWrites(t, fed.Members[0]), memberWrites(t, fed.Members[1])}, "a no-op pass makes no write request")
}

// assertHolds checks that live holds every field of want.
func assertHolds(t *testing.T, live, want any, what string) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		require.True(t, ok, "%s: not an object", what)
		for k, v := range w {
			assertHolds(t, l[k], v, what+"."+k)
		}
	case []any:
		l, ok := live.([]any)
		require.True(t, ok, "%s: not a list", what)
		require.Len(t, l, len(w), what)
		for i := range w {
			assertHolds(t, l[i], w[i], what)
		}
	default:
		assert.EqualValues(t, want, live, what)
	}
}

func TestPropagateMovesDeletesAndOrphans(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "moves")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: moves, namespace: moves}
spec:
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: moving, namespace: moves}
spec:
  template: {data: {a: "1"}}
  placement: {clusters: [{name: member1}]}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: doomed, namespace: moves}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: orphaned, namespace: moves}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	mustRun(t, "propagate", "-n", "moves")
	m1, m2 := dynamicFor(t, "member1"), dynamicFor(t, "member2")
	assert.Equal(t, []string{"moving"}, names(t, m1, configMapsGVR, "moves", "moving"))
	assert.Empty(t, names(t, m2, configMapsGVR, "moves", "moving"))

	host := dynamicFor(t, "host")
	ctx := context.Background()
	_, err := host.Resource(federatedGVR("federatedconfigmaps")).Namespace("moves").Patch(ctx, "moving", "application/merge-patch+json",
		[]byte(`{"spec":{"placement":{"clusters":[{"name":"member2"}]}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	require.NoError(t, host.Resource(federatedGVR("federatedconfigmaps")).Namespace("moves").Delete(ctx, "doomed", metav1.DeleteOptions{}))
	mustRun(t, "orphaning-deletion", "enable", "federatedconfigmaps", "orphaned", "-n", "moves")
	require.NoError(t, host.Resource(federatedGVR("federatedconfigmaps")).Namespace("moves").Delete(ctx, "orphaned", metav1.DeleteOptions{}))

	r := mustRun(t, "propagate", "-n", "moves")
	assert.Regexp(t, `member1\s+ConfigMap\s+moves\s+moving\s+deleted`, r.stdout)
	assert.Regexp(t, `member2\s+ConfigMap\s+moves\s+moving\s+created`, r.stdout)
	assert.Empty(t, names(t, m1, configMapsGVR, "moves", "moving"), "moved away from member1")
	assert.Equal(t, []string{"moving"}, names(t, m2, configMapsGVR, "moves", "moving"), "moved to member2")
	for _, member := range []string{"member1", "member2"} {
		client := dynamicFor(t, member)
		assert.Empty(t, names(t, client, configMapsGVR, "moves", "doomed"), "a deleted federated object's copies go")
		orphan, err := client.Resource(configMapsGVR).Namespace("moves").Get(ctx, "orphaned", metav1.GetOptions{})
		require.NoError(t, err, "an orphaned copy stays")
		assert.NotContains(t, orphan.GetLabels(), apis.ManagedLabel, "an orphaned copy loses the managed label")
	}
	assert.Empty(t, names(t, host, federatedGVR("federatedconfigmaps"), "moves", "doomed"), "the finalizer is removed once the copies are gone")
	assert.Empty(t, names(t, host, federatedGVR("federatedconfigmaps"), "moves", "orphaned"))
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "objects.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestPropagateDryRunsAndExitCodes(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "dry")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: dry, namespace: dry}
spec:
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: fine, namespace: dry}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	mustRun(t, "propagate", "-n", "dry")
	r := mustRun(t, "propagate", "-n", "dry", "--dry-run=client", "--detailed-exitcode")
	assert.Contains(t, r.stdout, "(dry run)")

	// A member rejects what the host cannot check: ConfigMap data must be strings.
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: invalid, namespace: dry}
spec:
  template: {data: {a: "1"}}
  placement: {clusters: [{name: member1}]}
  overrides:
  - clusterName: member1
    clusterOverrides:
    - {path: /data/a, value: 5}
`))
	resources := []schema.GroupVersionResource{configMapsGVR, namespacesGVR}
	hostResources := []schema.GroupVersionResource{federatedGVR("federatedconfigmaps"), federatedGVR("federatednamespaces")}
	snapshotAll := func() [3][]string {
		return [3][]string{snapshot(t, dynamicFor(t, "host"), hostResources...), snapshot(t, dynamicFor(t, "member1"), resources...), snapshot(t, dynamicFor(t, "member2"), resources...)}
	}
	before := snapshotAll()

	r = kubefedctl(t, "propagate", "-n", "dry", "--dry-run=client", "--diff", "--detailed-exitcode")
	assert.Equal(t, cli.ExitChanges, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `member1\s+ConfigMap\s+dry\s+invalid\s+created`, r.stdout, "client dry run cannot see the member's validation")
	assert.Contains(t, r.stdout, "+++ desired ConfigMap/dry/invalid member1")

	r = kubefedctl(t, "propagate", "-n", "dry", "--dry-run=server", "--detailed-exitcode")
	assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `member1\s+ConfigMap\s+dry\s+invalid\s+failed\s+.*data`, r.stdout, "server dry run surfaces the member's validation error")
	assert.Equal(t, before, snapshotAll(), "dry runs change nothing in host and members")

	require.NoError(t, dynamicFor(t, "host").Resource(federatedGVR("federatedconfigmaps")).Namespace("dry").Delete(context.Background(), "invalid", metav1.DeleteOptions{}))
	r = kubefedctl(t, "propagate", "-n", "dry", "--detailed-exitcode")
	assert.Equal(t, cli.ExitOK, r.code, r.stdout+r.stderr)
}

func TestPropagateAdoption(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "adopt")
	ensureNamespace(t, "member1", "adopt")
	ctx := context.Background()
	m1 := dynamicFor(t, "member1")
	for name, labels := range map[string]map[string]any{"unmanaged": nil, "hands-off": {apis.ManagedLabel: "false"}} {
		cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": name, "namespace": "adopt"}, "data": map[string]any{"a": "original"}}}
		if labels != nil {
			cm.Object["metadata"].(map[string]any)["labels"] = labels
		}
		_, err := m1.Resource(configMapsGVR).Namespace("adopt").Create(ctx, cm, metav1.CreateOptions{})
		require.NoError(t, ignoreExists(err))
	}
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: adopt, namespace: adopt}
spec:
  placement: {clusters: [{name: member1}]}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: unmanaged, namespace: adopt}
spec:
  template: {data: {a: federated}}
  placement: {clusters: [{name: member1}]}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: hands-off, namespace: adopt}
spec:
  template: {data: {a: federated}}
  placement: {clusters: [{name: member1}]}
`))
	// Adoption disabled: the unmanaged object is left alone and reported.
	mustRun(t, "init", "--adopt-resources=false")
	r := kubefedctl(t, "propagate", "-n", "adopt")
	assert.Regexp(t, `member1\s+ConfigMap\s+adopt\s+unmanaged\s+skipped\s+exists unmanaged and the KubeFedConfig disables adoption`, r.stdout)
	assert.Regexp(t, `member1\s+ConfigMap\s+adopt\s+hands-off\s+skipped\s+labelled kubefed.io/managed: "false"`, r.stdout)
	get := func(name string) *unstructured.Unstructured {
		obj, err := m1.Resource(configMapsGVR).Namespace("adopt").Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		return obj
	}
	assert.Equal(t, "original", get("unmanaged").Object["data"].(map[string]any)["a"])

	// Adoption enabled (kubefed's default): adopted and reported; managed "false" still untouched.
	// init keeps the host's setting unless the flag is given.
	mustRun(t, "init", "--adopt-resources=true")
	r = kubefedctl(t, "propagate", "-n", "adopt")
	assert.Regexp(t, `member1\s+ConfigMap\s+adopt\s+unmanaged\s+adopted`, r.stdout)
	assert.Regexp(t, `member1\s+ConfigMap\s+adopt\s+hands-off\s+skipped`, r.stdout)
	assert.Equal(t, "federated", get("unmanaged").Object["data"].(map[string]any)["a"])
	assert.Equal(t, apis.ManagedLabelTrue, get("unmanaged").GetLabels()[apis.ManagedLabel])
	assert.Equal(t, "original", get("hands-off").Object["data"].(map[string]any)["a"], "managed: false is never touched")
}

func TestPropagateWithAStoppedMember(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "outage")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: outage, namespace: outage}
spec:
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: outage}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	member2 := fed.Members[1]
	member2.StopAPIServer()
	restarted := false
	defer func() {
		if !restarted {
			require.NoError(t, member2.StartAPIServer(context.Background()))
		}
	}()
	r := kubefedctl(t, "propagate", "-n", "outage", "--request-timeout", "3s")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Regexp(t, `member1\s+ConfigMap\s+outage\s+settings\s+created`, r.stdout, "the reachable member is complete")
	assert.Regexp(t, `member2\s+ConfigMap\s+outage\s+settings\s+skipped\s+cluster not ready`, r.stdout)
	assert.Contains(t, r.stdout, "not reachable: member2")
	assert.Equal(t, []string{"settings"}, names(t, dynamicFor(t, "member1"), configMapsGVR, "outage", "settings"))

	require.NoError(t, member2.StartAPIServer(context.Background()))
	restarted = true
	r = mustRun(t, "propagate", "-n", "outage")
	assert.Regexp(t, `member2\s+ConfigMap\s+outage\s+settings\s+created`, r.stdout, "a later pass converges")
	assert.Regexp(t, `member1\s+ConfigMap\s+outage\s+settings\s+unchanged`, r.stdout)
}

// spec.retainReplicas keeps a member's own replica figure (an autoscaler's), as kubefed did.
func TestPropagateRetainReplicas(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "retain")
	objects := `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: retain, namespace: retain}
spec:
  placement: {clusters: [{name: member1}]}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: scaled, namespace: retain}
spec:
  retainReplicas: %s
  template:
    spec:
      replicas: 2
      selector: {matchLabels: {app: scaled}}
      template:
        metadata: {labels: {app: scaled}}
        spec:
          containers: [{name: app, image: nginx}]
  placement: {clusters: [{name: member1}]}
`
	applyFiles(t, writeFile(t, strings.Replace(objects, "%s", "true", 1)))
	mustRun(t, "propagate", "-n", "retain")
	ctx := context.Background()
	m1 := dynamicFor(t, "member1").Resource(deploymentsGVR).Namespace("retain")
	_, err := m1.Patch(ctx, "scaled", "application/merge-patch+json", []byte(`{"spec":{"replicas":7}}`), metav1.PatchOptions{FieldManager: "autoscaler"})
	require.NoError(t, err)
	replicas := func() int64 {
		d, err := m1.Get(ctx, "scaled", metav1.GetOptions{})
		require.NoError(t, err)
		n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
		return n
	}

	r := mustRun(t, "propagate", "-n", "retain")
	assert.Regexp(t, `member1\s+Deployment\s+retain\s+scaled\s+unchanged`, r.stdout)
	assert.Equal(t, int64(7), replicas(), "the member's figure is kept")

	applyFiles(t, writeFile(t, strings.Replace(objects, "%s", "false", 1)))
	r = mustRun(t, "propagate", "-n", "retain")
	assert.Regexp(t, `member1\s+Deployment\s+retain\s+scaled\s+updated`, r.stdout)
	assert.Equal(t, int64(2), replicas(), "without retainReplicas the template's figure wins")
}
