package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// conflictRetries is how many times a finalizer patch reads the object again after a conflict.
const conflictRetries = 3

// PatchFinalizer adds (add) or removes kubefed's finalizer on a federated object through client
// (the object's namespace's), as PatchNamedFinalizer does.
func PatchFinalizer(ctx context.Context, client dynamic.ResourceInterface, obj *unstructured.Unstructured, add bool, dryRun cli.DryRun) (changed bool, err error) {
	return PatchNamedFinalizer(ctx, client, obj, apis.SyncFinalizer, add, dryRun)
}

// PatchNamedFinalizer adds (add) or removes one finalizer on an object through client (the
// object's namespace's), leaving every other finalizer as it is: the patch carries the
// resourceVersion it was computed from, and a conflict reads the object again. changed says
// whether it patched (or, in a dry run, would have); a removal from an object that is gone has
// nothing to do.
func PatchNamedFinalizer(ctx context.Context, client dynamic.ResourceInterface, obj *unstructured.Unstructured, finalizer string, add bool, dryRun cli.DryRun) (changed bool, err error) {
	current := obj
	for attempt := 0; ; attempt++ {
		finalizers := WithNamedFinalizer(current.GetFinalizers(), finalizer, add)
		if finalizers == nil {
			return false, nil
		}
		if !dryRun.Writes() {
			return true, nil
		}
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"resourceVersion": current.GetResourceVersion(), "finalizers": finalizers}})
		if err != nil {
			return false, err
		}
		_, err = client.Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: apply.FieldManager, DryRun: dryRun.Options()})
		switch {
		case err == nil:
			return true, nil
		case apierrors.IsNotFound(err) && !add:
			return false, nil
		case !apierrors.IsConflict(err) || attempt == conflictRetries:
			return false, errors.New(cli.ServerError(err))
		}
		if current, err = client.Get(ctx, obj.GetName(), metav1.GetOptions{}); err != nil {
			if apierrors.IsNotFound(err) && !add {
				return false, nil
			}
			return false, errors.New(cli.ServerError(err))
		}
	}
}

// HasFinalizer reports whether a federated object carries kubefed's finalizer.
func HasFinalizer(obj *unstructured.Unstructured) bool {
	return slices.Contains(obj.GetFinalizers(), apis.SyncFinalizer)
}

// WithFinalizer is the finalizer list with kubefed's sync finalizer added or removed, as
// WithNamedFinalizer.
func WithFinalizer(finalizers []string, add bool) []string {
	return WithNamedFinalizer(finalizers, apis.SyncFinalizer, add)
}

// WithNamedFinalizer is the finalizer list with finalizer added or removed, the others in their
// order; nil when the list is already so. An empty list is [] and not nil, so that a patch
// sets it.
func WithNamedFinalizer(finalizers []string, finalizer string, add bool) []string {
	has := false
	out := []string{}
	for _, f := range finalizers {
		if f == finalizer {
			has = true
			if !add {
				continue
			}
		}
		out = append(out, f)
	}
	if has == add {
		return nil
	}
	if add {
		out = append(out, finalizer)
	}
	return out
}
