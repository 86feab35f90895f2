package federate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/enable"
)

// Orphaning actions.
const (
	OrphanEnable  = "enable"
	OrphanDisable = "disable"
	OrphanStatus  = "status"
)

// OrphanOptions for `orphaning-deletion enable|disable|status`.
type OrphanOptions struct {
	genericiooptions.IOStreams
	globals *cli.Globals
	Action  string

	Type, Name string
	namespace  string
	host       *cli.Clients
}

// NewOrphanOptions returns the options of one action.
func NewOrphanOptions(globals *cli.Globals, streams genericiooptions.IOStreams, action string) *OrphanOptions {
	return &OrphanOptions{IOStreams: streams, globals: globals, Action: action}
}

// Complete takes TYPE and NAME and builds the host's clients.
func (o *OrphanOptions) Complete(args []string) error {
	if len(args) != 2 {
		return errors.New("TYPE and NAME of a federated object are required, such as: federateddeployments web -n demo")
	}
	o.Type, o.Name = args[0], args[1]
	o.namespace = o.globals.Namespace()
	var err error
	o.host, err = o.globals.HostClients()
	return err
}

// Run reads, sets or removes the annotation kubefed.io/orphan: "true", which makes deletion
// of the federated object leave its member copies in place, unlabelled.
func (o *OrphanOptions) Run(ctx context.Context) error {
	target, err := enable.Lookup(o.host.Kube.Discovery(), o.Type, "")
	if err != nil {
		return err
	}
	r := target.Resource
	if !strings.HasPrefix(r.Kind, apis.FederatedKindPrefix) {
		cli.Warn(o.ErrOut, "%s is not a federated type; the annotation matters only on federated objects", apis.TypeConfigName(r))
	}
	client := o.host.Dynamic.Resource(gvr(r))
	namespace := ""
	if r.Scope == apis.ScopeNamespaced {
		namespace = o.namespace
	}
	obj, err := client.Namespace(namespace).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("%s %q does not exist in the host (context %q)", r.Kind, join(namespace, o.Name), o.host.Context)
		}
		return fmt.Errorf("reading %s %q: %s", r.Kind, join(namespace, o.Name), cli.ServerError(err))
	}
	enabled := obj.GetAnnotations()[apis.OrphanAnnotation] == "true"
	var patch string
	switch {
	case o.Action == OrphanStatus:
		if enabled {
			fmt.Fprintln(o.Out, "Enabled")
		} else {
			fmt.Fprintln(o.Out, "Disabled")
		}
		return nil
	case o.Action == OrphanEnable && !enabled:
		patch = fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, apis.OrphanAnnotation)
	case o.Action == OrphanDisable && obj.GetAnnotations()[apis.OrphanAnnotation] != "":
		patch = fmt.Sprintf(`{"metadata":{"annotations":{%q:null}}}`, apis.OrphanAnnotation)
	}
	if patch != "" {
		if _, err := client.Namespace(namespace).Patch(ctx, o.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: apply.FieldManager}); err != nil {
			return fmt.Errorf("updating %s %q: %s", r.Kind, join(namespace, o.Name), cli.ServerError(err))
		}
	}
	fmt.Fprintf(o.Out, "%s orphaning deletion %sd\n", apply.KindName(obj.GroupVersionKind(), o.Name), o.Action)
	return nil
}
