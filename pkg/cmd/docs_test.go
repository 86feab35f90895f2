package cmd

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

var update = flag.Bool("update", false, "rewrite docs/reference from the command tree")

const referenceDir = "../../docs/reference"

// The reference under docs/reference is generated from the command tree; this fails when it is
// stale. make docs regenerates it.
func TestReferenceDocsAreCurrent(t *testing.T) {
	// Defaults that depend on the machine (the kubeconfig cache directory) read the same anywhere.
	t.Setenv("HOME", "$HOME")
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	root := NewRootCommand(streams, "kubefedctl")
	root.DisableAutoGenTag = true
	pages := ReferenceDocs(root)
	if *update {
		require.NoError(t, os.RemoveAll(referenceDir))
		require.NoError(t, os.MkdirAll(referenceDir, 0o755))
		for name, data := range pages {
			require.NoError(t, os.WriteFile(filepath.Join(referenceDir, name), data, 0o644))
		}
	}
	entries, err := os.ReadDir(referenceDir)
	require.NoError(t, err, "run make docs")
	var onDisk, generated []string
	for _, e := range entries {
		onDisk = append(onDisk, e.Name())
	}
	for name := range pages {
		generated = append(generated, name)
	}
	sort.Strings(generated)
	assert.Equal(t, generated, onDisk, "pages of the reference; run make docs")
	for name, data := range pages {
		existing, err := os.ReadFile(filepath.Join(referenceDir, name))
		if assert.NoError(t, err, "run make docs") {
			assert.Equal(t, string(data), string(existing), "%s is stale; run make docs", name)
		}
	}
}
