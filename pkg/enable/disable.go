package enable

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// DisableOptions for `disable`.
type DisableOptions struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Type       string
	DeleteCRD  bool
	Force      bool
	dryRunFlag string

	dryRun cli.DryRun
	host   *cli.Clients
}

// NewDisableOptions returns the defaults.
func NewDisableOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *DisableOptions {
	return &DisableOptions{IOStreams: streams, globals: globals}
}

// Complete takes TYPE and builds the host's clients.
func (o *DisableOptions) Complete(args []string) error {
	if len(args) == 0 {
		return errors.New("TYPE is required: the type config's name (deployments.apps, configmaps) or the type's name")
	}
	o.Type = args[0]
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Run turns propagation off, removes the FederatedTypeConfig and, with --delete-crd and no
// federated objects left, the Federated CRD. It refuses while this federation holds federated
// objects of the type, unless --force: then it first removes their sync finalizers, which no pass
// would remove once the type is disabled. Federated objects and member objects stay.
func (o *DisableOptions) Run(ctx context.Context) error {
	ns := o.globals.KubeFedNamespace
	name := o.Type
	target, lookupErr := Lookup(o.host.Kube.Discovery(), name, "")
	if !strings.Contains(name, ".") && lookupErr == nil {
		// A short name, a kind or a core plural: ask discovery for the type config's name. A
		// type the host no longer serves is disabled by its type config's name.
		name = apis.TypeConfigName(target.Resource)
	}
	ftcs := o.host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns)
	live, err := ftcs.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		notEnabled := fmt.Errorf("federation of %q is not enabled: the host has no FederatedTypeConfig %s/%s", o.Type, ns, name)
		if lookupErr != nil {
			return notEnabled
		}
		return o.releaseWithoutTypeConfig(ctx, name, target, notEnabled)
	}
	if err != nil {
		return fmt.Errorf("reading FederatedTypeConfig %s/%s in the host (context %q): %s", ns, name, o.host.Context, cli.ServerError(err))
	}
	tc := &apis.FederatedTypeConfig{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, tc); err != nil {
		return fmt.Errorf("FederatedTypeConfig %s/%s: %w", ns, name, err)
	}
	crdName := CRDName(tc)
	// Every refusal comes before the first write.
	if o.DeleteCRD {
		if err := o.refuseWithInstances(ctx, tc, crdName); err != nil {
			return err
		}
	}
	objects, err := federatedObjects(ctx, o.host, tc, ns)
	if err != nil {
		return err
	}
	if len(objects) > 0 && !o.Force {
		return refuseLiveObjects(tc, name, objects)
	}
	if len(objects) > 0 {
		var release func()
		if ctx, release, err = o.holdLease(ctx, name); err != nil {
			return err
		}
		defer release()
	}
	if tc.Enabled() {
		// Disabled before the finalizers go, so that a pass running meanwhile adds none back;
		// and should removing them fail midway, the type config is still there to rerun with.
		patch := []byte(`{"spec":{"propagation":"Disabled"}}`)
		if o.dryRun.Writes() {
			if _, err := ftcs.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{DryRun: o.dryRun.Options(), FieldManager: apply.FieldManager}); err != nil {
				return fmt.Errorf("disabling propagation in FederatedTypeConfig %s/%s: %s", ns, name, cli.ServerError(err))
			}
		}
		fmt.Fprintf(o.Out, "Disabled propagation for FederatedTypeConfig %q%s\n", ns+"/"+name, o.dryRun.Suffix())
	}
	if err := o.releaseObjects(ctx, tc, name, objects); err != nil {
		return err
	}
	if err := o.releaseTypeConfig(ctx, live); err != nil {
		return err
	}
	applier := apply.New(o.host, o.dryRun)
	if _, err := applier.Delete(ctx, live); err != nil {
		return fmt.Errorf("deleting FederatedTypeConfig %s/%s: %s", ns, name, cli.ServerError(err))
	}
	fmt.Fprintf(o.Out, "%s deleted%s\n", apply.Name(live), o.dryRun.Suffix())
	if o.DeleteCRD {
		crd := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": map[string]any{"name": crdName}}}
		found, err := applier.Delete(ctx, crd)
		if err != nil {
			return fmt.Errorf("deleting CRD %s (the FederatedTypeConfig is already removed): %s", crdName, cli.ServerError(err))
		}
		if found {
			fmt.Fprintf(o.Out, "%s deleted%s\n", apply.Name(crd), o.dryRun.Suffix())
		} else {
			fmt.Fprintf(o.Out, "%s not found\n", apply.Name(crd))
		}
	}
	return nil
}

// releaseTypeConfig removes kubefed's type-config finalizer from a type config about to be
// deleted: kubefed's controller put it there and only that controller removed it, so without it
// the type config would stay Terminating for ever (as one that kubefed's own disable or an older
// kubefedctl deleted does: disabling again releases it). Every other finalizer stays.
func (o *DisableOptions) releaseTypeConfig(ctx context.Context, live *unstructured.Unstructured) error {
	ftcs := o.host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(live.GetNamespace())
	removed, err := protocol.PatchNamedFinalizer(ctx, ftcs, live, apis.TypeConfigFinalizer, false, o.dryRun)
	if err != nil {
		return fmt.Errorf("removing kubefed's finalizer %s from FederatedTypeConfig %s/%s (context %q): %s (the type config is disabled; rerun disable)",
			apis.TypeConfigFinalizer, live.GetNamespace(), live.GetName(), o.host.Context, err)
	}
	if removed {
		fmt.Fprintf(o.Out, "%s: finalizer %s removed%s\n", apply.Name(live), apis.TypeConfigFinalizer, o.dryRun.Suffix())
	}
	return nil
}

// releaseWithoutTypeConfig handles a type whose FederatedTypeConfig is already gone (deleted by
// hand, by kubefed's own disable, or by a disable older than --force) while federated objects of
// the type's default Federated CRD still hold the sync finalizer: no pass reads them, so one being
// deleted would stay Terminating for ever. It names them and, with --force, releases them under the
// pass Lease; with none held it reports notEnabled, as before.
func (o *DisableOptions) releaseWithoutTypeConfig(ctx context.Context, name string, target Target, notEnabled error) error {
	ns := o.globals.KubeFedNamespace
	tc := apis.NewTypeConfig(target.Resource, apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
	all, err := federatedObjects(ctx, o.host, tc, ns)
	if err != nil {
		return err
	}
	var held []*unstructured.Unstructured
	for _, obj := range all {
		if protocol.HasFinalizer(obj) {
			held = append(held, obj)
		}
	}
	if len(held) == 0 {
		return notEnabled
	}
	if !o.Force {
		hold := fmt.Sprintf("%d %s objects still hold", len(held), tc.Spec.FederatedType.Kind)
		if len(held) == 1 {
			hold = fmt.Sprintf("1 %s object still holds", tc.Spec.FederatedType.Kind)
		}
		return fmt.Errorf("%w, yet %s the finalizer %s (%s), which no pass removes while the type is not enabled, so that one deleted stays Terminating for ever; "+
			"pass --force, which %s, or enable the type again and run kubefedctl propagate", notEnabled, hold, apis.SyncFinalizer, someNames(held), forceEffect)
	}
	ctx, release, err := o.holdLease(ctx, name)
	if err != nil {
		return err
	}
	defer release()
	return o.releaseObjects(ctx, tc, name, held)
}

// holdLease takes the pass Lease for removing finalizers: between a pass reading the type config
// and writing finalizers, disabling could lose the race. The context ends should the Lease be
// lost. A dry run takes no Lease.
func (o *DisableOptions) holdLease(ctx context.Context, name string) (context.Context, func(), error) {
	if o.dryRun != cli.DryRunNone {
		return ctx, func() {}, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	l, err := protocol.Acquire(ctx, o.host.Kube, o.globals.KubeFedNamespace, time.Minute, func() { cancel(protocol.ErrLeaseLost) })
	if err != nil {
		cancel(nil)
		return nil, nil, fmt.Errorf("disabling %s: %w", name, err)
	}
	return ctx, func() { l.Release(); cancel(nil) }, nil
}

// releaseObjects removes the sync finalizer from the federated objects of a type being disabled
// with --force, and says that their member copies stay as they are.
func (o *DisableOptions) releaseObjects(ctx context.Context, tc *apis.FederatedTypeConfig, typeConfigName string, objects []*unstructured.Unstructured) error {
	if len(objects) == 0 {
		return nil
	}
	gvk := schema.GroupVersionKind{Group: tc.Spec.FederatedType.Group, Version: tc.Spec.FederatedType.Version, Kind: tc.Spec.FederatedType.Kind}
	released := 0
	for _, obj := range objects {
		removed, err := removeSyncFinalizer(ctx, o.host, tc, obj, o.dryRun)
		if err != nil {
			return fmt.Errorf("%w (finalizers removed from %d of %d %s objects; FederatedTypeConfig %s is disabled but not deleted: rerun disable --force to finish)",
				err, released, len(objects), tc.Spec.FederatedType.Kind, typeConfigName)
		}
		if !removed {
			continue
		}
		released++
		where := ""
		if obj.GetNamespace() != "" {
			where = " -n " + obj.GetNamespace()
		}
		fmt.Fprintf(o.Out, "%s%s: finalizer %s removed%s\n", apply.KindName(gvk, obj.GetName()), where, apis.SyncFinalizer, o.dryRun.Suffix())
	}
	verb := "are"
	if !o.dryRun.Writes() || o.dryRun == cli.DryRunServer {
		verb = "would be"
	}
	cli.Warn(o.ErrOut, "the copies in the member clusters of %d %s objects (%s) %s left as they are, still labelled %s=%s: no pass handles %s while it is disabled; a later enable and propagate takes over again the copies of the objects that remain, and unlabels those of objects deleted meanwhile, leaving them in place",
		len(objects), tc.Spec.FederatedType.Kind, someNames(objects), verb, apis.ManagedLabel, apis.ManagedLabelTrue, typeConfigName)
	return nil
}

// refuseWithInstances names some federated objects of the type when there are any: deleting the
// CRD would delete them.
func (o *DisableOptions) refuseWithInstances(ctx context.Context, tc *apis.FederatedTypeConfig, crdName string) error {
	list, err := o.host.Dynamic.Resource(tc.FederatedResource()).List(ctx, metav1.ListOptions{Limit: 3})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing %s in the host: %s", crdName, cli.ServerError(err))
	}
	if len(list.Items) == 0 {
		return nil
	}
	var names []string
	for _, item := range list.Items {
		n := item.GetName()
		if item.GetNamespace() != "" {
			n = item.GetNamespace() + "/" + n
		}
		names = append(names, n)
	}
	more := ""
	if list.GetContinue() != "" {
		more = " and more"
	}
	return fmt.Errorf("cannot delete CRD %s while %s objects exist (%s%s); delete them first, or disable without --delete-crd",
		crdName, tc.Spec.FederatedType.Kind, strings.Join(names, ", "), more)
}
