package propagate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// When a deleted federated object's finalizer may go: only once every cluster answered for it.
func TestFinalizerHold(t *testing.T) {
	row := func(cluster string, outcome Outcome) Result {
		return Result{Cluster: cluster, Kind: "ConfigMap", Namespace: "app", Name: "web", Outcome: outcome}
	}
	pending := row("m2", Deleted)
	pending.pending, pending.Reason = true, "still being deleted"
	listFailed := Result{Cluster: "m3", Kind: "ConfigMap", Name: "*", Outcome: Failed, Reason: "forbidden", listFailed: true}
	tests := []struct {
		name        string
		unreachable map[string]string
		results     []Result
		wantReason  string
		wantFailed  bool
	}{
		{name: "no copy anywhere", wantReason: ""},
		{name: "copies deleted and gone", results: []Result{row("m1", Deleted), row("m2", Unlabelled)}, wantReason: ""},
		{name: "a cluster not reached", unreachable: map[string]string{"m3": "timeout"}, wantReason: "every cluster can be reached", wantFailed: true},
		{name: "a cluster whose LIST failed", results: []Result{row("m1", Deleted), listFailed}, wantReason: "cluster m3 can list ConfigMap (forbidden)", wantFailed: true},
		{name: "a delete refused", results: []Result{row("m1", Failed)}, wantReason: "its copy in cluster m1 is removed", wantFailed: true},
		{name: "a copy still going", results: []Result{row("m1", Deleted), pending}, wantReason: "its copy in cluster m2 is gone (still being deleted)"},
		{name: "another namespace's object of that name is not it", results: []Result{{Cluster: "m1", Kind: "ConfigMap", Namespace: "other", Name: "web", Outcome: Failed}}, wantReason: ""},
		{name: "another kind's LIST failure is not its", results: []Result{{Cluster: "m1", Kind: "Secret", Name: "*", Outcome: Failed, listFailed: true}}, wantReason: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, failed := finalizerHold(tt.unreachable, "ConfigMap", "app", "web", tt.results)
			if tt.wantReason == "" {
				assert.Equal(t, "", reason)
			} else {
				assert.Contains(t, reason, tt.wantReason)
			}
			assert.Equal(t, tt.wantFailed, failed)
		})
	}
}

func TestWithFinalizerKeepsOthers(t *testing.T) {
	assert.Equal(t, []string{"example.com/x", apis.SyncFinalizer}, withFinalizer([]string{"example.com/x"}, true))
	assert.Nil(t, withFinalizer([]string{apis.SyncFinalizer, "example.com/x"}, true), "already there")
	assert.Equal(t, []string{"example.com/x"}, withFinalizer([]string{apis.SyncFinalizer, "example.com/x"}, false))
	assert.Equal(t, []string{}, withFinalizer([]string{apis.SyncFinalizer}, false), "an empty list, not null, so the patch sets it")
	assert.Nil(t, withFinalizer([]string{"example.com/x"}, false), "not there")
	assert.Nil(t, withFinalizer(nil, false))
}

func TestLeaseVerdict(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lease := func(holder string, renewed time.Duration) *coordinationv1.Lease {
		seconds := int32(30)
		renew := metav1.NewMicroTime(now.Add(-renewed))
		return &coordinationv1.Lease{Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &seconds, RenewTime: &renew}}
	}
	tests := []struct {
		name       string
		lease      *coordinationv1.Lease
		wantFree   bool
		wantHolder string
	}{
		{"held and renewed", lease("other", 5*time.Second), false, "other"},
		{"held, renewed just inside its duration", lease("other", 29*time.Second), false, "other"},
		{"a crashed holder's lease expired", lease("other", 31*time.Second), true, "other"},
		{"released", lease("", 0), true, ""},
		{"our own", lease("me", 5*time.Second), true, ""},
		{"never renewed", &coordinationv1.Lease{Spec: coordinationv1.LeaseSpec{HolderIdentity: func() *string { s := "other"; return &s }()}}, true, "other"},
		{"no holder at all", &coordinationv1.Lease{}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			free, holder := leaseVerdict(tt.lease, "me", now)
			assert.Equal(t, tt.wantFree, free)
			assert.Equal(t, tt.wantHolder, holder)
		})
	}
}
