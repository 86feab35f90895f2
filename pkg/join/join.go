package join

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"os"
	"strings"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// tokenTimeout bounds the wait for the member's token controller to fill the token Secret.
const tokenTimeout = 30 * time.Second

// RBAC modes.
const (
	RBACFull   = "full"
	RBACScoped = "scoped"
)

// JoinOptions for `join`.
type JoinOptions struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	ClusterName     string
	ClusterContext  string
	HostClusterName string
	SecretName      string
	APIEndpoint     string
	Labels          map[string]string
	ErrorOnExisting bool
	RBAC            string
	dryRunFlag      string

	dryRun       cli.DryRun
	names        names
	host         *cli.Clients
	member       *cli.Clients
	memberConfig *rest.Config
	// steps are the report's lines, one per object written.
	steps []string
}

// NewJoinOptions returns kubefed's defaults: errors on existing artifacts, full RBAC.
func NewJoinOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *JoinOptions {
	return &JoinOptions{IOStreams: streams, globals: globals, ErrorOnExisting: true, RBAC: RBACFull}
}

// Validate checks names and flags, without I/O.
func (o *JoinOptions) Validate() error {
	if err := validateClusterName(o.ClusterName); err != nil {
		return err
	}
	if strings.ContainsAny(o.HostClusterName, ":/") {
		return fmt.Errorf(`--host-cluster-name %q may not contain "/" or ":"`, o.HostClusterName)
	}
	if o.SecretName != "" {
		if msgs := validation.IsDNS1123Subdomain(o.SecretName); len(msgs) > 0 {
			return fmt.Errorf("--secret-name %q is not a valid Secret name: %s", o.SecretName, strings.Join(msgs, "; "))
		}
	}
	if o.RBAC != RBACFull && o.RBAC != RBACScoped {
		return fmt.Errorf("--rbac must be full or scoped, not %q", o.RBAC)
	}
	if o.APIEndpoint != "" {
		if u, err := url.Parse(o.APIEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--api-endpoint %q must be a URL such as https://203.0.113.7:6443", o.APIEndpoint)
		}
	}
	for k, v := range o.Labels {
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			return fmt.Errorf("--labels: %q is not a valid label key: %s", k, strings.Join(msgs, "; "))
		}
		if msgs := validation.IsValidLabelValue(v); len(msgs) > 0 {
			return fmt.Errorf("--labels: %q is not a valid label value: %s", v, strings.Join(msgs, "; "))
		}
	}
	return nil
}

func validateClusterName(name string) error {
	if name == "" {
		return errors.New("the cluster NAME is required")
	}
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return fmt.Errorf("invalid cluster name %q: %s", name, strings.Join(msgs, "; "))
	}
	return nil
}

// Complete resolves the contexts and the names join derives from them, and builds the clients.
func (o *JoinOptions) Complete(args []string) error {
	if len(args) > 0 {
		o.ClusterName = args[0]
	}
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	if o.ClusterContext == "" {
		o.ClusterContext = o.ClusterName
	}
	if err := validateClusterName(o.ClusterName); err != nil {
		return err
	}
	hostName, err := hostClusterName(o.globals, o.HostClusterName)
	if err != nil {
		return err
	}
	o.names = names{cluster: o.ClusterName, hostCluster: hostName, namespace: o.globals.KubeFedNamespace}
	if msgs := validation.IsDNS1123Subdomain(o.names.serviceAccount()); len(msgs) > 0 {
		return fmt.Errorf("the service account name %q (cluster name, then host cluster name) is not valid: %s; pass a shorter --host-cluster-name",
			o.names.serviceAccount(), strings.Join(msgs, "; "))
	}
	if o.host, err = o.globals.HostClients(); err != nil {
		return err
	}
	if o.memberConfig, err = o.globals.ContextConfig(o.ClusterContext); err != nil {
		return fmt.Errorf("--cluster-context: %w", err)
	}
	o.member, err = cli.NewClients(o.ClusterContext, rest.CopyConfig(o.memberConfig))
	return err
}

// hostClusterName is the name the host goes by in member-side names: --host-cluster-name, else
// the host's context name, which must then be usable in a name.
func hostClusterName(globals *cli.Globals, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	name, err := globals.HostContextName()
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(name, ":/") {
		return "", fmt.Errorf(`the host context name %q contains "/" or ":", which names cannot hold; pass --host-cluster-name`, name)
	}
	return name, nil
}

// Run checks everything it can before the first write, writes the member side, waits for the
// token, writes the host side, and undoes its own writes if a later step fails.
func (o *JoinOptions) Run(ctx context.Context) error {
	n := o.names
	scope, typeConfigs, err := o.preflight(ctx)
	if err != nil {
		return fmt.Errorf("joining cluster %q: %w", n.cluster, err)
	}
	g := grants(scope, o.RBAC, typeConfigs)
	memberApplier := apply.New(o.member, o.dryRun)
	hostApplier := apply.New(o.host, o.dryRun)
	var created []written
	fail := func(err error) error {
		return fmt.Errorf("joining cluster %q: %w%s", n.cluster, err, o.rollback(ctx, created))
	}

	// A server dry run cannot create objects in a namespace it only pretended to create: those
	// are checked client-side and said so.
	namespacePretended := false
	for _, obj := range memberObjects(n, scope, g) {
		if obj.GetKind() == "Namespace" {
			// A namespace that exists is left as it is, unmarked: unjoin never deletes it.
			ns, err := o.member.Kube.CoreV1().Namespaces().Get(ctx, obj.GetName(), metav1.GetOptions{})
			if err == nil {
				note := "it existed, so unjoin keeps it"
				if _, ours := ns.Annotations[JoinedByAnnotation]; ours {
					// A join created it: unjoin decides by what it then holds.
					note = ""
				}
				o.step("member", obj, apply.Unchanged, nil, note)
				continue
			}
			if !apierrors.IsNotFound(err) {
				return fail(fmt.Errorf("reading namespace %q in member cluster %q (context %q): %s", obj.GetName(), n.cluster, o.ClusterContext, cli.ServerError(err)))
			}
		}
		applier, note := memberApplier, ""
		if namespacePretended && obj.GetNamespace() != "" {
			applier, note = apply.New(o.member, cli.DryRunClient), "not sent, as its namespace does not exist yet"
		}
		outcome, changes, err := applier.ApplyChanges(ctx, obj)
		if err != nil {
			return fail(fmt.Errorf("creating %s in member cluster %q (context %q): %s", describe(obj), n.cluster, o.ClusterContext, cli.ServerError(err)))
		}
		if obj.GetKind() == "Namespace" && outcome == apply.Created && o.dryRun == cli.DryRunServer {
			namespacePretended = true
		}
		if outcome == apply.Created {
			created = append(created, written{memberApplier, obj, "member"})
		}
		o.step("member", obj, outcome, changes, note)
	}

	token, caFromSecret, err := o.waitForToken(ctx)
	if err != nil {
		return fail(err)
	}
	caBundle, err := o.caBundle(caFromSecret)
	if err != nil {
		return fail(err)
	}
	existing, err := o.host.Dynamic.Resource(apis.KubeFedClusterResource).Namespace(n.namespace).Get(ctx, n.cluster, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		existing = nil
	case err != nil:
		return fail(fmt.Errorf("reading KubeFedCluster %s/%s in the host (context %q): %s", n.namespace, n.cluster, o.host.Context, cli.ServerError(err)))
	}
	secretName, err := o.hostSecretName(existing)
	if err != nil {
		return fail(err)
	}
	proxyURL := ""
	if o.memberConfig.Proxy != nil {
		if u, err := o.memberConfig.Proxy(nil); err == nil && u != nil {
			proxyURL = u.String()
		}
	}
	cluster, kept := registration(n, derived{
		labels: o.Labels, endpointFlag: o.APIEndpoint, contextEndpoint: o.memberConfig.Host,
		caBundle: caBundle, insecure: o.memberConfig.Insecure, proxyURL: proxyURL, secretName: secretName,
	}, existing)
	for _, k := range kept {
		fmt.Fprintf(o.ErrOut, "Warning: KubeFedCluster %s/%s: kept %s\n", n.namespace, n.cluster, k)
	}
	if o.dryRun == cli.DryRunNone {
		// Before the host records anything: a cluster propagate could not reach is not joined.
		if err := verifyCredentials(ctx, cluster, token, readToVerify(scope, typeConfigs, n.namespace)); err != nil {
			return fail(fmt.Errorf("the credentials join would store do not work: %w", err))
		}
	}

	secret := object("v1", "Secret", n.namespace, secretName, map[string]any{"type": "Opaque", "data": map[string]any{"token": encode(token)}})
	outcome, changes, err := hostApplier.ApplyChanges(ctx, secret)
	if err != nil {
		return fail(fmt.Errorf("creating the credentials Secret %s/%s in the host (context %q): %s", n.namespace, secretName, o.host.Context, cli.ServerError(err)))
	}
	if outcome == apply.Created {
		created = append(created, written{hostApplier, secret, "host"})
	}
	o.step("host", secret, outcome, changes, "")
	if outcome, changes, err = hostApplier.ApplyChanges(ctx, cluster); err != nil {
		return fail(fmt.Errorf("creating KubeFedCluster %s/%s in the host (context %q): %s", n.namespace, n.cluster, o.host.Context, cli.ServerError(err)))
	}
	o.step("host", cluster, outcome, changes, "")
	for _, line := range o.steps {
		fmt.Fprintln(o.Out, line)
	}
	fmt.Fprintf(o.Out, "%s joined%s\n", apply.Name(cluster), o.dryRun.Suffix())
	return nil
}

// step records one write for the report, the same way in a real run and in either dry run, so
// that a dry run shows exactly what the real run then reports: the outcome, the fields a change
// touches, and why where it is not plain. The report is printed once the join succeeded: a join
// that fails is rolled back, and its error says so.
func (o *JoinOptions) step(where string, obj *unstructured.Unstructured, outcome apply.Outcome, changes []string, note string) {
	line := fmt.Sprintf("%s %s in the %s", apply.Name(obj), outcome, where)
	if len(changes) > 0 {
		line += ": " + strings.Join(changes, ", ")
	}
	var notes []string
	if label := strings.TrimSuffix(strings.TrimPrefix(o.dryRun.Suffix(), " ("), ")"); label != "" {
		notes = append(notes, label)
	}
	if note != "" {
		notes = append(notes, note)
	}
	if len(notes) > 0 {
		line += " (" + strings.Join(notes, "; ") + ")"
	}
	o.steps = append(o.steps, line)
}

// preflight reads what join needs and refuses, before any write, what would fail later: no
// federation in the host, an unreachable member, missing permissions, existing artifacts.
func (o *JoinOptions) preflight(ctx context.Context) (string, []*apis.FederatedTypeConfig, error) {
	n := o.names
	config, err := o.host.Dynamic.Resource(apis.KubeFedConfigResource).Namespace(n.namespace).Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return "", nil, fmt.Errorf("the host (context %q) has no KubeFedConfig %q in namespace %q: run kubefedctl init first", o.host.Context, apis.KubeFedConfigName, n.namespace)
		}
		return "", nil, fmt.Errorf("reading the KubeFedConfig in the host (context %q): %s", o.host.Context, cli.ServerError(err))
	}
	scope, _, _ := unstructured.NestedString(config.Object, "spec", "scope")
	if scope == "" {
		scope = apis.ScopeCluster
	}
	if _, err := o.member.Kube.Discovery().ServerVersion(); err != nil {
		return "", nil, fmt.Errorf("cannot reach member cluster %q at %s (context %q): %s", n.cluster, o.memberConfig.Host, o.ClusterContext, cli.ServerError(err))
	}
	if err := waitNamespaceGone(ctx, o.member, n.namespace, o.ErrOut); err != nil {
		return "", nil, err
	}

	memberNeeds := []authorizationv1.ResourceAttributes{
		{Verb: "create", Resource: "namespaces"},
		{Verb: "create", Resource: "serviceaccounts", Namespace: n.namespace},
		{Verb: "create", Resource: "secrets", Namespace: n.namespace},
		{Verb: "create", Resource: "clusterroles", Group: "rbac.authorization.k8s.io"},
		{Verb: "create", Resource: "clusterrolebindings", Group: "rbac.authorization.k8s.io"},
	}
	if scope == apis.ScopeNamespaced {
		memberNeeds = append(memberNeeds,
			authorizationv1.ResourceAttributes{Verb: "create", Resource: "roles", Group: "rbac.authorization.k8s.io", Namespace: n.namespace},
			authorizationv1.ResourceAttributes{Verb: "create", Resource: "rolebindings", Group: "rbac.authorization.k8s.io", Namespace: n.namespace})
	}
	if err := checkAccess(ctx, o.member, "member cluster "+fmt.Sprintf("%q", n.cluster), memberNeeds); err != nil {
		return "", nil, err
	}
	if err := checkAccess(ctx, o.host, "host", []authorizationv1.ResourceAttributes{
		{Verb: "create", Resource: "secrets", Namespace: n.namespace},
		{Verb: "create", Resource: "kubefedclusters", Group: apis.CoreGroup, Namespace: n.namespace},
	}); err != nil {
		return "", nil, err
	}

	if o.ErrorOnExisting {
		var existing []string
		_, err := o.member.Kube.CoreV1().ServiceAccounts(n.namespace).Get(ctx, n.serviceAccount(), metav1.GetOptions{})
		if err == nil {
			existing = append(existing, fmt.Sprintf("ServiceAccount %s/%s in the member", n.namespace, n.serviceAccount()))
		} else if !apierrors.IsNotFound(err) {
			return "", nil, fmt.Errorf("reading ServiceAccount %s/%s in the member: %s", n.namespace, n.serviceAccount(), cli.ServerError(err))
		}
		_, err = o.host.Dynamic.Resource(apis.KubeFedClusterResource).Namespace(n.namespace).Get(ctx, n.cluster, metav1.GetOptions{})
		if err == nil {
			existing = append(existing, fmt.Sprintf("KubeFedCluster %s/%s in the host", n.namespace, n.cluster))
		} else if !apierrors.IsNotFound(err) {
			return "", nil, fmt.Errorf("reading KubeFedCluster %s/%s in the host: %s", n.namespace, n.cluster, cli.ServerError(err))
		}
		if o.SecretName != "" {
			if _, err := o.host.Kube.CoreV1().Secrets(n.namespace).Get(ctx, o.SecretName, metav1.GetOptions{}); err == nil {
				existing = append(existing, fmt.Sprintf("Secret %s/%s in the host", n.namespace, o.SecretName))
			}
		}
		if len(existing) > 0 {
			return "", nil, fmt.Errorf("already joined: %s exist; pass --error-on-existing=false to update them, or unjoin first", strings.Join(existing, ", "))
		}
	}

	if err := o.refuseForeignRBAC(ctx, scope); err != nil {
		return "", nil, err
	}

	// The enabled types: what --rbac=scoped grants, and the read that proves the credentials.
	var typeConfigs []*apis.FederatedTypeConfig
	list, err := o.host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(n.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", nil, fmt.Errorf("listing the enabled types (FederatedTypeConfigs) in the host: %s", cli.ServerError(err))
	}
	for i := range list.Items {
		tc := &apis.FederatedTypeConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(list.Items[i].Object, tc); err != nil {
			return "", nil, fmt.Errorf("FederatedTypeConfig %q: %w", list.Items[i].GetName(), err)
		}
		typeConfigs = append(typeConfigs, tc)
	}
	return scope, typeConfigs, nil
}

// refuseForeignRBAC refuses, whatever --error-on-existing says, to overwrite a cluster-wide
// ClusterRole or ClusterRoleBinding of join's naming that is not provably this federation's:
// two federations on one host joining a member under the same host cluster name would
// otherwise take each other's grants.
func (o *JoinOptions) refuseForeignRBAC(ctx context.Context, scope string) error {
	n := o.names
	name := n.role()
	if scope == apis.ScopeNamespaced {
		name = n.healthRole()
	}
	found, err := getGlobalRBAC(ctx, o.member, name)
	if err != nil {
		return fmt.Errorf("member cluster %q (context %q): %w", n.cluster, o.ClusterContext, err)
	}
	binding := bindingOwnership(n, found.binding)
	role := roleOwnership(n, found.role, binding)
	for _, c := range []struct {
		kind string
		own  Ownership
	}{{"ClusterRoleBinding", binding}, {"ClusterRole", role}} {
		switch c.own.Owner {
		case Theirs:
			return fmt.Errorf("%s %q in member cluster %q is not this federation's: %s; join never overwrites it, whatever --error-on-existing says: "+
				"pass a --host-cluster-name no other federation uses with this member (e.g. --host-cluster-name %s-%s)",
				c.kind, name, n.cluster, c.own.Why, n.hostCluster, n.namespace)
		case Unproven:
			return fmt.Errorf("%s %q in member cluster %q is not provably this federation's: %s; join never overwrites it, whatever --error-on-existing says: "+
				"if it is left over, delete it (kubectl --context %s delete %s %s), else pass another --host-cluster-name",
				c.kind, name, n.cluster, c.own.Why, o.ClusterContext, strings.ToLower(c.kind), name)
		}
	}
	return nil
}

// globalRBAC is a ClusterRole and ClusterRoleBinding of one name, nil where absent.
type globalRBAC struct {
	name          string
	role, binding *unstructured.Unstructured
}

func getGlobalRBAC(ctx context.Context, clients *cli.Clients, name string) (globalRBAC, error) {
	found := globalRBAC{name: name}
	for _, target := range []struct {
		gvr  schema.GroupVersionResource
		kind string
		into **unstructured.Unstructured
	}{{clusterRolesResource, "ClusterRole", &found.role}, {clusterRoleBindingsResource, "ClusterRoleBinding", &found.binding}} {
		obj, err := clients.Dynamic.Resource(target.gvr).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return found, fmt.Errorf("reading %s %q: %s", target.kind, name, cli.ServerError(err))
		default:
			*target.into = obj
		}
	}
	return found, nil
}

var (
	clusterRolesResource        = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}
	clusterRoleBindingsResource = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}
)

// checkAccess asks the cluster whether the caller may do what join is about to do.
func checkAccess(ctx context.Context, clients *cli.Clients, where string, needs []authorizationv1.ResourceAttributes) error {
	var denied []string
	for _, need := range needs {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &need}}
		result, err := clients.Kube.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("checking permissions in the %s (context %q): %s", where, clients.Context, cli.ServerError(err))
		}
		if !result.Status.Allowed {
			denied = append(denied, need.Verb+" "+need.Resource)
		}
	}
	if len(denied) > 0 {
		return fmt.Errorf("context %q may not %s in the %s (does the context have cluster-admin?)", clients.Context, strings.Join(denied, ", "), where)
	}
	return nil
}

// waitForToken waits, bounded, for the member's token controller to fill the token Secret
// (Kubernetes 1.24 and later fill it only for a Secret that asks) and returns the token and CA.
func (o *JoinOptions) waitForToken(ctx context.Context) ([]byte, []byte, error) {
	n := o.names
	if o.dryRun != cli.DryRunNone {
		// A re-join finds the token an earlier join made, and the host objects are compared
		// with it as the real run will; a first join created nothing, so they are checked with
		// a placeholder that is never stored.
		secret, err := o.member.Kube.CoreV1().Secrets(n.namespace).Get(ctx, n.serviceAccount(), metav1.GetOptions{})
		if err == nil && len(secret.Data[corev1.ServiceAccountTokenKey]) > 0 {
			return secret.Data[corev1.ServiceAccountTokenKey], secret.Data[corev1.ServiceAccountRootCAKey], nil
		}
		return []byte("dry-run"), nil, nil
	}
	var secret *corev1.Secret
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, tokenTimeout, true, func(ctx context.Context) (bool, error) {
		var err error
		secret, err = o.member.Kube.CoreV1().Secrets(n.namespace).Get(ctx, n.serviceAccount(), metav1.GetOptions{})
		return err == nil && len(secret.Data[corev1.ServiceAccountTokenKey]) > 0, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the member's token controller did not fill Secret %s/%s within %s (is kube-controller-manager running in cluster %q?)",
			n.namespace, n.serviceAccount(), tokenTimeout, n.cluster)
	}
	return secret.Data[corev1.ServiceAccountTokenKey], secret.Data[corev1.ServiceAccountRootCAKey], nil
}

// caBundle is the member's CA: the kubeconfig's (inline or from its file), else the one the
// token Secret carries.
func (o *JoinOptions) caBundle(fromSecret []byte) ([]byte, error) {
	if len(o.memberConfig.CAData) > 0 {
		return o.memberConfig.CAData, nil
	}
	if o.memberConfig.CAFile != "" {
		data, err := os.ReadFile(o.memberConfig.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA file of context %q: %w", o.ClusterContext, err)
		}
		return data, nil
	}
	return fromSecret, nil
}

// hostSecretName is --secret-name, else the name an earlier join stored, else a new one in the
// shape kubefed's generateName gave ("<cluster>-" and five characters).
func (o *JoinOptions) hostSecretName(existing *unstructured.Unstructured) (string, error) {
	if o.SecretName != "" {
		return o.SecretName, nil
	}
	if existing != nil {
		if name, _, _ := unstructured.NestedString(existing.Object, "spec", "secretRef", "name"); name != "" {
			return name, nil
		}
	}
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	suffix := make([]byte, 5)
	for i := range suffix {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		suffix[i] = alphabet[n.Int64()]
	}
	return o.names.cluster + "-" + string(suffix), nil
}

// written is an object this join created, to remove if a later step fails.
type written struct {
	applier *apply.Applier
	obj     *unstructured.Unstructured
	where   string
}

// rollback deletes what this join created, newest first, and says what it could not remove.
func (o *JoinOptions) rollback(ctx context.Context, created []written) string {
	if len(created) == 0 || o.dryRun != cli.DryRunNone {
		return "; nothing was written"
	}
	var left []string
	for i := len(created) - 1; i >= 0; i-- {
		w := created[i]
		if _, err := w.applier.Delete(ctx, w.obj); err != nil {
			left = append(left, fmt.Sprintf("%s in the %s", describe(w.obj), w.where))
			continue
		}
		if w.obj.GetKind() == "Namespace" {
			// Gone, not terminating, so that the member is as it was and a join can follow.
			if err := waitNamespaceGone(ctx, o.member, w.obj.GetName(), io.Discard); err != nil {
				left = append(left, fmt.Sprintf("%s in the %s (still terminating)", describe(w.obj), w.where))
			}
		}
	}
	if len(left) > 0 {
		return "; could not remove what this join created: " + strings.Join(left, ", ")
	}
	return "; what this join had created was removed"
}

// namespaceTimeout bounds the wait for a terminating namespace, left by an unjoin, to go.
const namespaceTimeout = 90 * time.Second

// waitNamespaceGone waits, bounded, while the namespace is terminating: nothing can be created
// in it until it is gone.
func waitNamespaceGone(ctx context.Context, clients *cli.Clients, namespace string, log io.Writer) error {
	ns, err := clients.Kube.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	if err != nil || ns.DeletionTimestamp == nil {
		return nil
	}
	fmt.Fprintf(log, "Waiting for namespace %q in context %q to finish terminating...\n", namespace, clients.Context)
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, namespaceTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := clients.Kube.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return fmt.Errorf("namespace %q in context %q is still terminating after %s; try again when it is gone", namespace, clients.Context, namespaceTimeout)
	}
	return nil
}
