// Package apply writes objects the way every kubefedctl command writes them: server-side apply
// with field manager kubefedctl, honouring --dry-run, and reporting created, configured or
// unchanged in kubectl's words.
package apply

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// FieldManager owns every field kubefedctl writes.
const FieldManager = "kubefedctl"

// Outcome is what a write did.
type Outcome string

const (
	Created    Outcome = "created"
	Configured Outcome = "configured"
	Unchanged  Outcome = "unchanged"
	Deleted    Outcome = "deleted"
)

// Applier writes to one cluster.
type Applier struct {
	Dynamic dynamic.Interface
	DryRun  cli.DryRun
	mapper  *restmapper.DeferredDiscoveryRESTMapper
}

// New returns an applier over a cluster's clients.
func New(clients *cli.Clients, dryRun cli.DryRun) *Applier {
	disco := memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(clients.Config))
	return &Applier{Dynamic: clients.Dynamic, DryRun: dryRun, mapper: restmapper.NewDeferredDiscoveryRESTMapper(disco)}
}

// Resource is the dynamic client for an object's kind, in its namespace when it has one.
func (a *Applier) Resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// A type created moments ago (a CRD) is not in the cached discovery yet.
		a.mapper.Reset()
		mapping, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("the cluster does not serve %s: %w", gvk, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.Dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace()), mapping, nil
	}
	return a.Dynamic.Resource(mapping.Resource), mapping, nil
}

// Apply server-side applies obj (unless the dry run is client-side) and says what happened.
func (a *Applier) Apply(ctx context.Context, obj *unstructured.Unstructured) (Outcome, error) {
	outcome, _, err := a.ApplyChanges(ctx, obj)
	return outcome, err
}

// ApplyChanges is Apply, and the fields the write changed (Changes): a server dry run compares
// what the server would store with what it holds, exactly as the real write does, so both
// report the same outcome and changes. A client-side dry run reports the fields of obj the
// live object does not hold (Missing).
func (a *Applier) ApplyChanges(ctx context.Context, obj *unstructured.Unstructured) (Outcome, []string, error) {
	client, _, err := a.Resource(obj)
	if err != nil {
		return "", nil, err
	}
	existing, err := client.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return "", nil, err
	}
	found := err == nil
	if !a.DryRun.Writes() {
		if !found {
			return Created, nil, nil
		}
		if changes := Missing(existing, obj); len(changes) > 0 {
			return Configured, changes, nil
		}
		return Unchanged, nil, nil
	}
	applied, err := client.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true, DryRun: a.DryRun.Options()})
	if err != nil {
		return "", nil, err
	}
	if !found {
		return Created, nil, nil
	}
	if changes := Changes(existing, applied); len(changes) > 0 {
		return Configured, changes, nil
	}
	return Unchanged, nil, nil
}

// Delete deletes obj (unless the dry run is client-side); a missing object is no error and
// reports found false.
func (a *Applier) Delete(ctx context.Context, obj *unstructured.Unstructured) (found bool, err error) {
	client, _, err := a.Resource(obj)
	if err != nil {
		return false, err
	}
	if !a.DryRun.Writes() {
		_, err := client.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
	err = client.Delete(ctx, obj.GetName(), metav1.DeleteOptions{DryRun: a.DryRun.Options()})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Name is kubectl's name for an object: kind.group/name, lower case (namespace/demo,
// customresourcedefinition.apiextensions.k8s.io/kubefedclusters.core.kubefed.io).
func Name(obj *unstructured.Unstructured) string {
	return KindName(obj.GroupVersionKind(), obj.GetName())
}

// KindName is kubectl's name for an object of a kind.
func KindName(gvk schema.GroupVersionKind, name string) string {
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	return kind + "/" + name
}

// establishTimeout bounds the wait for a CRD to be served.
const establishTimeout = 60 * time.Second

// WaitEstablished waits, bounded, until a cluster serves a CRD it was just given.
func WaitEstablished(ctx context.Context, host *cli.Clients, name string) error {
	client := host.Dynamic.Resource(apis.CRDResource)
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, establishTimeout, true, func(ctx context.Context) (bool, error) {
		live, err := client.Get(ctx, name, metav1.GetOptions{})
		return err == nil && apis.CRDEstablished(live), nil
	})
	if err != nil {
		return fmt.Errorf("the CRD %s was not established within %s in context %q (kubectl describe crd %s says why)", name, establishTimeout, host.Context, name)
	}
	return nil
}
