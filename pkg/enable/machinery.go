package enable

import (
	"context"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// RefuseMachinery is the error for a type of the federation's own, or nil for any other type.
func RefuseMachinery(r apis.APIResource, groups map[string]bool) error {
	if !groups[r.Group] {
		return nil
	}
	hint := "name the type whose objects are to be federated, such as configmaps or deployments.apps"
	federated := r.Group != apis.CoreGroup && r.Group != apis.SchedulingGroup
	if target := strings.TrimPrefix(r.PluralName, "federated"); federated && target != r.PluralName && target != "" {
		hint = fmt.Sprintf("name the type it federates instead, such as %s", target)
	}
	return fmt.Errorf("%s is one of the federation's own types (group %s), and the federation's machinery is never enabled or federated: %s",
		apis.TypeConfigName(r), r.Group, hint)
}

// HostFederatedGroups lists the federated groups that the host's type configs in the KubeFed
// namespace name, sorted; none before init.
func HostFederatedGroups(ctx context.Context, host *cli.Clients, kubefedNamespace string) ([]string, error) {
	list, err := host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(kubefedNamespace).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing FederatedTypeConfigs in %s in the host (context %q): %s", kubefedNamespace, host.Context, cli.ServerError(err))
	}
	seen := map[string]bool{}
	var out []string
	for _, item := range list.Items {
		g, _, _ := unstructured.NestedString(item.Object, "spec", "federatedType", "group")
		if g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out, nil
}
