package propagate

import (
	"context"
	"fmt"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/join"
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

// state is what the pass read from the host.
type state struct {
	fed *apis.Federation
	// types are the enabled type configs the pass propagates, namespaces first.
	types []*apis.FederatedTypeConfig
	// deleting are federated objects being deleted, by objectKey.
	deleting map[string]deletion
	// index finds the federated objects of the model by objectKey.
	index   map[string]*apis.FederatedObject
	members []*member
	// unreachable are the clusters that failed the probe, with why.
	unreachable map[string]string
}

// deletion is a federated object being deleted, with its type config.
type deletion struct {
	tc  *apis.FederatedTypeConfig
	obj *unstructured.Unstructured
}

func objectKey(tc *apis.FederatedTypeConfig, namespace, name string) string {
	return tc.Name + "|" + namespace + "/" + name
}

// read loads the federation: the KubeFedConfig, the clusters (probed now), the enabled type
// configs, the federated objects of the selected types (and every FederatedNamespace, which
// placement needs) and the ReplicaSchedulingPreferences.
func (o *Options) read(ctx context.Context) (*state, error) {
	host, ns := o.host, o.globals.KubeFedNamespace
	var docs []apis.Document
	add := func(u *unstructured.Unstructured) { docs = append(docs, apis.Document{Source: "host", Object: u}) }

	config, err := host.Dynamic.Resource(apis.KubeFedConfigResource).Namespace(ns).Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, fmt.Errorf("the host (context %q) has no KubeFedConfig in namespace %q: run kubefedctl init first", host.Context, ns)
		}
		return nil, fmt.Errorf("reading the KubeFedConfig: %s", cli.ServerError(err))
	}
	add(config)

	clusters, err := join.ListClusters(ctx, host, ns)
	if err != nil {
		return nil, err
	}
	st := &state{deleting: map[string]deletion{}, unreachable: map[string]string{}}
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
			st.unreachable[c.Name] = health[i].Message
			continue
		}
		config, err := join.MemberConfig(ctx, host, c)
		if err != nil {
			st.unreachable[c.Name] = err.Error()
			continue
		}
		config.QPS, config.Burst = float32(o.Concurrency*20), o.Concurrency*40
		config.Timeout = o.requestTimeout
		clients, err := cli.NewClients(c.Name, config)
		if err != nil {
			st.unreachable[c.Name] = err.Error()
			continue
		}
		st.members = append(st.members, &member{name: c.Name, clients: clients})
	}

	ftcList, err := host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing FederatedTypeConfigs: %s", cli.ServerError(err))
	}
	var selected []*unstructured.Unstructured
	wantedKinds := map[string]bool{}
	for i := range ftcList.Items {
		ftc := &ftcList.Items[i]
		add(ftc)
		tc := &apis.FederatedTypeConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(ftc.Object, tc); err != nil {
			return nil, fmt.Errorf("FederatedTypeConfig %q: %w", ftc.GetName(), err)
		}
		isNamespaces := tc.Spec.TargetType.Group == "" && tc.Spec.TargetType.Kind == "Namespace"
		wanted := tc.Enabled() && (o.Type == "" || matchesType(tc, o.Type))
		if !wanted && !isNamespaces {
			continue
		}
		if wanted {
			wantedKinds[tc.Spec.FederatedType.Kind] = true
		}
		objs, err := o.listFederated(ctx, tc, wanted)
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			if obj.GetDeletionTimestamp() != nil {
				if wanted && hasFinalizer(obj) {
					st.deleting[objectKey(tc, obj.GetNamespace(), obj.GetName())] = deletion{tc, obj}
				}
				continue
			}
			add(obj)
			if wanted {
				selected = append(selected, obj)
			}
		}
	}
	if o.Type != "" && len(selected) == 0 && len(st.deleting) == 0 {
		found := false
		for i := range ftcList.Items {
			tc := &apis.FederatedTypeConfig{}
			runtime.DefaultUnstructuredConverter.FromUnstructured(ftcList.Items[i].Object, tc)
			found = found || matchesType(tc, o.Type)
		}
		if !found {
			return nil, fmt.Errorf("no enabled type matches %q (kubectl get federatedtypeconfigs -n %s lists them)", o.Type, ns)
		}
	}

	rsps, err := host.Dynamic.Resource(apis.PreferenceResource).Namespace(o.namespace).List(ctx, metav1.ListOptions{})
	if err == nil {
		for i := range rsps.Items {
			// A preference matters only when its workload's type is propagated now.
			kind, _, _ := unstructured.NestedString(rsps.Items[i].Object, "spec", "targetKind")
			if o.Type == "" || strings.EqualFold(kind, o.Type) || wantedKinds[kind] {
				add(&rsps.Items[i])
			}
		}
	} else if !apierrors.IsNotFound(err) && !meta.IsNoMatchError(err) {
		return nil, fmt.Errorf("listing ReplicaSchedulingPreferences: %s", cli.ServerError(err))
	}

	fed, err := apis.Assemble(docs, ns, "default")
	if err != nil {
		return nil, err
	}
	st.fed = fed
	st.index = make(map[string]*apis.FederatedObject, len(fed.Objects))
	for _, obj := range fed.Objects {
		st.index[objectKey(obj.TypeConfig, obj.Object.GetNamespace(), obj.Object.GetName())] = obj
	}
	selectedSet := map[*unstructured.Unstructured]bool{}
	for _, obj := range selected {
		selectedSet[obj] = true
	}
	seen := map[string]bool{}
	for _, obj := range fed.Objects {
		if selectedSet[obj.Object] && !seen[obj.TypeConfig.Name] {
			seen[obj.TypeConfig.Name] = true
			st.types = append(st.types, obj.TypeConfig)
		}
	}
	for _, tc := range fed.TypeConfigs {
		if !seen[tc.Name] && tc.Enabled() && (o.Type == "" || matchesType(tc, o.Type)) {
			// A type with no federated object left still has member copies to prune.
			seen[tc.Name] = true
			st.types = append(st.types, tc)
		}
	}
	// Namespaces first: the objects in them need them.
	for i, tc := range st.types {
		if tc.Spec.TargetType.Group == "" && tc.Spec.TargetType.Kind == "Namespace" {
			st.types[0], st.types[i] = st.types[i], st.types[0]
		}
	}
	return st, nil
}

// listFederated lists one type's federated objects: all of them for FederatedNamespaces that
// only inform placement, else those in -n's namespace, with -l and NAME applied.
func (o *Options) listFederated(ctx context.Context, tc *apis.FederatedTypeConfig, selected bool) ([]*unstructured.Unstructured, error) {
	ft := tc.Spec.FederatedType
	gvr := schema.GroupVersionResource{Group: ft.Group, Version: ft.Version, Resource: ft.PluralName}
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
		return nil, fmt.Errorf("listing %s in the host: %s", ft.PluralName, cli.ServerError(err))
	}
	var out []*unstructured.Unstructured
	for i := range list.Items {
		if selected && o.Name != "" && list.Items[i].GetName() != o.Name {
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

func hasFinalizer(obj *unstructured.Unstructured) bool {
	for _, f := range obj.GetFinalizers() {
		if f == apis.SyncFinalizer {
			return true
		}
	}
	return false
}
