package render

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/render/golden")

const testdata = "../../testdata"

func load(t testing.TB, paths ...string) *apis.Federation {
	t.Helper()
	docs, err := manifest.Read(paths, nil)
	require.NoError(t, err)
	fed, err := apis.Assemble(docs, apis.DefaultKubeFedNamespace, "default")
	require.NoError(t, err)
	return fed
}

// golden renders a result in a form meant for review: each cluster's objects, the warnings,
// then the explanations.
func golden(t *testing.T, result *Result) []byte {
	var b bytes.Buffer
	for _, c := range result.Clusters {
		fmt.Fprintf(&b, "# Cluster: %s (ready: %t)\n", c.Name, c.Ready)
		objects, err := result.Objects(c.Name)
		require.NoError(t, err)
		for _, obj := range objects {
			data, err := yaml.Marshal(obj.Object)
			require.NoError(t, err)
			b.WriteString("---\n")
			b.Write(data)
		}
	}
	b.WriteString("# Warnings\n")
	for _, w := range result.Warnings {
		fmt.Fprintf(&b, "# - %s\n", w)
	}
	b.WriteString("# Explanations\n")
	data, err := yaml.Marshal(result.Explanations)
	require.NoError(t, err)
	b.Write(data)
	return b.Bytes()
}

func TestRenderGolden(t *testing.T) {
	cases := map[string][]string{
		"examples": {filepath.Join(testdata, "examples")},
	}
	inputs, err := filepath.Glob(filepath.Join(testdata, "render", "*.yaml"))
	require.NoError(t, err)
	for _, input := range inputs {
		if filepath.Base(input) == "clusters.yaml" {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(input), ".yaml")
		cases[name] = []string{filepath.Join(testdata, "render", "clusters.yaml"), input}
	}
	require.Greater(t, len(cases), 5)
	for name, paths := range cases {
		t.Run(name, func(t *testing.T) {
			result, err := Render(load(t, paths...), Options{Explain: true})
			require.NoError(t, err)
			got := golden(t, result)
			path := filepath.Join(testdata, "render", "golden", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./pkg/render/... -update to create it")
			assert.Equal(t, string(want), string(got))

			again, err := Render(load(t, paths...), Options{Explain: true})
			require.NoError(t, err)
			assert.Equal(t, string(got), string(golden(t, again)), "rendering twice gives the same bytes")
		})
	}
}

// Objects returns objects of their own: changing one changes neither another cluster's nor the
// federated object's template, although building shares what no step changes.
func TestObjectsAreIndependent(t *testing.T) {
	fed := load(t, filepath.Join(testdata, "examples"))
	result, err := Render(fed, Options{})
	require.NoError(t, err)
	first, err := result.Objects("member3")
	require.NoError(t, err)
	require.NoError(t, unstructured.SetNestedField(first[0].Object, "changed", "metadata", "labels", "team"))
	again, err := result.Objects("member3")
	require.NoError(t, err)
	labels, _, _ := unstructured.NestedStringMap(again[0].Object, "metadata", "labels")
	assert.Equal(t, "web", labels["team"])
	for _, o := range fed.Objects {
		if o.IsNamespace() {
			team, _, _ := unstructured.NestedString(o.Object.Object, "spec", "template", "metadata", "labels", "team")
			assert.Equal(t, "web", team)
		}
	}
}

// A cluster is rendered for only when its status says Ready=True, as in kubefed: one without a
// status yet is not ready, and is named in a warning that says what a file needs.
func TestClusterReadiness(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		ready   bool
		warning string
	}{
		{"no status", "", false, `cluster "c1" is not ready (it has no status yet; in files, give it status.conditions [{type: Ready, status: "True"}]); nothing is rendered for it`},
		{"empty status", "status: {}", false, `cluster "c1" is not ready (its status has no Ready=True condition); nothing is rendered for it`},
		{"Ready False", `status: {conditions: [{type: Ready, status: "False", lastProbeTime: "2026-01-01T00:00:00Z"}]}`, false, `cluster "c1" is not ready (its status has no Ready=True condition); nothing is rendered for it`},
		{"Offline only", `status: {conditions: [{type: Offline, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}`, false, `cluster "c1" is not ready (its status has no Ready=True condition); nothing is rendered for it`},
		{"Ready True", `status: {conditions: [{type: Ready, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}`, true, ""},
		{"Ready True without a probe time", `status: {conditions: [{type: Ready, status: "True"}]}`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := manifest.Parse("in.yaml", []byte(`apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: c1, namespace: kube-federation-system}
spec: {apiEndpoint: "https://c1", secretRef: {name: c1}}
`+tt.status+`
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec: {placement: {clusters: [{name: c1}]}}
`))
			require.NoError(t, err)
			fed, err := apis.Assemble(docs, apis.DefaultKubeFedNamespace, "default")
			require.NoError(t, err)
			result, err := Render(fed, Options{})
			require.NoError(t, err)
			assert.Equal(t, []ClusterResult{{Name: "c1", Ready: tt.ready}}, result.Clusters)
			objects, err := result.Objects("c1")
			require.NoError(t, err)
			placed, unready := result.Placement(fed.Objects[0])
			if tt.ready {
				assert.Empty(t, result.Warnings)
				assert.Len(t, objects, 1)
				assert.Equal(t, map[string]bool{"c1": true}, placed)
				return
			}
			assert.Equal(t, []string{tt.warning}, result.Warnings)
			assert.Empty(t, objects)
			assert.Empty(t, placed)
			assert.Equal(t, []string{"c1"}, unready)
		})
	}
}
