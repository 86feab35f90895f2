package propagate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func secretObject(data map[string]any, annotations map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"name": "db", "namespace": "shop", "labels": map[string]any{"kubefed.io/managed": "true"}}
	if annotations != nil {
		meta["annotations"] = annotations
	}
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque", "data": data}}
}

// The values of a Secret, in clear, in base64, and as kubectl's last-applied copy holds them.
const (
	oldValue   = "c2VjcmV0LW9uZQ==" // secret-one
	newValue   = "c2VjcmV0LXR3bw==" // secret-two
	oldDecoded = "secret-one"
	newDecoded = "secret-two"
)

func TestDiffMasksSecretsAndStillShowsAChange(t *testing.T) {
	lastApplied := map[string]any{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"` + oldValue + `"}}`}
	live := secretObject(map[string]any{"password": oldValue, "user": "YWRtaW4="}, lastApplied)
	desired := secretObject(map[string]any{"password": newValue, "user": "YWRtaW4="}, nil)
	applied, _ := withHash(desired)
	oldApplied, _ := withHash(secretObject(map[string]any{"password": oldValue, "user": "YWRtaW4="}, nil))
	unstructured.SetNestedField(live.Object, oldApplied.GetAnnotations()[HashAnnotation], "metadata", "annotations", HashAnnotation)
	serverAnswer := applied.DeepCopy()
	unstructured.SetNestedField(serverAnswer.Object, lastApplied["kubectl.kubernetes.io/last-applied-configuration"], "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration")

	tests := []struct {
		name    string
		outcome Outcome
		live    *unstructured.Unstructured
		after   func(a *action) *unstructured.Unstructured
		want    []string
	}{
		{"client dry run of an update", Updated, live, func(a *action) *unstructured.Unstructured { return a.desired },
			[]string{"-  password: '*** (before)'", "+  password: '*** (after)'", "-    " + HashAnnotation + ": '*** (before)'"}},
		{"server dry run of an update", Updated, live, func(*action) *unstructured.Unstructured { return serverAnswer },
			[]string{"-  password: '*** (before)'", "+  password: '*** (after)'", "user: '***'", "kubectl.kubernetes.io/last-applied-configuration: '***'"}},
		{"a create", Created, nil, func(a *action) *unstructured.Unstructured { return a.desired },
			[]string{"+  password: '*** (after)'", "+  user: '*** (after)'"}},
		{"a delete", Deleted, live, func(*action) *unstructured.Unstructured { return nil },
			[]string{"-  password: '*** (before)'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action{result: Result{Cluster: "member1", Kind: "Secret", Namespace: "shop", Name: "db", Outcome: tt.outcome}, desired: applied, live: tt.live}
			if tt.outcome == Deleted {
				a.desired = nil
			}
			text := diff(a, tt.after(a))
			require.NotEmpty(t, text, "a changed value must show")
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			for _, leak := range []string{oldValue, newValue, oldDecoded, newDecoded, "YWRtaW4=", applied.GetAnnotations()[HashAnnotation], oldApplied.GetAnnotations()[HashAnnotation]} {
				assert.NotContains(t, text, leak)
			}
		})
	}
	// The inputs keep their values: the write sends them.
	assert.Equal(t, newValue, applied.Object["data"].(map[string]any)["password"])
	assert.Equal(t, oldValue, live.Object["data"].(map[string]any)["password"])
}

func TestDiffOfOtherKindsIsUnmasked(t *testing.T) {
	cm := func(v string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": map[string]any{"k": v}}}
	}
	a := &action{result: Result{Cluster: "member1", Kind: "ConfigMap", Name: "c", Outcome: Updated}, desired: cm("new"), live: cm("old")}
	text := diff(a, a.desired)
	assert.Contains(t, text, "-  k: old")
	assert.Contains(t, text, "+  k: new")
}

func TestReasonMasksWhatTheServerQuotes(t *testing.T) {
	desired := secretObject(map[string]any{"password": newValue}, nil)
	err := apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, "db", nil)
	err.ErrStatus.Message = `Secret "db" is invalid: data[password]: Invalid value: "` + newValue + `" (` + newDecoded + `)`
	assert.Equal(t, `Error from server (Invalid): Secret "db" is invalid: data[password]: Invalid value: "***" (***)`, reason(err, desired, nil))
	// Nothing to hide for other kinds.
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": newDecoded}}}
	assert.Contains(t, reason(err, cm), newDecoded)
}
