package propagate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

func obj(apiVersion, kind, namespace, name string, labels map[string]any, extra map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"name": name}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	if labels != nil {
		meta["labels"] = labels
	}
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}}
	for k, v := range extra {
		u.Object[k] = v
	}
	return u
}

var managed = map[string]any{apis.ManagedLabel: apis.ManagedLabelTrue}

// What a pass decides for one desired object against what a member holds.
func TestDecideLeavesTheClustersMachineryAlone(t *testing.T) {
	st := &state{fed: &apis.Federation{KubeFedNamespace: "kube-federation-system"}, index: map[string]*apis.FederatedObject{}}
	tc := &apis.FederatedTypeConfig{}
	m := &member{name: "member1"}
	token := map[string]any{"type": "kubernetes.io/service-account-token"}
	tests := []struct {
		name    string
		desired *unstructured.Unstructured
		live    *unstructured.Unstructured
		want    Outcome
		reason  string
	}{
		{"a token, unlabelled", obj("v1", "Secret", "app", "t", managed, nil), obj("v1", "Secret", "app", "t", nil, token), Skipped, "service-account token"},
		{"a token, even labelled managed", obj("v1", "Secret", "app", "t", managed, nil), obj("v1", "Secret", "app", "t", managed, token), Skipped, "service-account token"},
		{"join's service account in the KubeFed namespace", obj("v1", "ServiceAccount", "kube-federation-system", "member1-host", managed, nil),
			obj("v1", "ServiceAccount", "kube-federation-system", "member1-host", nil, nil), Skipped, "adopts nothing"},
		{"an unmanaged object elsewhere is adopted", obj("v1", "ConfigMap", "app", "c", managed, nil), obj("v1", "ConfigMap", "app", "c", nil, nil), Adopted, ""},
		{"managed false", obj("v1", "ConfigMap", "app", "c", managed, nil), obj("v1", "ConfigMap", "app", "c", map[string]any{apis.ManagedLabel: "false"}, nil), Skipped, "never touches"},
		{"a managed object in the KubeFed namespace is the federation's", obj("v1", "ConfigMap", "kube-federation-system", "c", managed, nil),
			obj("v1", "ConfigMap", "kube-federation-system", "c", managed, nil), Updated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := (&Options{}).decide(st, &render.Result{}, tc, m, tt.desired, tt.live)
			assert.Equal(t, tt.want, a.result.Outcome)
			assert.Contains(t, a.result.Reason, tt.reason)
			if tt.want == Skipped {
				assert.Nil(t, a.desired, "nothing is applied")
			}
		})
	}
}

func TestAdoptedNamespacesKeepTheirMark(t *testing.T) {
	st := &state{fed: &apis.Federation{KubeFedNamespace: "kube-federation-system"}, index: map[string]*apis.FederatedObject{}}
	desired := obj("v1", "Namespace", "", "shop", managed, nil)
	a := (&Options{}).decide(st, &render.Result{}, &apis.FederatedTypeConfig{}, &member{}, desired, obj("v1", "Namespace", "", "shop", nil, nil))
	assert.Equal(t, Adopted, a.result.Outcome)
	assert.Equal(t, "true", a.desired.GetAnnotations()[AdoptedAnnotation])

	// The next pass: the live namespace holds the mark and what was applied; nothing to write,
	// and the mark stays in what would be applied.
	live := a.desired.DeepCopy()
	again := (&Options{}).decide(st, &render.Result{}, &apis.FederatedTypeConfig{}, &member{}, desired, live)
	assert.Equal(t, Unchanged, again.result.Outcome)

	// A namespace the federation created carries no mark.
	created := (&Options{}).decide(st, &render.Result{}, &apis.FederatedTypeConfig{}, &member{}, desired, nil)
	assert.Equal(t, Created, created.result.Outcome)
	assert.Empty(t, created.desired.GetAnnotations()[AdoptedAnnotation])
	// Nor does anything but a Namespace.
	cm := (&Options{}).decide(st, &render.Result{}, &apis.FederatedTypeConfig{}, &member{}, obj("v1", "ConfigMap", "a", "c", managed, nil), obj("v1", "ConfigMap", "a", "c", nil, nil))
	assert.Empty(t, cm.desired.GetAnnotations()[AdoptedAnnotation])
}

func TestKeepNamespace(t *testing.T) {
	adopted := obj("v1", "Namespace", "", "shop", managed, nil)
	adopted.SetAnnotations(map[string]string{AdoptedAnnotation: "true"})
	plain := obj("v1", "Namespace", "", "shop", managed, nil)
	assert.Contains(t, keepNamespace(adopted, nil), "adopted")
	assert.Contains(t, keepNamespace(plain, []string{"ConfigMap/mine"}), "ConfigMap/mine")
	full := []string{"a", "b", "c", "d", "e"}
	assert.Contains(t, keepNamespace(plain, full), "e, ...")
	assert.Equal(t, "", keepNamespace(plain, nil))
}

func TestUnmanagedObject(t *testing.T) {
	tests := []struct {
		kind, name string
		labels     map[string]string
		owned      bool
		want       bool
	}{
		{"ConfigMap", "mine", nil, false, true},
		{"ConfigMap", "mine", map[string]string{apis.ManagedLabel: "false"}, false, true},
		{"ConfigMap", "ours", map[string]string{apis.ManagedLabel: "true"}, false, false},
		{"ReplicaSet", "web-123", nil, true, false},
		{"ServiceAccount", "default", nil, false, false},
		{"ServiceAccount", "builder", nil, false, true},
		{"ConfigMap", "kube-root-ca.crt", nil, false, false},
		{"Secret", "kube-root-ca.crt", nil, false, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, unmanagedObject(tt.kind, tt.name, tt.labels, tt.owned), "%+v", tt)
	}
}

func TestInScopeLeavesOtherFederationsAlone(t *testing.T) {
	st := &state{foreign: map[string]bool{"fed-b": true}, fed: &apis.Federation{KubeFedNamespace: "kube-federation-system"}}
	o := &Options{}
	cm := &apis.FederatedTypeConfig{Spec: apis.FederatedTypeConfigSpec{TargetType: apis.APIResource{Kind: "ConfigMap", Scope: apis.ScopeNamespaced}}}
	ns := &apis.FederatedTypeConfig{Spec: apis.FederatedTypeConfigSpec{TargetType: apis.APIResource{Kind: "Namespace", Scope: apis.ScopeCluster}}}
	assert.False(t, o.inScope(st, cm, obj("v1", "ConfigMap", "fed-b", "x", managed, nil)))
	assert.False(t, o.inScope(st, ns, obj("v1", "Namespace", "", "fed-b", managed, nil)))
	assert.True(t, o.inScope(st, cm, obj("v1", "ConfigMap", "app", "x", managed, nil)))
	assert.True(t, o.inScope(st, ns, obj("v1", "Namespace", "", "app", managed, nil)))
	// Labelled objects in the reserved namespaces are not a Cluster-scoped federation's.
	for _, reserved := range []string{"kube-system", "kube-public", "kube-node-lease", "kube-federation-system"} {
		assert.False(t, o.inScope(st, cm, obj("v1", "ConfigMap", reserved, "x", managed, nil)), reserved)
	}
	// A Namespaced federation's own namespace is where its objects are.
	st.fed.Config = &apis.KubeFedConfig{Spec: apis.KubeFedConfigSpec{Scope: apis.ScopeNamespaced}}
	assert.True(t, o.inScope(st, cm, obj("v1", "ConfigMap", "kube-federation-system", "x", managed, nil)))
}
