package join

import (
	"sort"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// manageVerbs are what propagate does to the objects of a type it manages.
var manageVerbs = []any{"get", "list", "watch", "create", "update", "patch", "delete"}

// grant is what join gives the federation's service account in a member: the rules of the
// main role (a ClusterRole in Cluster scope, a Role in the KubeFed namespace in Namespaced
// scope) and, in Namespaced scope, the rules of the health-check ClusterRole.
type grant struct {
	role, health []any
}

// grants computes the member's grant for a scope and an --rbac mode. Full is kubefed's;
// scoped is what propagate and the health check use and nothing more.
func grants(scope, mode string, typeConfigs []*apis.FederatedTypeConfig) grant {
	namespaced := scope == apis.ScopeNamespaced
	switch {
	case mode == RBACFull && namespaced:
		return grant{role: []any{everything()}, health: healthRules()}
	case mode == RBACFull:
		return grant{role: []any{everything(), map[string]any{"nonResourceURLs": []any{"*"}, "verbs": []any{"get"}}}}
	case namespaced:
		// Namespaced scope propagates only namespaced types, only into the KubeFed namespace,
		// and never a namespace: the Role says exactly that.
		return grant{role: typeRules(typeConfigs, false), health: healthRules()}
	}
	// Namespaces are managed whether or not their type is enabled: namespaced objects go into
	// them.
	return grant{role: append(typeRules(typeConfigs, true), healthRules()...)}
}

func everything() map[string]any {
	return map[string]any{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"*"}}
}

// typeRules grant managing the enabled target types, one rule per API group in group order,
// resources sorted. clusterScope also admits cluster-scoped types and namespaces.
func typeRules(typeConfigs []*apis.FederatedTypeConfig, clusterScope bool) []any {
	byGroup := map[string]map[string]bool{}
	add := func(group, plural string) {
		if byGroup[group] == nil {
			byGroup[group] = map[string]bool{}
		}
		byGroup[group][plural] = true
	}
	if clusterScope {
		add("", "namespaces")
	}
	for _, tc := range typeConfigs {
		if !tc.Enabled() || (!clusterScope && !tc.Namespaced()) {
			continue
		}
		add(tc.Spec.TargetType.Group, tc.Spec.TargetType.PluralName)
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	rules := []any{}
	for _, g := range groups {
		plurals := make([]string, 0, len(byGroup[g]))
		for r := range byGroup[g] {
			plurals = append(plurals, r)
		}
		sort.Strings(plurals)
		resources := make([]any, len(plurals))
		for i, r := range plurals {
			resources[i] = r
		}
		rules = append(rules, map[string]any{"apiGroups": []any{g}, "resources": resources, "verbs": manageVerbs})
	}
	return rules
}

// healthRules are the URLs the health check (/healthz, /version) and discovery (/api, /apis,
// which propagate maps kinds with) read; nothing else is cluster-wide in a scoped or Namespaced
// grant.
func healthRules() []any {
	return []any{
		map[string]any{"nonResourceURLs": []any{"/healthz", "/version", "/api", "/api/*", "/apis", "/apis/*"}, "verbs": []any{"get"}},
	}
}

// federationRead is the read join makes through the new credentials to prove they work: the
// LIST propagate makes first (the first enabled type the grant covers, where propagate lists
// it), else namespaces in Cluster scope; in Namespaced scope with no type enabled, discovery
// alone (an empty resource).
type federationRead struct {
	group, version, resource, namespace string
}

func readToVerify(scope string, typeConfigs []*apis.FederatedTypeConfig, namespace string) federationRead {
	namespaced := scope == apis.ScopeNamespaced
	var candidates []federationRead
	for _, tc := range typeConfigs {
		if !tc.Enabled() || (namespaced && !tc.Namespaced()) {
			continue
		}
		t := tc.Spec.TargetType
		r := federationRead{group: t.Group, version: t.Version, resource: t.PluralName}
		if namespaced {
			r.namespace = namespace
		}
		candidates = append(candidates, r)
	}
	sort.Slice(candidates, func(i, j int) bool {
		if candidates[i].group != candidates[j].group {
			return candidates[i].group < candidates[j].group
		}
		return candidates[i].resource < candidates[j].resource
	})
	switch {
	case len(candidates) > 0:
		return candidates[0]
	case namespaced:
		return federationRead{}
	}
	return federationRead{version: "v1", resource: "namespaces"}
}

func (r federationRead) String() string {
	if r.resource == "" {
		return "read the API discovery"
	}
	what := r.resource
	if r.group != "" {
		what += "." + r.group
	}
	if r.namespace != "" {
		return "list " + what + " in namespace " + r.namespace
	}
	return "list " + what
}
