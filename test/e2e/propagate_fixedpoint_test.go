package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// After a successful pass the next writes nothing, for templates whose values the apiservers
// store otherwise than they were sent: quantities, a Secret's stringData, int-or-string ports,
// defaulted fields, empty maps and lists, env lists.
func TestFixedPointAfterAnyPass(t *testing.T) {
	federation(t)
	mustRun(t, "enable", "secrets")
	mustRun(t, "enable", "services")
	ctx := context.Background()
	const ns = "fixed"
	ensureNamespace(t, "host", ns)
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: fixed, namespace: fixed}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: quantities, namespace: fixed}
spec:
  template:
    metadata: {labels: {}}
    spec:
      replicas: 1
      selector: {matchLabels: {app: q}}
      template:
        metadata: {labels: {app: q}}
        spec:
          containers:
          - name: c
            image: nginx:1.27
            env: [{name: B, value: "2"}, {name: A, value: "1"}]
            ports: [{containerPort: 80, name: http}]
            resources:
              requests: {cpu: 1000m, memory: 1024Mi}
              limits: {cpu: "2", memory: 2Gi}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: member2
    clusterOverrides:
    - {path: /spec/template/spec/containers/0/resources/requests/cpu, value: 500m}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: string-data, namespace: fixed}
spec:
  template:
    type: Opaque
    stringData: {password: hunter2}
    data: {user: YWRtaW4=}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedService
metadata: {name: ports, namespace: fixed}
spec:
  template:
    spec:
      selector: {app: q}
      ports:
      - {name: http, port: 80, targetPort: http}
      - {name: alt, port: 8080, targetPort: 8080, protocol: TCP}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: empties, namespace: fixed}
spec:
  template:
    metadata: {labels: {}}
    data: {}
    binaryData: {}
  placement: {clusterSelector: {}}
`))
	r := mustRun(t, "propagate", "-n", ns)
	assert.Regexp(t, `member2\s+Deployment\s+fixed\s+quantities\s+created`, r.stdout)
	before := map[string]int{}
	for _, cp := range fed.Members {
		before[cp.Name] = memberWrites(t, cp)
	}
	for i := 0; i < 2; i++ {
		r = kubefedctl(t, "propagate", "-n", ns, "--detailed-exitcode")
		assert.Equal(t, cli.ExitOK, r.code, "pass %d changes nothing:\n%s", i+2, r.stdout)
		assert.NotRegexp(t, `\s(updated|created)\s`, r.stdout)
	}
	for _, cp := range fed.Members {
		assert.Equal(t, before[cp.Name], memberWrites(t, cp), "%s: no write on later passes", cp.Name)
	}

	// A real change in the member still is one: the next pass puts the template's figure back.
	_, err := dynamicFor(t, "member1").Resource(deploymentsGVR).Namespace(ns).Patch(ctx, "quantities", "application/json-patch+json",
		[]byte(`[{"op":"replace","path":"/spec/template/spec/containers/0/resources/requests/cpu","value":"1500m"}]`), metav1.PatchOptions{FieldManager: "someone"})
	require.NoError(t, err)
	r = kubefedctl(t, "propagate", "-n", ns, "--detailed-exitcode")
	assert.Equal(t, cli.ExitChanges, r.code, r.stdout)
	assert.Regexp(t, `member1\s+Deployment\s+fixed\s+quantities\s+updated`, r.stdout)
	d := getObject(t, dynamicFor(t, "member1"), deploymentsGVR, ns, "quantities")
	containers := d.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
	assert.Equal(t, "1", containers[0].(map[string]any)["resources"].(map[string]any)["requests"].(map[string]any)["cpu"])

	host := dynamicFor(t, "host")
	for _, o := range []struct{ plural, name string }{{"federateddeployments", "quantities"}, {"federatedsecrets", "string-data"}, {"federatedservices", "ports"}, {"federatedconfigmaps", "empties"}, {"federatednamespaces", "fixed"}} {
		require.NoError(t, host.Resource(federatedGVR(o.plural)).Namespace(ns).Delete(ctx, o.name, metav1.DeleteOptions{}))
	}
	require.Eventually(t, func() bool {
		mustRun(t, "propagate")
		return len(names(t, host, federatedGVR("federatednamespaces"), ns, ns)) == 0
	}, 60*time.Second, time.Second, "the namespace goes, and then its FederatedNamespace")
	mustRun(t, "disable", "secrets", "--force")
	mustRun(t, "disable", "services", "--force")
}
