package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
)

// tenantFederation is a federation with one FederatedNamespace "tenant" placed everywhere, and
// the given documents.
func tenantFederation(t *testing.T, docs string) *apis.Federation {
	t.Helper()
	base := `
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: east, namespace: kube-federation-system}
spec: {apiEndpoint: "https://east", secretRef: {name: east}}
status: {conditions: [{type: Ready, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}
---
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: west, namespace: kube-federation-system}
spec: {apiEndpoint: "https://west", secretRef: {name: west}}
status: {conditions: [{type: Ready, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: tenant, namespace: tenant}
spec: {placement: {clusterSelector: {}}}
---
`
	read, err := manifest.Read([]string{"-"}, strings.NewReader(base+docs))
	require.NoError(t, err)
	fed, err := apis.Assemble(read, apis.DefaultKubeFedNamespace, "default")
	require.NoError(t, err)
	return fed
}

func configMapWithOverride(name, override string) string {
	return fmt.Sprintf(`
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: %s, namespace: tenant}
spec:
  template: {data: {k: v}}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: west
    clusterOverrides:
    - %s
---
`, name, override)
}

// Every override that could move a member object elsewhere, or retype it, is refused, and the
// object fails alone: the others render in full.
func TestOverridesCannotChangeIdentity(t *testing.T) {
	attacks := []string{
		`{path: /metadata/namespace, value: kube-system}`,
		`{op: add, path: /metadata/namespace, value: kube-system}`,
		`{op: remove, path: /metadata/namespace}`,
		`{path: /metadata, value: {name: evil, namespace: kube-system}}`,
		`{op: add, path: /metadata, value: {namespace: kube-system}}`,
		`{op: remove, path: /metadata}`,
		`{path: /metadata/name, value: other}`,
		`{path: /metadata/generateName, value: other-}`,
		`{path: /metadata/Namespace, value: kube-system}`,
		`{path: /Metadata, value: {namespace: kube-system}}`,
		`{path: /metadata/NAME, value: x}`,
		`{path: /apiVersion, value: apps/v1}`,
		`{path: /kind, value: Secret}`,
		`{path: /KIND, value: Secret}`,
		`{path: /metadata/namespace/, value: x}`,
	}
	var docs strings.Builder
	for i, a := range attacks {
		docs.WriteString(configMapWithOverride(fmt.Sprintf("attack-%d", i), a))
	}
	docs.WriteString(configMapWithOverride("innocent", `{path: /data/k, value: w}`))
	fed := tenantFederation(t, docs.String())

	result, err := Render(fed, Options{KeepGoing: true})
	require.NoError(t, err)
	failed := map[string]string{}
	for _, f := range result.Failures {
		failed[f.Object.Object.GetName()] = f.Err.Error()
	}
	for i, a := range attacks {
		name := fmt.Sprintf("attack-%d", i)
		if !assert.Contains(t, failed, name, "override %s was accepted", a) {
			continue
		}
		assert.Contains(t, failed[name], `FederatedConfigMap "tenant/`+name+`"`, "the error names the object")
		assert.Contains(t, failed[name], `cluster "west"`, "the error names the override's cluster")
	}
	assert.NotContains(t, failed, "innocent")
	for _, cluster := range []string{"east", "west"} {
		objects, err := result.Objects(cluster)
		require.NoError(t, err)
		var got []string
		for _, obj := range objects {
			got = append(got, obj.GetAPIVersion()+" "+obj.GetKind()+" "+obj.GetNamespace()+"/"+obj.GetName())
		}
		// The refused objects are rendered nowhere, not even where no override applies.
		assert.Equal(t, []string{"v1 ConfigMap tenant/innocent", "v1 Namespace /tenant"}, got, cluster)
	}

	// Without KeepGoing, the first refusal fails the render, as render's command needs.
	_, err = Render(fed, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid path")
}

// A template cannot choose the identity either: kind and apiVersion come from the type config,
// name and namespace from the federated object.
func TestTemplateCannotChangeIdentity(t *testing.T) {
	fed := tenantFederation(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: web, namespace: tenant}
spec:
  template:
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: admin, namespace: kube-system, generateName: x-}
    data: {k: v}
  placement: {clusterSelector: {}}
`)
	result, err := Render(fed, Options{})
	require.NoError(t, err)
	objects, err := result.Objects("east")
	require.NoError(t, err)
	require.Len(t, objects, 2)
	cm := objects[0]
	assert.Equal(t, identity{apiVersion: "v1", kind: "ConfigMap", namespace: "tenant", name: "web"}, identityFrom(cm))
}

// Objects whose copies could land outside their namespace, or be the federation's or a
// cluster's own machinery, fail or are skipped whatever their overrides.
func TestMachineryIsNeverRendered(t *testing.T) {
	fed := tenantFederation(t, `
apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: clusterrolebindings.rbac.authorization.k8s.io, namespace: kube-federation-system}
spec:
  targetType: {group: rbac.authorization.k8s.io, version: v1, kind: ClusterRoleBinding, pluralName: clusterrolebindings, scope: Cluster}
  propagation: Enabled
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedClusterRoleBinding, pluralName: federatedclusterrolebindings, scope: Namespaced}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedClusterRoleBinding
metadata: {name: escalate, namespace: tenant}
spec:
  template: {roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}
  placement: {clusterSelector: {}}
---
apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: kubefedclusters.core.kubefed.io, namespace: kube-federation-system}
spec:
  targetType: {group: core.kubefed.io, version: v1beta1, kind: KubeFedCluster, pluralName: kubefedclusters, scope: Namespaced}
  propagation: Enabled
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedKubeFedCluster, pluralName: federatedkubefedclusters, scope: Namespaced}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedKubeFedCluster
metadata: {name: c, namespace: tenant}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: token, namespace: tenant}
spec:
  template: {type: kubernetes.io/service-account-token, metadata: {annotations: {kubernetes.io/service-account.name: default}}}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: retyped, namespace: tenant}
spec:
  template: {type: Opaque}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: east
    clusterOverrides: [{path: /type, value: kubernetes.io/service-account-token}]
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: kube-system, namespace: kube-system}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: in-kube-system, namespace: kube-system}
spec: {template: {data: {k: v}}, placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: kube-federation-system, namespace: kube-federation-system}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: in-kubefed, namespace: kube-federation-system}
spec: {template: {data: {k: v}}, placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: kube-node-lease, namespace: kube-node-lease}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: in-lease, namespace: kube-node-lease}
spec: {template: {data: {k: v}}, placement: {clusterSelector: {}}}
`)
	result, err := Render(fed, Options{KeepGoing: true, Explain: true})
	require.NoError(t, err)
	failed := map[string]string{}
	for _, f := range result.Failures {
		failed[f.Object.Object.GetName()] = f.Err.Error()
	}
	assert.Contains(t, failed["escalate"], "propagates the cluster-scoped ClusterRoleBinding")
	assert.Contains(t, failed["c"], "one of the federation's own types")
	assert.Contains(t, failed["token"], "never propagated")
	assert.Len(t, failed, 3, "%v", failed)

	skipped := map[string]string{}
	for _, e := range result.Explanations {
		if e.Skipped != "" {
			skipped[e.Namespace+"/"+e.Name] = e.Skipped
		}
	}
	for _, key := range []string{"kube-system/in-kube-system", "kube-federation-system/in-kubefed", "kube-node-lease/in-lease"} {
		assert.Contains(t, skipped[key], "nothing is propagated into namespace", key)
	}
	for _, key := range []string{"kube-system/kube-system", "kube-federation-system/kube-federation-system", "kube-node-lease/kube-node-lease"} {
		assert.Contains(t, skipped[key], "never propagates the system namespace", key)
	}

	// The overridden type fails where its override applies, and builds elsewhere.
	_, err = result.Objects("east")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `FederatedSecret "tenant/retyped": cluster "east": the overrides make it a Secret of type kubernetes.io/service-account-token`)
	west, err := result.Objects("west")
	require.NoError(t, err)
	var got []string
	for _, obj := range west {
		got = append(got, obj.GetKind()+" "+obj.GetNamespace()+"/"+obj.GetName())
	}
	assert.Equal(t, []string{"Namespace /tenant", "Secret tenant/retyped"}, got)
}

// The final check holds a built object to its identity, whatever produced it.
func TestBuildRefusesAChangedIdentity(t *testing.T) {
	fed := tenantFederation(t, configMapWithOverride("web", `{path: /data/k, value: w}`))
	result, err := Render(fed, Options{})
	require.NoError(t, err)
	plan := result.byObject[fed.Objects[len(fed.Objects)-1]]
	require.NotNil(t, plan)
	// Overrides that validation would have refused, given to build directly.
	for _, o := range []apis.Override{
		{Path: "/metadata/namespace", Value: "kube-system"},
		{Path: "/metadata", Value: map[string]any{"name": "web", "namespace": "other"}},
		{Path: "/metadata", Value: "not an object"},
		{Path: "/apiVersion", Value: "v2"},
		{Op: "remove", Path: "/kind"},
		{Path: "/metadata/generateName", Value: "x-"},
	} {
		plan.overrides = map[string][]apis.Override{"west": {o}}
		_, err := plan.build("west")
		require.Error(t, err, "%v", o)
		assert.Contains(t, err.Error(), "change the object's identity", "%v", o)
	}
	plan.overrides = nil
	obj, err := plan.build("west")
	require.NoError(t, err)
	assert.Equal(t, "tenant", obj.GetNamespace())
	_ = unstructured.Unstructured{}
}
