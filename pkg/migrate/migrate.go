// Package migrate hands a federation over from kubefed's controller-manager to kubefedctl's
// passes: it checks that kubefed's controller is stopped, removes the finalizer kubefed's
// type-config controller keeps on FederatedTypeConfigs, lists (and with
// --prune-scheduler-overrides removes) the /spec/replicas overrides kubefed's scheduler wrote
// into the workloads that preferences target, and ends with a server dry run of a pass.
package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
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

// Options for `migrate`.
type Options struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	PruneSchedulerOverrides bool
	dryRunFlag              string

	dryRun cli.DryRun
	host   *cli.Clients
	// check runs the closing server dry run of a pass; set by the command.
	check func(ctx context.Context) error
	now   func() time.Time
}

// NewOptions returns the defaults.
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, now: time.Now}
}

// Complete reads the flags and builds the host's clients.
func (o *Options) Complete() error {
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Run checks, then writes (unless a dry run), in an order that a rerun completes: every
// refusal comes before the first write.
func (o *Options) Run(ctx context.Context) error {
	ns := o.globals.KubeFedNamespace
	if err := o.checkController(ctx, ns); err != nil {
		return err
	}
	ftcs, err := o.host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return fmt.Errorf("the host (context %q) serves no FederatedTypeConfigs: it holds no kubefed federation to migrate; run kubefedctl init for a new one", o.host.Context)
		}
		return fmt.Errorf("listing FederatedTypeConfigs in %s in the host (context %q): %s", ns, o.host.Context, cli.ServerError(err))
	}
	workloads, err := o.scheduledWorkloads(ctx, ns, ftcs.Items)
	if err != nil {
		return err
	}

	suffix := o.dryRun.Suffix()
	for i := range ftcs.Items {
		ftc := &ftcs.Items[i]
		changed, err := protocol.PatchNamedFinalizer(ctx, o.host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns), ftc, apis.TypeConfigFinalizer, false, o.dryRun)
		if err != nil {
			return fmt.Errorf("removing the finalizer %s from FederatedTypeConfig %s/%s: %s", apis.TypeConfigFinalizer, ns, ftc.GetName(), err)
		}
		if changed {
			fmt.Fprintf(o.Out, "%s: finalizer %s removed%s\n", apply.Name(ftc), apis.TypeConfigFinalizer, suffix)
		}
	}
	pruned := 0
	for _, w := range workloads {
		name := apply.Name(w.object) + " -n " + w.object.GetNamespace()
		if !o.PruneSchedulerOverrides {
			fmt.Fprintf(o.Out, "%s: /spec/replicas overrides for %s, as kubefed's scheduler wrote them; ignored, since ReplicaSchedulingPreference %q sets the replicas on every pass (--prune-scheduler-overrides removes them)\n",
				name, describeOverrides(w.found), w.preference)
			continue
		}
		if err := o.pruneOverrides(ctx, w); err != nil {
			return fmt.Errorf("%w (scheduler overrides removed from %d of %d workloads; run migrate again to finish)", err, pruned, len(workloads))
		}
		pruned++
		fmt.Fprintf(o.Out, "%s: /spec/replicas overrides for %s removed%s\n", name, describeOverrides(w.found), suffix)
	}
	fmt.Fprintf(o.Out, "What a pass would now change (propagate --dry-run=server):\n")
	return o.check(ctx)
}

// checkController refuses while kubefed's controller-manager may be running in the host.
func (o *Options) checkController(ctx context.Context, ns string) error {
	deployment, err := o.get(ctx, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, ns)
	if err != nil {
		return err
	}
	var leaders []*unstructured.Unstructured
	for _, gvr := range []schema.GroupVersionResource{
		{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"},
		{Version: "v1", Resource: "configmaps"},
	} {
		lock, err := o.get(ctx, gvr, ns)
		if err != nil {
			return err
		}
		if lock != nil {
			leaders = append(leaders, lock)
		}
	}
	if why := controllerRunning(deployment, leaders, o.now()); why != "" {
		return fmt.Errorf("kubefed's controller-manager may be running in the host (context %q): %s; two controllers on one federation undo each other's writes. "+
			"Stop it first (kubectl -n %s scale deployment %s --replicas=0), wait for its lease to run out, and run migrate again", o.host.Context, why, ns, ControllerName)
	}
	return nil
}

// get reads one object named ControllerName, nil when there is none.
func (o *Options) get(ctx context.Context, gvr schema.GroupVersionResource, ns string) (*unstructured.Unstructured, error) {
	obj, err := o.host.Dynamic.Resource(gvr).Namespace(ns).Get(ctx, ControllerName, metav1.GetOptions{})
	switch {
	case err == nil:
		return obj, nil
	case apierrors.IsNotFound(err):
		return nil, nil
	default:
		return nil, fmt.Errorf("reading %s %s/%s in the host (context %q), to check that kubefed's controller is stopped: %s", gvr.Resource, ns, ControllerName, o.host.Context, cli.ServerError(err))
	}
}

// workload is a preference's target holding /spec/replicas overrides.
type workload struct {
	object     *unstructured.Unstructured
	client     schema.GroupVersionResource
	preference string
	found      []schedulerOverride
	rest       []any
}

// scheduledWorkloads finds, for every preference of this federation, its workload (the federated
// object of its targetKind with its namespace and name) when it holds /spec/replicas overrides.
func (o *Options) scheduledWorkloads(ctx context.Context, ns string, ftcs []unstructured.Unstructured) ([]workload, error) {
	listNamespace, foreign, err := protocol.FederationScope(ctx, o.host, ns)
	if err != nil {
		return nil, err
	}
	prefs, err := o.host.Dynamic.Resource(apis.PreferenceResource).Namespace(listNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing ReplicaSchedulingPreferences in the host (context %q): %s", o.host.Context, cli.ServerError(err))
	}
	byKind := map[string]schema.GroupVersionResource{}
	for _, ftc := range ftcs {
		tc := &apis.FederatedTypeConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(ftc.Object, tc); err != nil {
			return nil, fmt.Errorf("FederatedTypeConfig %s/%s: %w", ns, ftc.GetName(), err)
		}
		byKind[tc.Spec.FederatedType.Kind] = tc.FederatedResource()
	}
	var out []workload
	for _, pref := range prefs.Items {
		if foreign[pref.GetNamespace()] {
			continue
		}
		kind, _, _ := unstructured.NestedString(pref.Object, "spec", "targetKind")
		gvr, ok := byKind[kind]
		if !ok {
			continue // no type config of that kind: nothing propagates it
		}
		obj, err := o.host.Dynamic.Resource(gvr).Namespace(pref.GetNamespace()).Get(ctx, pref.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s %s/%s, the target of ReplicaSchedulingPreference %s/%s: %s", kind, pref.GetNamespace(), pref.GetName(), pref.GetNamespace(), pref.GetName(), cli.ServerError(err))
		}
		found, rest := schedulerOverrides(obj)
		if len(found) == 0 {
			continue
		}
		out = append(out, workload{object: obj, client: gvr, preference: pref.GetNamespace() + "/" + pref.GetName(), found: found, rest: rest})
	}
	sort.Slice(out, func(i, j int) bool { return apply.Name(out[i].object) < apply.Name(out[j].object) })
	return out, nil
}

// pruneOverrides writes a workload's overrides without the scheduler's, guarded by the
// resourceVersion they were read at: a workload changed meanwhile is refused, not overwritten.
func (o *Options) pruneOverrides(ctx context.Context, w workload) error {
	if !o.dryRun.Writes() {
		return nil
	}
	rest := w.rest
	if rest == nil {
		rest = []any{}
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": w.object.GetResourceVersion()},
		"spec":     map[string]any{"overrides": rest},
	})
	if err != nil {
		return err
	}
	_, err = o.host.Dynamic.Resource(w.client).Namespace(w.object.GetNamespace()).Patch(ctx, w.object.GetName(), types.MergePatchType, patch,
		metav1.PatchOptions{FieldManager: apply.FieldManager, DryRun: o.dryRun.Options()})
	if err != nil {
		if apierrors.IsConflict(err) {
			return fmt.Errorf("%s %s/%s changed while migrate read it: run migrate again", w.object.GetKind(), w.object.GetNamespace(), w.object.GetName())
		}
		return fmt.Errorf("removing the scheduler's overrides from %s %s/%s: %s", w.object.GetKind(), w.object.GetNamespace(), w.object.GetName(), cli.ServerError(err))
	}
	return nil
}
