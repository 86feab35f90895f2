// Package schedule splits a ReplicaSchedulingPreference's replicas across clusters with kubefed
// v0.10's planner semantics, rounding and hash tie-break included. It is pure: same input, same
// plan, and a trace of why each cluster got what it got.
package schedule

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"sort"
	"strings"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Input is what the planner sees besides the preference itself.
type Input struct {
	// Clusters are the clusters replicas may go to.
	Clusters []string
	// Current and Capacity are optional: replicas there now (kubefed counted ready ones) and how
	// many a cluster can run. Entries for clusters not in Clusters are ignored.
	Current  map[string]int64
	Capacity map[string]int64
	// Key seeds the tie-break hash: "<namespace>/<name>" of the preference.
	Key string
}

// Plan is the planner's answer.
type Plan struct {
	// Replicas has an entry, possibly 0, for every input cluster.
	Replicas map[string]int64
	// Overflow holds replicas a full cluster could not take, which kubefed adds on top.
	Overflow map[string]int64
	// Trace explains the figures, per cluster.
	Trace map[string]*Trace
}

// Trace records how one cluster's figure came about.
type Trace struct {
	// Entry is the preference entry that applied: the cluster's own name, "*", or "" for none.
	Entry       string
	Weight      int64
	MinReplicas int64
	MaxReplicas *int64
	Hash        uint32
	// Rank is the cluster's place in the weight-then-hash order, from 1; 0 without an entry.
	Rank int
	// FromMin, Kept and FromWeight add up to the planned figure: the minReplicas step, replicas
	// kept where they run because rebalance is off, and the weighted share.
	FromMin    int64
	Kept       int64
	FromWeight int64
	// CappedByMax and CappedByCapacity say the cluster filled up.
	CappedByMax      bool
	CappedByCapacity bool
	Overflow         int64
}

type candidate struct {
	name  string
	trace *Trace
	pref  apis.ClusterPreferences
}

// Compute runs kubefed's planner for one preference. It refuses weights it cannot add up: kubefed
// summed them in an int64 and, past its limit, planned from a wrapped-round sum.
func Compute(spec apis.ReplicaSchedulingPreferenceSpec, in Input) (Plan, error) {
	plan := Plan{
		Replicas: make(map[string]int64, len(in.Clusters)),
		Overflow: map[string]int64{},
		Trace:    make(map[string]*Trace, len(in.Clusters)),
	}
	clusters := spec.Clusters
	if len(clusters) == 0 {
		clusters = map[string]apis.ClusterPreferences{"*": {Weight: 1}}
	}

	var order []*candidate
	for _, name := range in.Clusters {
		entry := name
		pref, ok := clusters[name]
		if !ok {
			entry = "*"
			pref, ok = clusters["*"]
		}
		if !ok {
			// No entry and no "*": the cluster is left out, not weighted 0.
			plan.Replicas[name] = 0
			plan.Trace[name] = &Trace{}
			continue
		}
		t := &Trace{Entry: entry, Weight: pref.Weight, MinReplicas: pref.MinReplicas, MaxReplicas: pref.MaxReplicas, Hash: hash(name, in.Key)}
		plan.Trace[name] = t
		order = append(order, &candidate{name: name, trace: t, pref: pref})
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i].trace, order[j].trace
		if a.Weight != b.Weight {
			return a.Weight > b.Weight
		}
		return a.Hash < b.Hash
	})
	for i, c := range order {
		c.trace.Rank = i + 1
	}
	if err := checkWeights(order); err != nil {
		return Plan{}, err
	}

	remaining := int64(spec.TotalReplicas)
	for _, c := range order {
		n := min(c.pref.MinReplicas, remaining)
		if capacity, ok := in.Capacity[c.name]; ok {
			n = min(n, capacity)
		}
		remaining -= n
		plan.Replicas[c.name] = n
		c.trace.FromMin = n
	}

	// Without rebalance, replicas already running stay where they are, up to max and capacity.
	preallocated := map[string]int64{}
	if !spec.Rebalance {
		for _, c := range order {
			planned := plan.Replicas[c.name]
			current, ok := in.Current[c.name]
			if !ok || current <= planned {
				continue
			}
			target := current
			if c.pref.MaxReplicas != nil {
				target = min(target, *c.pref.MaxReplicas)
			}
			if capacity, ok := in.Capacity[c.name]; ok {
				target = min(target, capacity)
			}
			extra := max(0, min(target-planned, remaining))
			remaining -= extra
			preallocated[c.name] = extra
			plan.Replicas[c.name] = planned + extra
			c.trace.Kept = extra
		}
	}

	// Share the rest by weight, rounding up, until nothing is left or nobody takes more; a full
	// cluster drops out of later rounds.
	for modified := true; modified && remaining > 0; {
		modified = false
		var weightSum int64
		for _, c := range order {
			weightSum += c.pref.Weight
		}
		distribute := remaining
		var next []*candidate
		for _, c := range order {
			if weightSum == 0 {
				break
			}
			start := plan.Replicas[c.name]
			extra := min(ceilShare(distribute, c.pref.Weight, weightSum), remaining)
			used := min(extra, preallocated[c.name])
			preallocated[c.name] -= used
			extra -= used
			if used > 0 {
				modified = true
			}
			total := start + extra
			full := false
			if c.pref.MaxReplicas != nil && total > *c.pref.MaxReplicas {
				total = *c.pref.MaxReplicas
				full = true
				c.trace.CappedByMax = true
			}
			if capacity, ok := in.Capacity[c.name]; ok && total > capacity {
				plan.Overflow[c.name] = total - capacity
				total = capacity
				full = true
				c.trace.CappedByCapacity = true
			}
			if !full {
				next = append(next, c)
			}
			remaining -= total - start
			plan.Replicas[c.name] = total
			c.trace.FromWeight += total - start
			if total > start {
				modified = true
			}
		}
		order = next
	}

	if !spec.Rebalance {
		// Without rebalance, overflow is limited to what could not be placed anywhere.
		for name, n := range plan.Overflow {
			if n = min(n, remaining); n > 0 {
				plan.Overflow[name] = n
			} else {
				delete(plan.Overflow, name)
			}
		}
	}
	for name, n := range plan.Overflow {
		plan.Trace[name].Overflow = n
	}
	return plan, nil
}

// checkWeights refuses weights whose sum, the divisor of every share, does not fit an int64.
func checkWeights(order []*candidate) error {
	var sum int64
	for _, c := range order {
		if c.pref.Weight < 0 {
			return fmt.Errorf("spec.clusters: the weight of cluster %q (entry %q) is %d; weights are 0 or more", c.name, c.trace.Entry, c.pref.Weight)
		}
		if c.pref.Weight > math.MaxInt64-sum {
			names := make([]string, len(order))
			for i, c := range order {
				names[i] = c.name
			}
			sort.Strings(names)
			return fmt.Errorf("spec.clusters: the weights of the clusters planned over (%s) add up to more than %d; use smaller weights (only their ratios count)",
				strings.Join(names, ", "), int64(math.MaxInt64))
		}
		sum += c.pref.Weight
	}
	return nil
}

// ceilShare is kubefed's share of the replicas to distribute, ceil(distribute*weight/sum), with
// a 128-bit product: kubefed's int64 product wrapped round for weights above about 2^32. Since
// weight <= sum, the quotient is at most distribute and fits.
func ceilShare(distribute, weight, sum int64) int64 {
	hi, lo := bits.Mul64(uint64(distribute), uint64(weight))
	lo, carry := bits.Add64(lo, uint64(sum-1), 0)
	q, _ := bits.Div64(hi+carry, lo, uint64(sum))
	return int64(q)
}

// Result is what kubefed writes for each cluster planned over: the plan, then the overflow on
// top. kubefed also wrote 0 for every cluster in its current-replicas map, but it read that map
// from the clusters planned over only, so that added nothing.
func (p Plan) Result() map[string]int64 {
	result := make(map[string]int64, len(p.Replicas))
	for name, n := range p.Replicas {
		result[name] = n
	}
	for name, n := range p.Overflow {
		result[name] += n
	}
	return result
}

// hash is FNV-1 (not FNV-1a), 32-bit, over the cluster name then the key, as kubefed's planner.
func hash(cluster, key string) uint32 {
	h := fnv.New32()
	h.Write([]byte(cluster))
	h.Write([]byte(key))
	return h.Sum32()
}
