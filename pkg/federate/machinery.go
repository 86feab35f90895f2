package federate

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/enable"
)

// serviceAccountToken is the type of the Secrets that hold a service account's credentials.
const serviceAccountToken = "kubernetes.io/service-account-token"

// The federation's own machinery is never federated: a federated copy of it would hand the
// federation's credentials, or its power to place objects, to every member.

// refuseNamespaceName refuses a namespace that federate never turns into a FederatedNamespace:
// an invalid name, the KubeFed namespace, and the namespaces every cluster has.
func refuseNamespaceName(name, kubefedNamespace string) error {
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return fmt.Errorf("%q is not a valid namespace name: %s", name, strings.Join(errs, "; "))
	}
	switch {
	case name == kubefedNamespace:
		return fmt.Errorf("namespace %q is the KubeFed namespace (--kubefed-namespace): it holds the federation's own clusters, credentials and type configs, which are never federated", name)
	case name == "default":
		return fmt.Errorf(`namespace "default" is in every cluster and kubefed never propagates it as a FederatedNamespace: federate the objects in it instead (federate TYPE NAME -n default)`)
	case apis.IsSystemNamespace(name, kubefedNamespace):
		return fmt.Errorf("namespace %q is a system namespace: every cluster has its own, and it is never federated", name)
	}
	return nil
}

// refuseObject refuses an object of the federation's machinery: of one of its own types, in
// the KubeFed namespace, a namespace refuseNamespaceName refuses, or a service-account token.
func refuseObject(r apis.APIResource, obj *unstructured.Unstructured, kubefedNamespace string, groups map[string]bool) error {
	if err := enable.RefuseMachinery(r, groups); err != nil {
		return err
	}
	what := fmt.Sprintf("%s %q", r.Kind, key(obj))
	if r.Group == "" && r.Kind == "Namespace" {
		return refuseNamespaceName(obj.GetName(), kubefedNamespace)
	}
	if err := refuseInKubeFedNamespace(what, obj.GetNamespace(), kubefedNamespace); err != nil {
		return err
	}
	if isToken(r, obj) {
		return fmt.Errorf("%s is a service-account token (type %s): tokens are never federated", what, serviceAccountToken)
	}
	return nil
}

func refuseInKubeFedNamespace(what, namespace, kubefedNamespace string) error {
	if namespace != "" && namespace == kubefedNamespace {
		return fmt.Errorf("%s is in the KubeFed namespace (--kubefed-namespace): the federation's own objects are never federated", what)
	}
	return nil
}

func isToken(r apis.APIResource, obj *unstructured.Unstructured) bool {
	t, _, _ := unstructured.NestedString(obj.Object, "type")
	return r.Group == "" && r.Kind == "Secret" && t == serviceAccountToken
}

// refuseKubeFedNamespace refuses a namespace of the host that holds a federation's cluster
// registry or configuration: the KubeFed namespace of another federation on the same host, say.
func (o *Options) refuseKubeFedNamespace(ctx context.Context, namespace string) error {
	if namespace == "" {
		return nil
	}
	for _, r := range []struct {
		kind string
		gvr  schema.GroupVersionResource
	}{{apis.KindKubeFedCluster, apis.KubeFedClusterResource}, {apis.KindKubeFedConfig, apis.KubeFedConfigResource}} {
		list, err := o.host.Dynamic.Resource(r.gvr).Namespace(namespace).List(ctx, metav1.ListOptions{Limit: 1})
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			continue // before init
		}
		if err != nil {
			return fmt.Errorf("checking whether namespace %q is a KubeFed namespace: %s", namespace, cli.ServerError(err))
		}
		if len(list.Items) > 0 {
			return fmt.Errorf("namespace %q holds a federation's %s %q: it is a KubeFed namespace, and the federation's own objects are never federated", namespace, r.kind, list.Items[0].GetName())
		}
	}
	return nil
}

// hostMachineryGroups are the machinery groups, with the federated groups of the host's type
// configs.
func (o *Options) hostMachineryGroups(ctx context.Context) (map[string]bool, error) {
	groups, err := enable.HostFederatedGroups(ctx, o.host, o.globals.KubeFedNamespace)
	if err != nil {
		return nil, err
	}
	return apis.MachineryGroups(groups...), nil
}
