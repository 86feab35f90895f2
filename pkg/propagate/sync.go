package propagate

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

// action is one write (or none) to decide and then perform in a member.
type action struct {
	result  Result
	desired *unstructured.Unstructured // to apply, with the digest
	live    *unstructured.Unstructured
	// remove is set for deletes and label removals.
	options *metav1.DeleteOptions
	// confirm is set for an update that the member's own dry run must confirm: one whose digest
	// matches what was last applied although the live object reads otherwise (the server may
	// have rewritten what was sent: a quantity, a Secret's stringData), and one of a managed copy
	// that holds no digest yet, as kubefed's controller left it.
	confirm bool
}

func targetGVR(tc *apis.FederatedTypeConfig) schema.GroupVersionResource {
	t := tc.Spec.TargetType
	return schema.GroupVersionResource{Group: t.Group, Version: t.Version, Resource: t.PluralName}
}

// syncType makes one member hold one type's desired objects: one LIST, a comparison, and writes
// only where something differs.
func (o *Options) syncType(ctx context.Context, st *state, plan *render.Result, held []render.Failure, m *member, tc *apis.FederatedTypeConfig) []Result {
	kind := tc.Spec.TargetType.Kind
	if st.fed.Scope() == apis.ScopeNamespaced && !tc.Namespaced() {
		// A Namespaced federation owns nothing outside its namespace, in any member.
		return nil
	}
	client := m.clients.Dynamic.Resource(targetGVR(tc))
	listNamespace := ""
	if tc.Namespaced() {
		listNamespace = o.namespace
	}
	heldBack := map[*apis.FederatedObject]bool{}
	for _, f := range held {
		heldBack[f.Object] = true
	}
	desired, failures := render.Desired(plan, m.name, func(obj *apis.FederatedObject) bool { return obj.TypeConfig == tc && !heldBack[obj] })
	var out []Result
	// An object that cannot be rendered, or whose finalizer is not on, fails alone, and its
	// copies stay as they are.
	wanted := map[string]bool{}
	for _, f := range append(append(append([]render.Failure(nil), plan.Failures...), held...), failures...) {
		if f.Object.TypeConfig != tc {
			continue
		}
		key := targetNamespace(f.Object) + "/" + f.Object.Object.GetName()
		wanted[key] = true
		out = append(out, Result{Cluster: m.name, Kind: kind, Namespace: targetNamespace(f.Object), Name: f.Object.Object.GetName(),
			Outcome: Failed, Reason: f.Err.Error(), status: "ApplyOverridesFailed"})
	}
	list, err := client.Namespace(listNamespace).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) && len(desired) == 0 {
		// The member does not serve a type it has nothing to receive of: nothing to do but
		// report the objects that failed to render.
		return out
	}
	if err != nil {
		reason := cli.ServerError(err)
		if apierrors.IsNotFound(err) {
			reason = fmt.Sprintf("the member does not serve %s (%s)", kind, tc.Spec.TargetType.APIVersion())
		}
		for _, d := range desired {
			out = append(out, Result{Cluster: m.name, Kind: kind, Namespace: d.GetNamespace(), Name: d.GetName(), Outcome: Failed, Reason: reason, status: "CreationFailed"})
		}
		// A federated object being deleted may have a copy here that nobody can see: its
		// finalizer must wait, and the report says for which object.
		for _, d := range st.deleting {
			if d.tc == tc {
				out = append(out, Result{Cluster: m.name, Kind: kind, Namespace: copyNamespace(tc, d.obj), Name: d.obj.GetName(), Outcome: Failed, Reason: "listing: " + reason})
			}
		}
		out = append(out, Result{Cluster: m.name, Kind: kind, Name: "*", Outcome: Failed, Reason: "listing: " + reason, listFailed: true})
		return out
	}
	live := map[string]*unstructured.Unstructured{}
	for i := range list.Items {
		item := &list.Items[i]
		live[item.GetNamespace()+"/"+item.GetName()] = item
	}

	var actions []*action
	for _, d := range desired {
		key := d.GetNamespace() + "/" + d.GetName()
		wanted[key] = true
		actions = append(actions, o.decide(st, plan, tc, m, d, live[key]))
	}
	for key, obj := range live {
		if wanted[key] || obj.GetLabels()[apis.ManagedLabel] != apis.ManagedLabelTrue || isToken(obj) || !o.owned(st, tc, obj) {
			continue
		}
		// The copies of a federated object being deleted are the selection's whatever it is:
		// the selection chose that object, and its finalizer waits on them.
		if !o.selected(tc, obj) && !deletingCopy(st, tc, obj) {
			continue
		}
		actions = append(actions, o.prune(st, tc, m, obj))
	}
	for _, a := range actions {
		if a.result.Outcome == Deleted && isNamespace(a.live) {
			o.guardNamespace(ctx, m, a)
		}
	}
	o.checkNormalized(ctx, client, actions)
	o.perform(ctx, m, client, actions)
	if o.dryRun == cli.DryRunNone {
		o.confirmDeleted(ctx, client, actions)
	}
	for _, a := range actions {
		out = append(out, a.result)
	}
	return out
}

// confirmDeleted asks the member for each copy it accepted a delete of: a copy that is still
// there (finalizers, graceful deletion) is pending, and its federated object keeps its finalizer
// until a later pass finds it gone.
func (o *Options) confirmDeleted(ctx context.Context, client dynamic.NamespaceableResourceInterface, actions []*action) {
	var deleted []*action
	for _, a := range actions {
		if a.result.Outcome == Deleted {
			deleted = append(deleted, a)
		}
	}
	cli.ForEach(deleted, o.Concurrency, func(_ int, a *action) {
		live, err := client.Namespace(a.result.Namespace).Get(ctx, a.result.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			a.result.pending, a.result.Reason = true, a.result.Reason+"; not confirmed gone: "+cli.ServerError(err)
		case live.GetUID() == a.live.GetUID():
			a.result.pending, a.result.Reason = true, a.result.Reason+"; still being deleted"
		}
	})
}

// checkNormalized asks the member, by a server-side dry run of the apply, whether an update to
// confirm would change anything: the server stores some values otherwise than they were sent
// (1000m as 1, stringData as data), so reading them back cannot tell; and a copy kubefed's
// controller wrote holds everything but kubefedctl's digest. An apply that would leave the object
// as it is, but for the digest, is no change, and is not sent: a handover from kubefed writes
// nothing until something really changes.
func (o *Options) checkNormalized(ctx context.Context, client dynamic.NamespaceableResourceInterface, actions []*action) {
	var check []*action
	for _, a := range actions {
		if a.confirm && a.result.Outcome == Updated {
			check = append(check, a)
		}
	}
	cli.ForEach(check, o.Concurrency, func(_ int, a *action) {
		result, err := client.Namespace(a.result.Namespace).Apply(ctx, a.desired.GetName(), a.desired,
			metav1.ApplyOptions{FieldManager: apply.FieldManager, Force: true, DryRun: []string{metav1.DryRunAll}})
		if err == nil && sameStored(a.live, result) {
			a.result.Outcome, a.desired = Unchanged, nil
		}
	})
}

// sameStored reports whether two versions of an object hold the same content, whatever their
// bookkeeping (resourceVersion, managedFields' timestamps, kubefedctl's digest).
func sameStored(a, b *unstructured.Unstructured) bool {
	strip := func(u *unstructured.Unstructured) map[string]any {
		c := u.DeepCopy()
		for _, f := range []string{"managedFields", "resourceVersion", "generation"} {
			unstructured.RemoveNestedField(c.Object, "metadata", f)
		}
		unstructured.RemoveNestedField(c.Object, "metadata", "annotations", HashAnnotation)
		if annotations, found, _ := unstructured.NestedMap(c.Object, "metadata", "annotations"); found && len(annotations) == 0 {
			unstructured.RemoveNestedField(c.Object, "metadata", "annotations")
		}
		return c.Object
	}
	return reflect.DeepEqual(normalize(strip(a)), normalize(strip(b)))
}

// copyNamespace is the namespace of a federated object's member copies.
func copyNamespace(tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) string {
	if !tc.Namespaced() {
		return ""
	}
	return obj.GetNamespace()
}

// inScope reports whether a member object belongs to this pass's selection: with -n, the
// namespace's objects and the namespace itself, not other cluster-scoped objects; with NAME,
// that name. -l selects federated objects, so it cannot say which orphaned copies are in scope,
// and pruning is left out with it.
func (o *Options) inScope(st *state, tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) bool {
	return o.owned(st, tc, obj) && o.selected(tc, obj)
}

// owned reports whether a managed member object can be this federation's at all.
func (o *Options) owned(st *state, tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) bool {
	// Another federation's namespace, and what is in it, are that federation's.
	if st.foreign[obj.GetNamespace()] || (tc.Spec.TargetType.Kind == "Namespace" && st.foreign[obj.GetName()]) {
		return false
	}
	// A Cluster-scoped federation propagates nothing into the reserved namespaces, so nothing
	// there is its to prune, whatever labels it carries.
	if st.fed.Scope() != apis.ScopeNamespaced && obj.GetNamespace() != "" && apis.IsReservedNamespace(obj.GetNamespace(), st.fed.KubeFedNamespace) {
		return false
	}
	return true
}

// selected reports whether a member object is within the pass's -l, NAME and -n.
func (o *Options) selected(tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) bool {
	if o.Selector != "" || (o.Name != "" && obj.GetName() != o.Name) {
		return false
	}
	if o.namespace != "" && !tc.Namespaced() {
		return tc.Spec.TargetType.Kind == "Namespace" && obj.GetName() == o.namespace
	}
	return true
}

// decide chooses what to do for one desired object.
func (o *Options) decide(st *state, plan *render.Result, tc *apis.FederatedTypeConfig, m *member, desired, live *unstructured.Unstructured) *action {
	applied, hash := withHash(desired)
	if live != nil {
		retainReplicas(st, plan, tc, m, applied, live)
		if live.GetAnnotations()[AdoptedAnnotation] == "true" {
			// Kept, so that a later apply does not remove the mark.
			markAdopted(applied)
		}
	}
	a := &action{
		result:  Result{Cluster: m.name, Kind: desired.GetKind(), Namespace: desired.GetNamespace(), Name: desired.GetName()},
		desired: applied,
		live:    live,
	}
	switch {
	case live == nil:
		a.result.Outcome = Created
	case isToken(live):
		a.result.Outcome, a.result.Reason, a.result.status = Skipped, "a service-account token Secret is the cluster's own credential, which kubefedctl never writes", "ManagedLabelFalse"
		a.desired = nil
	case live.GetLabels()[apis.ManagedLabel] != apis.ManagedLabelTrue && live.GetNamespace() == st.fed.KubeFedNamespace:
		a.result.Outcome, a.result.Reason, a.result.status = Skipped, fmt.Sprintf("exists unmanaged in %q, the namespace of join's service accounts, tokens and roles, where kubefedctl adopts nothing", live.GetNamespace()), "AlreadyExists"
		a.desired = nil
	case live.GetLabels()[apis.ManagedLabel] == apis.ManagedLabelFalse:
		a.result.Outcome, a.result.Reason, a.result.status = Skipped, `labelled kubefed.io/managed: "false", which kubefedctl never touches`, "ManagedLabelFalse"
		a.desired = nil
	case live.GetLabels()[apis.ManagedLabel] != apis.ManagedLabelTrue && !st.fed.AdoptResources():
		a.result.Outcome, a.result.Reason, a.result.status = Skipped, "exists unmanaged and the KubeFedConfig disables adoption", "AlreadyExists"
		a.desired = nil
	case live.GetLabels()[apis.ManagedLabel] != apis.ManagedLabelTrue:
		a.result.Outcome, a.result.Reason = Adopted, "existed without the managed label"
		markAdopted(applied)
	case upToDate(live, applied, hash):
		a.result.Outcome = Unchanged
		a.desired = nil
	default:
		a.result.Outcome = Updated
		recorded, found := live.GetAnnotations()[HashAnnotation]
		a.confirm = recorded == hash || !found
	}
	return a
}

// retainReplicas keeps the member's spec.replicas (an autoscaler's, say) when the federated
// object asks for it with spec.retainReplicas and the figure would come from the template, as
// kubefed's retention did. The digest stays that of the template, so a changed figure in the
// member is no reason to write.
func retainReplicas(st *state, plan *render.Result, tc *apis.FederatedTypeConfig, m *member, applied, live *unstructured.Unstructured) {
	fed := st.index[objectKey(tc, applied.GetNamespace(), applied.GetName())]
	if fed == nil {
		return
	}
	retain, _, _ := unstructured.NestedBool(fed.Object.Object, "spec", "retainReplicas")
	current, found, _ := unstructured.NestedFieldCopy(live.Object, "spec", "replicas")
	if !retain || !found || !plan.ReplicasFromTemplate(fed, m.name) {
		return
	}
	unstructured.SetNestedField(applied.Object, current, "spec", "replicas")
}

// prune chooses what happens to a managed member object no federated object places there:
// deleted when its federated object places it elsewhere (or is being deleted), unlabelled when
// there is no federated object any more or it orphans its copies, as kubefed does.
func (o *Options) prune(st *state, tc *apis.FederatedTypeConfig, m *member, obj *unstructured.Unstructured) *action {
	a := &action{result: Result{Cluster: m.name, Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}, live: obj}
	key := fedKey(tc, obj)
	if obj.GetDeletionTimestamp() != nil {
		// Deleted already (by an earlier pass, say) and going: nothing to send, and not gone yet.
		a.result.Outcome, a.result.Reason, a.result.status, a.result.pending = Skipped, "being deleted in the member; waiting for it to go", "WaitingForRemoval", true
		return a
	}
	if d, ok := st.deleting[key]; ok {
		deleting := d.obj
		if deleting.GetAnnotations()[apis.OrphanAnnotation] == "true" {
			a.result.Outcome, a.result.Reason = Unlabelled, "its federated object is deleted with orphaning"
			return a
		}
		a.result.Outcome, a.result.Reason = Deleted, "its federated object is being deleted"
		options, err := deleteOptions(deleting)
		if err != nil {
			a.result.Outcome, a.result.Reason = Failed, err.Error()
		}
		a.options = options
		return a
	}
	if st.index[key] == nil {
		a.result.Outcome, a.result.Reason = Unlabelled, "no federated object manages it any more"
		return a
	}
	if tc.Spec.TargetType.Kind == "Namespace" && apis.IsSystemNamespace(obj.GetName(), st.fed.KubeFedNamespace) {
		a.result.Outcome, a.result.Reason = Unlabelled, "a system namespace is never deleted"
		return a
	}
	a.result.Outcome, a.result.Reason = Deleted, "no longer placed in this cluster"
	return a
}

// fedKey is the objectKey of the federated object a member object of type tc would belong to.
func fedKey(tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) string {
	fedNamespace := obj.GetNamespace()
	if !tc.Namespaced() && tc.Spec.FederatedType.Scope == apis.ScopeNamespaced {
		fedNamespace = obj.GetName() // a FederatedNamespace lives in its namespace
	}
	return objectKey(tc, fedNamespace, obj.GetName())
}

// deletingCopy reports whether a member object is a copy of a federated object being deleted.
func deletingCopy(st *state, tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) bool {
	_, ok := st.deleting[fedKey(tc, obj)]
	return ok
}

// keepNamespace says why a namespace the pass would delete must only be unlabelled: the
// federation adopted it (it existed before), or it holds objects the federation does not
// manage. Deleting either would delete what the federation never created. "" means none.
func keepNamespace(live *unstructured.Unstructured, unmanaged []string) string {
	if live.GetAnnotations()[AdoptedAnnotation] == "true" {
		return "the federation adopted this namespace, so it is never deleted"
	}
	if len(unmanaged) > 0 {
		more := ""
		if len(unmanaged) == maxListed {
			more = ", ..."
		}
		return fmt.Sprintf("it holds objects the federation does not manage (%s%s), so it is not deleted", strings.Join(unmanaged, ", "), more)
	}
	return ""
}

// AdoptedAnnotation marks a member Namespace that existed before the federation adopted it.
const AdoptedAnnotation = "kubefedctl.io/adopted"

// markAdopted marks a Namespace the pass adopts, or keeps the mark of one it adopted. The
// digest leaves it out: it is not part of the template.
func markAdopted(applied *unstructured.Unstructured) {
	if applied.GetKind() != "Namespace" || applied.GetAPIVersion() != "v1" {
		return
	}
	annotations := applied.GetAnnotations()
	annotations[AdoptedAnnotation] = "true"
	applied.SetAnnotations(annotations)
}

// isToken reports a Secret holding a service-account token: a cluster's own credential, never
// written, adopted or deleted by a pass, whatever its labels say.
func isToken(obj *unstructured.Unstructured) bool {
	t, _, _ := unstructured.NestedString(obj.Object, "type")
	return obj.GetKind() == "Secret" && t == "kubernetes.io/service-account-token"
}

// deleteOptions reads kubefed.io/deleteoption: the JSON of metav1.DeleteOptions.
func deleteOptions(obj *unstructured.Unstructured) (*metav1.DeleteOptions, error) {
	value := obj.GetAnnotations()[apis.DeleteOptionAnnotation]
	if value == "" {
		return &metav1.DeleteOptions{}, nil
	}
	opts := &metav1.DeleteOptions{}
	if err := json.Unmarshal([]byte(value), opts); err != nil {
		return nil, fmt.Errorf("could not deserialize delete options from annotation %s value %q: %v", apis.DeleteOptionAnnotation, value, err)
	}
	return &metav1.DeleteOptions{GracePeriodSeconds: opts.GracePeriodSeconds, PropagationPolicy: opts.PropagationPolicy, Preconditions: opts.Preconditions}, nil
}

// perform carries out the writes, a bounded number at once.
func (o *Options) perform(ctx context.Context, m *member, client dynamic.NamespaceableResourceInterface, actions []*action) {
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for _, a := range actions {
		if !a.result.Outcome.changes() {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o.write(ctx, m, client, a)
		}()
	}
	wg.Wait()
}

func (o *Options) write(ctx context.Context, m *member, client dynamic.NamespaceableResourceInterface, a *action) {
	ns := a.result.Namespace
	var err error
	var after *unstructured.Unstructured
	switch a.result.Outcome {
	case Created, Updated, Adopted:
		after = a.desired
		switch {
		case o.dryRun == cli.DryRunServer && ns != "" && m.pretendedNamespace(ns):
			a.result.Reason = "not sent to the server: its namespace is created in this pass"
		case o.dryRun.Writes():
			after, err = client.Namespace(ns).Apply(ctx, a.desired.GetName(), a.desired, metav1.ApplyOptions{FieldManager: apply.FieldManager, Force: true, DryRun: o.dryRun.Options()})
			if err == nil && o.dryRun == cli.DryRunServer && a.result.Outcome == Created && a.desired.GetKind() == "Namespace" && a.desired.GetAPIVersion() == "v1" {
				m.pretend(a.desired.GetName())
			}
		}
		if err != nil {
			a.result.status = map[Outcome]string{Created: "CreationFailed", Updated: "UpdateFailed", Adopted: "UpdateFailed"}[a.result.Outcome]
		}
	case Deleted:
		if o.dryRun.Writes() {
			opts := metav1.DeleteOptions{DryRun: o.dryRun.Options()}
			if a.options != nil {
				opts.GracePeriodSeconds, opts.PropagationPolicy, opts.Preconditions = a.options.GracePeriodSeconds, a.options.PropagationPolicy, a.options.Preconditions
			}
			err = client.Namespace(ns).Delete(ctx, a.result.Name, opts)
			if apierrors.IsNotFound(err) {
				err = nil
			}
		}
	case Unlabelled:
		if o.dryRun.Writes() {
			patch := []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:null}}}`, apis.ManagedLabel))
			after, err = client.Namespace(ns).Patch(ctx, a.result.Name, types.MergePatchType, patch, metav1.PatchOptions{DryRun: o.dryRun.Options(), FieldManager: apply.FieldManager})
		}
	}
	if err != nil {
		a.result.Reason = reason(err, a.desired, a.live)
		a.result.Outcome = Failed
		return
	}
	if o.Diff {
		a.result.Diff = diff(a, after)
	}
}
