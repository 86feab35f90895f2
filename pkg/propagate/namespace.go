package propagate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// maxListed is how many unmanaged objects a report names.
const maxListed = 5

// guardNamespace turns the deletion of a member namespace into the removal of its label when
// deleting it would delete what the federation never created. When the namespace's contents
// cannot be read, nothing is deleted and the result fails, naming why.
func (o *Options) guardNamespace(ctx context.Context, m *member, a *action) {
	var unmanaged []string
	if a.live.GetAnnotations()[AdoptedAnnotation] != "true" {
		var err error
		if unmanaged, err = unmanagedObjects(ctx, m, a.live.GetName()); err != nil {
			a.result.Outcome = Failed
			a.result.Reason = fmt.Sprintf("not deleted: reading what namespace %q holds, to keep objects the federation does not manage: %v", a.live.GetName(), err)
			return
		}
	}
	if why := keepNamespace(a.live, unmanaged); why != "" {
		a.result.Outcome, a.result.Reason, a.options = Unlabelled, why, nil
	}
}

// unmanagedObjects lists up to maxListed objects in a member namespace that the federation
// does not manage, as "kind/name", sorted. A type that cannot be listed is an error: what is not
// seen may be someone's data.
func unmanagedObjects(ctx context.Context, m *member, namespace string) ([]string, error) {
	items, unlisted := m.clients.NamespaceContents(ctx, namespace)
	if len(unlisted) > 0 {
		return nil, fmt.Errorf("could not list %s", strings.Join(unlisted, "; "))
	}
	var found []string
	for _, item := range items {
		if !controllerMade(item.Group, item.Kind) && unmanagedObject(item.Kind, item.Name, item.Labels, item.Owned) {
			found = append(found, item.Kind+"/"+item.Name)
		}
	}
	sort.Strings(found)
	if len(found) > maxListed {
		found = found[:maxListed]
	}
	return found, nil
}

// controllerMade are the kinds whose objects a cluster makes by itself for objects that are
// there (a Service's endpoints): they are no one's data.
func controllerMade(group, kind string) bool {
	return (group == "" && kind == "Endpoints") || (group == "discovery.k8s.io" && kind == "EndpointSlice")
}

// unmanagedObject reports whether an object in a namespace is someone else's than the
// federation's: not labelled managed (labelled "false" included), not owned by another object
// (which goes with its owner), and not what the namespace controller puts in every namespace.
func unmanagedObject(kind, name string, labels map[string]string, owned bool) bool {
	switch {
	case labels[apis.ManagedLabel] == apis.ManagedLabelTrue, owned:
		return false
	case kind == "ServiceAccount" && name == "default", kind == "ConfigMap" && name == "kube-root-ca.crt":
		return false
	}
	return true
}
