package render

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Objects builds the desired objects of one cluster, sorted by group, kind, namespace and name:
// for each federated object placed there, the template, then its identity, then the scheduled
// replicas, then the cluster's overrides, then the managed label. An error names the source,
// the object, the cluster and the override.
func (r *Result) Objects(cluster string) ([]*unstructured.Unstructured, error) {
	var objects []*unstructured.Unstructured
	for _, plan := range r.plans {
		if !plan.placed[cluster] {
			continue
		}
		obj, err := plan.build(cluster)
		if err != nil {
			o := plan.object
			return nil, fmt.Errorf("%s: %s: cluster %q: %w", o.Source, o.Describe(), cluster, err)
		}
		objects = append(objects, obj)
	}
	sortObjects(objects, func(o *unstructured.Unstructured) *unstructured.Unstructured { return o })
	return objects, nil
}

func (p *objectPlan) build(cluster string) (*unstructured.Unstructured, error) {
	o := p.object
	template, _, _ := unstructured.NestedMap(o.Object.Object, "spec", "template")
	if template == nil {
		template = map[string]any{}
	}
	desired := &unstructured.Unstructured{Object: template}
	// kubefed drops these (with the warning Render gave) to leave them to member controllers.
	unstructured.RemoveNestedField(desired.Object, "metadata", "annotations")
	unstructured.RemoveNestedField(desired.Object, "metadata", "finalizers")
	target := o.TypeConfig.Spec.TargetType
	desired.SetName(o.Object.GetName())
	if !o.IsNamespace() {
		desired.SetNamespace(o.Object.GetNamespace())
	}
	desired.SetKind(target.Kind)
	if desired.GetAPIVersion() == "" {
		desired.SetAPIVersion(target.APIVersion())
	}
	if p.replicas != nil {
		if err := unstructured.SetNestedField(desired.Object, p.replicas[cluster], "spec", "replicas"); err != nil {
			return nil, fmt.Errorf("setting spec.replicas: %w", err)
		}
	}
	if err := applyOverrides(desired, p.overrides[cluster]); err != nil {
		return nil, err
	}
	labels := desired.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[apis.ManagedLabel] = apis.ManagedLabelTrue
	desired.SetLabels(labels)
	return desired, nil
}
