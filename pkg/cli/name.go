package cli

import (
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// PluginBinary is the binary name under which kubectl runs the tool as `kubectl kubefed`;
// CompletionHook is the one kubectl runs to complete `kubectl kubefed ...`.
const (
	PluginBinary   = "kubectl-kubefed"
	CompletionHook = "kubectl_complete-kubefed"
)

// IsCompletionHook reports whether the binary runs as kubectl's completion hook.
func IsCompletionHook(argv0 string) bool {
	return strings.TrimSuffix(filepath.Base(argv0), ".exe") == CompletionHook
}

// DisplayName is how users invoke the binary called argv0: "kubectl kubefed" when it runs as
// the krew plugin, "kubefedctl" otherwise.
func DisplayName(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if base == PluginBinary || base == CompletionHook {
		return "kubectl kubefed"
	}
	return "kubefedctl"
}

// UseDisplayName makes help, usage and examples of the whole tree read name instead of
// kubefedctl. Examples are written with "kubefedctl" and rewritten here, once.
func UseDisplayName(root *cobra.Command, name string) {
	if name == "kubefedctl" {
		return
	}
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations[cobra.CommandDisplayNameAnnotation] = name
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Example = strings.ReplaceAll(c.Example, "kubefedctl ", name+" ")
		c.Long = strings.ReplaceAll(c.Long, "kubefedctl ", name+" ")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
