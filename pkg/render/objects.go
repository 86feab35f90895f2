package render

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/runtime"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Objects builds the desired objects of one cluster, sorted by group, kind, namespace and name:
// for each federated object placed there, the template, then its identity, then the cluster's
// overrides, then the scheduled replicas, then the managed label. An error names the source,
// the object, the cluster and the override.
func (r *Result) Objects(cluster string) ([]*unstructured.Unstructured, error) {
	return MapObjects(r, cluster, nil, func(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) { return obj.DeepCopy(), nil })
}

// MapObjects builds one cluster's desired objects as Objects does but hands each to fn as soon as
// it is built and keeps only what fn returns, in the objects' order: encoding as it goes, a
// caller holds the encoded bytes instead of every object. A non-nil keep limits the federated
// objects considered (one type at a time, say). To spare copies, obj shares what no step
// changes with the federated object's template and other clusters' objects: fn may read it and
// change its top level or metadata, nothing deeper; Objects returns independent copies.
func MapObjects[T any](r *Result, cluster string, keep func(*apis.FederatedObject) bool, fn func(*unstructured.Unstructured) (T, error)) ([]T, error) {
	return mapObjects(r, cluster, keep, fn, nil)
}

// Desired builds one cluster's desired objects as MapObjects does, for a caller that writes
// them: an object that cannot be built fails alone, in the failures, and the others are built.
// The objects share what no step changes with the templates, as MapObjects' do.
func Desired(r *Result, cluster string, keep func(*apis.FederatedObject) bool) ([]*unstructured.Unstructured, []Failure) {
	var failures []Failure
	objects, _ := mapObjects(r, cluster, keep, func(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) { return obj, nil },
		func(o *apis.FederatedObject, err error) {
			failures = append(failures, Failure{Object: o, Cluster: cluster, Err: err})
		})
	return objects, failures
}

// mapObjects is MapObjects, with failed set: an object that fails is handed to it instead of
// failing the whole cluster.
func mapObjects[T any](r *Result, cluster string, keep func(*apis.FederatedObject) bool, fn func(*unstructured.Unstructured) (T, error),
	failed func(*apis.FederatedObject, error)) ([]T, error) {
	type keyed struct {
		key   objectKey
		value T
	}
	var items []keyed
	for _, plan := range r.plans {
		if !plan.placed[cluster] || (keep != nil && !keep(plan.object)) {
			continue
		}
		o := plan.object
		obj, err := plan.build(cluster)
		if err != nil {
			err = fmt.Errorf("%s: %s: cluster %q: %w", o.Source, o.Describe(), cluster, err)
			if failed == nil {
				return nil, err
			}
			failed(o, err)
			continue
		}
		item := keyed{key: keyOf(obj)}
		if item.value, err = fn(obj); err != nil {
			return nil, fmt.Errorf("%s: %s: cluster %q: %w", o.Source, o.Describe(), cluster, err)
		}
		items = append(items, item)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key.less(items[j].key) })
	values := make([]T, len(items))
	for i := range items {
		values[i] = items[i].value
	}
	return values, nil
}

func (p *objectPlan) build(cluster string) (*unstructured.Unstructured, error) {
	o := p.object
	template, _, _ := unstructured.NestedFieldNoCopy(o.Object.Object, "spec", "template")
	templateMap, _ := template.(map[string]any)
	var desired *unstructured.Unstructured
	if len(p.overrides[cluster]) > 0 {
		// Overrides may change anything: a whole copy.
		desired = &unstructured.Unstructured{Object: runtime.DeepCopyJSON(templateMap)}
		if desired.Object == nil {
			desired.Object = map[string]any{}
		}
	} else {
		// Copy only what changes: the top level, the metadata and, for scheduled replicas, the
		// spec's top level. The rest is shared with the template, read-only.
		desired = &unstructured.Unstructured{Object: make(map[string]any, len(templateMap)+2)}
		for k, v := range templateMap {
			desired.Object[k] = v
		}
		if meta, ok := templateMap["metadata"].(map[string]any); ok {
			desired.Object["metadata"] = runtime.DeepCopyJSON(meta)
		}
		if spec, ok := templateMap["spec"].(map[string]any); ok && p.replicas != nil {
			copied := make(map[string]any, len(spec)+1)
			for k, v := range spec {
				copied[k] = v
			}
			desired.Object["spec"] = copied
		}
	}
	// kubefed drops these (with the warning Render gave) to leave them to member controllers,
	// but keeps them empty, so that an override can add to them.
	meta, _ := desired.Object["metadata"].(map[string]any)
	if !emptyCollection(meta, "annotations") {
		delete(meta, "annotations")
	}
	if !emptyCollection(meta, "finalizers") {
		delete(meta, "finalizers")
	}
	// The name is the federated object's; a generated one would be another object.
	unstructured.RemoveNestedField(desired.Object, "metadata", "generateName")
	// The identity comes from the federated object and its type config, never the template
	// (kubefed took the kind from the type config too).
	want := identityOf(o)
	desired.SetName(want.name)
	desired.SetNamespace(want.namespace)
	desired.SetKind(want.kind)
	desired.SetAPIVersion(want.apiVersion)
	if err := applyOverrides(desired, p.overrides[cluster]); err != nil {
		return nil, err
	}
	if p.replicas != nil {
		// After the overrides, as kubefed's scheduler appended its own: an override of /spec
		// keeps the planned figure.
		spec, ok := desired.Object["spec"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("after the overrides the object has no spec object to hold spec.replicas (%d, as its ReplicaSchedulingPreference plans)", p.replicas[cluster])
		}
		spec["replicas"] = p.replicas[cluster]
	}
	// Render refused every override path that reaches the identity; this holds the result to
	// it whatever the overrides did.
	if got := identityFrom(desired); got != want {
		return nil, fmt.Errorf("the overrides change the object's identity to %s; the apiVersion, kind, name and namespace come from the federated object (%s)", got, want)
	}
	if desired.GetKind() == "Secret" && desired.GetAPIVersion() == "v1" {
		if t, _, _ := unstructured.NestedFieldNoCopy(desired.Object, "type"); t == serviceAccountTokenType {
			return nil, fmt.Errorf("the overrides make it a Secret of type %s, a cluster's own credential, which is never propagated", serviceAccountTokenType)
		}
	}
	// An empty collection left after the overrides is what the apiserver stores as none; removed,
	// it does not make the object read back differ from the plan.
	if meta, ok := desired.Object["metadata"].(map[string]any); ok {
		for _, field := range []string{"annotations", "finalizers"} {
			if emptyCollection(meta, field) {
				delete(meta, field)
			}
		}
	}
	labels := desired.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[apis.ManagedLabel] = apis.ManagedLabelTrue
	desired.SetLabels(labels)
	return desired, nil
}

// emptyCollection reports whether metadata holds field as kubefed left it in a template, empty:
// annotations an empty map, finalizers an empty list.
func emptyCollection(meta map[string]any, field string) bool {
	switch v := meta[field].(type) {
	case map[string]any:
		return field == "annotations" && len(v) == 0
	case []any:
		return field == "finalizers" && len(v) == 0
	}
	return false
}

// Placement says where a federated object goes: the ready clusters it is rendered for, and the
// clusters that select it but are not ready. An object that is not rendered at all (a disabled
// type, a system namespace) has neither.
func (r *Result) Placement(o *apis.FederatedObject) (ready map[string]bool, unready []string) {
	plan := r.byObject[o]
	if plan == nil {
		return nil, nil
	}
	return plan.placed, plan.unready
}

// Planned reports whether the plan speaks for the object: it was rendered, or it failed. An
// object kubefed would not propagate at all (a system namespace, another scope's object) is
// not planned, and a pass leaves it alone.
func (r *Result) Planned(o *apis.FederatedObject) bool {
	if r.byObject[o] != nil {
		return true
	}
	for _, f := range r.Failures {
		if f.Object == o {
			return true
		}
	}
	return false
}

// ReplicasFromTemplate reports whether an object's spec.replicas in a cluster comes from its
// template: no preference schedules it and no override of the cluster sets /spec/replicas.
// Only then may retainReplicas keep the member's own figure, as in kubefed.
func (r *Result) ReplicasFromTemplate(o *apis.FederatedObject, cluster string) bool {
	plan := r.byObject[o]
	if plan == nil || plan.replicas != nil {
		return false
	}
	for _, ov := range plan.overrides[cluster] {
		if ov.Path == ReplicasPath {
			return false
		}
	}
	return true
}

// identity is what places a member object: its apiVersion, kind, namespace and name.
type identity struct{ apiVersion, kind, namespace, name string }

func (i identity) String() string {
	if i.namespace == "" {
		return fmt.Sprintf("%s %s %q", i.apiVersion, i.kind, i.name)
	}
	return fmt.Sprintf("%s %s %q", i.apiVersion, i.kind, i.namespace+"/"+i.name)
}

// identityOf is the identity a federated object's member copies must have.
func identityOf(o *apis.FederatedObject) identity {
	target := o.TypeConfig.Spec.TargetType
	id := identity{apiVersion: target.APIVersion(), kind: target.Kind, name: o.Object.GetName()}
	if !o.IsNamespace() && target.Scope == apis.ScopeNamespaced {
		id.namespace = o.Object.GetNamespace()
	}
	return id
}

// identityFrom reads an object's identity, as the apiserver would place it; a field of the
// wrong type reads as no value, which is never an object's identity.
func identityFrom(u *unstructured.Unstructured) identity {
	str := func(fields ...string) string {
		v, _, _ := unstructured.NestedFieldNoCopy(u.Object, fields...)
		s, _ := v.(string)
		return s
	}
	id := identity{apiVersion: str("apiVersion"), kind: str("kind"), namespace: str("metadata", "namespace"), name: str("metadata", "name")}
	if _, ok := u.Object["metadata"].(map[string]any); !ok || str("metadata", "generateName") != "" {
		id.name = ""
	}
	return id
}
