package enable

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const enableExample = `  # Federate Deployments: creates federateddeployments.types.kubefed.io and the
  # FederatedTypeConfig deployments.apps, with the Deployment schema under spec.template
  kubefedctl enable deployments.apps

  # By short name, kind or plural; a CRD of your own works the same way
  kubefedctl enable deploy
  kubefedctl enable widgets.example.com

  # kubefed's open template schema: the host checks nothing in spec.template
  kubefedctl enable deployments.apps --template-schema=open

  # From a CRD file, with no cluster, for a GitOps repository
  kubefedctl enable -f widget-crd.yaml -o yaml`

// NewCmdEnable builds `enable`.
func NewCmdEnable(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "enable TYPE",
		Short: "Enable propagation of an API type: its Federated CRD and FederatedTypeConfig",
		Long: `Enable discovers TYPE in the host (its preferred version unless --version) and creates the
Federated CRD (federated<plural>.<federated group>, short names f<short>) with spec.template,
spec.placement and spec.overrides, and the FederatedTypeConfig named <plural>[.<group>]. With
--template-schema=typed (the default) the template's schema is the type's published OpenAPI v3
schema (or its CRD's), so the host rejects a template with a field of the wrong type, while a field
the schema does not know (one a newer member has) is kept, not rejected or dropped; where no schema
is published the template accepts anything. --template-schema=open gives kubefed's own template
schema, which checks nothing and keeps everything. Idempotent.`,
		Example: enableExample,
		Args:    cobra.MaximumNArgs(1),
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
	f.StringVar(&o.Version, "version", "", "The API version of the target type (default: the preferred one)")
	f.StringVar(&o.FederatedGroup, "federated-group", o.FederatedGroup, "The API group of the federated type")
	f.StringVar(&o.FederatedVersion, "federated-version", o.FederatedVersion, "The API version of the federated type")
	f.StringVarP(&o.Filename, "filename", "f", "", "A CustomResourceDefinition or APIResource file describing the target type, instead of TYPE")
	f.StringVarP(&o.Output, "output", "o", "", "Print the objects instead of applying them: yaml or json")
	f.StringVar(&o.TemplateSchema, "template-schema", o.TemplateSchema, "Schema of spec.template: typed (the type's schema checks the fields it knows, unknown fields are kept) or open (kubefed's: nothing checked, everything kept)")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}

const disableExample = `  # Stop propagating Deployments and remove their FederatedTypeConfig
  kubefedctl disable deployments.apps

  # While FederatedDeployments exist: release them from the federation (their member copies stay)
  kubefedctl disable deployments.apps --force

  # Also remove the Federated CRD, once no FederatedDeployment is left
  kubefedctl disable deployments.apps --delete-crd`

// NewCmdDisable builds `disable`.
func NewCmdDisable(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewDisableOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "disable TYPE [--force] [--delete-crd]",
		Short: "Disable propagation of an API type",
		Long: `Disable sets the type's FederatedTypeConfig to propagation Disabled and removes it. Federated
objects and the objects propagated to members stay.

Disable refuses while the federation holds federated objects of the type, naming some: no pass
handles them once the type is disabled, so one deleted afterwards would stay Terminating for ever.
--force removes the finalizer kubefed.io/sync-controller from each of them, so that deleting one no
longer waits for a pass, and leaves their copies in the member clusters as they are, still labelled
kubefed.io/managed=true: a later enable and propagate takes over again the copies of the objects
that remain, and unlabels those of objects deleted meanwhile, leaving them in place. With
--dry-run, disable prints what it would do and changes nothing.

With --delete-crd the Federated CRD is removed too, which disable refuses while federated objects
of the type exist, even with --force.`,
		Example: disableExample,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "Disable while federated objects of the type exist: remove their finalizer "+apis.SyncFinalizer+" and leave their member copies as they are")
	cmd.Flags().BoolVar(&o.DeleteCRD, "delete-crd", false, "Also remove the Federated CRD (refused while federated objects of the type exist)")
	cli.AddDryRunFlag(cmd.Flags(), &o.dryRunFlag)
	return cmd
}
