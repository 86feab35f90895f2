package migrate

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/propagate"
)

const example = `  # What migrating from kubefed's controller would change, writing nothing
  kubefedctl migrate --dry-run=client

  # Take over, and remove the replica overrides kubefed's scheduler left behind
  kubefedctl migrate --prune-scheduler-overrides`

// NewCmdMigrate builds `migrate`.
func NewCmdMigrate(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "migrate [--prune-scheduler-overrides] [--dry-run=none|client|server]",
		Short: "Take a federation over from kubefed's controller-manager",
		Long: `Migrate hands a host that kubefed's controller-manager ran over to kubefedctl's passes.

It refuses while kubefed's controller-manager may be running (its Deployment
kubefed-controller-manager in the KubeFed namespace has replicas, or its leader record there was
renewed within its lease), since two controllers on one federation undo each other's writes. Then
it removes the finalizer core.kubefed.io/federated-type-config, which only kubefed's controller
would remove, from every FederatedTypeConfig (federated objects keep kubefed.io/sync-controller,
which propagate honours), and lists the /spec/replicas overrides that kubefed's scheduler wrote into
the workloads that ReplicaSchedulingPreferences target: kubefedctl plans the replicas on every pass
and ignores them; --prune-scheduler-overrides removes them. It ends with propagate --dry-run=server,
whose report should say that nothing changes in the members.

Member copies are left as kubefed wrote them: a pass writes one only when something in it really
changes. Run migrate again at any point: it completes what an earlier run left.`,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			o.check = func(ctx context.Context) error {
				pass := propagate.NewCmdPropagate(globals, streams)
				pass.SetArgs([]string{"--dry-run=server"})
				pass.SilenceErrors, pass.SilenceUsage = true, true
				return pass.ExecuteContext(ctx)
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.PruneSchedulerOverrides, "prune-scheduler-overrides", false, "Remove the /spec/replicas overrides kubefed's scheduler wrote into the workloads that preferences target")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}
