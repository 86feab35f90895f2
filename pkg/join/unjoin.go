package join

import (
	"context"
	"fmt"
	"io"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// UnjoinOptions for `unjoin`.
type UnjoinOptions struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	ClusterName     string
	ClusterContext  string
	HostClusterName string
	Force           bool
	dryRunFlag      string

	dryRun    cli.DryRun
	names     names
	host      *cli.Clients
	member    *cli.Clients
	memberErr error
}

// NewUnjoinOptions returns the defaults.
func NewUnjoinOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *UnjoinOptions {
	return &UnjoinOptions{IOStreams: streams, globals: globals}
}

// Complete resolves names and clients. A member that cannot be reached is an error at Run unless
// --force.
func (o *UnjoinOptions) Complete(args []string) error {
	if len(args) > 0 {
		o.ClusterName = args[0]
	}
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	if err := validateClusterName(o.ClusterName); err != nil {
		return err
	}
	if o.ClusterContext == "" {
		o.ClusterContext = o.ClusterName
	}
	hostName, err := hostClusterName(o.globals, o.HostClusterName)
	if err != nil {
		return err
	}
	o.names = names{cluster: o.ClusterName, hostCluster: hostName, namespace: o.globals.KubeFedNamespace}
	if o.host, err = o.globals.HostClients(); err != nil {
		return err
	}
	o.member, o.memberErr = o.globals.ContextClients(o.ClusterContext)
	return nil
}

// Run removes the member's side, then the host's. With --force it goes on past a member it
// cannot reach or clean, and says what it left there.
func (o *UnjoinOptions) Run(ctx context.Context) error {
	n := o.names
	clusters := o.host.Dynamic.Resource(apis.KubeFedClusterResource).Namespace(n.namespace)
	cluster, err := clusters.Get(ctx, n.cluster, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) && !o.Force:
		return fmt.Errorf("cluster %q is not joined: the host (context %q) has no KubeFedCluster %s/%s; --force cleans the member side anyway", n.cluster, o.host.Context, n.namespace, n.cluster)
	case err != nil && !apierrors.IsNotFound(err):
		return fmt.Errorf("reading KubeFedCluster %s/%s in the host (context %q): %s", n.namespace, n.cluster, o.host.Context, cli.ServerError(err))
	}

	var leftBehind []string
	if err := o.reachMember(); err != nil {
		if !o.Force {
			return fmt.Errorf("unjoining cluster %q: %w; pass --force to remove the host side anyway", n.cluster, err)
		}
		leftBehind = append(leftBehind, fmt.Sprintf("everything join created in the member (%s), which could not be reached: %v", strings.Join(o.memberArtifacts(), ", "), err))
	} else {
		failed, err := o.cleanMember(ctx)
		if err != nil && !o.Force {
			return fmt.Errorf("unjoining cluster %q: %w; nothing was removed from the host; pass --force to remove the host side anyway", n.cluster, err)
		}
		leftBehind = append(leftBehind, failed...)
	}

	hostApplier := apply.New(o.host, o.dryRun)
	if cluster != nil {
		if secretName, _, _ := unstructured.NestedString(cluster.Object, "spec", "secretRef", "name"); secretName != "" {
			secret := object("v1", "Secret", n.namespace, secretName, nil)
			if _, err := hostApplier.Delete(ctx, secret); err != nil {
				return fmt.Errorf("unjoining cluster %q: deleting Secret %s/%s in the host: %s", n.cluster, n.namespace, secretName, cli.ServerError(err))
			}
		}
		if _, err := hostApplier.Delete(ctx, cluster); err != nil {
			return fmt.Errorf("unjoining cluster %q: deleting KubeFedCluster %s/%s in the host: %s", n.cluster, n.namespace, n.cluster, cli.ServerError(err))
		}
	}
	for _, left := range leftBehind {
		cli.Warn(o.ErrOut, "left in cluster %q: %s", n.cluster, left)
	}
	fmt.Fprintf(o.Out, "%s unjoined%s\n", apply.KindName(apis.KubeFedClusterGVK, n.cluster), o.dryRun.Suffix())
	return nil
}

func (o *UnjoinOptions) reachMember() error {
	if o.memberErr != nil {
		return o.memberErr
	}
	if _, err := o.member.Kube.Discovery().ServerVersion(); err != nil {
		return fmt.Errorf("cannot reach the member (context %q): %s", o.ClusterContext, cli.ServerError(err))
	}
	return nil
}

// memberArtifacts names what join creates in a member.
func (o *UnjoinOptions) memberArtifacts() []string {
	var out []string
	for _, obj := range o.memberObjects() {
		out = append(out, describe(obj))
	}
	return out
}

// memberObjects are join's member-side objects of either scope, the namespace last.
func (o *UnjoinOptions) memberObjects() []*unstructured.Unstructured {
	n := o.names
	all := append(memberObjects(n, apis.ScopeCluster, nil), memberObjects(n, apis.ScopeNamespaced, nil)[3:]...)
	// Bindings before roles, the service account and its token, the namespace last.
	var ordered []*unstructured.Unstructured
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding", "ClusterRole", "Role", "Secret", "ServiceAccount"} {
		for _, obj := range all {
			if obj.GetKind() == kind {
				ordered = append(ordered, obj)
			}
		}
	}
	return append(ordered, all[0])
}

// cleanMember deletes join's objects in the member; the namespace is kept when the member is the
// host itself (the same namespace UID). It returns what it could not delete.
func (o *UnjoinOptions) cleanMember(ctx context.Context) ([]string, error) {
	applier := apply.New(o.member, o.dryRun)
	var failed []string
	var firstErr error
	for _, obj := range o.memberObjects() {
		if obj.GetKind() == "Namespace" {
			same, err := o.memberIsHost(ctx)
			if err != nil {
				failed = append(failed, describe(obj))
				firstErr = err
				continue
			}
			if same {
				continue
			}
		}
		found, err := applier.Delete(ctx, obj)
		if err != nil {
			failed = append(failed, describe(obj)+": "+cli.ServerError(err))
			if firstErr == nil {
				firstErr = fmt.Errorf("deleting %s in the member: %s", describe(obj), cli.ServerError(err))
			}
			continue
		}
		if obj.GetKind() == "Namespace" && found && o.dryRun == cli.DryRunNone {
			// As kubectl delete does, return when it is gone, so that a join can follow at once.
			if err := waitNamespaceGone(ctx, o.member, obj.GetName(), io.Discard); err != nil {
				failed = append(failed, describe(obj)+": "+err.Error())
			}
		}
	}
	return failed, firstErr
}

func (o *UnjoinOptions) memberIsHost(ctx context.Context) (bool, error) {
	ns := o.names.namespace
	hostNS, err := o.host.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return false, fmt.Errorf("reading namespace %q in the host: %s", ns, cli.ServerError(err))
	}
	memberNS, err := o.member.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading namespace %q in the member: %s", ns, cli.ServerError(err))
	}
	return hostNS.UID == memberNS.UID, nil
}
