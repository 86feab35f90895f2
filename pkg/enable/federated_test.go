package enable

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func federatedSecret(namespace, name string, deleting bool, finalizers ...string) unstructured.Unstructured {
	obj := unstructured.Unstructured{Object: map[string]any{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedSecret"}}
	obj.SetNamespace(namespace)
	obj.SetName(name)
	obj.SetResourceVersion("42")
	obj.SetFinalizers(finalizers)
	if deleting {
		now := metav1.Now()
		obj.SetDeletionTimestamp(&now)
	}
	return obj
}

func keys(objects []*unstructured.Unstructured) []string {
	out := []string{}
	for _, o := range objects {
		out = append(out, objectKey(o))
	}
	return out
}

func TestOwnObjectsLeavesOtherFederationsAlone(t *testing.T) {
	items := []unstructured.Unstructured{
		federatedSecret("b", "x", false),
		federatedSecret("other-fed", "theirs", false),
		federatedSecret("a", "y", false),
		federatedSecret("a", "x", true),
	}
	tests := []struct {
		name    string
		foreign map[string]bool
		want    []string
	}{
		{"no other federation", nil, []string{"a/x", "a/y", "b/x", "other-fed/theirs"}},
		{"another federation's namespace", map[string]bool{"other-fed": true}, []string{"a/x", "a/y", "b/x"}},
		{"every namespace another's", map[string]bool{"a": true, "b": true, "other-fed": true}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, keys(ownObjects(items, tt.foreign)))
		})
	}
}

func TestRefuseLiveObjectsNamesSomeAndSaysWhatForceDoes(t *testing.T) {
	tc := apis.NewTypeConfig(apis.APIResource{Version: "v1", Kind: "Secret", PluralName: "secrets", Scope: apis.ScopeNamespaced}, apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
	var objects []*unstructured.Unstructured
	for _, o := range []unstructured.Unstructured{
		federatedSecret("demo", "a", false, apis.SyncFinalizer),
		federatedSecret("demo", "b", true, apis.SyncFinalizer),
		federatedSecret("demo", "c", false),
		federatedSecret("demo", "d", false),
		federatedSecret("demo", "e", false),
	} {
		objects = append(objects, &o)
	}
	tests := []struct {
		name    string
		objects []*unstructured.Unstructured
		want    string
	}{
		{"one", objects[:1], "1 FederatedSecret object exists (demo/a)"},
		{"one being deleted", objects[:2], "2 FederatedSecret objects exist (demo/a, demo/b (being deleted))"},
		{"more than are named", objects, "5 FederatedSecret objects exist (demo/a, demo/b (being deleted), demo/c, and 2 more)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refuseLiveObjects(tc, "secrets", tt.objects)
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, "cannot disable secrets while "+tt.want)
			assert.Contains(t, msg, "would stay Terminating for ever, its finalizer kubefed.io/sync-controller never removed")
			assert.Contains(t, msg, "delete them and run kubefedctl propagate first")
			assert.Contains(t, msg, "or pass --force, which removes the finalizer kubefed.io/sync-controller from each of them")
			assert.Contains(t, msg, "leaves their copies in the member clusters as they are, still labelled kubefed.io/managed=true")
		})
	}
}
