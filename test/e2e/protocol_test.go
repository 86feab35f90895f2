package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// One pass at a time: a live holder of the pass Lease keeps a second pass out until
// --lock-timeout, an expired one does not, dry runs take no Lease, and two passes started
// together both finish, one after the other.
func TestProtocolOnePassAtATime(t *testing.T) {
	federation(t)
	ctx := context.Background()
	leases := clientFor(t, "host").CoordinationV1().Leases(kfns)
	_ = leases.Delete(ctx, protocol.LeaseName, metav1.DeleteOptions{})
	holder, seconds := "another-pass", int32(30)
	now := metav1.NewMicroTime(time.Now())
	_, err := leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: protocol.LeaseName},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &seconds, RenewTime: &now}}, metav1.CreateOptions{})
	require.NoError(t, err)

	before := memberSnapshots(t, configMapsGVR, namespacesGVR)
	r := kubefedctl(t, "propagate", "--lock-timeout", "2s")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "another pass holds Lease kube-federation-system/kubefedctl-propagate (holder another-pass)")
	assert.Equal(t, before, memberSnapshots(t, configMapsGVR, namespacesGVR), "a pass that waited in vain wrote nothing")
	// A dry run needs no Lease.
	mustRun(t, "propagate", "--dry-run=client")
	mustRun(t, "propagate", "--dry-run=server")

	// The holder stopped renewing 31 s ago: its Lease has expired, and the next pass takes it.
	lease, err := leases.Get(ctx, protocol.LeaseName, metav1.GetOptions{})
	require.NoError(t, err)
	stale := metav1.NewMicroTime(time.Now().Add(-31 * time.Second))
	lease.Spec.RenewTime = &stale
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	require.NoError(t, err)
	mustRun(t, "propagate", "--lock-timeout", "0s")
	lease, err = leases.Get(ctx, protocol.LeaseName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Empty(t, *lease.Spec.HolderIdentity, "released at the end of the pass")

	// Two passes at once: both finish, neither fails.
	assert.Equal(t, []int{cli.ExitOK, cli.ExitOK}, together(t, 2, "propagate"))
}

// A selection never removes a finalizer it did not earn: with -l, the copies of a deleted
// federated object that the selection chose are deleted before its finalizer goes; a selection
// that does not choose it leaves both.
func TestProtocolSelectionsEarnTheirFinalizers(t *testing.T) {
	federation(t)
	ctx := context.Background()
	ensureNamespace(t, "host", "selected")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: selected, namespace: selected}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: doomed, namespace: selected, labels: {app: doomed}}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	mustRun(t, "propagate", "-n", "selected")
	host := dynamicFor(t, "host")
	require.NoError(t, host.Resource(federatedConfigMapsGVR).Namespace("selected").Delete(ctx, "doomed", metav1.DeleteOptions{}))

	for _, sel := range []struct {
		args []string
		code int
	}{
		{[]string{"-l", "app=other"}, cli.ExitOK},
		// A NAME that names nothing is an error, and touches nothing either.
		{[]string{"configmaps", "other", "-n", "selected"}, cli.ExitError},
		{[]string{"-n", "default"}, cli.ExitOK},
	} {
		args := sel.args
		r := kubefedctl(t, append([]string{"propagate"}, args...)...)
		assert.Equal(t, sel.code, r.code, "%v: %s%s", args, r.stdout, r.stderr)
		assert.NotRegexp(t, `(?m)^member\d\s+ConfigMap\s+selected\s+doomed\s`, r.stdout, "%v", args)
		if sel.code == cli.ExitOK {
			assert.Contains(t, r.stdout, `waiting: FederatedConfigMap "selected/doomed" is being deleted, and this pass does not select it: kubefedctl propagate configmaps doomed -n selected, or a pass without a selection, finishes it`+"\n", "%v", args)
		}
		obj := getObject(t, host, federatedConfigMapsGVR, "selected", "doomed")
		assert.Equal(t, []string{apis.SyncFinalizer}, obj.GetFinalizers(), "%v: a selection that does not choose it leaves its finalizer", args)
		for _, m := range []string{"member1", "member2"} {
			assert.Equal(t, []string{"doomed"}, names(t, dynamicFor(t, m), configMapsGVR, "selected", "doomed"), "%v: %s", args, m)
		}
	}
	r := mustRun(t, "propagate", "-l", "app=doomed")
	assert.Regexp(t, `member1\s+ConfigMap\s+selected\s+doomed\s+deleted`, r.stdout)
	assert.Regexp(t, `member2\s+ConfigMap\s+selected\s+doomed\s+deleted`, r.stdout)
	for _, m := range []string{"member1", "member2"} {
		assert.Empty(t, names(t, dynamicFor(t, m), configMapsGVR, "selected", "doomed"), m)
	}
	_, err := host.Resource(federatedConfigMapsGVR).Namespace("selected").Get(ctx, "doomed", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the finalizer went once the copies were gone: %v", err)

	// A namespace takes its time to go: the FederatedNamespace waits for it, without failing.
	require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace("selected").Delete(ctx, "selected", metav1.DeleteOptions{}))
	r = mustRun(t, "propagate")
	assert.Regexp(t, `member1\s+Namespace\s+-\s+selected\s+deleted`, r.stdout)
	require.Eventually(t, func() bool {
		r := mustRun(t, "propagate")
		_, err := host.Resource(federatedGVR("federatednamespaces")).Namespace("selected").Get(ctx, "selected", metav1.GetOptions{})
		return apierrors.IsNotFound(err) && r.code == cli.ExitOK
	}, 60*time.Second, time.Second, "the FederatedNamespace's finalizer goes once the member namespaces are gone")
	_ = host.Resource(namespacesGVR).Delete(ctx, "selected", metav1.DeleteOptions{})
}

// Another controller's finalizer on a federated object survives the pass adding and removing
// kubefed's.
func TestProtocolOtherFinalizersSurvive(t *testing.T) {
	federation(t)
	ctx := context.Background()
	ensureNamespace(t, "host", "finalizers")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: finalizers, namespace: finalizers}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: shared, namespace: finalizers, finalizers: [example.com/backup]}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	host := dynamicFor(t, "host")
	mustRun(t, "propagate", "-n", "finalizers")
	obj := getObject(t, host, federatedConfigMapsGVR, "finalizers", "shared")
	assert.Equal(t, []string{"example.com/backup", apis.SyncFinalizer}, obj.GetFinalizers())
	require.NoError(t, host.Resource(federatedConfigMapsGVR).Namespace("finalizers").Delete(ctx, "shared", metav1.DeleteOptions{}))
	mustRun(t, "propagate", "-n", "finalizers")
	obj = getObject(t, host, federatedConfigMapsGVR, "finalizers", "shared")
	assert.Equal(t, []string{"example.com/backup"}, obj.GetFinalizers(), "only kubefed's finalizer went")
	obj.SetFinalizers(nil)
	_, err := host.Resource(federatedConfigMapsGVR).Namespace("finalizers").Update(ctx, obj, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace("finalizers").Delete(ctx, "finalizers", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool {
		mustRun(t, "propagate")
		return len(names(t, host, federatedGVR("federatednamespaces"), "finalizers", "finalizers")) == 0
	}, 60*time.Second, time.Second)
	_ = host.Resource(namespacesGVR).Delete(ctx, "finalizers", metav1.DeleteOptions{})
}

// Errors belong to objects: a tenant's preference with figures no workload can hold fails its
// workload alone (a split it cannot compute is written nowhere, and the copies stay), another
// tenant's objects and every later type are propagated, and the pass exits 1 at the end.
func TestProtocolOneBadPreferenceFailsAlone(t *testing.T) {
	federation(t)
	ctx := context.Background()
	host := dynamicFor(t, "host")
	for _, ns := range []string{"tenant-a", "tenant-b"} {
		ensureNamespace(t, "host", ns)
	}
	workload := func(ns string) string {
		return `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: ` + ns + `, namespace: ` + ns + `}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: ` + ns + `}
spec:
  template:
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: c, image: nginx:1.27}]}
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: later, namespace: ` + ns + `}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`
	}
	applyFiles(t, writeFile(t, workload("tenant-a")+workload("tenant-b")+`---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: tenant-a}
spec:
  targetKind: FederatedDeployment
  totalReplicas: 4
  clusters:
    member1: {minReplicas: 3000000000}
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: nothing, namespace: tenant-b}
spec:
  targetKind: FederatedDeployment
  totalReplicas: 3000000000
`))
	r := kubefedctl(t, "propagate")
	assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	for _, m := range []string{"member1", "member2"} {
		assert.Regexp(t, m+`\s+Deployment\s+tenant-a\s+web\s+failed\s+.*ReplicaSchedulingPreference "tenant-a/web"`, r.stdout)
		assert.Regexp(t, m+`\s+Deployment\s+tenant-b\s+web\s+created`, r.stdout)
		assert.Regexp(t, m+`\s+ConfigMap\s+tenant-a\s+later\s+created`, r.stdout, "later types go on, the bad tenant's too")
		assert.Empty(t, names(t, dynamicFor(t, m), deploymentsGVR, "tenant-a", "web"), m)
	}
	assert.Contains(t, r.stdout, `ReplicaSchedulingPreference "tenant-b/nothing"`, "a preference that names no workload is reported")

	// Mended, the next pass converges.
	for _, ns := range []string{"tenant-a", "tenant-b"} {
		list, err := host.Resource(schema.GroupVersionResource{Group: apis.SchedulingGroup, Version: apis.SchedulingVersion, Resource: "replicaschedulingpreferences"}).Namespace(ns).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		for _, item := range list.Items {
			require.NoError(t, host.Resource(schema.GroupVersionResource{Group: apis.SchedulingGroup, Version: apis.SchedulingVersion, Resource: "replicaschedulingpreferences"}).Namespace(ns).Delete(ctx, item.GetName(), metav1.DeleteOptions{}))
		}
	}
	r = mustRun(t, "propagate")
	assert.Regexp(t, `member1\s+Deployment\s+tenant-a\s+web\s+created`, r.stdout)
	for _, ns := range []string{"tenant-a", "tenant-b"} {
		for _, o := range []struct{ plural, name string }{{"federateddeployments", "web"}, {"federatedconfigmaps", "later"}} {
			require.NoError(t, host.Resource(federatedGVR(o.plural)).Namespace(ns).Delete(ctx, o.name, metav1.DeleteOptions{}))
		}
	}
	mustRun(t, "propagate")
}

// A misspelt NAME is an error, not "nothing to propagate".
func TestProtocolMisspeltNameIsAnError(t *testing.T) {
	federation(t)
	ensureNamespace(t, "host", "named")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: named, namespace: named}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: named}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	mustRun(t, "propagate", "namespaces", "named", "-n", "named")
	r := kubefedctl(t, "propagate", "configmaps", "setings", "-n", "named")
	assert.Equal(t, cli.ExitError, r.code, r.stdout)
	assert.Contains(t, r.stderr, `no federated object of type "configmaps" is named "setings" in namespace "named"`)
	r = mustRun(t, "propagate", "configmaps", "settings", "-n", "named")
	assert.Regexp(t, `member1\s+ConfigMap\s+named\s+settings\s+created`, r.stdout)
	host := dynamicFor(t, "host")
	ctx := context.Background()
	require.NoError(t, host.Resource(federatedConfigMapsGVR).Namespace("named").Delete(ctx, "settings", metav1.DeleteOptions{}))
	mustRun(t, "propagate", "configmaps", "settings", "-n", "named")
	require.NoError(t, host.Resource(federatedGVR("federatednamespaces")).Namespace("named").Delete(ctx, "named", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool {
		mustRun(t, "propagate")
		return len(names(t, host, federatedGVR("federatednamespaces"), "named", "named")) == 0
	}, 60*time.Second, time.Second)
}

// A deleted federated object waits for a pass: a dry run says what the pass will do, the pass
// says it removed the finalizer, and the object is gone.
func TestDeletionIsReportedByThePass(t *testing.T) {
	federation(t)
	ctx := context.Background()
	ensureNamespace(t, "host", "leaving")
	applyFiles(t, writeFile(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: leaving, namespace: leaving}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: old, namespace: leaving}
spec:
  template: {data: {a: "1"}}
  placement: {clusterSelector: {}}
`))
	mustRun(t, "propagate", "-n", "leaving")
	defer func() {
		_ = dynamicFor(t, "host").Resource(federatedGVR("federatednamespaces")).Namespace("leaving").Delete(ctx, "leaving", metav1.DeleteOptions{})
		mustRun(t, "propagate", "-n", "leaving")
	}()
	host := dynamicFor(t, "host")
	// kubectl delete --wait=false: the object is left terminating, held by the finalizer.
	require.NoError(t, host.Resource(federatedConfigMapsGVR).Namespace("leaving").Delete(ctx, "old", metav1.DeleteOptions{}))
	assert.Equal(t, []string{apis.SyncFinalizer}, getObject(t, host, federatedConfigMapsGVR, "leaving", "old").GetFinalizers())

	for _, mode := range []string{"client", "server"} {
		r := mustRun(t, "propagate", "-n", "leaving", "--dry-run="+mode)
		assert.Contains(t, r.stdout, `waiting: FederatedConfigMap "leaving/old" is being deleted; a pass without --dry-run removes its copies (above) and then its finalizer, and it is gone`+"\n", mode)
	}
	assert.Equal(t, []string{apis.SyncFinalizer}, getObject(t, host, federatedConfigMapsGVR, "leaving", "old").GetFinalizers(), "dry runs remove no finalizer")

	r := mustRun(t, "propagate", "-n", "leaving")
	assert.Regexp(t, `member1\s+ConfigMap\s+leaving\s+old\s+deleted`, r.stdout)
	assert.Contains(t, r.stdout, `deleted: FederatedConfigMap "leaving/old": every copy is gone; finalizer kubefed.io/sync-controller removed, so its deletion completes`+"\n")
	_, err := host.Resource(federatedConfigMapsGVR).Namespace("leaving").Get(ctx, "old", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the object is gone: %v", err)
	r = mustRun(t, "propagate", "-n", "leaving")
	assert.NotContains(t, r.stdout, "old")
}
