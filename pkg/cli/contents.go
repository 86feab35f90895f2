package cli

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// Item is one object found in a namespace: enough to say whose it is.
type Item struct {
	// Group and Kind of the object; Group is "" for the core group.
	Group, Kind, Name string
	Labels            map[string]string
	// Owned says the object has an owner, with which it goes.
	Owned bool
}

// NamespaceContents lists every object in a namespace, Events left out: one metadata LIST of
// each namespaced type the cluster serves and can list, eight at a time. unlisted names the API
// groups and types that could not be read, so that a caller deciding to delete the namespace
// can refuse to on what it cannot see.
func (c *Clients) NamespaceContents(ctx context.Context, namespace string) (items []Item, unlisted []string) {
	lists, err := c.Kube.Discovery().ServerPreferredNamespacedResources()
	if err != nil {
		if failed, ok := err.(*discovery.ErrGroupDiscoveryFailed); ok {
			for gv, e := range failed.Groups {
				unlisted = append(unlisted, fmt.Sprintf("API group %s: %v", gv, e))
			}
		} else {
			return nil, []string{"discovery: " + ServerError(err)}
		}
	}
	type target struct {
		gvr  schema.GroupVersionResource
		kind string
	}
	var targets []target
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") || r.Kind == "Event" {
				continue
			}
			targets = append(targets, target{gv.WithResource(r.Name), r.Kind})
		}
	}
	config := rest.CopyConfig(c.Config)
	// Listing every type lists deprecated ones too (v1 Endpoints): their warnings are noise here.
	config.WarningHandler = rest.NoWarnings{}
	client, err := metadata.NewForConfig(config)
	if err != nil {
		return nil, append(unlisted, err.Error())
	}
	found := make([][]Item, len(targets))
	failed := make([]string, len(targets))
	ForEach(targets, 8, func(i int, t target) {
		list, err := client.Resource(t.gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			failed[i] = t.gvr.Resource + "." + t.gvr.Group + ": " + ServerError(err)
			return
		}
		for _, item := range list.Items {
			found[i] = append(found[i], Item{Group: t.gvr.Group, Kind: t.kind, Name: item.Name, Labels: item.Labels, Owned: len(item.OwnerReferences) > 0})
		}
	})
	for i := range targets {
		items = append(items, found[i]...)
		if failed[i] != "" {
			unlisted = append(unlisted, failed[i])
		}
	}
	sort.Strings(unlisted)
	return items, unlisted
}
