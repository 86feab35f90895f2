// Package join is join, unjoin and cluster health: registering member clusters with the host as
// kubefed v0.10 did it, with a preflight that writes nothing when something is wrong, and
// clients built from what join stored.
package join

import (
	"encoding/base64"
	"fmt"

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

// memberObjects are what join writes in the member, in order. What lies outside the KubeFed
// namespace (the namespace itself, the cluster-wide RBAC) names this join in JoinedByAnnotation,
// so that unjoin deletes only what is provably this federation's.
func memberObjects(n names, scope string, g grant) []*unstructured.Unstructured {
	sa := n.serviceAccount()
	joinedBy := map[string]string{JoinedByAnnotation: n.joinID()}
	objs := []*unstructured.Unstructured{
		object("v1", "Namespace", "", n.namespace, nil),
		object("v1", "ServiceAccount", n.namespace, sa, map[string]any{"automountServiceAccountToken": false}),
		object("v1", "Secret", n.namespace, sa, map[string]any{"type": "kubernetes.io/service-account-token"}),
	}
	objs[0].SetAnnotations(joinedBy)
	// As kubefed's join: pods using the service account may mount only the secrets it lists.
	objs[1].SetAnnotations(map[string]string{"kubernetes.io/enforce-mountable-secrets": "true"})
	objs[2].SetAnnotations(map[string]string{"kubernetes.io/service-account.name": sa})
	subjects := []any{map[string]any{"kind": "ServiceAccount", "name": sa, "namespace": n.namespace}}
	binding := func(kind, namespace, name, roleKind string) *unstructured.Unstructured {
		return object("rbac.authorization.k8s.io/v1", kind, namespace, name, map[string]any{
			"subjects": subjects,
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": roleKind, "name": name},
		})
	}
	var rbac []*unstructured.Unstructured
	if scope == apis.ScopeNamespaced {
		rbac = []*unstructured.Unstructured{
			object("rbac.authorization.k8s.io/v1", "Role", n.namespace, n.role(), map[string]any{"rules": g.role}),
			binding("RoleBinding", n.namespace, n.role(), "Role"),
			object("rbac.authorization.k8s.io/v1", "ClusterRole", "", n.healthRole(), map[string]any{"rules": g.health}),
			binding("ClusterRoleBinding", "", n.healthRole(), "ClusterRole"),
		}
	} else {
		rbac = []*unstructured.Unstructured{
			object("rbac.authorization.k8s.io/v1", "ClusterRole", "", n.role(), map[string]any{"rules": g.role}),
			binding("ClusterRoleBinding", "", n.role(), "ClusterRole"),
		}
	}
	for _, obj := range rbac {
		if obj.GetNamespace() == "" {
			obj.SetAnnotations(joinedBy)
		}
	}
	return append(objs, rbac...)
}

// kubeFedCluster is the host's record of the member.
func kubeFedCluster(n names, endpoint string, caBundle []byte, secretName string, disabledTLSValidations []string, proxyURL string, labels map[string]string) *unstructured.Unstructured {
	spec := map[string]any{
		"apiEndpoint": endpoint,
		"secretRef":   map[string]any{"name": secretName},
	}
	if len(caBundle) > 0 {
		spec["caBundle"] = base64.StdEncoding.EncodeToString(caBundle)
	}
	if len(disabledTLSValidations) > 0 {
		values := make([]any, len(disabledTLSValidations))
		for i, v := range disabledTLSValidations {
			values[i] = v
		}
		spec["disabledTLSValidations"] = values
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
