package protocol

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func TestHasFinalizer(t *testing.T) {
	for _, tt := range []struct {
		finalizers []string
		want       bool
	}{
		{nil, false},
		{[]string{"example.com/backup"}, false},
		{[]string{"example.com/backup", apis.SyncFinalizer}, true},
	} {
		obj := &unstructured.Unstructured{Object: map[string]any{}}
		obj.SetFinalizers(tt.finalizers)
		assert.Equal(t, tt.want, HasFinalizer(obj), "%v", tt.finalizers)
	}
}

func TestWithFinalizerKeepsOthers(t *testing.T) {
	assert.Equal(t, []string{"example.com/x", apis.SyncFinalizer}, WithFinalizer([]string{"example.com/x"}, true))
	assert.Nil(t, WithFinalizer([]string{apis.SyncFinalizer, "example.com/x"}, true), "already there")
	assert.Equal(t, []string{"example.com/x"}, WithFinalizer([]string{apis.SyncFinalizer, "example.com/x"}, false))
	assert.Equal(t, []string{}, WithFinalizer([]string{apis.SyncFinalizer}, false), "an empty list, not null, so the patch sets it")
	assert.Nil(t, WithFinalizer([]string{"example.com/x"}, false), "not there")
	assert.Nil(t, WithFinalizer(nil, false))
	assert.Equal(t, []string{"example.com/backup"}, WithFinalizer([]string{apis.SyncFinalizer, "example.com/backup", apis.SyncFinalizer}, false), "ours twice: both go")
}

func TestWithNamedFinalizer(t *testing.T) {
	tc := apis.TypeConfigFinalizer
	tests := []struct {
		name       string
		finalizers []string
		add        bool
		want       []string
	}{
		{"kubefed's type-config finalizer removed, the others kept in order", []string{"example.com/a", tc, "example.com/b"}, false, []string{"example.com/a", "example.com/b"}},
		{"the sync finalizer is another finalizer", []string{apis.SyncFinalizer, tc}, false, []string{apis.SyncFinalizer}},
		{"alone: an empty list, not null", []string{tc}, false, []string{}},
		{"not there: nothing to patch", []string{apis.SyncFinalizer}, false, nil},
		{"added after the others", []string{"example.com/a"}, true, []string{"example.com/a", tc}},
		{"already there: nothing to patch", []string{tc}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, WithNamedFinalizer(tt.finalizers, tc, tt.add))
		})
	}
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
			free, holder := Verdict(tt.lease, "me", now)
			assert.Equal(t, tt.wantFree, free)
			assert.Equal(t, tt.wantHolder, holder)
		})
	}
}
