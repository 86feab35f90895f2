package join

import (
	"context"
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"
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
		plan, err := o.planMember(ctx)
		if err != nil {
			if !o.Force {
				return fmt.Errorf("unjoining cluster %q: %w; nothing was removed; pass --force to remove the host side anyway", n.cluster, err)
			}
			leftBehind = append(leftBehind, fmt.Sprintf("everything join created in the member (%s), as unjoin could not tell what is this federation's: %v", strings.Join(o.memberArtifacts(), ", "), err))
		}
		failed, err := o.cleanMember(ctx, plan)
		if err != nil && !o.Force {
			return fmt.Errorf("unjoining cluster %q: %w; nothing was removed from the host; pass --force to remove the host side anyway", n.cluster, err)
		}
		leftBehind = append(leftBehind, failed...)
	}

	hostApplier := apply.New(o.host, o.dryRun)
	if cluster != nil {
		if secretName, _, _ := unstructured.NestedString(cluster.Object, "spec", "secretRef", "name"); secretName != "" {
			secret := object("v1", "Secret", n.namespace, secretName, nil)
			found, err := hostApplier.Delete(ctx, secret)
			if err != nil {
				return fmt.Errorf("unjoining cluster %q: deleting Secret %s/%s in the host: %s", n.cluster, n.namespace, secretName, cli.ServerError(err))
			}
			if found {
				o.report("host", secret, "deleted", "")
			}
		}
		if _, err := hostApplier.Delete(ctx, cluster); err != nil {
			return fmt.Errorf("unjoining cluster %q: deleting KubeFedCluster %s/%s in the host: %s", n.cluster, n.namespace, n.cluster, cli.ServerError(err))
		}
		o.report("host", cluster, "deleted", "")
	}
	for _, left := range leftBehind {
		cli.Warn(o.ErrOut, "left in cluster %q: %s", n.cluster, left)
	}
	fmt.Fprintf(o.Out, "%s unjoined%s\n", apply.KindName(apis.KubeFedClusterGVK, n.cluster), o.dryRun.Suffix())
	return nil
}

// report says, in a dry run, what unjoin would do with one object: every deletion and every
// object kept, with why. A real unjoin reports only what it kept, as warnings.
func (o *UnjoinOptions) report(where string, obj *unstructured.Unstructured, verb, why string) {
	if o.dryRun == cli.DryRunNone {
		return
	}
	if why != "" {
		why = ": " + why
	}
	fmt.Fprintf(o.Out, "%s %s in the %s%s%s\n", apply.Name(obj), verb, where, why, o.dryRun.Suffix())
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
	all := append(memberObjects(n, apis.ScopeCluster, grant{}), memberObjects(n, apis.ScopeNamespaced, grant{})[3:]...)
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

// memberAction is one object of join's naming found in the member, and whether unjoin deletes
// it; why says why not.
type memberAction struct {
	obj    *unstructured.Unstructured
	remove bool
	why    string
}

// planMember decides, before deleting anything, what unjoin deletes in the member: the
// cluster-wide RBAC only when provably this federation's, the namespaced objects of join's
// naming in the KubeFed namespace, and the namespace only when namespaceDecision allows.
func (o *UnjoinOptions) planMember(ctx context.Context) ([]memberAction, error) {
	n := o.names
	global := map[string]globalRBAC{}
	for _, name := range []string{n.role(), n.healthRole()} {
		found, err := getGlobalRBAC(ctx, o.member, name)
		if err != nil {
			return nil, fmt.Errorf("member cluster %q: %w", n.cluster, err)
		}
		global[name] = found
	}
	reader := apply.New(o.member, cli.DryRunClient)
	var plan []memberAction
	for _, obj := range o.memberObjects() {
		switch obj.GetKind() {
		case "ClusterRoleBinding", "ClusterRole":
			found := global[obj.GetName()]
			binding := bindingOwnership(n, found.binding)
			own := binding
			if obj.GetKind() == "ClusterRole" {
				own = roleOwnership(n, found.role, binding)
			}
			switch own.Owner {
			case Ours:
				plan = append(plan, memberAction{obj: obj, remove: true})
			case Theirs, Unproven:
				plan = append(plan, memberAction{obj: obj, why: "not this federation's: " + own.Why})
			}
		case "Namespace":
			action, err := o.planNamespace(ctx, obj)
			if err != nil {
				return nil, err
			}
			if action != nil {
				plan = append(plan, *action)
			}
		default:
			// In the KubeFed namespace and named after this join's service account: ours.
			client, _, err := reader.Resource(obj)
			if err == nil {
				_, err = client.Get(ctx, obj.GetName(), metav1.GetOptions{})
			}
			switch {
			case err == nil:
				plan = append(plan, memberAction{obj: obj, remove: true})
			case !apierrors.IsNotFound(err):
				return nil, fmt.Errorf("reading %s in the member: %s", describe(obj), cli.ServerError(err))
			}
		}
	}
	return plan, nil
}

// planNamespace gathers namespaceFacts and applies namespaceDecision; nil when there is no
// namespace.
func (o *UnjoinOptions) planNamespace(ctx context.Context, obj *unstructured.Unstructured) (*memberAction, error) {
	ns, err := o.member.Kube.CoreV1().Namespaces().Get(ctx, obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading namespace %q in the member: %s", obj.GetName(), cli.ServerError(err))
	}
	facts := namespaceFacts{exists: true, joinedBy: ns.Annotations[JoinedByAnnotation]}
	if facts.isHost, err = o.memberIsHost(ctx, ns); err != nil {
		return nil, err
	}
	if !facts.isHost && facts.joinedBy != "" {
		contents, unlisted := o.member.NamespaceContents(ctx, ns.Name)
		items := make([]namespaceItem, len(contents))
		for i, c := range contents {
			items[i] = namespaceItem{group: c.Group, kind: c.Kind, name: c.Name}
		}
		facts.foreign, facts.unlisted = foreignItems(o.names, items), unlisted
	}
	remove, why := namespaceDecision(facts)
	return &memberAction{obj: obj, remove: remove, why: why}, nil
}

// cleanMember carries out the plan: deletes what it says, in its order, and returns what it
// left, with why.
func (o *UnjoinOptions) cleanMember(ctx context.Context, plan []memberAction) ([]string, error) {
	applier := apply.New(o.member, o.dryRun)
	var left []string
	var firstErr error
	for _, a := range plan {
		if !a.remove {
			o.report("member", a.obj, "kept", a.why)
			left = append(left, describe(a.obj)+": "+a.why)
			continue
		}
		found, err := applier.Delete(ctx, a.obj)
		if err != nil {
			left = append(left, describe(a.obj)+": "+cli.ServerError(err))
			if firstErr == nil {
				firstErr = fmt.Errorf("deleting %s in the member: %s", describe(a.obj), cli.ServerError(err))
			}
			continue
		}
		if found {
			o.report("member", a.obj, "deleted", "")
		}
		if a.obj.GetKind() == "Namespace" && found && o.dryRun == cli.DryRunNone {
			// As kubectl delete does, return when it is gone, so that a join can follow at once.
			if err := waitNamespaceGone(ctx, o.member, a.obj.GetName(), io.Discard); err != nil {
				left = append(left, describe(a.obj)+": "+err.Error())
			}
		}
	}
	return left, firstErr
}

// memberIsHost: the member's namespace is the host's own (the same UID).
func (o *UnjoinOptions) memberIsHost(ctx context.Context, memberNS *corev1.Namespace) (bool, error) {
	hostNS, err := o.host.Kube.CoreV1().Namespaces().Get(ctx, memberNS.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading namespace %q in the host: %s", memberNS.Name, cli.ServerError(err))
	}
	return hostNS.UID == memberNS.UID, nil
}
