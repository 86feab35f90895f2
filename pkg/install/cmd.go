package install

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const example = `  # Install the federation's namespace, CRDs and KubeFedConfig in the current context
  kubefedctl init

  # In another context, federating only the KubeFed namespace, without adopting existing objects
  kubefedctl init --context host --scope Namespaced --adopt-resources=false

  # Print what would be installed, for a GitOps repository
  kubefedctl init -o yaml`

// NewCmdInit builds `init`.
func NewCmdInit(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Install the federation's namespace, CRDs and KubeFedConfig in the host cluster",
		Long: `Init installs in the host cluster what the federation needs: the KubeFed namespace
(--kubefed-namespace), the CustomResourceDefinitions of KubeFedCluster, FederatedTypeConfig,
KubeFedConfig, ReplicaSchedulingPreference, PropagatedVersion, ClusterPropagatedVersion and
FederatedServiceStatus (kubefed's seven), and the KubeFedConfig "kubefed", complete with kubefed's
chart defaults so that kubefed's own controller manager accepts the host too. Values the host's
KubeFedConfig already holds are kept; only --adopt-resources, when given, changes one. It is
idempotent: running it again changes nothing. Federated types themselves are installed by enable.`,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.adoptSet = cmd.Flags().Changed("adopt-resources")
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Scope, "scope", o.Scope, "Federation scope: Cluster, or Namespaced to federate only the KubeFed namespace (cannot change later)")
	f.BoolVar(&o.AdoptResources, "adopt-resources", o.AdoptResources, "Whether propagate adopts existing objects in members that kubefedctl did not create (default: the host's setting, else true)")
	f.StringVarP(&o.Output, "output", "o", "", "Print the objects instead of applying them: yaml or json")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}
