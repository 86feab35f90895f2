package manifest

import (
	goyaml "go.yaml.in/yaml/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestParseMultiDocumentYAMLJSONAndList(t *testing.T) {
	data := `# leading comment
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
---   
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
--- # a comment after the separator
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: d}}
`
	docs, err := Parse("in.yaml", []byte(data))
	require.NoError(t, err)
	var names []string
	for _, d := range docs {
		names = append(names, d.Object.GetName())
		assert.Equal(t, "in.yaml", d.Source)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, names)
}

func TestParseErrorsGiveFileLines(t *testing.T) {
	data := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [unclosed\n"
	_, err := Parse("in.yaml", []byte(data))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in.yaml: document 2 is not valid YAML or JSON")
	assert.Contains(t, err.Error(), "line 6")

	_, err = Parse("in.yaml", []byte("- just\n- a list\n"))
	assert.EqualError(t, err, "in.yaml: document 1 is not an object")
}

// Text after "---" on a separator line is refused, naming the file and line: kubectl would not
// split there, and YAML would start the next document with it, so an object could be lost.
func TestSeparatorWithTextIsRefused(t *testing.T) {
	for _, line := range []string{"--- kind: ConfigMap", "--- {a: 1}", "---\ttext"} {
		data := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" + line + "\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
		_, err := Parse("in.yaml", []byte(data))
		require.Error(t, err, line)
		assert.Contains(t, err.Error(), `in.yaml: line 4: text after the document separator "---"`, line)
	}
	// A "----" line is not a separator at all: YAML reads it as a value, which is not an object.
	_, err := Parse("in.yaml", []byte("----\n"))
	require.Error(t, err)
}

func TestReadDirectoriesRecursivelyInOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, name string) {
		path := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+name+"}\n"), 0o644))
	}
	write("b.yaml", "b")
	write("a/z.yml", "az")
	write("c.json", "c")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not read"), 0o644))
	docs, err := Read([]string{dir, "-"}, strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stdin}\n"))
	require.NoError(t, err)
	var names []string
	for _, d := range docs {
		names = append(names, d.Object.GetName())
	}
	assert.Equal(t, []string{"az", "b", "c", "stdin"}, names)
	assert.Equal(t, "stdin", docs[3].Source)

	_, err = Read([]string{t.TempDir()}, nil)
	assert.ErrorContains(t, err, "holds no .yaml, .yml or .json file")
}

// The fast decoder must give exactly what the detour through JSON gives.
func TestDecodeFastEqualsJSONDetour(t *testing.T) {
	docs := []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: '1', b: yes, c: 1.0, d: 1.5, e: 1e3, f: 0x10, g: ~, h: '', i: 2001-12-14, j: \"multi\\nline\"}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - {name: a, image: 'nginx:1', ports: [{containerPort: 80}], args: [--x, '-1', 017, 1_000]}\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"j\"}, \"data\": {\"n\": \"2\"}, \"x\": [1, 2.5, -0.0, true, null, {}]}",
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\nspec: {neg: -7, small: 0.1, int: 9007199254740993}\n",
	}
	decodeFast := func(data []byte) (*unstructured.Unstructured, bool) {
		var tree any
		require.NoError(t, goyaml.UnmarshalStrict(data, &tree))
		return fastObject(tree)
	}
	for _, d := range docs {
		fast, ok := decodeFast([]byte(d))
		jsonData, err := yaml.YAMLToJSON([]byte(d))
		require.NoError(t, err)
		slow := &unstructured.Unstructured{}
		require.NoError(t, slow.UnmarshalJSON(jsonData))
		require.True(t, ok, "the fast decoder should take %q", d)
		assert.Equal(t, slow.Object, fast.Object, d)
	}
	_, ok := decodeFast([]byte("metadata: {name: nokind}\n"))
	assert.False(t, ok, "a document without kind is left to the detour, which gives the error")
	_, ok = decodeFast([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\nspec: {huge: 1e20}\n"))
	assert.False(t, ok, "a whole float too large for exact conversion is left to the detour")
}

func TestStrictReading(t *testing.T) {
	const twoWithoutSeparator = `apiVersion: v1
kind: ConfigMap
metadata: {name: first}
apiVersion: v1
kind: ConfigMap
metadata: {name: second}
`
	const misspelt = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: demo}
spec:
  template: {spec: {replicas: 1}}
  placment: {clusters: [{name: member1}]}
`
	const customType = `apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: widgets.example.com}
spec:
  targetType: {group: example.com, version: v1, kind: Widget, pluralName: widgets, scope: Namespaced}
  federatedType: {group: fed.example.com, version: v1, kind: FederatedWidget, pluralName: federatedwidgets, scope: Namespaced}
  propagation: Enabled
---
apiVersion: fed.example.com/v1
kind: FederatedWidget
metadata: {name: w, namespace: demo}
spec: {template: {}, overides: []}
`
	tests := []struct {
		name      string
		input     string
		v         Validation
		wantErr   string
		wantWarn  []string
		wantNames []string
	}{
		{"two objects without ---, strict", twoWithoutSeparator, Strict,
			`app.yaml: document 1: duplicate key "apiVersion" at line 4, key "kind" at line 5, key "metadata" at line 6 (two objects without a "---" line between them?): a key may appear once in a mapping; remove one, or pass --validate=warn to keep the last value`, nil, nil},
		{"two objects without ---, warn", twoWithoutSeparator, Warn, "",
			[]string{`app.yaml: document 1: duplicate key "apiVersion" at line 4, key "kind" at line 5, key "metadata" at line 6 (two objects without a "---" line between them?): the last value is kept`}, []string{"second"}},
		{"two objects without ---, ignore", twoWithoutSeparator, Ignore, "", nil, []string{"second"}},
		{"a nested duplicate, in the second document, with the file's line", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  k: 1\n  k: 2\n", Strict,
			`app.yaml: document 2: duplicate key "k" at line 10: a key may appear once`, nil, nil},
		{"a duplicate in JSON", `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "name": "b"}}`, Strict,
			`app.yaml: document 1: duplicate key "name" at line 1`, nil, nil},
		{"a misspelt field, strict", misspelt, Strict,
			`app.yaml: FederatedDeployment demo/web: unknown field "spec.placment": FederatedDeployment has no such field, and the host would refuse it too (strict field validation); correct the name, or pass --validate=warn to read it without`, nil, nil},
		{"a misspelt field, warn", misspelt, Warn, "", []string{`app.yaml: FederatedDeployment demo/web: unknown field "spec.placment": ignored`}, []string{"web"}},
		{"a misspelt field, ignore", misspelt, Ignore, "", nil, []string{"web"}},
		{"a federated kind the input's type config declares", customType, Strict, `app.yaml: FederatedWidget demo/w: unknown field "spec.overides"`, nil, nil},
		{"an unknown field of another kind is the host's business", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndatta: {}\n", Strict, "", nil, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.input), 0o644))
			docs, warnings, err := ReadValidated([]string{path}, nil, tt.v)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), strings.ReplaceAll(tt.wantErr, "app.yaml", path))
				return
			}
			require.NoError(t, err)
			var want []string
			for _, w := range tt.wantWarn {
				want = append(want, strings.ReplaceAll(w, "app.yaml", path))
			}
			assert.Equal(t, want, warnings)
			var names []string
			for _, d := range docs {
				names = append(names, d.Object.GetName())
			}
			assert.Equal(t, tt.wantNames, names)
		})
	}
}

func TestParseValidation(t *testing.T) {
	for value, want := range map[string]Validation{"": Strict, "true": Strict, "strict": Strict, "warn": Warn, "false": Ignore, "ignore": Ignore} {
		got, err := ParseValidation(value)
		require.NoError(t, err)
		assert.Equal(t, want, got, value)
	}
	_, err := ParseValidation("loose")
	assert.EqualError(t, err, `--validate must be strict (or true), warn, or ignore (or false), not "loose"`)
}
