package enable

import (
	"context"
	"errors"
	"fmt"
	"io"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
)

// Options for `enable`.
type Options struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Type             string
	Version          string
	FederatedGroup   string
	FederatedVersion string
	Filename         string
	Output           string
	TemplateSchema   string
	dryRunFlag       string

	dryRun cli.DryRun
	host   *cli.Clients
}

// NewOptions returns kubefed's defaults.
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, FederatedGroup: apis.DefaultFederatedGroup, FederatedVersion: apis.DefaultFederatedVersion,
		TemplateSchema: TemplateTyped}
}

// Complete takes TYPE and builds the host's clients unless a file is converted for printing.
func (o *Options) Complete(args []string) error {
	if len(args) > 0 {
		o.Type = args[0]
	}
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	if o.Filename != "" && o.Output != "" {
		return nil
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Validate checks the flags.
func (o *Options) Validate() error {
	switch {
	case o.Type == "" && o.Filename == "":
		return errors.New("TYPE is required (deployments.apps, configmaps, widgets.example.com, ...), or -f FILE")
	case o.Type != "" && o.Filename != "":
		return errors.New("give TYPE or -f FILE, not both")
	}
	if o.TemplateSchema != TemplateTyped && o.TemplateSchema != TemplateOpen {
		return fmt.Errorf("--template-schema must be %s or %s, not %q", TemplateTyped, TemplateOpen, o.TemplateSchema)
	}
	if o.Output != "" {
		if err := cli.ValidateObjectOutput(o.Output); err != nil {
			return err
		}
	}
	return nil
}

// Run resolves the target, builds the FederatedTypeConfig and the Federated CRD, and prints or
// applies them.
func (o *Options) Run(ctx context.Context) error {
	target, err := o.target(ctx)
	if err != nil {
		return err
	}
	if err := o.refuseMachinery(ctx, target.Resource); err != nil {
		return err
	}
	tc := apis.NewTypeConfig(target.Resource, o.FederatedGroup, o.FederatedVersion)
	tc.Namespace = o.globals.KubeFedNamespace
	crd := FederatedCRD(tc, target, o.TemplateSchema)
	if o.Output != "" {
		ftc, err := toUnstructured(tc)
		if err != nil {
			return err
		}
		return cli.PrintObjects(o.Out, o.Output, []*unstructured.Unstructured{ftc, crd})
	}
	return Apply(ctx, o.host, tc, crd, o.dryRun, o.Out)
}

// Apply puts a type config and its Federated CRD in the host, the CRD first and established, and
// prints kubectl's lines. federate --enable-type uses it too.
func Apply(ctx context.Context, host *cli.Clients, tc *apis.FederatedTypeConfig, crd *unstructured.Unstructured, dryRun cli.DryRun, out io.Writer) error {
	ftc, err := toUnstructured(tc)
	if err != nil {
		return err
	}
	if err := checkExisting(ctx, host, tc); err != nil {
		return err
	}
	applier := apply.New(host, dryRun)
	outcome, err := applier.Apply(ctx, crd)
	if err != nil {
		return fmt.Errorf("enabling %q: applying %s in the host (context %q): %s", tc.Name, apply.Name(crd), host.Context, cli.ServerError(err))
	}
	fmt.Fprintf(out, "%s %s%s\n", apply.Name(crd), outcome, dryRun.Suffix())
	if dryRun == cli.DryRunNone {
		if err := apply.WaitEstablished(ctx, host, crd.GetName()); err != nil {
			return err
		}
	}
	if outcome, err = applier.Apply(ctx, ftc); err != nil {
		if meta.IsNoMatchError(err) {
			return fmt.Errorf("the host (context %q) does not serve FederatedTypeConfig: run kubefedctl init first", host.Context)
		}
		return fmt.Errorf("enabling %q: applying %s in the host (context %q): %s (the Federated CRD is in place; rerun enable)", tc.Name, apply.Name(ftc), host.Context, cli.ServerError(err))
	}
	fmt.Fprintf(out, "%s %s%s\n", apply.Name(ftc), outcome, dryRun.Suffix())
	return nil
}

func (o *Options) target(ctx context.Context) (Target, error) {
	if o.Filename != "" {
		docs, err := manifest.Read([]string{o.Filename}, o.In)
		if err != nil {
			return Target{}, err
		}
		if len(docs) != 1 {
			return Target{}, fmt.Errorf("%s: want one CustomResourceDefinition or APIResource, found %d objects", o.Filename, len(docs))
		}
		return TargetFromObject(docs[0].Source, docs[0].Object)
	}
	disco := o.host.Kube.Discovery()
	target, err := Lookup(disco, o.Type, o.Version)
	if err != nil {
		return Target{}, err
	}
	if target.Schema, err = PublishedSchema(disco, target.Resource); err != nil {
		return Target{}, err
	}
	if target.Schema == nil && target.Resource.Group != "" {
		// A CRD just created is served before the host publishes its OpenAPI document: its
		// schema is in the CRD itself.
		crd, err := o.host.Dynamic.Resource(apis.CRDResource).Get(ctx, target.Resource.PluralName+"."+target.Resource.Group, metav1.GetOptions{})
		switch {
		case err == nil:
			target.Schema = crdSchema(crd, target.Resource.Version)
		case !apierrors.IsNotFound(err):
			return Target{}, fmt.Errorf("reading the CustomResourceDefinition of %s: %s", apis.TypeConfigName(target.Resource), cli.ServerError(err))
		}
	}
	return target, nil
}

// refuseMachinery refuses the federation's own types, those of the federated groups the host's
// type configs name included; with no host (-f with -o), those of the groups it knows.
func (o *Options) refuseMachinery(ctx context.Context, r apis.APIResource) error {
	groups := []string{o.FederatedGroup}
	if o.host != nil {
		hostGroups, err := HostFederatedGroups(ctx, o.host, o.globals.KubeFedNamespace)
		if err != nil {
			return err
		}
		groups = append(groups, hostGroups...)
	}
	return RefuseMachinery(r, apis.MachineryGroups(groups...))
}

// checkExisting refuses to change the federated type of an enabled type, as kubefed did.
func checkExisting(ctx context.Context, host *cli.Clients, tc *apis.FederatedTypeConfig) error {
	live, err := host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(tc.Namespace).Get(ctx, tc.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading FederatedTypeConfig %s/%s in the host: %s", tc.Namespace, tc.Name, cli.ServerError(err))
	}
	group, _, _ := unstructured.NestedString(live.Object, "spec", "federatedType", "group")
	version, _, _ := unstructured.NestedString(live.Object, "spec", "federatedType", "version")
	if group != tc.Spec.FederatedType.Group || version != tc.Spec.FederatedType.Version {
		return fmt.Errorf("federation is already enabled for %q with federated type %s/%s; changing it to %s/%s is not supported (disable it first)",
			tc.Name, group, version, tc.Spec.FederatedType.Group, tc.Spec.FederatedType.Version)
	}
	return nil
}

func toUnstructured(tc *apis.FederatedTypeConfig) (*unstructured.Unstructured, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tc)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: content}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u, nil
}
