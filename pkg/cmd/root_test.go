package cmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
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
