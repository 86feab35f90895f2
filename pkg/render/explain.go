package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubefedctl/kubefedctl/pkg/schedule"
)

// replicasReason says in words how the planner arrived at one cluster's figure.
func replicasReason(plan schedule.Plan, cluster string) string {
	t := plan.Trace[cluster]
	if t.Entry == "" {
		return `the preference has no entry for this cluster and no "*" entry, so 0`
	}
	var parts []string
	if t.FromMin > 0 {
		parts = append(parts, fmt.Sprintf("%d from minReplicas", t.FromMin))
	}
	if t.Kept > 0 {
		parts = append(parts, fmt.Sprintf("%d kept where they run (rebalance is false)", t.Kept))
	}
	if t.FromWeight > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d by weight %d of %d", t.FromWeight, t.Weight, weightSum(plan)))
	}
	if t.CappedByMax {
		parts = append(parts, fmt.Sprintf("capped at maxReplicas %d", *t.MaxReplicas))
	}
	if t.CappedByCapacity {
		parts = append(parts, "capped at the cluster's capacity")
	}
	if t.Overflow > 0 {
		parts = append(parts, fmt.Sprintf("%d overflow added on top", t.Overflow))
	}
	entry := "entry " + quote(t.Entry)
	reason := strings.Join(parts, ", ") + fmt.Sprintf(" (%s; rank %d by weight, then FNV-1 hash 0x%08x", entry, t.Rank, t.Hash)
	if ties := tiedWith(plan, cluster); len(ties) > 0 {
		reason += fmt.Sprintf("; weight tied with %s, so the hash decides the order", strings.Join(ties, ", "))
	}
	return reason + ")"
}

func quote(s string) string { return `"` + s + `"` }

func weightSum(plan schedule.Plan) int64 {
	var sum int64
	for _, t := range plan.Trace {
		if t.Entry != "" {
			sum += t.Weight
		}
	}
	return sum
}

func tiedWith(plan schedule.Plan, cluster string) []string {
	me := plan.Trace[cluster]
	var ties []string
	for name, t := range plan.Trace {
		if name != cluster && t.Entry != "" && t.Weight == me.Weight {
			ties = append(ties, name)
		}
	}
	sort.Strings(ties)
	return ties
}
