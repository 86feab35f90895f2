// Package cmd assembles kubefedctl's command tree.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd/render"
	"github.com/kubefedctl/kubefedctl/pkg/enable"
	"github.com/kubefedctl/kubefedctl/pkg/federate"
	"github.com/kubefedctl/kubefedctl/pkg/install"
	"github.com/kubefedctl/kubefedctl/pkg/join"
	"github.com/kubefedctl/kubefedctl/pkg/migrate"
	"github.com/kubefedctl/kubefedctl/pkg/propagate"
	"github.com/kubefedctl/kubefedctl/pkg/version"
)

// NewRootCommand builds the tree; displayName is "kubefedctl", or "kubectl kubefed" when the
// binary runs as the kubectl plugin.
func NewRootCommand(streams genericiooptions.IOStreams, displayName string) *cobra.Command {
	globals := cli.NewGlobals()
	root := &cobra.Command{
		Use:   "kubefedctl",
		Short: "kubefedctl controls a Kubernetes Cluster Federation without a control plane",
		Long: `kubefedctl controls a Kubernetes Cluster Federation without a control plane. It keeps kubefed's
APIs and command line and replaces kubefed's controllers with one-shot commands: render shows what
each member cluster should hold, computed from kubefed manifests.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	globals.AddFlags(root.PersistentFlags())
	root.AddCommand(
		install.NewCmdInit(globals, streams),
		enable.NewCmdEnable(globals, streams),
		enable.NewCmdDisable(globals, streams),
		federate.NewCmdFederate(globals, streams),
		federate.NewCmdOrphaningDeletion(globals, streams),
		join.NewCmdJoin(globals, streams),
		join.NewCmdUnjoin(globals, streams),
		join.NewCmdClusters(globals, streams),
		join.NewCmdGet(globals, streams),
		migrate.NewCmdMigrate(globals, streams),
		propagate.NewCmdPropagate(globals, streams),
		render.NewCmdRender(globals, streams),
		version.NewCmdVersion(streams),
	)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	cli.UseDisplayName(root, displayName)
	return root
}
