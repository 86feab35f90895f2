package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
)

// shopFederation has three ready clusters (east and west in region us, europe in eu), the
// FederatedNamespace "shop" placed everywhere, and the given documents.
func shopFederation(t *testing.T, docs string) *apis.Federation {
	t.Helper()
	var base strings.Builder
	for _, c := range []struct{ name, region string }{{"east", "us"}, {"west", "us"}, {"europe", "eu"}} {
		fmt.Fprintf(&base, `apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: %s, namespace: kube-federation-system, labels: {region: %s}}
spec: {apiEndpoint: "https://%[1]s", secretRef: {name: %[1]s}}
status: {conditions: [{type: Ready, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}
---
`, c.name, c.region)
	}
	base.WriteString(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec: {placement: {clusterSelector: {}}}
---
`)
	read, err := manifest.Parse("shop.yaml", []byte(base.String()+docs))
	require.NoError(t, err)
	fed, err := apis.Assemble(read, apis.DefaultKubeFedNamespace, "default")
	require.NoError(t, err)
	return fed
}

// scheduled is a FederatedDeployment placed by selector, and its preference.
func scheduled(name, selector, spec string) string {
	return fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: %[1]s, namespace: shop}
spec:
  template: {spec: {replicas: 9, template: {spec: {containers: [{name: c, image: i}]}}}}
  placement: {clusterSelector: %[2]s}
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: %[1]s, namespace: shop}
spec: {targetKind: FederatedDeployment, %[3]s}
---
`, name, selector, spec)
}

// replicasIn is each cluster's spec.replicas of the object named name, for the clusters that
// hold it.
func replicasIn(t *testing.T, result *Result, name string) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	for _, c := range result.Clusters {
		objects, err := result.Objects(c.Name)
		require.NoError(t, err)
		for _, obj := range objects {
			if obj.GetKind() == "Deployment" && obj.GetName() == name {
				n, found, err := unstructured.NestedInt64(obj.Object, "spec", "replicas")
				require.NoError(t, err)
				require.True(t, found, "%s in %s has no spec.replicas", name, c.Name)
				got[c.Name] = n
			}
		}
	}
	return got
}

// Weights whose sum no int64 holds fail that workload alone, named with the preference; the
// same weights over fewer clusters plan by their ratio.
func TestScheduleRefusesWeightsThatOverflow(t *testing.T) {
	fed := shopFederation(t, scheduled("huge", "{}", `totalReplicas: 10, clusters: {"*": {weight: 4611686018427387904}}`)+
		scheduled("fits", "{matchLabels: {region: eu}}", `totalReplicas: 10, intersectWithClusterSelector: true, clusters: {"*": {weight: 4611686018427387904}}`)+
		scheduled("ratio", "{}", `totalReplicas: 10, clusters: {east: {weight: 3074457345618258602}, west: {weight: 3074457345618258602}, europe: {weight: 1537228672809129301}}`))

	result, err := Render(fed, Options{KeepGoing: true})
	require.NoError(t, err)
	require.Len(t, result.Failures, 1)
	f := result.Failures[0]
	assert.Equal(t, "huge", f.Object.Object.GetName())
	assert.Equal(t, "", f.Cluster)
	assert.Equal(t, `shop.yaml: FederatedDeployment "shop/huge": shop.yaml: ReplicaSchedulingPreference "shop/huge": spec.clusters: `+
		`the weights of the clusters planned over (east, europe, west) add up to more than 9223372036854775807; use smaller weights (only their ratios count)`, f.Err.Error())
	assert.Equal(t, map[string]int64{"europe": 10}, replicasIn(t, result, "fits"))
	assert.Equal(t, map[string]int64{"east": 4, "west": 4, "europe": 2}, replicasIn(t, result, "ratio"))

	_, err = Render(fed, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `FederatedDeployment "shop/huge"`)
}

// A preference with nothing to share by says so: kubefed placed 0 replicas, or only the
// minimums, without a word.
func TestScheduleWarnsWhenNoWeight(t *testing.T) {
	const prefix = `shop.yaml: ReplicaSchedulingPreference "shop/web" for FederatedDeployment "shop/web": `
	tests := []struct {
		name string
		spec string
		want []string
	}{
		{"every weight 0", `totalReplicas: 10, clusters: {"*": {weight: 0}}`,
			[]string{prefix + `no cluster it plans over (east, europe, west) has a weight above 0, so it places 0 replicas everywhere; give clusters (or "*") a weight`}},
		{"no weight given", `totalReplicas: 10, clusters: {east: {}, west: {maxReplicas: 3}}`,
			[]string{prefix + `no cluster it plans over (east, europe, west) has a weight above 0, so it places 0 replicas everywhere; give clusters (or "*") a weight`}},
		{"weighted entries for other clusters only", `totalReplicas: 10, clusters: {north: {weight: 5}}`,
			[]string{prefix + `no cluster it plans over (east, europe, west) has a weight above 0, so it places 0 replicas everywhere; give clusters (or "*") a weight`}},
		{"minimums only", `totalReplicas: 10, clusters: {"*": {minReplicas: 2}}`,
			[]string{prefix + `no cluster it plans over (east, europe, west) has a weight above 0, so it places only 6 of its 10 replicas (minReplicas, and replicas kept where they run); give clusters (or "*") a weight`}},
		{"zero replicas asked for", `totalReplicas: 0, clusters: {"*": {weight: 0}}`, nil},
		{"one weight", `totalReplicas: 10, clusters: {"*": {weight: 0}, west: {weight: 1}}`, nil},
		{"default star", `totalReplicas: 10`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result, err := Render(shopFederation(t, scheduled("web", "{}", tt.spec)), Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, result.Warnings)
		})
	}
}

// Current replicas count only for the clusters planned over, as kubefed read them: a cluster
// the preference no longer plans over gets no 0-replica copy; its copy is to be deleted.
func TestScheduleCurrentOnlyForClustersPlannedOver(t *testing.T) {
	fed := shopFederation(t, scheduled("web", "{matchLabels: {region: eu}}", `totalReplicas: 6, intersectWithClusterSelector: true`))
	result, err := Render(fed, Options{Current: map[string]map[string]int64{"shop/web": {"east": 4, "west": 2, "europe": 1}}, Explain: true})
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"europe": 6}, replicasIn(t, result, "web"))
	var deployment *apis.FederatedObject
	for _, o := range fed.Objects {
		if o.Object.GetName() == "web" {
			deployment = o
		}
	}
	placed, unready := result.Placement(deployment)
	assert.Equal(t, map[string]bool{"europe": true}, placed)
	assert.Empty(t, unready)
	require.Len(t, result.Explanations, 2)
	exp := result.Explanations[0]
	require.Equal(t, "FederatedDeployment", exp.Kind)
	for _, c := range exp.Clusters {
		assert.Equal(t, c.Cluster == "europe", c.Placed, c.Cluster)
	}
}

// The planner's figure is set after the overrides: an override of /spec keeps it, and a
// cluster's own /spec/replicas override is ignored with a warning (kubefed's scheduler wrote its
// figure into that override, so the planner always won).
func TestSchedulePlannedReplicasWinOverOverrides(t *testing.T) {
	const deployment = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  template: {spec: {replicas: 9, paused: false}}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: east
    clusterOverrides: [%s]
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: shop}
spec: {targetKind: FederatedDeployment, totalReplicas: 6, clusters: {east: {weight: 1}, west: {weight: 2}}}
`
	const ignored = `shop.yaml: FederatedDeployment "shop/web": spec.overrides: the override of /spec/replicas for cluster "east" is ignored: ReplicaSchedulingPreference "shop/web" sets the replicas, as kubefed's scheduler did`
	tests := []struct {
		name      string
		overrides string
		wantSpec  map[string]any
		warnings  []string
	}{
		{"replace /spec", `{path: /spec, value: {paused: true}}`, map[string]any{"paused": true, "replicas": int64(2)}, nil},
		{"add /spec", `{op: add, path: /spec, value: {}}`, map[string]any{"replicas": int64(2)}, nil},
		{"remove /spec/replicas, then nothing", `{op: remove, path: /spec/replicas}`, map[string]any{"paused": false, "replicas": int64(2)}, []string{ignored}},
		{"replace /spec/replicas", `{path: /spec/replicas, value: 5}`, map[string]any{"paused": false, "replicas": int64(2)}, []string{ignored}},
		{"/spec/replicas then /spec", `{path: /spec/replicas, value: 5}, {path: /spec, value: {paused: true}}`, map[string]any{"paused": true, "replicas": int64(2)}, []string{ignored}},
		{"/spec then /spec/replicas", `{path: /spec, value: {paused: true}}, {op: add, path: /spec/replicas, value: 7}`, map[string]any{"paused": true, "replicas": int64(2)}, []string{ignored}},
		{"another path", `{path: /spec/paused, value: true}`, map[string]any{"paused": true, "replicas": int64(2)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result, err := Render(shopFederation(t, fmt.Sprintf(deployment, tt.overrides)), Options{Explain: true})
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, result.Warnings)
			objects, err := result.Objects("east")
			require.NoError(t, err)
			require.Len(t, objects, 2)
			assert.Equal(t, tt.wantSpec, objects[1].Object["spec"])
			assert.Equal(t, map[string]int64{"east": 2, "west": 4, "europe": 0}, replicasIn(t, result, "web"))
			if tt.warnings != nil {
				east := result.Explanations[0].Clusters[0]
				require.Equal(t, "east", east.Cluster)
				assert.Contains(t, east.ReplicasReason, "the cluster's override of /spec/replicas is ignored")
				assert.NotContains(t, strings.Join(east.Overrides, "\n"), "/spec/replicas")
			}
		})
	}
}

// A scheduled workload needs a spec to hold its replicas: kubefed's scheduler override failed
// without one. The workload fails alone (in every cluster, since the template lacks it; in one
// cluster, where an override removes it); the others render.
func TestScheduledWorkloadWithoutSpec(t *testing.T) {
	workload := func(name, template, overrides string) string {
		return fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: %[1]s, namespace: shop}
spec:
  template: %[2]s
  placement: {clusterSelector: {}}
  overrides: [{clusterName: west, clusterOverrides: [%[3]s]}]
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: %[1]s, namespace: shop}
spec: {targetKind: FederatedDeployment, totalReplicas: 3}
---
`, name, template, overrides)
	}
	fed := shopFederation(t, workload("nospec", "{metadata: {labels: {a: b}}}", "")+
		workload("notemplate", "null", "")+
		workload("specstring", "{spec: replicas}", "")+
		workload("removed", "{spec: {paused: true}}", "{op: remove, path: /spec}")+
		workload("fine", "{spec: {paused: true}}", ""))
	result, err := Render(fed, Options{KeepGoing: true})
	require.NoError(t, err)
	failed := map[string]string{}
	for _, f := range result.Failures {
		assert.Equal(t, "", f.Cluster)
		failed[f.Object.Object.GetName()] = f.Err.Error()
	}
	want := func(name string) string {
		return fmt.Sprintf(`shop.yaml: FederatedDeployment "shop/%s": spec.template has no spec object to hold the replicas ReplicaSchedulingPreference "shop/%[1]s" plans (kubefed fails such a workload too); add spec to the template`, name)
	}
	assert.Equal(t, map[string]string{"nospec": want("nospec"), "notemplate": want("notemplate"), "specstring": want("specstring")}, failed)

	for _, cluster := range []string{"east", "west", "europe"} {
		objects, failures := Desired(result, cluster, nil)
		var names []string
		for _, obj := range objects {
			names = append(names, obj.GetKind()+" "+obj.GetName())
		}
		if cluster != "west" {
			assert.Equal(t, []string{"Namespace shop", "Deployment fine", "Deployment removed"}, names, cluster)
			assert.Empty(t, failures, cluster)
			continue
		}
		assert.Equal(t, []string{"Namespace shop", "Deployment fine"}, names, cluster)
		require.Len(t, failures, 1)
		assert.Equal(t, "west", failures[0].Cluster)
		assert.Equal(t, `shop.yaml: FederatedDeployment "shop/removed": cluster "west": after the overrides the object has no spec object to hold spec.replicas (1, as its ReplicaSchedulingPreference plans)`, failures[0].Err.Error())
	}

	_, err = Render(fed, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec.template has no spec object")
}
