package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const testdata = "../../testdata"

// What needs no cluster is checked against golden files: federate -f and enable -f convert
// files offline. go test ./pkg/cmd/ -update rewrites them.
func TestOfflineConversionsGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"federate/objects.golden", []string{"federate", "-f", filepath.Join(testdata, "federate", "objects.yaml"), "-o", "yaml"}},
		{"enable/widget-crd.golden", []string{"enable", "-f", filepath.Join(testdata, "enable", "widget-crd.yaml"), "-o", "yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var out, errOut bytes.Buffer
			streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
			root := NewRootCommand(streams, "kubefedctl")
			// No kubeconfig is needed, nor read.
			root.SetArgs(append([]string{"--kubeconfig", filepath.Join(t.TempDir(), "none")}, tt.args...))
			require.Equal(t, cli.ExitOK, cli.Execute(root, streams), errOut.String())
			got := out.String() + "# stderr\n" + errOut.String()
			path := filepath.Join(testdata, tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "go test ./pkg/cmd/ -update writes it")
			assert.Equal(t, string(want), got)
		})
	}
}
