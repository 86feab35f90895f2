// Package join is join, unjoin and cluster health: registering member clusters with the host as
// kubefed v0.10 did it, with a preflight that writes nothing when something is wrong, and
// clients built from what join stored.
package join

import (
	"encoding/base64"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Names of what join creates, kubefed's names exactly.
type names struct {
	cluster, hostCluster, namespace string
}

// serviceAccount is the member's identity for the federation, and its token Secret's name.
func (n names) serviceAccount() string { return n.cluster + "-" + n.hostCluster }

// role is the ClusterRole (or Role) and binding name.
func (n names) role() string { return "kubefed-controller-manager:" + n.serviceAccount() }

// healthRole is the ClusterRole and binding for the health check in Namespaced scope.
func (n names) healthRole() string {
	return "kubefed-controller-manager:" + n.namespace + ":healthcheck-" + n.serviceAccount()
}

func object(apiVersion, kind, namespace, name string, fields map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"name": name}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	obj := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
	for k, v := range fields {
		obj[k] = v
	}
	return &unstructured.Unstructured{Object: obj}
}

// memberObjects are what join writes in the member, in order.
func memberObjects(n names, scope string, rules []any) []*unstructured.Unstructured {
	sa := n.serviceAccount()
	objs := []*unstructured.Unstructured{
		object("v1", "Namespace", "", n.namespace, nil),
		object("v1", "ServiceAccount", n.namespace, sa, map[string]any{"automountServiceAccountToken": false}),
		object("v1", "Secret", n.namespace, sa, map[string]any{"type": "kubernetes.io/service-account-token"}),
	}
	objs[2].SetAnnotations(map[string]string{"kubernetes.io/service-account.name": sa})
	subjects := []any{map[string]any{"kind": "ServiceAccount", "name": sa, "namespace": n.namespace}}
	binding := func(kind, namespace, name, roleKind string) *unstructured.Unstructured {
		return object("rbac.authorization.k8s.io/v1", kind, namespace, name, map[string]any{
			"subjects": subjects,
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": roleKind, "name": name},
		})
	}
	if scope == apis.ScopeNamespaced {
		return append(objs,
			object("rbac.authorization.k8s.io/v1", "Role", n.namespace, n.role(), map[string]any{"rules": namespacedRules(rules)}),
			binding("RoleBinding", n.namespace, n.role(), "Role"),
			object("rbac.authorization.k8s.io/v1", "ClusterRole", "", n.healthRole(), map[string]any{"rules": healthRules()}),
			binding("ClusterRoleBinding", "", n.healthRole(), "ClusterRole"),
		)
	}
	return append(objs,
		object("rbac.authorization.k8s.io/v1", "ClusterRole", "", n.role(), map[string]any{"rules": rules}),
		binding("ClusterRoleBinding", "", n.role(), "ClusterRole"),
	)
}

// fullRules are kubefed's: everything, and GET on every non-resource URL.
func fullRules() []any {
	return []any{
		map[string]any{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"*"}},
		map[string]any{"nonResourceURLs": []any{"*"}, "verbs": []any{"get"}},
	}
}

// scopedRules grant what propagate needs for the enabled target types, and namespaces, which
// namespaced objects live in: full management of those types and nothing else. Pods are read
// for the replica scheduler's current counts.
func scopedRules(typeConfigs []*apis.FederatedTypeConfig) []any {
	byGroup := map[string]map[string]bool{"": {"namespaces": true}}
	for _, tc := range typeConfigs {
		if !tc.Enabled() {
			continue
		}
		t := tc.Spec.TargetType
		if byGroup[t.Group] == nil {
			byGroup[t.Group] = map[string]bool{}
		}
		byGroup[t.Group][t.PluralName] = true
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	var rules []any
	for _, g := range groups {
		var resources []any
		plurals := make([]string, 0, len(byGroup[g]))
		for r := range byGroup[g] {
			plurals = append(plurals, r)
		}
		sort.Strings(plurals)
		for _, r := range plurals {
			resources = append(resources, r)
		}
		rules = append(rules, map[string]any{
			"apiGroups": []any{g}, "resources": resources,
			"verbs": []any{"get", "list", "watch", "create", "update", "patch", "delete"},
		})
	}
	rules = append(rules, map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get", "list", "watch"}})
	return append(rules, healthRules()...)
}

// healthRules let the cluster's identity answer the health check and discovery.
func healthRules() []any {
	return []any{
		map[string]any{"nonResourceURLs": []any{"/healthz", "/readyz", "/livez", "/version", "/api", "/api/*", "/apis", "/apis/*"}, "verbs": []any{"get"}},
	}
}

// namespacedRules drops what a Role cannot hold (non-resource URLs, cluster-scoped namespaces).
func namespacedRules(rules []any) []any {
	var out []any
	for _, r := range rules {
		rule := r.(map[string]any)
		if _, nonResource := rule["nonResourceURLs"]; nonResource {
			continue
		}
		out = append(out, rule)
	}
	return out
}

// kubeFedCluster is the host's record of the member.
func kubeFedCluster(n names, endpoint string, caBundle []byte, secretName string, insecure bool, proxyURL string, labels map[string]string) *unstructured.Unstructured {
	spec := map[string]any{
		"apiEndpoint": endpoint,
		"secretRef":   map[string]any{"name": secretName},
	}
	if len(caBundle) > 0 {
		spec["caBundle"] = base64.StdEncoding.EncodeToString(caBundle)
	}
	if insecure {
		spec["disabledTLSValidations"] = []any{"*"}
	}
	if proxyURL != "" {
		spec["proxyURL"] = proxyURL
	}
	obj := object(apis.CoreGroup+"/"+apis.CoreVersion, apis.KindKubeFedCluster, n.namespace, n.cluster, map[string]any{"spec": spec})
	if len(labels) > 0 {
		obj.SetLabels(labels)
	}
	return obj
}

func describe(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() != "" {
		return fmt.Sprintf("%s %s/%s", obj.GetKind(), obj.GetNamespace(), obj.GetName())
	}
	return fmt.Sprintf("%s %s", obj.GetKind(), obj.GetName())
}
