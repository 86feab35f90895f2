package join

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// JoinedByAnnotation marks what join writes outside its own namespace — the cluster-wide RBAC,
// and the member's KubeFed namespace when join created it — with the join that wrote it:
// "<kubefed namespace>/<service account>". Two federations on one host differ in the first part.
const JoinedByAnnotation = "kubefedctl.io/joined-by"

// joinID is this join's value of JoinedByAnnotation.
func (n names) joinID() string { return n.namespace + "/" + n.serviceAccount() }

// Owner says whose a cluster-wide object of join's naming is.
type Owner int

const (
	// Absent: there is no such object.
	Absent Owner = iota
	// Ours: provably this federation's (the same join identity).
	Ours
	// Theirs: provably someone else's (another federation, or a binding with other subjects).
	Theirs
	// Unproven: it exists, and nothing proves it is this federation's.
	Unproven
)

// Ownership is an owner and, unless ours or absent, why.
type Ownership struct {
	Owner Owner
	Why   string
}

// bindingOwnership decides whose a ClusterRoleBinding of join's naming is: ours only when every
// subject is this federation's service account in this federation's namespace and it binds the
// ClusterRole of the same name.
func bindingOwnership(n names, binding *unstructured.Unstructured) Ownership {
	if binding == nil {
		return Ownership{Owner: Absent}
	}
	subjects, _, _ := unstructured.NestedSlice(binding.Object, "subjects")
	var ours, others []string
	for _, s := range subjects {
		m, _ := s.(map[string]any)
		kind, _ := m["kind"].(string)
		name, _ := m["name"].(string)
		ns, _ := m["namespace"].(string)
		who := kind + " " + name
		if ns != "" {
			who = kind + " " + ns + "/" + name
		}
		if kind == "ServiceAccount" && name == n.serviceAccount() && ns == n.namespace {
			ours = append(ours, who)
		} else {
			others = append(others, who)
		}
	}
	sort.Strings(others)
	switch {
	case len(others) > 0:
		return Ownership{Owner: Theirs, Why: "it binds " + strings.Join(others, ", ") + ", not this federation's ServiceAccount " + n.joinID()}
	case len(ours) == 0:
		return Ownership{Owner: Unproven, Why: "it has no subjects, so nothing proves it is this federation's"}
	}
	kind, _, _ := unstructured.NestedString(binding.Object, "roleRef", "kind")
	role, _, _ := unstructured.NestedString(binding.Object, "roleRef", "name")
	if kind != "ClusterRole" || role != binding.GetName() {
		return Ownership{Owner: Unproven, Why: fmt.Sprintf("it binds %s %q, not the ClusterRole join names after it", kind, role)}
	}
	return Ownership{Owner: Ours}
}

// roleOwnership decides whose a ClusterRole of join's naming is, given the ownership of the
// binding of the same name: never ours while that binding is someone else's (deleting the role
// would take their grant), else what its JoinedByAnnotation says, else what the binding proves
// (kubefed's own joins carry no annotation).
func roleOwnership(n names, role *unstructured.Unstructured, binding Ownership) Ownership {
	if role == nil {
		return Ownership{Owner: Absent}
	}
	switch binding.Owner {
	case Theirs, Unproven:
		return Ownership{Owner: binding.Owner, Why: "its ClusterRoleBinding of the same name is not this federation's: " + binding.Why}
	}
	if by, ok := role.GetAnnotations()[JoinedByAnnotation]; ok {
		if by == n.joinID() {
			return Ownership{Owner: Ours}
		}
		return Ownership{Owner: Theirs, Why: fmt.Sprintf("annotation %s says join %q wrote it, not this federation's %q", JoinedByAnnotation, by, n.joinID())}
	}
	if binding.Owner == Ours {
		return Ownership{Owner: Ours}
	}
	return Ownership{Owner: Unproven, Why: "no annotation " + JoinedByAnnotation + " and no ClusterRoleBinding of the same name for this federation's ServiceAccount " + n.joinID()}
}
