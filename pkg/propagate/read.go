package propagate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/join"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

// member is a ready member and its clients, built from what join stored.
type member struct {
	name    string
	clients *cli.Clients

	// pretended are the namespaces a server dry run pretended to create in this member: the
	// objects in them cannot be sent, as the namespace does not exist.
	mu        sync.Mutex
	pretended map[string]bool
}

func (m *member) pretend(namespace string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pretended == nil {
		m.pretended = map[string]bool{}
	}
	m.pretended[namespace] = true
}

func (m *member) pretendedNamespace(namespace string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pretended[namespace]
}

// pass is what every type shares: the ready members, the clusters that are not, and the host's
// documents a plan needs besides one type's federated objects.
type pass struct {
	members     []*member
	unreachable map[string]string
	// common are the KubeFedConfig, the clusters (with the probe's readiness) and the type configs.
	common []apis.Document
	// namespaces are every FederatedNamespace (placement needs them); preferences every
	// ReplicaSchedulingPreference of the pass's namespaces.
	namespaces, preferences []*unstructured.Unstructured
	// types are the enabled type configs the pass propagates, namespaces first.
	types []*apis.FederatedTypeConfig
	// foreign are the KubeFed namespaces of other federations on the host: their objects, on
	// the host and in the members, are never this federation's.
	foreign map[string]bool
}

// state is one type's part of the pass: its federated objects planned, only this type's in
// memory at a time, beside what every type shares.
type state struct {
	fed *apis.Federation
	// tc is the type config being propagated (the model's own).
	tc *apis.FederatedTypeConfig
	// deleting are federated objects being deleted, by objectKey.
	deleting map[string]deletion
	// unselected are federated objects being deleted that the pass's selection (-l, NAME, -n)
	// leaves out: a pass that selects them finishes their deletion.
	unselected []deletion
	// index finds the federated objects of the model by objectKey.
	index       map[string]*apis.FederatedObject
	members     []*member
	unreachable map[string]string
	foreign     map[string]bool
	// rejected are the objects the model left out or that a bad preference holds back; errs
	// the pass's errors that belong to no object.
	rejected []render.Failure
	errs     []string
}

// deletion is a federated object being deleted, with its type config.
type deletion struct {
	tc  *apis.FederatedTypeConfig
	obj *unstructured.Unstructured
}

func objectKey(tc *apis.FederatedTypeConfig, namespace, name string) string {
	return tc.Name + "|" + namespace + "/" + name
}

// read loads what every type shares: the KubeFedConfig, the clusters (probed now), the enabled
// type configs, every FederatedNamespace and the ReplicaSchedulingPreferences.
func (o *Options) read(ctx context.Context) (*pass, error) {
	host, ns := o.host, o.globals.KubeFedNamespace
	p := &pass{unreachable: map[string]string{}}
	add := func(u *unstructured.Unstructured) {
		p.common = append(p.common, apis.Document{Source: "host", Object: u})
	}

	config, err := host.Dynamic.Resource(apis.KubeFedConfigResource).Namespace(ns).Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, fmt.Errorf("the host (context %q) has no KubeFedConfig in namespace %q: run kubefedctl init first", host.Context, ns)
		}
		return nil, fmt.Errorf("reading the KubeFedConfig: %s", cli.ServerError(err))
	}
	add(config)
	if p.foreign, err = o.otherFederations(ctx, config); err != nil {
		return nil, err
	}
	if scope, _, _ := unstructured.NestedString(config.Object, "spec", "scope"); scope == apis.ScopeNamespaced {
		// A Namespaced federation is its KubeFed namespace, on the host and in the members.
		if o.namespace != "" && o.namespace != ns {
			return nil, fmt.Errorf("the federation in %q is Namespaced: it propagates only namespace %q, not %q", ns, ns, o.namespace)
		}
		o.namespace = ns
	}

	clusters, err := join.ListClusters(ctx, host, ns)
	if err != nil {
		return nil, err
	}
	health := join.ProbeAll(ctx, host, clusters, o.timeout)
	for i, c := range clusters {
		// Readiness is what the probe found now, not what a status says.
		status := health[i].Status
		c.Status = &status
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(c)
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{Object: content}
		u.SetGroupVersionKind(apis.KubeFedClusterGVK)
		add(u)
		if !health[i].Ready {
			p.unreachable[c.Name] = health[i].Message
			continue
		}
		config, err := join.MemberConfig(ctx, host, c)
		if err != nil {
			p.unreachable[c.Name] = err.Error()
			continue
		}
		config.QPS, config.Burst = float32(o.Concurrency*20), o.Concurrency*40
		config.Timeout = o.requestTimeout
		clients, err := cli.NewClients(c.Name, config)
		if err != nil {
			p.unreachable[c.Name] = err.Error()
			continue
		}
		p.members = append(p.members, &member{name: c.Name, clients: clients})
	}

	ftcList, err := host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing FederatedTypeConfigs: %s", cli.ServerError(err))
	}
	matched := false
	for i := range ftcList.Items {
		ftc := &ftcList.Items[i]
		add(ftc)
		tc := &apis.FederatedTypeConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(ftc.Object, tc); err != nil {
			return nil, fmt.Errorf("FederatedTypeConfig %q: %w", ftc.GetName(), err)
		}
		if o.Type != "" && matchesType(tc, o.Type) {
			matched = true
		}
		if isNamespaces(tc) {
			// Placement needs every FederatedNamespace, whatever the pass propagates.
			if p.namespaces, err = o.listFederated(ctx, p, tc, false); err != nil {
				return nil, err
			}
		}
		if tc.Enabled() && (o.Type == "" || matchesType(tc, o.Type)) {
			p.types = append(p.types, tc)
		}
	}
	if o.Type != "" && !matched {
		return nil, fmt.Errorf("no enabled type matches %q (kubectl get federatedtypeconfigs -n %s lists them)", o.Type, ns)
	}
	// Namespaces first: the objects in them need them.
	sort.SliceStable(p.types, func(i, j int) bool { return isNamespaces(p.types[i]) && !isNamespaces(p.types[j]) })

	rsps, err := host.Dynamic.Resource(apis.PreferenceResource).Namespace(o.namespace).List(ctx, metav1.ListOptions{})
	switch {
	case err == nil:
		for i := range rsps.Items {
			if !p.foreign[rsps.Items[i].GetNamespace()] {
				p.preferences = append(p.preferences, &rsps.Items[i])
			}
		}
	case !apierrors.IsNotFound(err) && !meta.IsNoMatchError(err):
		return nil, fmt.Errorf("listing ReplicaSchedulingPreferences: %s", cli.ServerError(err))
	}
	return p, nil
}

// load reads one type's federated objects and plans them with what the pass shares: the model
// holds this type's objects, the FederatedNamespaces and, for a scheduled workload type, its
// preferences.
func (o *Options) load(ctx context.Context, p *pass, tc *apis.FederatedTypeConfig) (*state, error) {
	st := &state{deleting: map[string]deletion{}, members: p.members, unreachable: p.unreachable, foreign: p.foreign}
	docs := append([]apis.Document(nil), p.common...)
	if !isNamespaces(tc) {
		// Placement needs the FederatedNamespaces; for the namespaces type they are its objects.
		for _, fns := range p.namespaces {
			if fns.GetDeletionTimestamp() == nil {
				docs = append(docs, apis.Document{Source: "host", Object: fns})
			}
		}
	}
	objects, err := o.listFederated(ctx, p, tc, true)
	if err != nil {
		return nil, err
	}
	if o.Selector != "" || o.Name != "" || o.namespace != "" {
		if st.unselected, err = o.unselectedDeletions(ctx, p, tc, objects); err != nil {
			return nil, err
		}
	}
	for _, obj := range objects {
		if obj.GetDeletionTimestamp() != nil {
			if protocol.HasFinalizer(obj) {
				st.deleting[objectKey(tc, obj.GetNamespace(), obj.GetName())] = deletion{tc, obj}
			}
			continue
		}
		docs = append(docs, apis.Document{Source: "host", Object: obj})
	}
	for _, rsp := range p.preferences {
		// A preference matters only to its workload's type.
		if kind, _, _ := unstructured.NestedString(rsp.Object, "spec", "targetKind"); kind == tc.Spec.FederatedType.Kind {
			docs = append(docs, apis.Document{Source: "host", Object: rsp})
		}
	}
	// One user's bad object or preference fails alone: the pass goes on with the others.
	fed, rejected, err := apis.AssembleKeepGoing(docs, o.globals.KubeFedNamespace, "default")
	if err != nil {
		return nil, err
	}
	st.fed = fed
	for _, t := range fed.TypeConfigs {
		if t.Name == tc.Name {
			st.tc = t
		}
	}
	st.index = make(map[string]*apis.FederatedObject, len(fed.Objects))
	for _, obj := range fed.Objects {
		st.index[objectKey(obj.TypeConfig, obj.Object.GetNamespace(), obj.Object.GetName())] = obj
	}
	for _, r := range rejected {
		st.reject(r)
	}
	return st, nil
}

// reject makes a document the model left out fail alone: a federated object that cannot be
// read is written nowhere, and neither is the workload of a preference that cannot be read,
// since its split is unknown; their copies stay as they are. A preference that names no
// workload is an error of the pass.
func (st *state) reject(r apis.Rejected) {
	u := r.Document.Object
	if u.GetKind() != apis.KindReplicaSchedulingPreference {
		// Enough of a federated object to name it and keep its copies.
		st.rejected = append(st.rejected, render.Failure{Object: &apis.FederatedObject{Source: r.Document.Source, Object: u, TypeConfig: st.tc}, Err: r.Err})
		return
	}
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "targetKind")
	for _, obj := range st.fed.Objects {
		if obj.Object.GetKind() == kind && obj.Object.GetNamespace() == u.GetNamespace() && obj.Object.GetName() == u.GetName() {
			st.rejected = append(st.rejected, render.Failure{Object: obj, Err: fmt.Errorf("not written: its %w", r.Err)})
			return
		}
	}
	st.errs = append(st.errs, r.Err.Error())
}

// isNamespace reports whether a member object is a Namespace.
func isNamespace(obj *unstructured.Unstructured) bool {
	return obj != nil && obj.GetKind() == "Namespace" && obj.GetAPIVersion() == "v1"
}

func isNamespaces(tc *apis.FederatedTypeConfig) bool {
	return tc.Spec.TargetType.Group == "" && tc.Spec.TargetType.Kind == "Namespace"
}

// listFederated lists one type's federated objects: all of them for FederatedNamespaces that
// only inform placement, else those in -n's namespace, with -l and NAME applied.
// unselectedDeletions lists the federated objects of a type that are being deleted, wait for a
// pass, and are not among those the pass selected.
func (o *Options) unselectedDeletions(ctx context.Context, p *pass, tc *apis.FederatedTypeConfig, selected []*unstructured.Unstructured) ([]deletion, error) {
	chosen := map[string]bool{}
	for _, obj := range selected {
		chosen[obj.GetNamespace()+"/"+obj.GetName()] = true
	}
	all, err := o.listFederated(ctx, p, tc, false)
	if err != nil {
		return nil, err
	}
	var out []deletion
	for _, obj := range all {
		if obj.GetDeletionTimestamp() != nil && protocol.HasFinalizer(obj) && !chosen[obj.GetNamespace()+"/"+obj.GetName()] {
			out = append(out, deletion{tc, obj})
		}
	}
	return out, nil
}

func (o *Options) listFederated(ctx context.Context, p *pass, tc *apis.FederatedTypeConfig, selected bool) ([]*unstructured.Unstructured, error) {
	gvr := tc.FederatedResource()
	opts := metav1.ListOptions{}
	namespace := ""
	if selected {
		opts.LabelSelector = o.Selector
		namespace = o.namespace
	}
	list, err := o.host.Dynamic.Resource(gvr).Namespace(namespace).List(ctx, opts)
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing %s in the host: %s", gvr.Resource, cli.ServerError(err))
	}
	var out []*unstructured.Unstructured
	for i := range list.Items {
		if selected && o.Name != "" && list.Items[i].GetName() != o.Name {
			continue
		}
		if p.foreign[list.Items[i].GetNamespace()] {
			continue
		}
		out = append(out, &list.Items[i])
	}
	return out, nil
}

// matchesType reports whether a user's TYPE names the type config: its name, the target's
// plural, singular or kind, or the federated kind or plural.
func matchesType(tc *apis.FederatedTypeConfig, name string) bool {
	n := strings.ToLower(name)
	t, f := tc.Spec.TargetType, tc.Spec.FederatedType
	for _, candidate := range []string{tc.Name, t.PluralName, strings.ToLower(t.Kind), strings.ToLower(f.Kind), f.PluralName, f.PluralName + "." + f.Group} {
		if n == strings.ToLower(candidate) {
			return true
		}
	}
	return false
}

// otherFederations finds the KubeFed namespaces of the host's other federations, which a
// Cluster federation leaves alone (a Namespaced one reads only its own namespace, and so sees
// none). Two Cluster-scoped federations on one host would both claim every namespace, so that
// is refused.
func (o *Options) otherFederations(ctx context.Context, config *unstructured.Unstructured) (map[string]bool, error) {
	ns := o.globals.KubeFedNamespace
	if scope, _, _ := unstructured.NestedString(config.Object, "spec", "scope"); scope == apis.ScopeNamespaced {
		return nil, nil
	}
	others, err := protocol.OtherFederations(ctx, o.host.Dynamic, ns)
	if err != nil {
		return nil, err
	}
	if len(others.ClusterScoped) > 0 {
		return nil, fmt.Errorf("the host holds a second Cluster-scoped federation, in namespace %q, beside this one in %q: both would claim every namespace; make one of them Namespaced, or use another host",
			others.ClusterScoped[0], ns)
	}
	return others.Namespaces, nil
}
