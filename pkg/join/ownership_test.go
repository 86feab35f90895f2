package join

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func binding(name string, roleKind, roleName string, subjects ...map[string]any) *unstructured.Unstructured {
	list := make([]any, len(subjects))
	for i, s := range subjects {
		list[i] = s
	}
	return object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", name, map[string]any{
		"subjects": list,
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": roleKind, "name": roleName},
	})
}

func sa(namespace, name string) map[string]any {
	return map[string]any{"kind": "ServiceAccount", "namespace": namespace, "name": name}
}

func TestBindingOwnership(t *testing.T) {
	n := names{cluster: "member1", hostCluster: "host", namespace: "fed-a"}
	name := n.role()
	tests := []struct {
		name    string
		binding *unstructured.Unstructured
		want    Ownership
	}{
		{"absent", nil, Ownership{Owner: Absent}},
		{"this federation's service account", binding(name, "ClusterRole", name, sa("fed-a", "member1-host")), Ownership{Owner: Ours}},
		{"the same account name in another federation's namespace", binding(name, "ClusterRole", name, sa("fed-b", "member1-host")),
			Ownership{Owner: Theirs, Why: "it binds ServiceAccount fed-b/member1-host, not this federation's ServiceAccount fed-a/member1-host"}},
		{"ours and someone else's", binding(name, "ClusterRole", name, sa("fed-a", "member1-host"), map[string]any{"kind": "User", "name": "alice"}),
			Ownership{Owner: Theirs, Why: "it binds User alice, not this federation's ServiceAccount fed-a/member1-host"}},
		{"another account in our namespace", binding(name, "ClusterRole", name, sa("fed-a", "member2-host")),
			Ownership{Owner: Theirs, Why: "it binds ServiceAccount fed-a/member2-host, not this federation's ServiceAccount fed-a/member1-host"}},
		{"a group", binding(name, "ClusterRole", name, map[string]any{"kind": "Group", "name": "system:serviceaccounts:fed-a"}),
			Ownership{Owner: Theirs, Why: "it binds Group system:serviceaccounts:fed-a, not this federation's ServiceAccount fed-a/member1-host"}},
		{"no subjects", binding(name, "ClusterRole", name), Ownership{Owner: Unproven, Why: "it has no subjects, so nothing proves it is this federation's"}},
		{"our subject, another role", binding(name, "ClusterRole", "cluster-admin", sa("fed-a", "member1-host")),
			Ownership{Owner: Unproven, Why: `it binds ClusterRole "cluster-admin", not the ClusterRole join names after it`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bindingOwnership(n, tt.binding))
		})
	}
}

func TestRoleOwnership(t *testing.T) {
	n := names{cluster: "member1", hostCluster: "host", namespace: "fed-a"}
	role := func(annotation string) *unstructured.Unstructured {
		obj := object("rbac.authorization.k8s.io/v1", "ClusterRole", "", n.role(), nil)
		if annotation != "" {
			obj.SetAnnotations(map[string]string{JoinedByAnnotation: annotation})
		}
		return obj
	}
	ours, theirs := Ownership{Owner: Ours}, Ownership{Owner: Theirs, Why: "it binds ServiceAccount fed-b/member1-host, not this federation's ServiceAccount fed-a/member1-host"}
	tests := []struct {
		name    string
		role    *unstructured.Unstructured
		binding Ownership
		want    Ownership
	}{
		{"absent", nil, ours, Ownership{Owner: Absent}},
		{"annotated by this join, binding gone", role("fed-a/member1-host"), Ownership{Owner: Absent}, ours},
		{"annotated by another federation", role("fed-b/member1-host"), Ownership{Owner: Absent},
			Ownership{Owner: Theirs, Why: `annotation kubefedctl.io/joined-by says join "fed-b/member1-host" wrote it, not this federation's "fed-a/member1-host"`}},
		{"kubefed's join (no annotation), our binding", role(""), ours, ours},
		{"no annotation, another federation's binding", role(""), theirs, Ownership{Owner: Theirs, Why: "its ClusterRoleBinding of the same name is not this federation's: " + theirs.Why}},
		{"annotated by this join, but someone else's binding", role("fed-a/member1-host"), theirs,
			Ownership{Owner: Theirs, Why: "its ClusterRoleBinding of the same name is not this federation's: " + theirs.Why}},
		{"annotated by this join, unproven binding", role("fed-a/member1-host"), Ownership{Owner: Unproven, Why: "it has no subjects"},
			Ownership{Owner: Unproven, Why: "its ClusterRoleBinding of the same name is not this federation's: it has no subjects"}},
		{"annotated by another federation, binding ours", role("fed-b/member1-host"), ours,
			Ownership{Owner: Theirs, Why: `annotation kubefedctl.io/joined-by says join "fed-b/member1-host" wrote it, not this federation's "fed-a/member1-host"`}},
		{"no annotation, no binding", role(""), Ownership{Owner: Absent},
			Ownership{Owner: Unproven, Why: "no annotation kubefedctl.io/joined-by and no ClusterRoleBinding of the same name for this federation's ServiceAccount fed-a/member1-host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, roleOwnership(n, tt.role, tt.binding))
		})
	}
}
