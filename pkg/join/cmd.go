package join

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const joinExample = `  # Join the cluster of context "member1" as "member1", the host being the current context
  kubefedctl join member1

  # Name it differently, label it for clusterSelector, grant only what enabled types need
  kubefedctl join us-east-1 --cluster-context member1 --context host --labels region=us-east --rbac=scoped

  # See every step in both clusters without writing anything
  kubefedctl join member1 --dry-run=server

  # Join again after enabling more types: the labels and endpoint it has are kept
  kubefedctl join member1 --error-on-existing=false`

// NewCmdJoin builds `join`.
func NewCmdJoin(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewJoinOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "join NAME [--cluster-context CTX]",
		Short: "Register a cluster with the federation",
		Long: `Join registers a member cluster with the host, as kubefed did: in the member, the KubeFed
namespace, a service account and its token Secret, and the RBAC that lets the federation manage
the member; in the host, a Secret with the token and a KubeFedCluster. Everything is checked
before the first write (the host has been initialised, the member answers, the contexts may do
what join does, nothing exists already, and no cluster-wide ClusterRole or binding of join's
naming belongs to another federation, whatever --error-on-existing says). Before the host side
is written, the new credentials are tried as propagate will use them: the stored endpoint, CA
bundle and token, discovery and the first LIST propagate makes. A failure midway removes what
the join created, and says whether the certificate (x509), the token (401) or the grant (403)
was refused.

With --rbac=scoped the member grants only what the types enabled now need (in Namespaced
scope, a Role in the KubeFed namespace); join again with --error-on-existing=false after
enabling more. A re-join keeps what the KubeFedCluster holds (labels, endpoint, CA bundle,
disabled TLS validations, proxy) unless a flag changes it. Every run prints what it did to each
object, and a dry run prints the same lines as the real run would.`,
		Example: joinExample,
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
	f.StringVar(&o.ClusterContext, "cluster-context", "", "The member's context in the kubeconfig (default: NAME)")
	f.StringVar(&o.HostClusterName, "host-cluster-name", "", `The host's name in the names join gives (default: the host's context name, which must not hold "/" or ":")`)
	f.StringVar(&o.SecretName, "secret-name", "", "Name of the Secret in the host that holds the member's token (default: NAME and a random suffix)")
	f.StringVar(&o.APIEndpoint, "api-endpoint", "", "The member's API endpoint as the host should reach it (default: the context's server)")
	f.StringToStringVar(&o.Labels, "labels", nil, "Labels of the KubeFedCluster, for clusterSelector placement: k=v,...; a re-join sets these and keeps its other labels")
	f.BoolVar(&o.ErrorOnExisting, "error-on-existing", o.ErrorOnExisting, "Fail when the cluster's artifacts already exist; false updates them")
	f.StringVar(&o.RBAC, "rbac", o.RBAC, "What the member grants the federation: full (kubefed's rules) or scoped (the enabled types and the health check)")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}

const unjoinExample = `  # Remove the registration of "member1" from both clusters
  kubefedctl unjoin member1

  # The member is gone for good: remove the host side and say what is left there
  kubefedctl unjoin member1 --force`

// NewCmdUnjoin builds `unjoin`.
func NewCmdUnjoin(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewUnjoinOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "unjoin NAME [--cluster-context CTX]",
		Short: "Remove a cluster's registration from the federation",
		Long: `Unjoin removes what join created, and nothing else: in the member, the service account, its
token Secret, the Role and binding, the ClusterRole and binding only when they are provably
this federation's (the binding's subject is this federation's service account), and the
KubeFed namespace only when a join created it, it is not the host's own, and nothing but the
namespace controller's objects, events and this join's own live in it; in the host, the
KubeFedCluster and its Secret. What it keeps it names, with why. --dry-run lists every object
it would delete and every one it would keep. Objects propagated to the member stay there.`,
		Example: unjoinExample,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ClusterContext, "cluster-context", "", "The member's context in the kubeconfig (default: NAME)")
	f.StringVar(&o.HostClusterName, "host-cluster-name", "", "The host's name as join was given it (default: the host's context name)")
	f.BoolVar(&o.Force, "force", false, "Remove the host side even when the member cannot be reached or cleaned, and report what is left there")
	cli.AddDryRunFlag(f, &o.dryRunFlag)
	return cmd
}

const clustersExample = `  # Every joined cluster, probed now through its stored credentials
  kubefedctl clusters

  # With the secret and the probe's message, and a 3-second bound on the probes
  kubefedctl clusters -o wide --request-timeout 3s

  # Write Ready/Offline conditions and the version into each KubeFedCluster, as kubefed did
  kubefedctl get clusters --update-status`

// NewCmdClusters builds `clusters`; `get clusters` is the same command.
func NewCmdClusters(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewClustersOptions(globals, streams)
	cmd := &cobra.Command{
		Use:     "clusters",
		Aliases: []string{"cluster", "kubefedclusters", "kfc"},
		Short:   "List the joined clusters and whether each is ready now",
		Long: `Clusters lists every KubeFedCluster with NAME, READY, VERSION, ENDPOINT, LABELS and AGE. Each
cluster is probed now, in parallel, through the credentials join stored (TLS verified against the
stored CA bundle), each probe bounded by --request-timeout (10s when unset).`,
		Example: clustersExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			if err := o.Complete(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: wide, json or yaml; a table when empty")
	cmd.Flags().BoolVar(&o.UpdateStatus, "update-status", false, "Write the probe's conditions and version into each KubeFedCluster's status")
	return cmd
}

// NewCmdGet builds `get`, which holds `get clusters`.
func NewCmdGet(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get clusters",
		Short: "Display federation resources (get clusters)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(NewCmdClusters(globals, streams))
	return cmd
}
