package join

import (
	"fmt"
	"sort"
	"strings"
)

// namespaceItem is one object found in the member's KubeFed namespace.
type namespaceItem struct {
	// group and kind of the object; group is "" for the core group.
	group, kind, name string
}

func (i namespaceItem) String() string {
	if i.group != "" {
		return i.kind + "." + i.group + " " + i.name
	}
	return i.kind + " " + i.name
}

// foreignItems are the objects in the KubeFed namespace that neither the namespace controller
// made by itself (the default ServiceAccount, the kube-root-ca.crt ConfigMap), nor are events,
// nor are this join's own. Anything else, another host's join or a propagated object, is
// someone's data.
func foreignItems(n names, items []namespaceItem) []string {
	own := map[namespaceItem]bool{
		{kind: "ServiceAccount", name: "default"}:                                 true,
		{kind: "ConfigMap", name: "kube-root-ca.crt"}:                             true,
		{kind: "ServiceAccount", name: n.serviceAccount()}:                        true,
		{kind: "Secret", name: n.serviceAccount()}:                                true,
		{group: "rbac.authorization.k8s.io", kind: "Role", name: n.role()}:        true,
		{group: "rbac.authorization.k8s.io", kind: "RoleBinding", name: n.role()}: true,
	}
	var out []string
	for _, item := range items {
		if own[item] || item.kind == "Event" && (item.group == "" || item.group == "events.k8s.io") {
			continue
		}
		out = append(out, item.String())
	}
	sort.Strings(out)
	return out
}

// namespaceFacts are what unjoin knows of the member's KubeFed namespace.
type namespaceFacts struct {
	exists bool
	// joinedBy is the namespace's JoinedByAnnotation: empty when join did not create it.
	joinedBy string
	// isHost: the member is the host itself (the namespace has the host namespace's UID).
	isHost bool
	// foreign are the objects foreignItems found; unlisted the types that could not be listed.
	foreign, unlisted []string
}

// namespaceDecision says whether unjoin deletes the member's KubeFed namespace, and if not, why:
// only a namespace a kubefedctl join created (any join: the first may have been unjoined while a
// second lived there) that holds nothing but what the namespace controller and this join put
// there, and never the host's own.
func namespaceDecision(f namespaceFacts) (remove bool, why string) {
	switch {
	case !f.exists:
		return false, ""
	case f.isHost:
		return false, "the member is the host itself and this is the federation's own namespace"
	case f.joinedBy == "":
		return false, fmt.Sprintf("no kubefedctl join created it (it has no %s annotation): it existed before, or kubefed made it", JoinedByAnnotation)
	case len(f.unlisted) > 0:
		return false, "its contents could not all be checked (" + strings.Join(f.unlisted, "; ") + ")"
	case len(f.foreign) > 0:
		return false, "it holds objects join did not create: " + summarize(f.foreign, 5)
	}
	return true, ""
}

// summarize lists the first max items and counts the rest.
func summarize(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
