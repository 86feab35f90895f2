package join

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestForeignItems(t *testing.T) {
	n := names{cluster: "member1", hostCluster: "host", namespace: "kube-federation-system"}
	items := []namespaceItem{
		{kind: "ServiceAccount", name: "default"},
		{kind: "ConfigMap", name: "kube-root-ca.crt"},
		{kind: "Event", name: "x.123"},
		{group: "events.k8s.io", kind: "Event", name: "x.123"},
		{kind: "ServiceAccount", name: "member1-host"},
		{kind: "Secret", name: "member1-host"},
		{group: "rbac.authorization.k8s.io", kind: "Role", name: "kubefed-controller-manager:member1-host"},
		{group: "rbac.authorization.k8s.io", kind: "RoleBinding", name: "kubefed-controller-manager:member1-host"},
	}
	assert.Empty(t, foreignItems(n, items), "the namespace controller's, events and this join's own")

	others := append(items,
		namespaceItem{kind: "ServiceAccount", name: "member1-host2"},
		namespaceItem{kind: "Secret", name: "member1-host2"},
		namespaceItem{kind: "ConfigMap", name: "app"},
		namespaceItem{group: "apps", kind: "Deployment", name: "web"},
		namespaceItem{group: "rbac.authorization.k8s.io", kind: "Role", name: "kubefed-controller-manager:member2-host"},
		namespaceItem{group: "example.com", kind: "Event", name: "not-core"},
	)
	assert.Equal(t, []string{
		"ConfigMap app",
		"Deployment.apps web",
		"Event.example.com not-core",
		"Role.rbac.authorization.k8s.io kubefed-controller-manager:member2-host",
		"Secret member1-host2",
		"ServiceAccount member1-host2",
	}, foreignItems(n, others), "another host's join, propagated objects, a custom kind called Event")
}

func TestNamespaceDecision(t *testing.T) {
	tests := []struct {
		name   string
		facts  namespaceFacts
		remove bool
		why    string
	}{
		{"absent", namespaceFacts{}, false, ""},
		{"created by join, empty", namespaceFacts{exists: true, joinedBy: "kube-federation-system/member1-host"}, true, ""},
		{"created by another host's join, empty", namespaceFacts{exists: true, joinedBy: "kube-federation-system/member1-host2"}, true, ""},
		{"existed before join", namespaceFacts{exists: true}, false, "no kubefedctl join created it (it has no kubefedctl.io/joined-by annotation): it existed before, or kubefed made it"},
		{"the host itself", namespaceFacts{exists: true, joinedBy: "x/y", isHost: true}, false, "the member is the host itself and this is the federation's own namespace"},
		{"the host itself, even unannotated", namespaceFacts{exists: true, isHost: true}, false, "the member is the host itself and this is the federation's own namespace"},
		{"holds others", namespaceFacts{exists: true, joinedBy: "x/y", foreign: []string{"ConfigMap app", "Secret member1-host2"}}, false,
			"it holds objects join did not create: ConfigMap app, Secret member1-host2"},
		{"holds many", namespaceFacts{exists: true, joinedBy: "x/y", foreign: []string{"a", "b", "c", "d", "e", "f", "g"}}, false,
			"it holds objects join did not create: a, b, c, d, e and 2 more"},
		{"could not list everything", namespaceFacts{exists: true, joinedBy: "x/y", unlisted: []string{"API group metrics.k8s.io/v1beta1: unavailable"}}, false,
			"its contents could not all be checked (API group metrics.k8s.io/v1beta1: unavailable)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remove, why := namespaceDecision(tt.facts)
			assert.Equal(t, tt.remove, remove)
			assert.Equal(t, tt.why, why)
		})
	}
}
