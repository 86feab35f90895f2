// Package render is the `render` command: the desired objects of every member, from files,
// without any cluster.
package render

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
)

const example = `  # Show what every member cluster should hold
  kubefedctl render -f testdata/examples

  # One member's objects as a v1 List
  kubefedctl render -f testdata/examples --cluster member1 -o json

  # Why each object goes where it goes, with the replica split
  kubefedctl render -f testdata/examples --explain

  # A directory per cluster for Argo CD or Flux
  kubefedctl render -f testdata/examples --output-dir deploy/

  # From stdin
  cat app.yaml | kubefedctl render -f -`

// NewCmdRender builds `render`.
func NewCmdRender(globals *cli.Globals, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(globals, streams)
	cmd := &cobra.Command{
		Use:   "render -f PATH... [--cluster NAME] [-o yaml|json] [--output-dir DIR] [--explain] [--show-secrets]",
		Short: "Print the objects each member cluster should hold, computed from kubefed manifests",
		Long: `Render computes, without any cluster, the objects each member cluster should hold: placement,
the ReplicaSchedulingPreference split, per-cluster overrides and the kubefed.io/managed label, with
kubefed's semantics. The input holds KubeFedClusters, FederatedTypeConfigs (optional for built-in
types), Federated<Kind> objects, FederatedNamespaces and ReplicaSchedulingPreferences.

Objects are sorted by group, kind, namespace and name; the output is the same bytes on every run.
Printed Secrets show each value as *** (as kubectl diff does) unless --show-secrets is given; the
files --output-dir writes are the plan itself and hold the real values, a Secret's readable by its
owner only (mode 0600).`,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Complete(cmd.Flags().Changed("output"))
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil, "Files or directories (recursive) to read, or - for stdin; may be repeated")
	f.StringVar(&o.Cluster, "cluster", "", "Render only this member cluster")
	f.StringVarP(&o.Output, "output", "o", cli.OutputYAML, "Output format: yaml (a --- stream) or json (a v1 List); with --explain, data instead of text")
	f.StringVar(&o.OutputDir, "output-dir", "", "Write one file per object under DIR/<cluster>/ instead of printing; later renders remove only the files an earlier one recorded there")
	f.BoolVar(&o.Explain, "explain", false, "Print, per federated object and cluster, the placement, replicas and overrides and why")
	f.StringVar(&o.ValidateMode, "validate", o.ValidateMode, `Must be one of: strict (or true), warn, ignore (or false). "strict" refuses a manifest with a key set twice in one mapping (as two objects without "---" between them are) or a field kubefed's own kinds do not have (KubeFedCluster, FederatedTypeConfig, ReplicaSchedulingPreference, Federated<Kind> outside its template), or a template that its Federated CRD's schema refuses where the input holds that CRD (as enable -o yaml prints it), as the host would; "warn" renders it with a warning, keeping the last value and ignoring the field; "ignore" says nothing`)
	f.Lookup("validate").NoOptDefVal = string(manifest.Strict)
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "Print Secret values in clear; without it they print as *** as in kubectl diff (files under --output-dir always hold the real values)")
	return cmd
}
