package schedule

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			plan, err := Compute(spec, Input{Clusters: tt.available, Current: tt.current, Capacity: tt.capacity})
			require.NoError(t, err)
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
		plan, err := Compute(spec, Input{Clusters: []string{"east", "west"}, Key: key})
		require.NoError(t, err)
		assert.Equal(t, int64(1), plan.Replicas["east"]+plan.Replicas["west"])
		for name, n := range plan.Replicas {
			if n == 1 {
				winners[name] = true
			}
		}
	}
	assert.Len(t, winners, 2, "the single replica should not always land on the same cluster")
}

// Result speaks for the clusters planned over only: a cluster where the workload runs now but
// that is not planned over gets no figure (kubefed read current replicas from the clusters
// planned over alone), so placement leaves it out.
func TestResult(t *testing.T) {
	plan, err := Compute(apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 5, Rebalance: true, Clusters: prefs{"A": {Weight: 1}, "B": {Weight: 0, MaxReplicas: ptr(0)}}},
		Input{Clusters: []string{"A", "B"}, Current: counts{"gone": 4, "A": 1}, Capacity: counts{"A": 3}})
	require.NoError(t, err)
	assert.Equal(t, counts{"A": 3, "B": 0}, plan.Replicas)
	assert.Equal(t, counts{"A": 2}, plan.Overflow)
	assert.Equal(t, counts{"A": 5, "B": 0}, plan.Result())
}

// Weights whose sum fits an int64 plan exactly as their ratios do (kubefed's int64 product of
// replicas and weight wrapped round above about 2^32); a sum beyond int64 is refused.
func TestComputeHugeWeights(t *testing.T) {
	abc := []string{"A", "B", "C"}
	small := prefs{"A": {Weight: 1}, "B": {Weight: 2}, "C": {Weight: 3}}
	for _, scale := range []int64{1 << 20, 1 << 32, 1 << 40, (math.MaxInt64 / 6)} {
		t.Run(fmt.Sprint(scale), func(t *testing.T) {
			big := prefs{}
			for name, p := range small {
				big[name] = apis.ClusterPreferences{Weight: p.Weight * scale}
			}
			for _, total := range []int32{1, 7, 100, math.MaxInt32} {
				want, err := Compute(apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: total, Clusters: small}, Input{Clusters: abc})
				require.NoError(t, err)
				got, err := Compute(apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: total, Clusters: big}, Input{Clusters: abc})
				require.NoError(t, err)
				assert.Equal(t, want.Replicas, got.Replicas, "total %d", total)
				var sum int64
				for _, n := range got.Replicas {
					sum += n
				}
				assert.Equal(t, int64(total), sum)
			}
		})
	}

	refused := []struct {
		name     string
		clusters prefs
		want     string
	}{
		{"two of 2^62", prefs{"A": {Weight: 1 << 62}, "B": {Weight: 1 << 62}},
			"spec.clusters: the weights of the clusters planned over (A, B) add up to more than 9223372036854775807; use smaller weights (only their ratios count)"},
		{"a star of 2^62 over three clusters", prefs{"*": {Weight: 1 << 62}}, "add up to more than 9223372036854775807"},
		{"the maximum and one", prefs{"A": {Weight: math.MaxInt64}, "C": {Weight: 1}}, "add up to more than 9223372036854775807"},
		{"negative", prefs{"A": {Weight: 1}, "B": {Weight: -1}}, `spec.clusters: the weight of cluster "B" (entry "B") is -1; weights are 0 or more`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute(apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 10, Clusters: tt.clusters}, Input{Clusters: abc})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	// Only the clusters planned over count: the same weights fit over fewer clusters.
	plan, err := Compute(apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 10, Clusters: prefs{"*": {Weight: 1 << 62}}}, Input{Clusters: []string{"A"}})
	require.NoError(t, err)
	assert.Equal(t, counts{"A": 10}, plan.Replicas)
	plan, err = Compute(apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 10, Clusters: prefs{"A": {Weight: math.MaxInt64}, "B": {Weight: math.MaxInt64}}}, Input{Clusters: []string{"A", "C"}})
	require.NoError(t, err)
	assert.Equal(t, counts{"A": 10, "C": 0}, plan.Replicas)
}

func TestTrace(t *testing.T) {
	spec := apis.ReplicaSchedulingPreferenceSpec{TotalReplicas: 10, Clusters: prefs{"A": {Weight: 3, MinReplicas: 1, MaxReplicas: ptr(4)}, "B": {Weight: 1}}}
	plan, err := Compute(spec, Input{Clusters: []string{"A", "B", "C"}})
	require.NoError(t, err)
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
