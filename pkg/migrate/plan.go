package migrate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/render"
)

// ControllerName is the name of kubefed's controller-manager Deployment in the KubeFed namespace,
// and of its leader-election record there.
const ControllerName = "kubefed-controller-manager"

// leaderAnnotation holds client-go's leader record on a ConfigMap lock, kubefed's default
// resourceLock; newer client-go keeps it in a Lease. (An Endpoints lock, the last kind kubefed
// offered, is not read: the Deployment check covers a controller installed by kubefed's chart.)
const leaderAnnotation = "control-plane.alpha.kubernetes.io/leader"

// controllerRunning says why kubefed's controller-manager may be running, or "" when nothing
// says so: its Deployment with replicas, or a leader record renewed within its lease duration.
// Either would undo what a pass writes (and a pass what it writes).
func controllerRunning(deployment *unstructured.Unstructured, leaders []*unstructured.Unstructured, now time.Time) string {
	if deployment != nil {
		replicas, found, _ := unstructured.NestedInt64(deployment.Object, "spec", "replicas")
		if !found {
			replicas = 1 // the Deployment default
		}
		if replicas > 0 {
			return fmt.Sprintf("Deployment %s/%s has %d replicas", deployment.GetNamespace(), deployment.GetName(), replicas)
		}
	}
	for _, lock := range leaders {
		holder, renewed, duration, ok := leaderRecord(lock)
		if !ok || holder == "" {
			continue
		}
		if now.Before(renewed.Add(duration)) {
			return fmt.Sprintf("its leader record %s %s/%s is held by %q, renewed %s ago (lease %s)",
				lock.GetKind(), lock.GetNamespace(), lock.GetName(), holder, now.Sub(renewed).Round(time.Second), duration)
		}
	}
	return ""
}

// leaderRecord reads the holder, last renewal and lease duration of a Lease, or of a ConfigMap
// lock's annotation.
func leaderRecord(lock *unstructured.Unstructured) (holder string, renewed time.Time, duration time.Duration, ok bool) {
	if lock.GetKind() == "Lease" {
		holder, _, _ = unstructured.NestedString(lock.Object, "spec", "holderIdentity")
		renew, _, _ := unstructured.NestedString(lock.Object, "spec", "renewTime")
		seconds, _, _ := unstructured.NestedInt64(lock.Object, "spec", "leaseDurationSeconds")
		t, err := time.Parse(time.RFC3339Nano, renew)
		return holder, t, time.Duration(seconds) * time.Second, err == nil
	}
	raw, found := lock.GetAnnotations()[leaderAnnotation]
	if !found {
		return "", time.Time{}, 0, false
	}
	var record struct {
		HolderIdentity       string `json:"holderIdentity"`
		LeaseDurationSeconds int64  `json:"leaseDurationSeconds"`
		RenewTime            string `json:"renewTime"`
	}
	if err := json.Unmarshal([]byte(raw), &record); err != nil {
		return "", time.Time{}, 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, record.RenewTime)
	return record.HolderIdentity, t, time.Duration(record.LeaseDurationSeconds) * time.Second, err == nil
}

// schedulerOverride is one /spec/replicas override on a preference's workload.
type schedulerOverride struct {
	Cluster string
	Value   any
}

// schedulerOverrides finds the /spec/replicas overrides of a workload that a preference targets,
// as kubefed's scheduler wrote them, and returns spec.overrides without them: a cluster left with
// no override is dropped from the list, as the scheduler did. kubefedctl plans the replicas on
// every pass and ignores these overrides, so they are only stale figures.
func schedulerOverrides(obj *unstructured.Unstructured) (found []schedulerOverride, rest []any) {
	list, _, _ := unstructured.NestedSlice(obj.Object, "spec", "overrides")
	for _, entry := range list {
		cluster, ok := entry.(map[string]any)
		if !ok {
			rest = append(rest, entry)
			continue
		}
		name, _ := cluster["clusterName"].(string)
		ops, _ := cluster["clusterOverrides"].([]any)
		var kept []any
		removed := false
		for _, op := range ops {
			o, _ := op.(map[string]any)
			// Any operation on the path, as render ignores any for a scheduled workload.
			if path, _ := o["path"].(string); path == render.ReplicasPath {
				found = append(found, schedulerOverride{Cluster: name, Value: o["value"]})
				removed = true
				continue
			}
			kept = append(kept, op)
		}
		switch {
		case !removed:
			rest = append(rest, entry)
		case len(kept) > 0:
			c := make(map[string]any, len(cluster))
			for k, v := range cluster {
				c[k] = v
			}
			c["clusterOverrides"] = kept
			rest = append(rest, c)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Cluster < found[j].Cluster })
	return found, rest
}

// describeOverrides lists clusters and figures: member1 (6), member2 (4).
func describeOverrides(found []schedulerOverride) string {
	parts := make([]string, len(found))
	for i, f := range found {
		parts[i] = fmt.Sprintf("%s (%v)", f.Cluster, f.Value)
	}
	return strings.Join(parts, ", ")
}
