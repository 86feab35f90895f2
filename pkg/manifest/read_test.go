package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
