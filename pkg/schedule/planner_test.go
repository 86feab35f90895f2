package schedule

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

type prefs = map[string]apis.ClusterPreferences
type counts = map[string]int64

func ptr(n int64) *int64 { return &n }

// The cases and figures are kubefed v0.10's published planner results (its planner tests use an
// empty key, so the hash-dependent ties below are theirs exactly).
func TestComputeKubefedResults(t *testing.T) {
	abc := []string{"A", "B", "C"}
	ab := []string{"A", "B"}
	tests := []struct {
		name      string
		clusters  prefs
		total     int32
		rebalance bool
		available []string
		current   counts
		capacity  counts
		want      counts
		overflow  counts
	}{
		{name: "equal, hash dependent", clusters: prefs{"*": {Weight: 1}}, total: 50, available: abc, want: counts{"A": 16, "B": 17, "C": 17}},
		{name: "equal two", clusters: prefs{"*": {Weight: 1}}, total: 50, available: ab, want: counts{"A": 25, "B": 25}},
		{name: "one replica two clusters, hash dependent", clusters: prefs{"*": {Weight: 1}}, total: 1, available: ab, want: counts{"A": 0, "B": 1}},
		{name: "one replica four clusters, hash dependent", clusters: prefs{"*": {Weight: 1}}, total: 1, available: []string{"A", "B", "C", "D"}, want: counts{"A": 0, "B": 0, "C": 0, "D": 1}},
		{name: "one cluster", clusters: prefs{"*": {Weight: 1}}, total: 1, available: []string{"A"}, want: counts{"A": 1}},
		{name: "no clusters", clusters: prefs{"*": {Weight: 1}}, total: 1, available: []string{}, want: counts{}},

		{name: "existing keeps C", clusters: prefs{"*": {Weight: 1}}, total: 50, available: abc, current: counts{"C": 30}, want: counts{"A": 10, "B": 10, "C": 30}},
		{name: "existing keeps A", clusters: prefs{"*": {Weight: 1}}, total: 50, available: ab, current: counts{"A": 30}, want: counts{"A": 30, "B": 20}},
		{name: "existing 0/8", clusters: prefs{"*": {Weight: 1}}, total: 15, available: ab, current: counts{"A": 0, "B": 8}, want: counts{"A": 7, "B": 8}},
		{name: "existing 1/8", clusters: prefs{"*": {Weight: 1}}, total: 15, available: ab, current: counts{"A": 1, "B": 8}, want: counts{"A": 7, "B": 8}},
		{name: "existing 4/8", clusters: prefs{"*": {Weight: 1}}, total: 15, available: ab, current: counts{"A": 4, "B": 8}, want: counts{"A": 7, "B": 8}},
		{name: "existing 5/8", clusters: prefs{"*": {Weight: 1}}, total: 15, available: ab, current: counts{"A": 5, "B": 8}, want: counts{"A": 7, "B": 8}},
		{name: "existing 6/8", clusters: prefs{"*": {Weight: 1}}, total: 15, available: ab, current: counts{"A": 6, "B": 8}, want: counts{"A": 7, "B": 8}},
		{name: "existing 7/8", clusters: prefs{"*": {Weight: 1}}, total: 15, available: ab, current: counts{"A": 7, "B": 8}, want: counts{"A": 7, "B": 8}},
		{name: "existing large", clusters: prefs{"*": {Weight: 1}}, total: 500000, available: ab, current: counts{"A": 300000}, want: counts{"A": 300000, "B": 200000}},
		{name: "existing below share", clusters: prefs{"*": {Weight: 1}}, total: 50, available: ab, current: counts{"A": 10}, want: counts{"A": 25, "B": 25}},
		{name: "existing above total, hash dependent", clusters: prefs{"*": {Weight: 1}}, total: 50, available: ab, current: counts{"A": 10, "B": 70}, want: counts{"A": 0, "B": 50}},
		{name: "existing above one", clusters: prefs{"*": {Weight: 1}}, total: 1, available: ab, current: counts{"A": 30}, want: counts{"A": 1, "B": 0}},
		{name: "existing both below", clusters: prefs{"*": {Weight: 1}}, total: 50, available: ab, current: counts{"A": 10, "B": 20}, want: counts{"A": 25, "B": 25}},

		{name: "capacity C, rebalance", clusters: prefs{"*": {Weight: 1}}, total: 50, rebalance: true, available: abc, capacity: counts{"C": 10}, want: counts{"A": 20, "B": 20, "C": 10}, overflow: counts{"C": 7}},
		{name: "capacity B, A absent", clusters: prefs{"A": {Weight: 10000}, "B": {Weight: 1}}, total: 50, rebalance: true, available: []string{"B", "C"}, capacity: counts{"B": 10}, want: counts{"B": 10, "C": 0}, overflow: counts{"B": 40}},
		{name: "capacity B weight 2", clusters: prefs{"A": {Weight: 1}, "B": {Weight: 2}}, total: 60, rebalance: true, available: abc, capacity: counts{"B": 10}, want: counts{"A": 50, "B": 10, "C": 0}, overflow: counts{"B": 30}},
		{name: "capacity and max", clusters: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1, MaxReplicas: ptr(21)}, "D": {Weight: 1, MaxReplicas: ptr(10)}}, total: 71, rebalance: true, available: []string{"A", "B", "C", "D"}, capacity: counts{"C": 10}, want: counts{"A": 10, "B": 41, "C": 10, "D": 10}, overflow: counts{"C": 11}},
		{name: "capacity everywhere, no rebalance", clusters: prefs{"A": {Weight: 1}, "B": {Weight: 1}}, total: 60, available: abc, capacity: counts{"A": 10, "B": 10}, want: counts{"A": 10, "B": 10, "C": 0}, overflow: counts{"A": 20, "B": 20}},
		{name: "capacity B, no rebalance", clusters: prefs{"A": {Weight: 1}, "B": {Weight: 5}}, total: 60, available: abc, capacity: counts{"B": 10}, want: counts{"A": 50, "B": 10, "C": 0}, overflow: counts{}},
		{name: "min with capacity, no rebalance", clusters: prefs{"*": {MinReplicas: 20, Weight: 0}}, total: 50, available: abc, capacity: counts{"B": 10}, want: counts{"A": 20, "B": 10, "C": 20}, overflow: counts{}},
		{name: "min with capacity, rebalance", clusters: prefs{"*": {MinReplicas: 20, Weight: 1}}, total: 60, rebalance: true, available: ab, capacity: counts{"B": 10}, want: counts{"A": 50, "B": 10}, overflow: counts{"B": 15}},

		{name: "min", clusters: prefs{"*": {MinReplicas: 2, Weight: 0}}, total: 50, available: abc, want: counts{"A": 2, "B": 2, "C": 2}},
		{name: "min over total, hash dependent", clusters: prefs{"*": {MinReplicas: 20, Weight: 0}}, total: 50, available: abc, want: counts{"A": 10, "B": 20, "C": 20}},
		{name: "min of a heavy cluster", clusters: prefs{"*": {MinReplicas: 20, Weight: 0}, "A": {MinReplicas: 100, Weight: 1}}, total: 50, available: abc, want: counts{"A": 50, "B": 0, "C": 0}},
		{name: "min and max", clusters: prefs{"*": {MinReplicas: 10, Weight: 1, MaxReplicas: ptr(12)}}, total: 50, available: abc, want: counts{"A": 12, "B": 12, "C": 12}},

		{name: "max", clusters: prefs{"*": {Weight: 1, MaxReplicas: ptr(2)}}, total: 50, available: abc, want: counts{"A": 2, "B": 2, "C": 2}},
		{name: "max weight 0", clusters: prefs{"*": {Weight: 0, MaxReplicas: ptr(2)}}, total: 50, available: abc, want: counts{"A": 0, "B": 0, "C": 0}},

		{name: "weights 1:2, C has no entry", clusters: prefs{"A": {Weight: 1}, "B": {Weight: 2}}, total: 60, available: abc, want: counts{"A": 20, "B": 40, "C": 0}},
		{name: "heavy A", clusters: prefs{"A": {Weight: 10000}, "B": {Weight: 1}}, total: 50, available: abc, want: counts{"A": 50, "B": 0, "C": 0}},
		{name: "heavy A unavailable", clusters: prefs{"A": {Weight: 10000}, "B": {Weight: 1}}, total: 50, available: []string{"B", "C"}, want: counts{"B": 50, "C": 0}},
		{name: "heavy A capped", clusters: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1}}, total: 50, available: abc, want: counts{"A": 10, "B": 20, "C": 20}},
		{name: "heavy A and C capped", clusters: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1, MaxReplicas: ptr(10)}}, total: 50, available: abc, want: counts{"A": 10, "B": 30, "C": 10}},
		{name: "four with caps", clusters: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1, MaxReplicas: ptr(21)}, "D": {Weight: 1, MaxReplicas: ptr(10)}}, total: 71, available: []string{"A", "B", "C", "D"}, want: counts{"A": 10, "B": 30, "C": 21, "D": 10}},
		{name: "five with caps", clusters: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1, MaxReplicas: ptr(21)}, "D": {Weight: 1, MaxReplicas: ptr(10)}, "E": {Weight: 1}}, total: 91, available: []string{"A", "B", "C", "D", "E"}, want: counts{"A": 10, "B": 25, "C": 21, "D": 10, "E": 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: tt.total, Rebalance: tt.rebalance, Clusters: tt.clusters}
			plan := Compute(spec, Input{Clusters: tt.available, Current: tt.current, Capacity: tt.capacity})
			assert.Equal(t, tt.want, plan.Replicas)
			want := tt.overflow
			if want == nil {
				want = counts{}
			}
			assert.Equal(t, want, plan.Overflow)
		})
	}
}

func TestHashIsFNV1(t *testing.T) {
	// FNV-1 of the empty string is the offset basis; of "a" it is 0x050c5d7e (FNV-1a gives 0xe40c292c).
	assert.Equal(t, uint32(0x811c9dc5), hash("", ""))
	assert.Equal(t, uint32(0x050c5d7e), hash("a", ""))
	assert.Equal(t, hash("ab", "c"), hash("a", "bc"), "the key follows the cluster name")
}

func TestComputeKeyChangesTies(t *testing.T) {
	spec := apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 1, Clusters: prefs{"*": {Weight: 1}}}
	winners := map[string]bool{}
	for _, key := range []string{"demo/web", "prod/api", "shop/cart", "team-a/frontend", "ci/runner", "x/y"} {
		plan := Compute(spec, Input{Clusters: []string{"east", "west"}, Key: key})
		assert.Equal(t, int64(1), plan.Replicas["east"]+plan.Replicas["west"])
		for name, n := range plan.Replicas {
			if n == 1 {
				winners[name] = true
			}
		}
	}
	assert.Len(t, winners, 2, "the single replica should not always land on the same cluster")
}

func TestResult(t *testing.T) {
	plan := Plan{Replicas: counts{"A": 3, "B": 0}, Overflow: counts{"B": 2}}
	assert.Equal(t, counts{"A": 3, "B": 2, "gone": 0}, plan.Result(counts{"gone": 4, "A": 1}))
}

func TestTrace(t *testing.T) {
	spec := apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 10, Clusters: prefs{"A": {Weight: 3, MinReplicas: 1, MaxReplicas: ptr(4)}, "B": {Weight: 1}}}
	plan := Compute(spec, Input{Clusters: []string{"A", "B", "C"}})
	assert.Equal(t, counts{"A": 4, "B": 6, "C": 0}, plan.Replicas)
	a := plan.Trace["A"]
	assert.Equal(t, "A", a.Entry)
	assert.Equal(t, 1, a.Rank)
	assert.Equal(t, int64(1), a.FromMin)
	assert.Equal(t, int64(3), a.FromWeight)
	assert.True(t, a.CappedByMax)
	assert.Equal(t, 2, plan.Trace["B"].Rank)
	assert.Equal(t, "", plan.Trace["C"].Entry)
}
