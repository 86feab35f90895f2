package enable

import (
	"context"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// namedShown is how many federated objects a refusal names before "and N more".
const namedShown = 3

// ownObjects keeps the objects outside other federations' namespaces, sorted by namespace and
// name so that what is named and done is the same on every run.
func ownObjects(items []unstructured.Unstructured, foreign map[string]bool) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for i := range items {
		if !foreign[items[i].GetNamespace()] {
			out = append(out, &items[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return objectKey(out[i]) < objectKey(out[j]) })
	return out
}

// federatedObjects lists this federation's federated objects of a type; none when its CRD is gone.
func federatedObjects(ctx context.Context, host *cli.Clients, tc *apis.FederatedTypeConfig, kubefedNamespace string) ([]*unstructured.Unstructured, error) {
	listNamespace, foreign, err := protocol.FederationScope(ctx, host, kubefedNamespace)
	if err != nil {
		return nil, err
	}
	list, err := host.Dynamic.Resource(tc.FederatedResource()).Namespace(listNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing %s in the host (context %q): %s", CRDName(tc), host.Context, cli.ServerError(err))
	}
	return ownObjects(list.Items, foreign), nil
}

func objectKey(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}

// someNames names the first objects, marking those being deleted, and counts the rest.
func someNames(objects []*unstructured.Unstructured) string {
	var names []string
	for i, obj := range objects {
		if i == namedShown {
			names = append(names, fmt.Sprintf("and %d more", len(objects)-namedShown))
			break
		}
		n := objectKey(obj)
		if obj.GetDeletionTimestamp() != nil {
			n += " (being deleted)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// forceEffect is what --force does to the federated objects of a disabled type, said the same
// way in the refusal and in the help.
const forceEffect = "removes the finalizer " + apis.SyncFinalizer + " from each of them, so that deleting one no longer waits for a pass, " +
	"and leaves their copies in the member clusters as they are, still labelled " + apis.ManagedLabel + "=" + apis.ManagedLabelTrue +
	" (a later enable and propagate takes over again the copies of the objects that remain, and unlabels those of objects deleted meanwhile, leaving them in place)"

// refuseLiveObjects is the error for disabling a type whose federated objects exist, without --force.
func refuseLiveObjects(tc *apis.FederatedTypeConfig, typeConfigName string, objects []*unstructured.Unstructured) error {
	exist := fmt.Sprintf("%d %s objects exist", len(objects), tc.Spec.FederatedType.Kind)
	if len(objects) == 1 {
		exist = fmt.Sprintf("1 %s object exists", tc.Spec.FederatedType.Kind)
	}
	return fmt.Errorf("cannot disable %s while %s (%s): with the type disabled no pass handles them, and one deleted afterwards would stay Terminating for ever, its finalizer %s never removed; "+
		"delete them and run kubefedctl propagate first (which deletes their copies from the members), or pass --force, which %s",
		typeConfigName, exist, someNames(objects), apis.SyncFinalizer, forceEffect)
}

// removeSyncFinalizer removes the sync finalizer from one federated object, keeping every other
// one (the shared protocol's patch, guarded by the resourceVersion). It reports false when the
// object is gone or holds no such finalizer.
func removeSyncFinalizer(ctx context.Context, host *cli.Clients, tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured, dryRun cli.DryRun) (bool, error) {
	client := host.Dynamic.Resource(tc.FederatedResource()).Namespace(obj.GetNamespace())
	removed, err := protocol.PatchFinalizer(ctx, client, obj, false, dryRun)
	if err != nil {
		return false, fmt.Errorf("removing the finalizer %s from %s %q: %s", apis.SyncFinalizer, tc.Spec.FederatedType.Kind, objectKey(obj), err)
	}
	return removed, nil
}
