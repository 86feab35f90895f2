package propagate

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
