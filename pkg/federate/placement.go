package federate

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// validatePlacement checks --clusters and --cluster-selector without I/O: a federated object
// carrying a name no KubeFedCluster can have, or a selector the host's label rules reject,
// would be created and then fail every pass.
func validatePlacement(clusters []string, selector map[string]string) error {
	var problems []string
	seen := map[string]bool{}
	for _, name := range clusters {
		switch {
		case name == "":
			problems = append(problems, "--clusters holds an empty name (a,,b or a trailing comma)")
		case seen[name]:
			problems = append(problems, fmt.Sprintf("--clusters names %q twice", name))
		default:
			if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
				problems = append(problems, fmt.Sprintf("--clusters: %q is not a cluster name: %s", name, strings.Join(errs, "; ")))
			}
		}
		seen[name] = true
	}
	keys := make([]string, 0, len(selector))
	for k := range selector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			problems = append(problems, fmt.Sprintf("--cluster-selector: %q is not a label key: %s", k, strings.Join(errs, "; ")))
		}
		if errs := validation.IsValidLabelValue(selector[k]); len(errs) > 0 {
			problems = append(problems, fmt.Sprintf("--cluster-selector: %q (of key %q) is not a label value: %s", selector[k], k, strings.Join(errs, "; ")))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s (kubefedctl clusters lists the joined clusters and their labels)", strings.Join(problems, "; "))
}

// joinedCluster is what placement needs of a KubeFedCluster.
type joinedCluster struct {
	name   string
	labels map[string]string
}

// placementWarnings are kubectl-style warnings for a placement that places nothing where the user
// may think: clusters named that are not joined, or a selector that matches no joined cluster.
// The federated object is still created: a cluster may join later, as in kubefed.
func placementWarnings(p Placement, joined []joinedCluster, kubefedNamespace string) []string {
	names := map[string]bool{}
	for _, c := range joined {
		names[c.name] = true
	}
	var out []string
	for _, name := range p.Clusters {
		if !names[name] {
			out = append(out, fmt.Sprintf("cluster %q named by --clusters is not joined to the federation (no KubeFedCluster %q in namespace %q): nothing is placed there until it joins; kubefedctl clusters lists the joined clusters",
				name, name, kubefedNamespace))
		}
	}
	if len(p.Selector) > 0 {
		selector := labels.SelectorFromSet(p.Selector)
		matched := false
		for _, c := range joined {
			if selector.Matches(labels.Set(c.labels)) {
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, fmt.Sprintf("--cluster-selector %s matches no joined cluster: nothing is placed until a cluster with these labels joins; kubefedctl clusters lists the joined clusters and their labels",
				selector.String()))
		}
	}
	return out
}

// warnPlacement lists the joined clusters and warns of names and selectors that match none. A
// host that does not let us list them gets a warning, not a failure: placement is still valid.
func warnPlacement(ctx context.Context, host *cli.Clients, p Placement, kubefedNamespace string, errOut io.Writer) {
	if len(p.Clusters) == 0 && len(p.Selector) == 0 {
		return
	}
	list, err := host.Dynamic.Resource(apis.KubeFedClusterResource).Namespace(kubefedNamespace).List(ctx, metav1.ListOptions{})
	var joined []joinedCluster
	switch {
	case err == nil:
		for _, item := range list.Items {
			joined = append(joined, joinedCluster{name: item.GetName(), labels: item.GetLabels()})
		}
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
	default:
		cli.Warn(errOut, "cannot check the placement against the joined clusters: listing KubeFedClusters in %s: %s", kubefedNamespace, cli.ServerError(err))
		return
	}
	for _, w := range placementWarnings(p, joined, kubefedNamespace) {
		cli.Warn(errOut, "%s", w)
	}
}
