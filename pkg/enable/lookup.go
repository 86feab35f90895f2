package enable

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Lookup finds the API resource a user named, by kubefed's rules: its plural, singular, kind,
// plural.group or a short name, case-insensitively. Only preferred versions are searched unless
// version is given. A core-group match wins; several other matches are an error that lists them.
func Lookup(disco discovery.DiscoveryInterface, name, version string) (Target, error) {
	var lists []*metav1.APIResourceList
	var err error
	if version == "" {
		lists, err = disco.ServerPreferredResources()
	} else {
		_, lists, err = disco.ServerGroupsAndResources()
	}
	if err != nil && len(lists) == 0 {
		return Target{}, fmt.Errorf("discovering the host's API types: %w", err)
	}
	key := strings.ToLower(name)
	var matches []Target
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil || (version != "" && gv.Version != version) {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !nameMatches(key, r, gv.Group) {
				continue
			}
			scope := apis.ScopeCluster
			if r.Namespaced {
				scope = apis.ScopeNamespaced
			}
			t := Target{
				Resource:   apis.APIResource{Group: gv.Group, Version: gv.Version, Kind: r.Kind, PluralName: r.Name, Scope: scope},
				ShortNames: r.ShortNames,
			}
			if gv.Group == "" {
				return t, nil
			}
			matches = append(matches, t)
		}
	}
	switch len(matches) {
	case 0:
		return Target{}, fmt.Errorf("the host serves no API type named %q (kubectl api-resources lists them)", name)
	case 1:
		return matches[0], nil
	}
	var names []string
	for _, m := range matches {
		names = append(names, apis.TypeConfigName(m.Resource)+"/"+m.Resource.Version)
	}
	sort.Strings(names)
	return Target{}, fmt.Errorf("%q names several API types: %s; give the group-qualified plural, such as %s", name, strings.Join(names, ", "), apis.TypeConfigName(matches[0].Resource))
}

func nameMatches(key string, r metav1.APIResource, group string) bool {
	if key == r.Name || key == r.SingularName || key == strings.ToLower(r.Kind) || key == r.Name+"."+group {
		return true
	}
	for _, s := range r.ShortNames {
		if key == strings.ToLower(s) {
			return true
		}
	}
	return false
}

// PublishedSchema is the template schema from the host's OpenAPI v3 document for the target's
// group and version, or nil when the host publishes none for it.
func PublishedSchema(disco discovery.DiscoveryInterface, r apis.APIResource) (map[string]any, error) {
	paths, err := disco.OpenAPIV3().Paths()
	if err != nil {
		return nil, fmt.Errorf("reading the host's OpenAPI v3 index: %w", err)
	}
	path := "apis/" + r.Group + "/" + r.Version
	if r.Group == "" {
		path = "api/" + r.Version
	}
	gv, ok := paths[path]
	if !ok {
		return nil, nil
	}
	data, err := gv.Schema("application/json")
	if err != nil {
		return nil, fmt.Errorf("reading the OpenAPI v3 schema of %s: %w", path, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decoding the OpenAPI v3 schema of %s: %w", path, err)
	}
	root := FindSchema(doc, r.Group, r.Version, r.Kind)
	if root == nil {
		return nil, nil
	}
	return TemplateSchema(doc, root), nil
}
