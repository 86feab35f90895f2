package render

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"testing"

	jsonpatch "github.com/evanphx/json-patch"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func deployment() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": "web", "namespace": "demo"},
		"spec": map[string]any{
			"replicas": int64(3),
			"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "web", "image": "nginx"},
			}}},
		},
	}}
}

func TestApplyOverrides(t *testing.T) {
	tests := []struct {
		name      string
		overrides []apis.Override
		path      []string
		want      any
		wantErr   string
	}{
		{name: "replace is the default op", overrides: []apis.Override{{Path: "/spec/replicas", Value: float64(5)}}, path: []string{"spec", "replicas"}, want: int64(5)},
		{name: "replace of a missing key adds it", overrides: []apis.Override{{Op: "replace", Path: "/spec/paused", Value: true}}, path: []string{"spec", "paused"}, want: true},
		{name: "add creates a key", overrides: []apis.Override{{Op: "add", Path: "/spec/minReadySeconds", Value: float64(10)}}, path: []string{"spec", "minReadySeconds"}, want: int64(10)},
		{name: "remove deletes", overrides: []apis.Override{{Op: "remove", Path: "/spec/replicas"}}, path: []string{"spec", "replicas"}, want: nil},
		{name: "array element by index", overrides: []apis.Override{{Path: "/spec/template/spec/containers/0/image", Value: "nginx:2"}}, path: []string{"spec", "template", "spec", "containers"}, want: []any{map[string]any{"name": "web", "image": "nginx:2"}}},
		{name: "in order, later sees earlier", overrides: []apis.Override{{Op: "add", Path: "/metadata/annotations", Value: map[string]any{}}, {Op: "add", Path: "/metadata/annotations/a", Value: "b"}}, path: []string{"metadata", "annotations"}, want: map[string]any{"a": "b"}},
		{name: "~1 decodes to /", overrides: []apis.Override{{Op: "add", Path: "/metadata/labels", Value: map[string]any{}}, {Op: "add", Path: "/metadata/labels/example.com~1team", Value: "web"}}, path: []string{"metadata", "labels"}, want: map[string]any{"example.com/team": "web"}},
		{name: "remove of a missing key fails", overrides: []apis.Override{{Op: "remove", Path: "/spec/paused"}}, wantErr: "override remove /spec/paused: Unable to remove nonexistent key: paused (the path does not exist in the object)"},
		{name: "add under a missing parent fails", overrides: []apis.Override{{Op: "add", Path: "/metadata/annotations/a", Value: "b"}}, wantErr: `override add /metadata/annotations/a: add operation does not apply: doc is missing path: "/metadata/annotations/a" (the path does not exist in the object)`},
		{name: "replace past the end of an array fails", overrides: []apis.Override{{Path: "/spec/template/spec/containers/3/image", Value: "x"}}, wantErr: "override replace /spec/template/spec/containers/3/image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := deployment()
			err := applyOverrides(obj, tt.overrides)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			got, _, _ := unstructured.NestedFieldNoCopy(obj.Object, tt.path...)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOverridesByClusterRejects(t *testing.T) {
	tests := []struct {
		name    string
		items   []apis.ClusterOverrides
		wantErr string
	}{
		{name: "unknown op", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Op: "move", Path: "/spec"}}}}, wantErr: `spec.overrides: cluster "a": override[0] path "/spec": unknown op "move"; use add, remove or replace (replace when omitted)`},
		{name: "cluster twice", items: []apis.ClusterOverrides{{ClusterName: "a"}, {ClusterName: "a"}}, wantErr: `spec.overrides: cluster "a" appears more than once`},
		{name: "path twice", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/x"}, {Path: "/spec/x"}}}}, wantErr: `spec.overrides: path "/spec/x" appears more than once for cluster "a"`},
		{name: "identity path", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/metadata/name", Value: "x"}}}}, wantErr: "invalid path"},
		{name: "kind", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/kind", Value: "x"}}}}, wantErr: "invalid path"},
		{name: "not a pointer", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "spec.replicas", Value: float64(1)}}}}, wantErr: `a path is a JSON pointer starting with "/"`},
		{name: "negative replicas", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: float64(-1)}}}}, wantErr: "replicas must be a whole number of zero or more, not -1"},
		{name: "fractional replicas", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: 1.5}}}}, wantErr: "replicas must be a whole number of zero or more, not 1.5"},
		{name: "replicas beyond int32", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: int64(math.MaxInt32) + 1}}}},
			wantErr: `spec.overrides: cluster "a": override[0] path "/spec/replicas": replicas is 2147483648, more than a workload's replicas (an int32) can hold: at most 2147483647`},
		{name: "huge replicas", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: 1e300}}}}, wantErr: "replicas is 1e+300, more than"},
		{name: "negative huge replicas", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: -1e300}}}}, wantErr: "replicas must be a whole number of zero or more, not -1e+300"},
		{name: "add beyond int32", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Op: "add", Path: "/spec/replicas", Value: float64(1 << 40)}}}}, wantErr: "replicas is 1.099511627776e+12, more than"},
		{name: "null replicas", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas"}}}}, wantErr: "replicas must be a whole number of zero or more, not null"},
		{name: "text replicas", items: []apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: "two"}}}}, wantErr: "replicas must be a whole number of zero or more, not a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := overridesByCluster(tt.items)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
	for _, n := range []any{float64(2), int64(0), int64(math.MaxInt32), float64(math.MaxInt32)} {
		got, err := overridesByCluster([]apis.ClusterOverrides{{ClusterName: "a", ClusterOverrides: []apis.Override{{Path: "/spec/replicas", Value: n}}}})
		require.NoError(t, err, "%v", n)
		assert.Len(t, got["a"], 1)
	}
}

func TestRenderErrorsNameSourceObjectClusterAndPath(t *testing.T) {
	fed := load(t, testdata+"/render/clusters.yaml")
	obj := &apis.FederatedObject{Source: "roles.yaml", Object: &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedClusterRole", "metadata": map[string]any{"name": "reader"},
	}}, Placement: &apis.Placement{Clusters: []apis.ClusterReference{{Name: "west"}}},
		Overrides: []apis.ClusterOverrides{{ClusterName: "west", ClusterOverrides: []apis.Override{{Op: "remove", Path: "/metadata/annotations"}}}}}
	obj.TypeConfig, _ = apis.BuiltinTypeConfig("FederatedClusterRole")
	fed.Objects = append(fed.Objects, obj)
	result, err := Render(fed, Options{})
	require.NoError(t, err)
	_, err = result.Objects("west")
	require.Error(t, err)
	assert.Equal(t, `roles.yaml: FederatedClusterRole "reader": cluster "west": override remove /metadata/annotations: Unable to remove nonexistent key: annotations (the path does not exist in the object)`, err.Error())
}

// applyOverrides works on objects, not JSON text; evanphx/json-patch, which kubefed used, is the
// oracle: the same result on success, and failure in the same cases.
func TestApplyOverridesAgreesWithJSONPatch(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	paths := []string{
		"/a", "/a/b", "/a/b/c", "/l", "/l/0", "/l/1", "/l/2", "/l/-", "/l/-1", "/l/-2", "/l/-3", "/l/-4", "/l/x", "/l/01", "/l/+1",
		"/l/0/k", "/l/1/k", "/l/-1/k", "/s", "/s/x", "/n", "/n/x", "/", "//", "/a/", "/m~1n", "/m~0n", "/e", "/e/0", "/e/-", "/a/b/c/d",
	}
	values := []any{nil, "v", float64(3), 2.5, true, map[string]any{"k": "x"}, []any{float64(1), "two"}, map[string]any{}}
	agreed := 0
	for i := 0; i < 4000; i++ {
		doc := map[string]any{
			"a": map[string]any{"b": map[string]any{"c": "deep"}},
			"l": []any{map[string]any{"k": "first"}, "second", int64(3)},
			"s": "scalar", "n": nil, "m/n": "slash", "m~n": "tilde", "e": []any{}, "apiVersion": "v1", "kind": "Thing",
		}
		var ops []apis.Override
		for range 1 + r.Intn(3) {
			o := apis.Override{Op: []string{"add", "remove", "replace", ""}[r.Intn(4)], Path: paths[r.Intn(len(paths))]}
			if o.Op != "remove" {
				o.Value = values[r.Intn(len(values))]
			}
			ops = append(ops, o)
		}

		want, wantErr := viaJSONPatch(doc, ops)
		obj := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(doc)}
		gotErr := applyOverrides(obj, ops)
		if wantErr != nil {
			assert.Error(t, gotErr, "json-patch fails %v with %v", ops, wantErr)
			continue
		}
		if !assert.NoError(t, gotErr, "%v", ops) {
			continue
		}
		assert.Equal(t, want, obj.Object, "%v", ops)
		agreed++
	}
	assert.Greater(t, agreed, 1000, "enough cases succeed to compare results")
}

func viaJSONPatch(doc map[string]any, ops []apis.Override) (result map[string]any, err error) {
	defer func() {
		// json-patch panics on some paths through null; those count as failures.
		if recover() != nil {
			err = errors.New("panic")
		}
	}()
	data, _ := json.Marshal(doc)
	var patch []map[string]any
	for _, o := range ops {
		op := o.Op
		if op == "" {
			op = "replace"
		}
		entry := map[string]any{"op": op, "path": o.Path}
		if o.Value != nil && op != "remove" {
			entry["value"] = o.Value
		}
		patch = append(patch, entry)
	}
	raw, _ := json.Marshal(patch)
	decoded, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		return nil, err
	}
	out, err := decoded.Apply(data)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(out); err != nil {
		return nil, err
	}
	return u.Object, nil
}
