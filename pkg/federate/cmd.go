package federate

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const federateExample = `  # Federate the Deployment web of namespace demo to every cluster
  kubefedctl federate deployments.apps web -n demo

  # To two clusters, or to the clusters labelled region=eu
  kubefedctl federate svc web -n demo --clusters member1,member2
  kubefedctl federate configmap web-config -n demo --cluster-selector region=eu

  # A namespace and what it holds, enabling the types it needs
  kubefedctl federate namespace demo --contents --enable-type

  # Convert files with no cluster
  kubefedctl federate -f deployment.yaml -o yaml`

// NewCmdFederate builds `federate`.
func NewCmdFederate(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "federate TYPE NAME [-n NS]",
		Short: "Create a federated object from an object in the host, or from files",
		Long: `Federate turns an object of the host into its federated object by kubefed's rules: the object
becomes spec.template with its labels (annotations are dropped, with a warning) and without the
fields the server sets or that belong to one cluster (status, a Service's cluster IPs and node
ports), placed in every cluster unless --clusters or --cluster-selector say otherwise. An existing
federated object is never overwritten. With --contents, a namespace and every object of an enabled
type in it are federated, except what controllers create.

The federation's own machinery is never federated: objects in the KubeFed namespace (or any
namespace holding KubeFedClusters), service-account token Secrets (skipped with a warning under
--contents), the kubefed types themselves, and the namespaces kube-system, kube-public,
kube-node-lease and default. With -o, Secret values print as *** unless --show-secrets.`,
		Example: federateExample,
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Filename, "filename", "f", "", "Convert the objects of a file (or - for stdin) with no cluster; needs -o")
	f.StringVarP(&o.Output, "output", "o", "", "Print the federated objects instead of creating them: yaml or json")
	f.BoolVarP(&o.EnableType, "enable-type", "t", false, "Enable the type first when it is not enabled")
	f.StringVar(&o.TemplateSchema, "template-schema", o.TemplateSchema, "With --enable-type: the Federated CRD's schema of spec.template, typed or open, as enable's flag")
	f.BoolVarP(&o.Contents, "contents", "c", false, "With a namespace: federate every object of an enabled type in it too")
	f.StringSliceVar(&o.SkipResources, "skip-api-resources", nil, "With --contents: types to leave out, by short name, kind, plural, plural.group or group")
	f.StringSliceVar(&o.Clusters, "clusters", nil, "Place in these clusters only: a,b")
	f.StringToStringVar(&o.ClusterSelector, "cluster-selector", nil, "Place in the clusters whose labels match: k=v,...")
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "With -o: print Secret values in clear, for a manifest to apply (by default they print as ***)")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}

// NewCmdOrphaningDeletion builds `orphaning-deletion` with enable, disable and status.
func NewCmdOrphaningDeletion(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "orphaning-deletion",
		Short: "Manage whether deleting a federated object leaves its member copies in place",
		Long: `With orphaning enabled (the annotation kubefed.io/orphan: "true"), deleting a federated object
leaves the objects propagated to members in place, without the managed label, instead of deleting
them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	for _, action := range []struct{ name, short string }{
		{OrphanEnable, "Leave member copies in place when the federated object is deleted"},
		{OrphanDisable, "Delete member copies with the federated object (the default)"},
		{OrphanStatus, "Print Enabled or Disabled"},
	} {
		o := NewOrphanOptions(globals, streams, action.name)
		cmd.AddCommand(&cobra.Command{
			Use:     action.name + " TYPE NAME [-n NS]",
			Short:   action.short,
			Example: "  kubefedctl orphaning-deletion " + action.name + " federateddeployments web -n demo",
			Args:    cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				if err := o.Complete(args); err != nil {
					return err
				}
				return o.Run(cmd.Context())
			},
		})
	}
	return cmd
}
