package render

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// placement is the set of known clusters a placement selects, with the reason for each verdict.
type placement struct {
	selected map[string]bool
	reasons  map[string]string
}

// computePlacement applies kubefed's rules: a clusters list, even an empty one, beats the
// selector; no selector places nowhere; an empty selector places everywhere. Names that are not
// known clusters are dropped. With selectorOnly the clusters list is ignored, as kubefed does for
// a preference's intersectWithClusterSelector.
// Reasons are recorded only when explain is set: they cost more than the verdicts.
func computePlacement(p *apis.Placement, clusters []*apis.KubeFedCluster, selectorOnly, explain bool) (placement, error) {
	result := placement{selected: map[string]bool{}, reasons: map[string]string{}}
	verdict := func(c *apis.KubeFedCluster, ok bool, yes, no string) {
		result.selected[c.Name] = ok
		if !explain {
			return
		}
		if ok {
			result.reasons[c.Name] = yes
		} else {
			result.reasons[c.Name] = no
		}
	}
	if p != nil && p.Clusters != nil && !selectorOnly {
		listed := map[string]bool{}
		for _, ref := range p.Clusters {
			listed[ref.Name] = true
		}
		no := "not listed in spec.placement.clusters"
		if len(p.Clusters) == 0 {
			no = "spec.placement.clusters is empty, which places nowhere, whatever clusterSelector says"
		}
		for _, c := range clusters {
			verdict(c, listed[c.Name], "listed in spec.placement.clusters", no)
		}
		return result, nil
	}
	if p == nil || p.ClusterSelector == nil {
		for _, c := range clusters {
			verdict(c, false, "", "spec.placement has neither clusters nor clusterSelector, which places nowhere")
		}
		return result, nil
	}
	selector, err := metav1.LabelSelectorAsSelector(p.ClusterSelector)
	if err != nil {
		return result, fmt.Errorf("spec.placement.clusterSelector: %w", err)
	}
	if selector.Empty() {
		for _, c := range clusters {
			verdict(c, true, "clusterSelector {} selects every cluster", "")
		}
		return result, nil
	}
	for _, c := range clusters {
		matches := selector.Matches(labels.Set(c.Labels))
		if !explain {
			verdict(c, matches, "", "")
			continue
		}
		verdict(c, matches,
			fmt.Sprintf("cluster labels match clusterSelector %s", selector),
			fmt.Sprintf("cluster labels %s do not match clusterSelector %s", labelString(c.Labels), selector))
	}
	return result, nil
}

func labelString(m map[string]string) string {
	if len(m) == 0 {
		return "(none)"
	}
	return "{" + labels.Set(m).String() + "}"
}
