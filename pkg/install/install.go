package install

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// Options for `init`.
type Options struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Scope          string
	AdoptResources bool
	// adoptSet says --adopt-resources was given: only then does init change the host's value.
	adoptSet   bool
	Output     string
	dryRunFlag string

	dryRun cli.DryRun
	host   *cli.Clients
}

// NewOptions returns the defaults: Cluster scope, adoption enabled (kubefed's defaults).
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, Scope: apis.ScopeCluster, AdoptResources: true}
}

// Complete parses --dry-run and, unless printing, builds the host's clients.
func (o *Options) Complete() error {
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	if o.Output != "" {
		return nil
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Validate checks the flags.
func (o *Options) Validate() error {
	if o.Scope != apis.ScopeCluster && o.Scope != apis.ScopeNamespaced {
		return fmt.Errorf("--scope must be Cluster or Namespaced, not %q", o.Scope)
	}
	if o.Output != "" {
		if err := cli.ValidateObjectOutput(o.Output); err != nil {
			return err
		}
		if o.dryRun != cli.DryRunNone {
			return errors.New("--output prints without applying; --dry-run does not apply with it")
		}
	}
	return nil
}

// Run prints or applies the objects.
func (o *Options) Run(ctx context.Context) error {
	settings := Settings{Namespace: o.globals.KubeFedNamespace, Scope: o.Scope}
	if o.adoptSet || o.Output != "" {
		settings.AdoptResources = apis.AdoptResourcesEnabled
		if !o.AdoptResources {
			settings.AdoptResources = apis.AdoptResourcesDisabled
		}
	}
	if o.Output != "" {
		objects, err := Objects(settings)
		if err != nil {
			return err
		}
		return cli.PrintObjects(o.Out, o.Output, objects)
	}
	existing, err := o.existingConfig(ctx)
	if err != nil {
		return err
	}
	if err := o.checkScope(existing); err != nil {
		return err
	}
	if err := o.checkOnlyClusterScope(ctx); err != nil {
		return err
	}
	if existing != nil {
		settings.Existing, _, _ = unstructured.NestedMap(existing.Object, "spec")
	}
	objects, err := Objects(settings)
	if err != nil {
		return err
	}
	applier := apply.New(o.host, o.dryRun)
	for i, obj := range objects {
		if obj.GetKind() == apis.KindKubeFedConfig && o.dryRun == cli.DryRunNone {
			for _, crd := range objects[1 : len(objects)-1] {
				if err := apply.WaitEstablished(ctx, o.host, crd.GetName()); err != nil {
					return err
				}
			}
		}
		outcome, err := o.apply(ctx, applier, obj)
		if err != nil {
			if o.dryRun != cli.DryRunNone && obj.GetKind() == apis.KindKubeFedConfig && isNoMatch(err) {
				// The CRDs were not created, so the host cannot check the KubeFedConfig.
				fmt.Fprintf(o.Out, "%s created%s\n", apply.Name(obj), o.dryRun.Suffix())
				continue
			}
			return fmt.Errorf("applying %s in context %q: %s (applied %d of %d objects; rerun init when fixed)",
				apply.Name(obj), o.host.Context, cli.ServerError(err), i, len(objects))
		}
		fmt.Fprintf(o.Out, "%s %s%s\n", apply.Name(obj), outcome, o.dryRun.Suffix())
	}
	return nil
}

// apply applies one object; an existing namespace is left as it is. init's Namespace sets nothing
// but its name, so applying it over an existing one would own no field and only record the
// other managers' fields, a write that changes nothing (and, after init created it, the first
// rerun would report configured).
func (o *Options) apply(ctx context.Context, applier *apply.Applier, obj *unstructured.Unstructured) (apply.Outcome, error) {
	if obj.GetKind() == "Namespace" {
		_, err := o.host.Kube.CoreV1().Namespaces().Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err == nil {
			return apply.Unchanged, nil
		}
		if !apierrors.IsNotFound(err) {
			return "", err
		}
	}
	return applier.Apply(ctx, obj)
}

// existingConfig is the host's KubeFedConfig, nil when it has none (or does not serve the type).
func (o *Options) existingConfig(ctx context.Context) (*unstructured.Unstructured, error) {
	existing, err := o.host.Dynamic.Resource(apis.KubeFedConfigResource).Namespace(o.globals.KubeFedNamespace).
		Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || isNoMatch(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the KubeFedConfig %s/%s in context %q: %s (does the context have cluster-admin?)",
			o.globals.KubeFedNamespace, apis.KubeFedConfigName, o.host.Context, cli.ServerError(err))
	}
	return existing, nil
}

// checkScope refuses to change the scope of an existing federation: kubefed makes it immutable.
func (o *Options) checkScope(existing *unstructured.Unstructured) error {
	if existing == nil {
		return nil
	}
	scope, _, _ := unstructured.NestedString(existing.Object, "spec", "scope")
	if scope != "" && scope != o.Scope {
		return fmt.Errorf("the federation's scope is %s and cannot change to %s; pass --scope %s", scope, o.Scope, scope)
	}
	return nil
}

// checkOnlyClusterScope refuses a second Cluster-scoped federation on one host: both would
// claim the federated objects of every namespace. Namespaced federations, each confined to its
// own namespace, may sit beside one.
func (o *Options) checkOnlyClusterScope(ctx context.Context) error {
	if o.Scope != apis.ScopeCluster {
		return nil
	}
	others, err := protocol.OtherFederations(ctx, o.host.Dynamic, o.globals.KubeFedNamespace)
	if err != nil {
		return err
	}
	if len(others.ClusterScoped) > 0 {
		return fmt.Errorf("the host already has a Cluster-scoped federation, in namespace %q; a second would claim the same federated objects: pass --scope Namespaced, or use another host",
			others.ClusterScoped[0])
	}
	return nil
}

// isNoMatch reports a type the host does not serve (yet): a CRD not created, or not in discovery.
func isNoMatch(err error) bool {
	return apierrors.IsNotFound(err) || meta.IsNoMatchError(err)
}
