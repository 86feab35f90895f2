package mask

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func secret(data map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s",
		"annotations": map[string]any{lastApplied: `{"data":{"password":"c2VjcmV0"}}`, "other": "kept"}},
		"data": data, "stringData": map[string]any{"plain": "hunter2"}, "type": "Opaque"}
}

func TestObjectHidesSecretValues(t *testing.T) {
	in := secret(map[string]any{"password": "c2VjcmV0", "user": "YWRtaW4="})
	out := Object(in)
	assert.Equal(t, map[string]any{"password": hidden, "user": hidden}, out["data"])
	assert.Equal(t, map[string]any{"plain": hidden}, out["stringData"])
	assert.Equal(t, map[string]any{lastApplied: hidden, "other": "kept"}, out["metadata"].(map[string]any)["annotations"])
	assert.Equal(t, "Opaque", out["type"])
	// The input is left as it was.
	assert.Equal(t, "c2VjcmV0", in["data"].(map[string]any)["password"])
}

func TestObjectLeavesOtherKindsAlone(t *testing.T) {
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "v"}}
	assert.Equal(t, map[string]any{"k": "v"}, Object(cm)["data"])
	// A Secret kind of another group is not a core Secret.
	other := map[string]any{"apiVersion": "example.com/v1", "kind": "Secret", "data": map[string]any{"k": "v"}}
	assert.Equal(t, map[string]any{"k": "v"}, Object(other)["data"])
	assert.Nil(t, Object(nil))
}

func TestObjectHidesAFederatedSecret(t *testing.T) {
	in := map[string]any{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedSecret",
		"spec": map[string]any{
			"template": map[string]any{"data": map[string]any{"k": "dg=="}, "stringData": map[string]any{"s": "clear"}, "type": "Opaque"},
			"overrides": []any{map[string]any{"clusterName": "c1", "clusterOverrides": []any{
				map[string]any{"path": "/data/k", "value": "b3RoZXI="},
				map[string]any{"path": "/data", "value": map[string]any{"a": "YQ==", "b": "Yg=="}},
				map[string]any{"path": "/stringData/s", "op": "add", "value": "other"},
				map[string]any{"path": "/metadata/labels/x", "value": "y"},
				map[string]any{"path": "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration", "value": `{"data":{"k":"djI="}}`},
				map[string]any{"path": "/metadata/annotations", "value": map[string]any{lastApplied: "{}", "other": "x"}},
			}}},
		}}
	out := Object(in)
	template := out["spec"].(map[string]any)["template"].(map[string]any)
	assert.Equal(t, map[string]any{"k": hidden}, template["data"])
	assert.Equal(t, map[string]any{"s": hidden}, template["stringData"])
	overrides := out["spec"].(map[string]any)["overrides"].([]any)[0].(map[string]any)["clusterOverrides"].([]any)
	assert.Equal(t, hidden, overrides[0].(map[string]any)["value"])
	assert.Equal(t, map[string]any{"a": hidden, "b": hidden}, overrides[1].(map[string]any)["value"])
	assert.Equal(t, hidden, overrides[2].(map[string]any)["value"])
	assert.Equal(t, "y", overrides[3].(map[string]any)["value"])
	assert.Equal(t, hidden, overrides[4].(map[string]any)["value"])
	assert.Equal(t, map[string]any{lastApplied: hidden, "other": hidden}, overrides[5].(map[string]any)["value"])
}

func TestPairMarksChangedValues(t *testing.T) {
	live := secret(map[string]any{"same": "YQ==", "changed": "Yg==", "gone": "Yw=="})
	desired := secret(map[string]any{"same": "YQ==", "changed": "ZA==", "new": "ZQ=="})
	a, b := Pair(live, desired)
	assert.Equal(t, map[string]any{"same": hidden, "changed": before, "gone": before}, a["data"])
	assert.Equal(t, map[string]any{"same": hidden, "changed": after, "new": after}, b["data"])
	// stringData is equal on both sides.
	assert.Equal(t, map[string]any{"plain": hidden}, a["stringData"])

	// A create or a delete: one side only.
	_, created := Pair(nil, desired)
	assert.Equal(t, map[string]any{"same": after, "changed": after, "new": after}, created["data"])
	deleted, none := Pair(live, nil)
	assert.Nil(t, none)
	assert.Equal(t, before, deleted["data"].(map[string]any)["gone"])
}

func TestTextHidesValuesInMessages(t *testing.T) {
	s := secret(map[string]any{"password": "c2VjcmV0"})
	msg := `Secret "s" is invalid: data: "c2VjcmV0" (secret) and stringData "hunter2", also aHVudGVyMg==`
	assert.Equal(t, `Secret "s" is invalid: data: "***" (***) and stringData "***", also ***`, Text(msg, s))
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "value"}}
	assert.Equal(t, "value", Text("value", cm))
}

func TestFederatedSecretWithoutOverridesGainsNone(t *testing.T) {
	in := map[string]any{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedSecret",
		"metadata": map[string]any{"name": "s", "annotations": map[string]any{lastApplied: `{"spec":{"template":{"data":{"k":"dg=="}}}}`}},
		"spec":     map[string]any{"template": map[string]any{"data": map[string]any{"k": "dg=="}}}}
	out := Object(in)
	assert.NotContains(t, out["spec"].(map[string]any), "overrides")
	assert.Equal(t, hidden, out["metadata"].(map[string]any)["annotations"].(map[string]any)[lastApplied])
}

func TestTextHidesOverrideValues(t *testing.T) {
	in := map[string]any{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedSecret",
		"spec": map[string]any{"template": map[string]any{},
			"overrides": []any{map[string]any{"clusterName": "c1", "clusterOverrides": []any{
				map[string]any{"path": "/data", "value": map[string]any{"k": "c2VjcmV0LXZhbHVl"}},
			}}}}}
	assert.Equal(t, "invalid: ***, ***", Text("invalid: c2VjcmV0LXZhbHVl, secret-value", in))
}

// A value of the wrong shape is quoted by the server's error as it is: its leaves are hidden too.
func TestTextHidesValuesOfTheWrongShape(t *testing.T) {
	s := map[string]any{"apiVersion": "v1", "kind": "Secret",
		"data":       map[string]any{"pw": map[string]any{"nested": "AnotherSecretValue99"}},
		"stringData": map[string]any{"pin": int64(98765432)}}
	msg := `.data.pw: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"nested":"AnotherSecretValue99"}}; got &value.valueUnstructured{Value:98765432}`
	out := Text(msg, s)
	assert.NotContains(t, out, "AnotherSecretValue99")
	assert.NotContains(t, out, "98765432")
}
