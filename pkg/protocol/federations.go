package protocol

import (
	"context"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// Others are the host's other federations, by the KubeFed namespace that holds each one's
// KubeFedConfig: a federation leaves their namespaces alone, and there may be only one
// Cluster-scoped federation on a host, since each would claim every namespace.
type Others struct {
	// Namespaces are the other federations' KubeFed namespaces, whatever their scope.
	Namespaces map[string]bool
	// ClusterScoped are those of them that are Cluster-scoped, sorted.
	ClusterScoped []string
}

// OtherFederations lists the host's federations other than the one in kubefedNamespace; none
// before the host serves KubeFedConfigs.
func OtherFederations(ctx context.Context, client dynamic.Interface, kubefedNamespace string) (Others, error) {
	others := Others{Namespaces: map[string]bool{}}
	list, err := client.Resource(apis.KubeFedConfigResource).List(ctx, metav1.ListOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return others, nil
		}
		return others, fmt.Errorf("listing the host's KubeFedConfigs, to leave other federations alone: %s", cli.ServerError(err))
	}
	for _, c := range list.Items {
		if c.GetNamespace() == kubefedNamespace || c.GetName() != apis.KubeFedConfigName {
			continue
		}
		others.Namespaces[c.GetNamespace()] = true
		if scope, _, _ := unstructured.NestedString(c.Object, "spec", "scope"); scope != apis.ScopeNamespaced {
			others.ClusterScoped = append(others.ClusterScoped, c.GetNamespace())
		}
	}
	sort.Strings(others.ClusterScoped)
	return others, nil
}

// FederationScope is where this federation's federated objects live: the KubeFed namespace
// alone for a Namespaced federation; else every namespace but those of the host's other
// federations (namespaces holding a KubeFedConfig of their own), which propagate leaves alone too.
func FederationScope(ctx context.Context, host *cli.Clients, kubefedNamespace string) (listNamespace string, foreign map[string]bool, err error) {
	configs := host.Dynamic.Resource(apis.KubeFedConfigResource)
	own, err := configs.Namespace(kubefedNamespace).Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	switch {
	case err == nil:
		if scope, _, _ := unstructured.NestedString(own.Object, "spec", "scope"); scope == apis.ScopeNamespaced {
			return kubefedNamespace, nil, nil
		}
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
	default:
		return "", nil, fmt.Errorf("reading the KubeFedConfig in %s in the host (context %q): %s", kubefedNamespace, host.Context, cli.ServerError(err))
	}
	others, err := OtherFederations(ctx, host.Dynamic, kubefedNamespace)
	if err != nil {
		return "", nil, err
	}
	return "", others.Namespaces, nil
}
