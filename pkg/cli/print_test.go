package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/printers"
)

// MarshalYAML must give kubectl's bytes exactly, the awkward values included.
func TestMarshalYAMLMatchesKubectlPrinter(t *testing.T) {
	obj := &unstructured.Unstructured{}
	require.NoError(t, obj.UnmarshalJSON([]byte(`{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": {"name": "x", "labels": {"a10": "1", "a2": "2", "A": "y", "_": "z", "example.com/x": "true"}},
		"data": {"yes": "yes", "no": "no", "null": "null", "num": "0x10", "float": "1.50", "empty": "", "colon": "a: b",
			"multi": "line1\nline2\n", "star": "*", "dash": "- x", "space": " lead", "unicode": "héllo", "tilde": "~"},
		"spec": {"int": 3, "big": 9007199254740993, "neg": -1, "float": 1.5, "exp": 1e21, "zero": 0.0, "bool": true, "nil": null,
			"list": [1, "2", [], {}], "nested": {"b": {"c": [{"z": 1, "a": 2}]}}}
	}`)))
	var want bytes.Buffer
	require.NoError(t, (&printers.YAMLPrinter{}).PrintObj(obj, &want))
	got, err := MarshalYAML(obj.Object)
	require.NoError(t, err)
	assert.Equal(t, want.String(), string(got))
}

func TestPrintObjectsYAMLStreamMatchesKubectl(t *testing.T) {
	var objs []*unstructured.Unstructured
	var want bytes.Buffer
	p := &printers.YAMLPrinter{}
	for _, name := range []string{"a", "b", "c"} {
		o := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}}}
		objs = append(objs, o)
		require.NoError(t, p.PrintObj(o, &want))
	}
	var got bytes.Buffer
	require.NoError(t, PrintObjects(&got, OutputYAML, objs))
	assert.Equal(t, want.String(), got.String())
	got.Reset()
	require.NoError(t, PrintObjects(&got, OutputYAML, nil))
	assert.Empty(t, got.String())
}
