// Package gen writes synthetic federations for benchmarks: many federated objects over many
// clusters, with the features that cost time (preferences, overrides, selectors).
package gen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Spec says how big a federation to write.
type Spec struct {
	Clusters   int
	Objects    int
	Namespaces int
}

// Write writes the federation as YAML files under dir: clusters.yaml, one namespaces.yaml and
// one file per 1,000 objects. Every third object is a FederatedDeployment with a
// ReplicaSchedulingPreference, the rest FederatedConfigMaps; every object has an override.
func Write(dir string, spec Spec) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for i := 1; i <= spec.Clusters; i++ {
		fmt.Fprintf(&b, `---
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata:
  name: member%d
  namespace: kube-federation-system
  labels: {region: r%d}
spec:
  apiEndpoint: https://member%d.example.com
  secretRef: {name: member%d}
status: {conditions: [{type: Ready, status: "True", lastProbeTime: "2026-01-01T00:00:00Z"}]}
`, i, i%3, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "clusters.yaml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	for n := 0; n < spec.Namespaces; n++ {
		fmt.Fprintf(&b, `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: ns%d, namespace: ns%d}
spec:
  placement: {clusterSelector: {}}
`, n, n)
	}
	if err := os.WriteFile(filepath.Join(dir, "namespaces.yaml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	for i := 0; i < spec.Objects; i++ {
		ns := fmt.Sprintf("ns%d", i%spec.Namespaces)
		override := fmt.Sprintf("member%d", i%spec.Clusters+1)
		if i%3 == 0 {
			fmt.Fprint(&b, Deployment(ns, fmt.Sprintf("app%d", i), override))
		} else {
			fmt.Fprintf(&b, `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: config%d, namespace: %s}
spec:
  template:
    data: {index: "%d", greeting: hello}
  placement:
    clusterSelector:
      matchExpressions: [{key: region, operator: In, values: [r0, r1]}]
  overrides:
  - clusterName: %s
    clusterOverrides:
    - {path: /data/greeting, value: bonjour}
`, i, ns, i, override)
		}
		if (i+1)%1000 == 0 || i == spec.Objects-1 {
			name := filepath.Join(dir, fmt.Sprintf("objects-%05d.yaml", i/1000))
			if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
				return err
			}
			b.Reset()
		}
	}
	return nil
}

// Deployment is a FederatedDeployment with its ReplicaSchedulingPreference and an override
// for one cluster.
func Deployment(ns, name, overrideCluster string) string {
	return fmt.Sprintf(`---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  template:
    metadata:
      labels: {app: %[2]s}
    spec:
      replicas: 1
      selector: {matchLabels: {app: %[2]s}}
      template:
        metadata: {labels: {app: %[2]s}}
        spec:
          containers:
          - name: app
            image: registry.invalid/app:1
            resources: {requests: {cpu: 10m}}
  placement: {clusterSelector: {}}
  overrides:
  - clusterName: %[3]s
    clusterOverrides:
    - {path: /spec/template/spec/containers/0/image, value: "registry.invalid/app:2"}
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  targetKind: FederatedDeployment
  totalReplicas: 5
  clusters:
    "*": {weight: 1}
    %[3]s: {weight: 2, minReplicas: 1}
`, ns, name, overrideCluster)
}
