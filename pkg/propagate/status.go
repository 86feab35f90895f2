package propagate

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

// currentReplicas reads, for every workload a preference schedules, status.readyReplicas of its
// copy in each ready member now: the planner's current input. kubefed's scheduler used that figure
// only when every replica was ready; otherwise it counted the workload's running pods, and capped
// a cluster whose pods had been unschedulable for a minute. No pods are read here, so neither is
// done. One LIST of the managed workloads per kind per member, all members at once.
func (o *Options) currentReplicas(ctx context.Context, st *state) map[string]map[string]int64 {
	wanted := map[schema.GroupVersionResource]map[string]bool{}
	for _, p := range st.fed.Preferences {
		var target schema.GroupVersionResource
		switch p.Spec.TargetKind {
		case apis.KindFederatedDeployment:
			target = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
		case apis.KindFederatedReplicaSet:
			target = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
		default:
			continue
		}
		if wanted[target] == nil {
			wanted[target] = map[string]bool{}
		}
		wanted[target][p.Namespace+"/"+p.Name] = true
	}
	current := map[string]map[string]int64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, m := range st.members {
		for target, keys := range wanted {
			wg.Add(1)
			go func() {
				defer wg.Done()
				list, err := m.clients.Dynamic.Resource(target).Namespace(o.namespace).List(ctx, metav1.ListOptions{LabelSelector: apis.ManagedLabel + "=" + apis.ManagedLabelTrue})
				if err != nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, item := range list.Items {
					key := item.GetNamespace() + "/" + item.GetName()
					if !keys[key] {
						continue
					}
					ready, _, _ := unstructured.NestedInt64(item.Object, "status", "readyReplicas")
					if current[key] == nil {
						current[key] = map[string]int64{}
					}
					current[key][m.name] = ready
				}
			}()
		}
	}
	wg.Wait()
	return current
}

// writeBack does what kubefed's controller did to federated objects: the finalizer on objects it
// propagates, the finalizer's removal from deleted objects whose copies are gone, and status.
// It returns what failed.
func (o *Options) writeBack(ctx context.Context, st *state, plan *render.Result, results []Result) (errs, waiting, released []string) {
	byObject := map[string][]Result{}
	for _, r := range results {
		byObject[r.Kind+"|"+r.Namespace+"/"+r.Name] = append(byObject[r.Kind+"|"+r.Namespace+"/"+r.Name], r)
	}
	var mu sync.Mutex
	fail := func(err string) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	var objects []*apis.FederatedObject
	for _, obj := range st.fed.Objects {
		if propagated(st, plan, obj) {
			objects = append(objects, obj)
		}
	}
	cli.ForEach(objects, o.Concurrency*2, func(_ int, obj *apis.FederatedObject) {
		ready, _ := plan.Placement(obj)
		status := objectStatus(obj, ready, byObject[obj.TypeConfig.Spec.TargetType.Kind+"|"+targetNamespace(obj)+"/"+obj.Object.GetName()], now)
		if err := o.updateStatus(ctx, obj, status); err != nil {
			fail(err.Error())
		}
	})
	for _, d := range st.deleting {
		tc, obj := d.tc, d.obj
		reason, failed := finalizerHold(st.unreachable, tc.Spec.TargetType.Kind, copyNamespace(tc, obj), obj.GetName(), results)
		if reason != "" {
			msg := fmt.Sprintf("%s %s is being deleted; its finalizer stays until %s", tc.Spec.FederatedType.Kind, objectName(obj), reason)
			if failed {
				errs = append(errs, msg)
			} else {
				waiting = append(waiting, msg)
			}
			continue
		}
		client := o.host.Dynamic.Resource(tc.FederatedResource()).Namespace(obj.GetNamespace())
		if _, err := protocol.PatchFinalizer(ctx, client, obj, false, o.dryRun); err != nil {
			errs = append(errs, fmt.Sprintf("removing the finalizer of %s %s: %s", tc.Spec.FederatedType.Kind, objectName(obj), err))
			continue
		}
		released = append(released, fmt.Sprintf("%s %s: %s; finalizer %s removed, so its deletion completes",
			tc.Spec.FederatedType.Kind, objectName(obj), copiesGone(obj), apis.SyncFinalizer))
	}
	return errs, waiting, released
}

// copiesGone says what became of a deleted federated object's copies once none is left.
func copiesGone(obj *unstructured.Unstructured) string {
	if obj.GetAnnotations()[apis.OrphanAnnotation] == "true" {
		return "its copies are left in place, unlabelled (kubefed.io/orphan)"
	}
	return "every copy is gone"
}

// unselectedWaiting says of each federated object being deleted that the pass's selection left
// out how to finish its deletion.
func unselectedWaiting(st *state) []string {
	var out []string
	for _, d := range st.unselected {
		tc, obj := d.tc, d.obj
		command := "kubefedctl propagate " + tc.Spec.TargetType.PluralName + " " + obj.GetName()
		if obj.GetNamespace() != "" {
			command += " -n " + obj.GetNamespace()
		}
		out = append(out, fmt.Sprintf("%s %s is being deleted, and this pass does not select it: %s, or a pass without a selection, finishes it",
			tc.Spec.FederatedType.Kind, objectName(obj), command))
	}
	return out
}

// dryRunDeletions says, for a dry run, what the real pass would do for each federated object
// being deleted: a dry run deletes no copy and removes no finalizer.
func dryRunDeletions(st *state, results []Result) []string {
	var out []string
	for _, d := range st.deleting {
		tc, obj := d.tc, d.obj
		what := fmt.Sprintf("%s %s is being deleted", tc.Spec.FederatedType.Kind, objectName(obj))
		if reason, _ := finalizerHold(st.unreachable, tc.Spec.TargetType.Kind, copyNamespace(tc, obj), obj.GetName(), results); reason != "" {
			out = append(out, fmt.Sprintf("%s; its finalizer stays until %s", what, reason))
			continue
		}
		out = append(out, what+"; a pass without --dry-run removes its copies (above) and then its finalizer, and it is gone")
	}
	return out
}

// finalizerHold says why a deleted federated object keeps its finalizer, or "" when it may go:
// every cluster was reached and listed the type, and each copy it held was deleted and is gone
// (or unlabelled, for orphaning). failed says whether the reason is a failure rather than a
// deletion still under way.
func finalizerHold(unreachable map[string]string, kind, namespace, name string, results []Result) (reason string, failed bool) {
	if len(unreachable) > 0 {
		return "every cluster can be reached", true
	}
	for _, r := range results {
		if r.Kind != kind {
			continue
		}
		if r.listFailed {
			return fmt.Sprintf("cluster %s can list %s (%s)", r.Cluster, kind, r.Reason), true
		}
		if r.Namespace != namespace || r.Name != name {
			continue
		}
		switch {
		case r.Outcome == Failed:
			return fmt.Sprintf("its copy in cluster %s is removed (%s)", r.Cluster, r.Reason), true
		case r.pending:
			return fmt.Sprintf("its copy in cluster %s is gone (%s)", r.Cluster, r.Reason), false
		}
	}
	return "", false
}

func objectName(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() == "" {
		return fmt.Sprintf("%q", obj.GetName())
	}
	return fmt.Sprintf("%q", obj.GetNamespace()+"/"+obj.GetName())
}

func finalizersJSON(finalizers []string) string {
	if len(finalizers) == 0 {
		return "null"
	}
	out := "["
	for i, f := range finalizers {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf("%q", f)
	}
	return out + "]"
}

// objectStatus is kubefed's status of a federated object: the generation seen, one entry per
// cluster it is placed in (an empty status meaning propagated), and the Propagation condition.
func objectStatus(obj *apis.FederatedObject, ready map[string]bool, results []Result, now metav1.Time) map[string]any {
	statusOf := map[string]string{}
	for c := range ready {
		statusOf[c] = ""
	}
	for _, r := range results {
		switch {
		case r.status != "":
			statusOf[r.Cluster] = r.status
		case r.Outcome == Failed:
			statusOf[r.Cluster] = "UpdateFailed"
		case r.Outcome == Deleted:
			statusOf[r.Cluster] = "WaitingForRemoval"
		case r.Outcome == Unlabelled:
			delete(statusOf, r.Cluster)
		}
	}
	names := make([]string, 0, len(statusOf))
	for c := range statusOf {
		names = append(names, c)
	}
	sort.Strings(names)
	clusters := []any{}
	reason := ""
	for _, c := range names {
		entry := map[string]any{"name": c}
		if statusOf[c] != "" {
			entry["status"] = statusOf[c]
			reason = "CheckClusters"
		}
		clusters = append(clusters, entry)
	}
	condition := map[string]any{"type": "Propagation", "status": "True", "lastUpdateTime": now.Format(time.RFC3339), "lastTransitionTime": now.Format(time.RFC3339)}
	if reason != "" {
		condition["status"], condition["reason"] = "False", reason
	}
	return map[string]any{
		"observedGeneration": obj.Object.GetGeneration(),
		"clusters":           clusters,
		"conditions":         []any{condition},
	}
}

// updateStatus writes the status when it says something new; the timestamps of an unchanged
// condition are kept.
func (o *Options) updateStatus(ctx context.Context, obj *apis.FederatedObject, status map[string]any) error {
	old, _, _ := unstructured.NestedMap(obj.Object.Object, "status")
	if old != nil {
		oldConditions, _, _ := unstructured.NestedSlice(old, "conditions")
		newCondition := status["conditions"].([]any)[0].(map[string]any)
		for _, c := range oldConditions {
			oc, _ := c.(map[string]any)
			if oc["type"] == "Propagation" && oc["status"] == newCondition["status"] && oc["reason"] == newCondition["reason"] {
				newCondition["lastUpdateTime"], newCondition["lastTransitionTime"] = oc["lastUpdateTime"], oc["lastTransitionTime"]
			}
		}
		if reflect.DeepEqual(normalize(old), normalize(status)) {
			return nil
		}
	}
	// A merge patch of the whole status needs no resourceVersion: the finalizer may just have
	// been added.
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return err
	}
	client := o.host.Dynamic.Resource(obj.TypeConfig.FederatedResource()).Namespace(obj.Object.GetNamespace())
	if _, err := client.Patch(ctx, obj.Object.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: apply.FieldManager}, "status"); err != nil {
		return fmt.Errorf("writing the status of %s: %s", obj.Describe(), cli.ServerError(err))
	}
	return nil
}

// normalize gives numbers one type, so that a status read back compares equal to one built.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, item := range v {
			out[k] = normalize(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = normalize(item)
		}
		return out
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return v
}

// addFinalizers puts kubefed's finalizer on every propagated federated object that lacks it,
// before any member write for it, so that deleting one leaves it for a pass to clean up after,
// as kubefed's controller did. It returns the objects it could not add it to, with why: those
// are written nowhere in this pass.
func (o *Options) addFinalizers(ctx context.Context, st *state, plan *render.Result) map[*apis.FederatedObject]string {
	var objects []*apis.FederatedObject
	for _, obj := range st.fed.Objects {
		if propagated(st, plan, obj) && !protocol.HasFinalizer(obj.Object) {
			objects = append(objects, obj)
		}
	}
	failed := map[*apis.FederatedObject]string{}
	var mu sync.Mutex
	cli.ForEach(objects, o.Concurrency*2, func(_ int, obj *apis.FederatedObject) {
		client := o.host.Dynamic.Resource(obj.TypeConfig.FederatedResource()).Namespace(obj.Object.GetNamespace())
		if _, err := protocol.PatchFinalizer(ctx, client, obj.Object, true, o.dryRun); err != nil {
			mu.Lock()
			failed[obj] = fmt.Sprintf("not written: adding the finalizer %s to %s first failed: %s", apis.SyncFinalizer, obj.Describe(), err)
			mu.Unlock()
		}
	})
	return failed
}
