package federate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/enable"
)

// controllerTypes are the types whose objects controllers create, never federated by --contents.
var controllerTypes = map[string]bool{
	"endpoints": true, "endpointslices.discovery.k8s.io": true, "events": true, "events.events.k8s.io": true,
	"pods": true, "leases.coordination.k8s.io": true, "controllerrevisions.apps": true,
	"localsubjectaccessreviews.authorization.k8s.io": true, "bindings": true, "podmetrics.metrics.k8s.io": true,
}

// contents federates what the namespace holds: every object of every namespaced type that is
// enabled (or that --enable-type enables), except what controllers create: objects a
// controller owns (ReplicaSets of Deployments, EndpointSlices of Services), the root CA
// ConfigMap and the default ServiceAccount; token Secrets, never federated, with a warning.
func (o *Options) contents(ctx context.Context, namespace string, typeConfigs map[string]*apis.FederatedTypeConfig, groups map[string]bool) ([]item, error) {
	lists, err := o.host.Kube.Discovery().ServerPreferredNamespacedResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("discovering the host's namespaced types: %w", err)
	}
	var targets []enable.Target
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil || gv.Group == "extensions" || groups[gv.Group] {
			continue
		}
		for _, r := range list.APIResources {
			t := enable.Target{Resource: apis.APIResource{Group: gv.Group, Version: gv.Version, Kind: r.Kind, PluralName: r.Name, Scope: apis.ScopeNamespaced}, ShortNames: r.ShortNames}
			name := apis.TypeConfigName(t.Resource)
			if strings.Contains(r.Name, "/") || controllerTypes[name] || o.skipped(r, gv.Group) || !hasVerb(r, "list") {
				continue
			}
			targets = append(targets, t)
		}
	}
	sort.Slice(targets, func(i, j int) bool {
		return apis.TypeConfigName(targets[i].Resource) < apis.TypeConfigName(targets[j].Resource)
	})
	var items []item
	for _, t := range targets {
		list, err := o.host.Dynamic.Resource(gvr(t.Resource)).Namespace(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		var objs []*unstructured.Unstructured
		for i := range list.Items {
			obj := &list.Items[i]
			if err := refuseObject(t.Resource, obj, o.globals.KubeFedNamespace, groups); err != nil {
				cli.Warn(o.ErrOut, "not federated: %v", err)
				continue
			}
			if !createdByController(obj) {
				objs = append(objs, obj)
			}
		}
		if len(objs) == 0 {
			continue
		}
		tc, err := o.typeConfig(ctx, t, typeConfigs)
		if err != nil {
			fmt.Fprintf(o.ErrOut, "Warning: skipping %d %s in namespace %q: %v\n", len(objs), apis.TypeConfigName(t.Resource), namespace, err)
			continue
		}
		for _, obj := range objs {
			items = append(items, item{o.convert(tc, obj), tc})
		}
	}
	return items, nil
}

func createdByController(obj *unstructured.Unstructured) bool {
	for _, ref := range obj.GetOwnerReferences() {
		if ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	switch obj.GetKind() {
	case "ConfigMap":
		return obj.GetName() == "kube-root-ca.crt"
	case "ServiceAccount":
		return obj.GetName() == "default"
	}
	return false
}

// skipped reports a type named by --skip-api-resources: by short name, kind, plural,
// plural.group, or its whole group.
func (o *Options) skipped(r metav1.APIResource, group string) bool {
	for _, s := range o.SkipResources {
		s = strings.ToLower(s)
		if s == group || s == r.Name || s == r.SingularName || s == strings.ToLower(r.Kind) || s == r.Name+"."+group {
			return true
		}
		for _, short := range r.ShortNames {
			if s == short {
				return true
			}
		}
	}
	return false
}

func hasVerb(r metav1.APIResource, verb string) bool {
	for _, v := range r.Verbs {
		if v == verb {
			return true
		}
	}
	return false
}
