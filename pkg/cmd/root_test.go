package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// Every command's help works: flags of a command and the root's do not clash, and every command
// has a short description and, for those that act, an example.
func TestEveryCommandHasHelp(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Name() != "help" {
				walk(sub, append(append([]string(nil), path...), sub.Name()))
			}
		}
	}
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	walk(NewRootCommand(streams, "kubefedctl"), nil)
	assert.Greater(t, len(paths), 10)
	for _, path := range paths {
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			var out bytes.Buffer
			streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
			root := NewRootCommand(streams, "kubefedctl")
			root.SetArgs(append(append([]string(nil), path...), "--help"))
			assert.Equal(t, cli.ExitOK, cli.Execute(root, streams), out.String())
			assert.Contains(t, out.String(), "Usage:")
			found, _, err := root.Find(path)
			if assert.NoError(t, err) {
				assert.NotEmpty(t, found.Short)
			}
		})
	}
}

// --diff shows what a dry run would change, and says so when given alone, before any request.
func TestPropagateDiffNeedsDryRun(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: host, context: {cluster: nowhere, user: u}}]
current-context: host
`), 0o600))
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := NewRootCommand(streams, "kubefedctl")
	root.SetArgs([]string{"--kubeconfig", kubeconfig, "propagate", "--diff"})
	assert.Equal(t, cli.ExitError, cli.Execute(root, streams))
	assert.Equal(t, "error: --diff shows what a dry run would change: add --dry-run=client or --dry-run=server\n", errOut.String())
	assert.Empty(t, out.String())
}
