package propagate

import (
	"context"
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
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
// does not manage, as "kind/name", sorted: one metadata LIST of each namespaced type the member
// serves.
func unmanagedObjects(ctx context.Context, m *member, namespace string) ([]string, error) {
	disco, err := discovery.NewDiscoveryClientForConfig(m.clients.Config)
	if err != nil {
		return nil, err
	}
	lists, err := disco.ServerPreferredNamespacedResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("discovery: %s", cli.ServerError(err))
	}
	client, err := metadata.NewForConfig(m.clients.Config)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if !listable(r) || controllerMade(gv.Group, r.Name) {
				continue
			}
			items, err := client.Resource(gv.WithResource(r.Name)).Namespace(namespace).List(ctx, metav1.ListOptions{Limit: 100})
			if err != nil {
				return nil, fmt.Errorf("listing %s: %s", r.Name, cli.ServerError(err))
			}
			for _, item := range items.Items {
				if unmanagedObject(r.Kind, item.GetName(), item.GetLabels(), len(item.GetOwnerReferences()) > 0) {
					found = append(found, r.Kind+"/"+item.GetName())
				}
			}
		}
	}
	sort.Strings(found)
	if len(found) > maxListed {
		found = found[:maxListed]
	}
	return found, nil
}

func listable(r metav1.APIResource) bool {
	for _, v := range r.Verbs {
		if v == "list" {
			return true
		}
	}
	return false
}

// controllerMade are the types whose objects a cluster makes by itself in every namespace, or
// for objects that are there: they are no one's data.
func controllerMade(group, resource string) bool {
	switch {
	case group == "" && (resource == "events" || resource == "endpoints"):
		return true
	case group == "events.k8s.io" && resource == "events":
		return true
	case group == "discovery.k8s.io" && resource == "endpointslices":
		return true
	}
	return false
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
