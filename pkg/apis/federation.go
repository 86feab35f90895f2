package apis

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// Document is one object read from a file, stdin or a cluster, with where it came from.
type Document struct {
	Source string
	Object *unstructured.Unstructured
}

// Federation is everything a plan is computed from: the model every command shares.
type Federation struct {
	KubeFedNamespace string
	Config           *KubeFedConfig
	Clusters         []*KubeFedCluster
	TypeConfigs      []*FederatedTypeConfig
	Objects          []*FederatedObject
	Preferences      []*Preference
	// TemplateSchemas are the spec.template schemas of the Federated CRDs in the input, by the
	// federated kind and version they check.
	TemplateSchemas map[schema.GroupVersionKind]*spec.Schema
}

// FederatedObject is a Federated<Kind> with its placement and overrides decoded.
type FederatedObject struct {
	Source     string
	Object     *unstructured.Unstructured
	TypeConfig *FederatedTypeConfig
	Placement  *Placement
	Overrides  []ClusterOverrides
}

// Preference is a ReplicaSchedulingPreference with where it came from.
type Preference struct {
	Source string
	ReplicaSchedulingPreference
}

// Describe names the object as messages name it: FederatedDeployment "demo/web".
func (o *FederatedObject) Describe() string {
	return describe(o.Object.GetKind(), o.Object.GetNamespace(), o.Object.GetName())
}

// IsNamespace reports whether the object is a FederatedNamespace.
func (o *FederatedObject) IsNamespace() bool {
	t := o.TypeConfig.Spec.TargetType
	return t.Group == "" && t.Kind == "Namespace"
}

// Describe names the preference as messages name it.
func (p *Preference) Describe() string {
	return describe(KindReplicaSchedulingPreference, p.Namespace, p.Name)
}

func describe(kind, namespace, name string) string {
	if namespace == "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return fmt.Sprintf("%s %q", kind, namespace+"/"+name)
}

// Scope is the federation's scope from its KubeFedConfig, Cluster when none is given.
func (f *Federation) Scope() string {
	if f.Config != nil && f.Config.Spec.Scope != "" {
		return f.Config.Spec.Scope
	}
	return ScopeCluster
}

// AdoptResources reports whether pre-existing unmanaged objects may be adopted (kubefed's default).
func (f *Federation) AdoptResources() bool {
	return f.Config == nil || f.Config.Spec.SyncController == nil ||
		f.Config.Spec.SyncController.AdoptResources != AdoptResourcesDisabled
}

// Assemble classifies documents into a Federation, resolves each federated object's type config
// (from the documents, else by kubefedctl's built-in convention) and rejects what it cannot use.
// Namespaced objects given without a namespace get defaultNamespace, as kubectl does.
func Assemble(docs []Document, kubefedNamespace, defaultNamespace string) (*Federation, error) {
	f, _, err := assemble(docs, kubefedNamespace, defaultNamespace, false)
	return f, err
}

// Rejected is a document that AssembleKeepGoing left out, with why.
type Rejected struct {
	Document Document
	Err      error
}

// AssembleKeepGoing is Assemble for a pass over many users' objects: a federated object or a
// ReplicaSchedulingPreference that cannot be used is left out and returned, and the others are
// assembled. The federation's own documents (clusters, type configs, the KubeFedConfig) still
// fail the whole.
func AssembleKeepGoing(docs []Document, kubefedNamespace, defaultNamespace string) (*Federation, []Rejected, error) {
	return assemble(docs, kubefedNamespace, defaultNamespace, true)
}

func assemble(docs []Document, kubefedNamespace, defaultNamespace string, keepGoing bool) (*Federation, []Rejected, error) {
	var rejected []Rejected
	reject := func(doc Document, err error) error {
		if !keepGoing {
			return err
		}
		rejected = append(rejected, Rejected{Document: doc, Err: err})
		return nil
	}
	f := &Federation{KubeFedNamespace: kubefedNamespace}
	seen := map[string]string{}
	var candidates []Document
	for _, doc := range docs {
		u := doc.Object
		gvk := u.GroupVersionKind()
		if gvk.Kind == "" {
			return nil, nil, fmt.Errorf("%s: object %q has no kind", doc.Source, u.GetName())
		}
		if u.GetName() == "" {
			return nil, nil, fmt.Errorf("%s: %s has no metadata.name", doc.Source, gvk.Kind)
		}
		var err error
		switch {
		case gvk.Group == CoreGroup && gvk.Kind == KindKubeFedCluster:
			err = f.addCluster(doc)
		case gvk.Group == CoreGroup && gvk.Kind == KindFederatedTypeConfig:
			err = f.addTypeConfig(doc)
		case gvk.Group == CoreGroup && gvk.Kind == KindKubeFedConfig:
			err = f.setConfig(doc)
		case gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition":
			err = f.addFederatedCRD(doc)
		case gvk.Group == SchedulingGroup && gvk.Kind == KindReplicaSchedulingPreference:
			if err = f.addPreference(doc, defaultNamespace); err != nil {
				if err = reject(doc, err); err == nil {
					continue
				}
			}
		default:
			candidates = append(candidates, doc)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if err := checkUnique(seen, doc); err != nil {
			return nil, nil, err
		}
	}

	byFederatedType := map[schema.GroupKind]*FederatedTypeConfig{}
	for _, tc := range f.TypeConfigs {
		byFederatedType[schema.GroupKind{Group: tc.Spec.FederatedType.Group, Kind: tc.Spec.FederatedType.Kind}] = tc
	}
	for _, doc := range candidates {
		gk := doc.Object.GroupVersionKind().GroupKind()
		tc, ok := byFederatedType[gk]
		if !ok && gk.Group == DefaultFederatedGroup {
			if tc, ok = BuiltinTypeConfig(gk.Kind); ok {
				f.TypeConfigs = append(f.TypeConfigs, tc)
				byFederatedType[gk] = tc
			}
		}
		if !ok {
			return nil, nil, unknownKindError(doc)
		}
		obj, err := newFederatedObject(doc, tc, defaultNamespace)
		if err != nil {
			if err = reject(doc, err); err != nil {
				return nil, nil, err
			}
			continue
		}
		if err := checkUnique(seen, doc); err != nil {
			return nil, nil, err
		}
		f.Objects = append(f.Objects, obj)
	}
	return f, rejected, nil
}

func unknownKindError(doc Document) error {
	gvk := doc.Object.GroupVersionKind()
	if strings.HasPrefix(gvk.Kind, FederatedKindPrefix) {
		return fmt.Errorf("%s: unknown federated kind %s (%s): the input has no FederatedTypeConfig for it and it is not a built-in type; add its FederatedTypeConfig (kubefedctl enable TYPE -o yaml prints one)",
			doc.Source, gvk.Kind, gvk.GroupVersion())
	}
	return fmt.Errorf("%s: %s is not a kubefed object (%s); the input may hold KubeFedCluster, KubeFedConfig, FederatedTypeConfig, ReplicaSchedulingPreference and Federated<Kind> objects",
		doc.Source, describe(gvk.Kind, doc.Object.GetNamespace(), doc.Object.GetName()), gvk.GroupVersion())
}

func checkUnique(seen map[string]string, doc Document) error {
	u := doc.Object
	gvk := u.GroupVersionKind()
	key := gvk.Group + "/" + gvk.Kind + "/" + u.GetNamespace() + "/" + u.GetName()
	if first, dup := seen[key]; dup {
		return fmt.Errorf("%s: %s is defined twice, here and in %s; each object may appear once",
			doc.Source, describe(gvk.Kind, u.GetNamespace(), u.GetName()), first)
	}
	seen[key] = doc.Source
	return nil
}

func (f *Federation) addCluster(doc Document) error {
	c := &KubeFedCluster{}
	if err := decode(doc, c); err != nil {
		return err
	}
	// The apiserver holds KubeFedCluster names to this; files must be held to it too, since a
	// cluster's name becomes a heading, a directory and a report's first column.
	if errs := validation.IsDNS1123Subdomain(c.Name); len(errs) > 0 {
		return fmt.Errorf("%s: KubeFedCluster %q: the name is not a valid cluster name: %s", doc.Source, c.Name, strings.Join(errs, "; "))
	}
	switch c.Namespace {
	case "":
		c.Namespace = f.KubeFedNamespace
		doc.Object.SetNamespace(f.KubeFedNamespace)
	case f.KubeFedNamespace:
	default:
		return fmt.Errorf("%s: KubeFedCluster %q is in namespace %q, but clusters are read from %q (set --kubefed-namespace to change it)",
			doc.Source, c.Name, c.Namespace, f.KubeFedNamespace)
	}
	f.Clusters = append(f.Clusters, c)
	return nil
}

func (f *Federation) addTypeConfig(doc Document) error {
	tc := &FederatedTypeConfig{}
	if err := decode(doc, tc); err != nil {
		return err
	}
	// kubefed defaults the target's plural and group from the config's name.
	plural, group, _ := strings.Cut(tc.Name, ".")
	if tc.Spec.TargetType.PluralName == "" {
		tc.Spec.TargetType.PluralName = plural
	}
	if tc.Spec.TargetType.Group == "" {
		tc.Spec.TargetType.Group = group
	}
	ft := tc.Spec.FederatedType
	if tc.Spec.TargetType.Kind == "" || tc.Spec.TargetType.Version == "" || ft.Kind == "" || ft.Group == "" {
		return fmt.Errorf("%s: FederatedTypeConfig %q needs spec.targetType.kind, spec.targetType.version, spec.federatedType.kind and spec.federatedType.group", doc.Source, tc.Name)
	}
	if want := TypeConfigName(tc.Spec.TargetType); tc.Name != want {
		return fmt.Errorf("%s: FederatedTypeConfig %q must be named %q after its target type", doc.Source, tc.Name, want)
	}
	f.TypeConfigs = append(f.TypeConfigs, tc)
	return nil
}

func (f *Federation) setConfig(doc Document) error {
	c := &KubeFedConfig{}
	if err := decode(doc, c); err != nil {
		return err
	}
	if f.Config != nil {
		return fmt.Errorf("%s: a second KubeFedConfig %q; the federation has one", doc.Source, c.Name)
	}
	if s := c.Spec.Scope; s != "" && s != ScopeCluster && s != ScopeNamespaced {
		return fmt.Errorf("%s: KubeFedConfig %q: spec.scope must be Cluster or Namespaced, not %q", doc.Source, c.Name, s)
	}
	f.Config = c
	return nil
}

func (f *Federation) addPreference(doc Document, defaultNamespace string) error {
	if doc.Object.GetNamespace() == "" {
		doc.Object.SetNamespace(defaultNamespace)
	}
	what := doc.Source + ": " + describe(KindReplicaSchedulingPreference, doc.Object.GetNamespace(), doc.Object.GetName())
	// Replica figures end in a workload's int32 spec.replicas; weights are kubefed's int64.
	if err := checkCount(doc.Object.Object, what, math.MaxInt32, "spec", "totalReplicas"); err != nil {
		return err
	}
	clusters, _, _ := unstructured.NestedMap(doc.Object.Object, "spec", "clusters")
	for _, name := range sets.List(sets.KeySet(clusters)) {
		for _, field := range []string{"minReplicas", "maxReplicas", "weight"} {
			limit := int64(math.MaxInt32)
			if field == "weight" {
				limit = math.MaxInt64
			}
			if err := checkCount(doc.Object.Object, what, limit, "spec", "clusters", name, field); err != nil {
				return err
			}
		}
	}
	p := &Preference{Source: doc.Source}
	if err := decode(doc, &p.ReplicaSchedulingPreference); err != nil {
		return err
	}
	f.Preferences = append(f.Preferences, p)
	return nil
}

// checkCount rejects a figure that is not a whole number from 0 to limit, before typed decoding
// would turn it into a less helpful message or, for an int32 field, wrap it round (2147483648
// read as -2147483648).
func checkCount(obj map[string]any, what string, limit int64, path ...string) error {
	v, found, _ := unstructured.NestedFieldNoCopy(obj, path...)
	if !found || v == nil {
		return nil
	}
	field := strings.Join(path, ".")
	switch n := v.(type) {
	case int64:
		if n >= 0 && n <= limit {
			return nil
		}
		if n > limit {
			return tooLarge(what, field, v, limit)
		}
	case float64:
		// A float is what a figure beyond int64 decodes to.
		if n > float64(limit) && n == math.Trunc(n) {
			return tooLarge(what, field, v, limit)
		}
	}
	got := fmt.Sprint(v)
	switch v.(type) {
	case string:
		got = fmt.Sprintf("the string %q", v)
	case map[string]any:
		got = "an object"
	case []any:
		got = "a list"
	}
	return fmt.Errorf("%s: %s must be a whole number of zero or more, not %s", what, field, got)
}

func tooLarge(what, field string, v any, limit int64) error {
	if limit == math.MaxInt32 {
		return fmt.Errorf("%s: %s is %v, more than a workload's replicas (an int32) can hold: at most %d", what, field, v, limit)
	}
	return fmt.Errorf("%s: %s is %v, more than %d", what, field, v, limit)
}

func newFederatedObject(doc Document, tc *FederatedTypeConfig, defaultNamespace string) (*FederatedObject, error) {
	u := doc.Object
	if tc.Spec.FederatedType.Scope == ScopeNamespaced && u.GetNamespace() == "" {
		u.SetNamespace(defaultNamespace)
	}
	obj := &FederatedObject{Source: doc.Source, Object: u, TypeConfig: tc}
	if raw, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "placement"); found && raw != nil {
		obj.Placement = &Placement{}
		if err := decodeField(raw, obj.Placement); err != nil {
			return nil, fmt.Errorf("%s: %s: spec.placement: %w", doc.Source, obj.Describe(), err)
		}
	}
	if raw, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "overrides"); found && raw != nil {
		if err := decodeField(raw, &obj.Overrides); err != nil {
			return nil, fmt.Errorf("%s: %s: spec.overrides: %w", doc.Source, obj.Describe(), err)
		}
	}
	if raw, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "template"); found && raw != nil {
		if _, ok := raw.(map[string]any); !ok {
			return nil, fmt.Errorf("%s: %s: spec.template must be an object", doc.Source, obj.Describe())
		}
	}
	return obj, nil
}

func decode(doc Document, into any) error {
	if err := decodeField(doc.Object.Object, into); err != nil {
		u := doc.Object
		return fmt.Errorf("%s: %s: %w", doc.Source, describe(u.GetKind(), u.GetNamespace(), u.GetName()), err)
	}
	return nil
}

func decodeField(raw any, into any) error {
	// The converter is several times faster than a trip through JSON text; the trip through
	// JSON gives the clearer message, so it is taken when the converter refuses.
	if m, ok := raw.(map[string]any); ok && runtime.DefaultUnstructuredConverter.FromUnstructured(m, into) == nil {
		return nil
	}
	if l, ok := raw.([]any); ok {
		if slice, ok := into.(*[]ClusterOverrides); ok && convertOverrides(l, slice) == nil {
			return nil
		}
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("%s must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type.Kind()), typeErr.Value)
		}
		return err
	}
	return nil
}

// jsonKind names a Go kind as the manifest's author knows it.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a whole number"
}

func convertOverrides(items []any, into *[]ClusterOverrides) error {
	out := make([]ClusterOverrides, len(items))
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			return errors.New("not an object")
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &out[i]); err != nil {
			return err
		}
	}
	*into = out
	return nil
}
