package propagate

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

const example = `  # Make every member hold what the federation says
  kubefedctl propagate

  # One type, one object, one namespace
  kubefedctl propagate deployments.apps web -n demo

  # In CI: what would change, with diffs against the live members; exit code 2 when something would
  kubefedctl propagate --dry-run=server --diff --detailed-exitcode

  # The same pass inside the host, every ten minutes
  kubefedctl propagate --print-cronjob --schedule '*/10 * * * *' --image registry.example/kubefedctl:v0.2.0 | kubectl apply -f -`

// NewCmdPropagate builds `propagate`.
func NewCmdPropagate(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "propagate [TYPE [NAME]] [-n NS | -A] [-l SELECTOR]",
		Short: "Make the member clusters hold what the federated objects say, once",
		Long: `Propagate is the one-shot pass that replaces kubefed's controllers. It reads the federation
from the host (ready members, enabled types, federated objects, FederatedNamespaces and
ReplicaSchedulingPreferences), plans every member's objects exactly as render does, and makes each
member match: one LIST per type per member, a comparison, and a server-side apply (field manager
kubefedctl) only where something differs. It deletes managed objects no longer placed in a member,
removes the managed label from those whose federated object is gone, adopts unmanaged objects when
the KubeFedConfig allows, never touches objects labelled kubefed.io/managed: "false", deletes or
orphans the copies of deleted federated objects, and writes kubefed's status and finalizer on the
federated objects.

Without -n every namespace is covered. A member that cannot be reached, or rejects an object, does
not stop the others; the report and the exit code say so, and running again converges.

One pass runs at a time per federation: a pass holds the Lease kubefedctl-propagate in the KubeFed
namespace, and another waits for it up to --lock-timeout. A federated object's finalizer goes on
before any member write for it, and comes off a deleted one only once every cluster has answered
that its copy is gone.

Exit codes: 0 success, 1 any failure; with --detailed-exitcode, 0 no changes, 2 changes present,
1 failure.`,
		Example: example,
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			namespaceSet := cmd.Flags().Changed("namespace")
			if err := o.Complete(args, namespaceSet); err != nil {
				return err
			}
			if err := o.Validate(namespaceSet); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Every namespace (the default without -n)")
	f.StringVarP(&o.Selector, "selector", "l", "", "Only the federated objects whose labels match this selector")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: json or yaml; a table when empty")
	f.BoolVar(&o.Diff, "diff", false, "With --dry-run: a unified diff for every object that would change")
	f.BoolVar(&o.DetailedExitCode, "detailed-exitcode", false, "Exit 0 when nothing changes, 2 when something does (or would), 1 on failure")
	f.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "Writes in flight per member")
	f.DurationVar(&o.LockTimeout, "lock-timeout", o.LockTimeout, "How long to wait for another pass of the federation to finish (its Lease "+protocol.LeaseName+" in the KubeFed namespace)")
	f.BoolVar(&o.PrintCronJob, "print-cronjob", false, "Run no pass: print the ServiceAccount, RBAC and CronJob that run this pass, with this selection, on the host on a schedule")
	f.StringVar(&o.Schedule, "schedule", "", "With --print-cronjob: the CronJob's schedule (default \""+DefaultSchedule+"\")")
	f.StringVar(&o.Image, "image", "", "With --print-cronjob (and needed by it): the image holding this kubefedctl, pushed from the dist/image that make dist writes")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}
