// Package render turns a Federation into the exact objects each member cluster should hold:
// placement, the ReplicaSchedulingPreference split, overrides and the managed label, with
// kubefed v0.10's semantics. It is pure: objects in, objects out, deterministic.
package render

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/schedule"
)

// Options carry the live inputs a plan may use, and whether to explain it.
type Options struct {
	// Explain fills Result.Explanations; it costs time and memory on large federations.
	Explain bool

	// KeepGoing records an object that cannot be rendered in Result.Failures and goes on with
	// the others, instead of failing the whole render.
	KeepGoing bool

	// Current and Capacity are the planner's optional inputs, by "<namespace>/<name>" of the
	// workload and then by cluster: replicas there now (propagate gives each copy's ready
	// replicas), and replicas a cluster can run. Clusters the planner does not plan over are
	// ignored, as kubefed read current replicas from those it plans over only.
	Current  map[string]map[string]int64
	Capacity map[string]map[string]int64
}

// Result is the plan for every cluster, with the reasons behind it. The desired objects
// themselves are built one cluster at a time by Objects, so that memory holds one cluster's
// objects, not the whole federation's.
type Result struct {
	// Clusters has every known cluster, sorted by name; not-ready clusters hold no objects.
	Clusters     []ClusterResult
	Explanations []Explanation
	// Warnings are what kubefed would report as events: dropped template fields, skipped clusters.
	Warnings []string
	// Failures are the objects that could not be rendered for any cluster, with KeepGoing.
	Failures []Failure

	plans    []*objectPlan
	byObject map[*apis.FederatedObject]*objectPlan
}

// Failure is a federated object that cannot be rendered: for every cluster when Cluster is
// empty, else for that cluster. Nothing of it is to be written where it fails.
type Failure struct {
	Object  *apis.FederatedObject
	Cluster string
	Err     error
}

// ClusterResult names one member and says whether it is ready.
type ClusterResult struct {
	Name  string
	Ready bool
}

// objectPlan is what a federated object becomes: where it goes, and what changes per cluster.
type objectPlan struct {
	object    *apis.FederatedObject
	placed    map[string]bool
	unready   []string
	replicas  map[string]int64
	overrides map[string][]apis.Override
	// ignoredReplicas are the clusters whose /spec/replicas override the planner's figure beat.
	ignoredReplicas sets.Set[string]
}

// Explanation says, for one federated object, where it goes and why.
type Explanation struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Source    string `json:"source"`
	// Skipped says why the object is not rendered anywhere, when it is not.
	Skipped  string               `json:"skipped,omitempty"`
	Schedule *ScheduleExplanation `json:"schedule,omitempty"`
	Clusters []ClusterExplanation `json:"clusters,omitempty"`
}

// ScheduleExplanation describes the ReplicaSchedulingPreference applied to the object.
type ScheduleExplanation struct {
	Preference    string   `json:"preference"`
	TotalReplicas int32    `json:"totalReplicas"`
	Rebalance     bool     `json:"rebalance"`
	PlannedOver   []string `json:"plannedOver"`
	Note          string   `json:"note,omitempty"`
}

// ClusterExplanation is the verdict for one (federated object, cluster).
type ClusterExplanation struct {
	Cluster        string   `json:"cluster"`
	Placed         bool     `json:"placed"`
	Reason         string   `json:"reason"`
	Replicas       *int64   `json:"replicas,omitempty"`
	ReplicasReason string   `json:"replicasReason,omitempty"`
	Overrides      []string `json:"overrides,omitempty"`
}

type renderer struct {
	fed        *apis.Federation
	opts       Options
	clusters   []*apis.KubeFedCluster
	ready      map[string]bool
	readyNames []string
	namespaces map[string]*apis.FederatedObject
	// nsPlacements caches each FederatedNamespace's placement: many objects share a namespace.
	nsPlacements map[string]placement
	prefs        map[string]*apis.Preference
	usedPrefs    map[string]bool
	result       *Result
}

// Render computes every member's desired objects. An error names the source, the object and,
// where it applies, the cluster and the override path.
func Render(fed *apis.Federation, opts Options) (*Result, error) {
	r := &renderer{
		fed:          fed,
		opts:         opts,
		ready:        map[string]bool{},
		namespaces:   map[string]*apis.FederatedObject{},
		nsPlacements: map[string]placement{},
		prefs:        map[string]*apis.Preference{},
		usedPrefs:    map[string]bool{},
		result:       &Result{byObject: map[*apis.FederatedObject]*objectPlan{}},
	}
	r.clusters = append(r.clusters, fed.Clusters...)
	sort.Slice(r.clusters, func(i, j int) bool { return r.clusters[i].Name < r.clusters[j].Name })
	for _, c := range r.clusters {
		switch {
		case c.Ready():
			r.ready[c.Name] = true
			r.readyNames = append(r.readyNames, c.Name)
		case c.Status == nil:
			r.warn("cluster %q is not ready (it has no status yet; in files, give it status.conditions [{type: Ready, status: \"True\"}]); nothing is rendered for it", c.Name)
		default:
			r.warn("cluster %q is not ready (its status has no Ready=True condition); nothing is rendered for it", c.Name)
		}
	}
	for _, p := range fed.Preferences {
		switch p.Spec.TargetKind {
		case apis.KindFederatedDeployment, apis.KindFederatedReplicaSet:
		default:
			err := fmt.Errorf("%s: %s: spec.targetKind %q is not supported; use FederatedDeployment or FederatedReplicaSet",
				p.Source, p.Describe(), p.Spec.TargetKind)
			if !opts.KeepGoing {
				return nil, err
			}
			// A pass goes on: kubefed's scheduler ignored what it could not schedule.
			r.warn("%v; ignored", err)
			continue
		}
		r.prefs[p.Namespace+"/"+p.Name] = p
	}
	for _, o := range fed.Objects {
		if o.IsNamespace() && o.Object.GetName() == o.Object.GetNamespace() {
			r.namespaces[o.Object.GetNamespace()] = o
		}
	}

	objects := append([]*apis.FederatedObject(nil), fed.Objects...)
	sortObjects(objects, func(o *apis.FederatedObject) *unstructured.Unstructured { return o.Object })
	for _, o := range objects {
		if err := r.renderObject(o); err != nil {
			if !opts.KeepGoing {
				return nil, err
			}
			r.result.Failures = append(r.result.Failures, Failure{Object: o, Err: err})
		}
	}
	for _, key := range sets.List(sets.KeySet(r.prefs)) {
		if p := r.prefs[key]; !r.usedPrefs[key] {
			r.warn("%s: %s has no %s %q to schedule", p.Source, p.Describe(), p.Spec.TargetKind, key)
		}
	}
	for _, c := range r.clusters {
		r.result.Clusters = append(r.result.Clusters, ClusterResult{Name: c.Name, Ready: r.ready[c.Name]})
	}
	return r.result, nil
}

func (r *renderer) warn(format string, args ...any) {
	r.result.Warnings = append(r.result.Warnings, fmt.Sprintf(format, args...))
}

func (r *renderer) renderObject(o *apis.FederatedObject) error {
	u := o.Object
	exp := Explanation{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Source: o.Source}
	if r.opts.Explain {
		defer func() { r.result.Explanations = append(r.result.Explanations, exp) }()
	}
	fail := func(err error) error { return fmt.Errorf("%s: %s: %w", o.Source, o.Describe(), err) }

	if exp.Skipped = r.skipReason(o); exp.Skipped != "" {
		return nil
	}
	if err := checkIdentity(o, r.fed); err != nil {
		return fail(err)
	}
	overrides, err := overridesByCluster(o.Overrides)
	if err != nil {
		return fail(err)
	}
	for _, name := range sets.List(sets.KeySet(overrides)) {
		if !r.known(name) {
			r.warn("%s: %s: spec.overrides names cluster %q, which is not a known cluster; its overrides are ignored", o.Source, o.Describe(), name)
		}
	}
	if o.Placement != nil {
		named := sets.New[string]()
		for _, ref := range o.Placement.Clusters {
			named.Insert(ref.Name)
		}
		for _, name := range sets.List(named) {
			if !r.known(name) {
				r.warn("%s: %s: spec.placement.clusters names cluster %q, which is not a known cluster; nothing is placed there until it joins", o.Source, o.Describe(), name)
			}
		}
	}

	spec := o.Placement
	var replicas map[string]int64
	var traces map[string]string
	if exp.Schedule, replicas, traces, err = r.schedule(o); err != nil {
		return fail(err)
	}
	var ignored []string
	if replicas != nil {
		if err := checkScheduledSpec(o, exp.Schedule.Preference); err != nil {
			return fail(err)
		}
		overrides, ignored = withoutReplicasOverrides(overrides, replicas)
		if len(ignored) > 0 {
			r.warn("%s: %s: spec.overrides: the override of /spec/replicas for %s is ignored: ReplicaSchedulingPreference %q sets the replicas, as kubefed's scheduler did",
				o.Source, o.Describe(), clusterList(ignored), exp.Schedule.Preference)
		}
		// kubefed's scheduler rewrites placement to exactly the clusters it planned for.
		spec = &apis.Placement{Clusters: []apis.ClusterReference{}}
		for _, name := range sets.List(sets.KeySet(replicas)) {
			spec.Clusters = append(spec.Clusters, apis.ClusterReference{Name: name})
		}
	}
	placed, err := computePlacement(spec, r.clusters, false, r.opts.Explain)
	if err != nil {
		return fail(err)
	}
	if replicas != nil && r.opts.Explain {
		for name, ok := range placed.selected {
			if ok {
				placed.reasons[name] = fmt.Sprintf("planned for by ReplicaSchedulingPreference %q, which places the workload in every cluster it plans for", exp.Schedule.Preference)
			} else {
				placed.reasons[name] = fmt.Sprintf("not among the clusters ReplicaSchedulingPreference %q plans for", exp.Schedule.Preference)
			}
		}
	}
	if err := r.intersectNamespace(o, placed); err != nil {
		return fail(err)
	}

	r.checkTemplateMetadata(o)
	plan := &objectPlan{object: o, placed: map[string]bool{}, replicas: replicas, overrides: overrides, ignoredReplicas: sets.New(ignored...)}
	for _, c := range r.clusters {
		if placed.selected[c.Name] && r.ready[c.Name] {
			plan.placed[c.Name] = true
		} else if placed.selected[c.Name] {
			plan.unready = append(plan.unready, c.Name)
		}
		if r.opts.Explain {
			exp.Clusters = append(exp.Clusters, r.explainCluster(c.Name, placed, plan, traces))
		}
	}
	r.result.plans = append(r.result.plans, plan)
	r.result.byObject[o] = plan
	return nil
}

func (r *renderer) explainCluster(cluster string, placed placement, plan *objectPlan, traces map[string]string) ClusterExplanation {
	ce := ClusterExplanation{Cluster: cluster, Placed: plan.placed[cluster], Reason: placed.reasons[cluster]}
	if placed.selected[cluster] && !r.ready[cluster] {
		ce.Reason += "; but the cluster is not ready, so it is skipped"
	}
	if !ce.Placed {
		return ce
	}
	if plan.replicas != nil {
		n := plan.replicas[cluster]
		ce.Replicas, ce.ReplicasReason = &n, traces[cluster]
	}
	for _, ov := range plan.overrides[cluster] {
		ce.Overrides = append(ce.Overrides, describeOverride(ov))
	}
	if plan.ignoredReplicas.Has(cluster) {
		ce.ReplicasReason += "; the cluster's override of /spec/replicas is ignored: the preference's figure wins, as in kubefed"
	}
	return ce
}

// checkScheduledSpec refuses a scheduled workload whose template has no spec for the replicas:
// kubefed's scheduler override of /spec/replicas failed on it in every cluster.
func checkScheduledSpec(o *apis.FederatedObject, preference string) error {
	spec, found, _ := unstructured.NestedFieldNoCopy(o.Object.Object, "spec", "template", "spec")
	if _, ok := spec.(map[string]any); !ok || !found {
		return fmt.Errorf("spec.template has no spec object to hold the replicas ReplicaSchedulingPreference %q plans (kubefed fails such a workload too); add spec to the template", preference)
	}
	return nil
}

// withoutReplicasOverrides drops the /spec/replicas overrides of the clusters a preference
// plans for: kubefed's scheduler wrote its figure into that override, so the planner's figure
// always won. It returns the clusters whose override was dropped, sorted.
func withoutReplicasOverrides(overrides map[string][]apis.Override, replicas map[string]int64) (map[string][]apis.Override, []string) {
	var ignored []string
	kept := make(map[string][]apis.Override, len(overrides))
	for cluster, list := range overrides {
		if _, planned := replicas[cluster]; !planned {
			kept[cluster] = list
			continue
		}
		var rest []apis.Override
		for _, ov := range list {
			if ov.Path == ReplicasPath {
				ignored = append(ignored, cluster)
				continue
			}
			rest = append(rest, ov)
		}
		kept[cluster] = rest
	}
	sort.Strings(ignored)
	return kept, ignored
}

// ReplicasPath is the override path of a workload's replicas: a preference's figure beats it, as
// kubefed's scheduler, which wrote its split there, did.
const ReplicasPath = "/spec/replicas"

func clusterList(names []string) string {
	if len(names) == 1 {
		return fmt.Sprintf("cluster %q", names[0])
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return "clusters " + strings.Join(quoted, ", ")
}

func (r *renderer) known(name string) bool {
	for _, c := range r.clusters {
		if c.Name == name {
			return true
		}
	}
	return false
}

// skipReason says why kubefed would not propagate the object at all, or "".
func (r *renderer) skipReason(o *apis.FederatedObject) string {
	tc := o.TypeConfig
	u := o.Object
	switch {
	case !tc.Enabled():
		return fmt.Sprintf("propagation is Disabled in FederatedTypeConfig %q", tc.Name)
	case o.IsNamespace() && apis.IsSystemNamespace(u.GetName(), r.fed.KubeFedNamespace):
		return fmt.Sprintf("kubefed never propagates the system namespace %q", u.GetName())
	case o.IsNamespace() && u.GetName() != u.GetNamespace():
		r.warn("%s: %s: a FederatedNamespace must be named after the namespace it is in; ignored", o.Source, o.Describe())
		return "a FederatedNamespace must be named after the namespace it is in"
	case r.fed.Scope() == apis.ScopeNamespaced && !tc.Namespaced() && !o.IsNamespace():
		return "the federation's scope is Namespaced, which propagates no cluster-scoped type"
	case r.fed.Scope() == apis.ScopeNamespaced && u.GetNamespace() != r.fed.KubeFedNamespace:
		return fmt.Sprintf("the federation's scope is Namespaced, which propagates only namespace %q", r.fed.KubeFedNamespace)
	case r.fed.Scope() != apis.ScopeNamespaced && tc.Namespaced() && apis.IsReservedNamespace(u.GetNamespace(), r.fed.KubeFedNamespace):
		return fmt.Sprintf("nothing is propagated into namespace %q: it holds the clusters' or the federation's own machinery", u.GetNamespace())
	}
	return ""
}

// checkIdentity refuses an object whose members' copies could land elsewhere than the object
// says: a type config that makes a namespaced federated object propagate a cluster-scoped kind
// (or the reverse), the federation's own types, and service-account tokens. Each of these is
// refused whatever the rest of the object says.
func checkIdentity(o *apis.FederatedObject, fed *apis.Federation) error {
	target := o.TypeConfig.Spec.TargetType
	namespace := o.Object.GetNamespace()
	switch {
	case apis.IsMachineryGroup(target.Group, o.TypeConfig.Spec.FederatedType.Group):
		return fmt.Errorf("FederatedTypeConfig %q targets %s of group %q, one of the federation's own types, which are never propagated; delete the type config",
			o.TypeConfig.Name, target.Kind, target.Group)
	case !declaredScopeHolds(target):
		return fmt.Errorf("FederatedTypeConfig %q declares %s %s, but it is not: fix spec.targetType.scope", o.TypeConfig.Name, target.Kind, target.Scope)
	case o.IsNamespace():
		// A FederatedNamespace lives in the namespace it names; skipReason has checked that.
	case target.Scope == apis.ScopeNamespaced && namespace == "":
		return fmt.Errorf("%s is namespaced, but this federated object has no namespace", target.Kind)
	case target.Scope != apis.ScopeNamespaced && namespace != "":
		return fmt.Errorf("FederatedTypeConfig %q propagates the cluster-scoped %s, which a federated object in namespace %q may not create; such objects must be cluster-scoped",
			o.TypeConfig.Name, target.Kind, namespace)
	}
	if target.Group == "" && target.Kind == "Secret" {
		if t, _, _ := unstructured.NestedString(o.Object.Object, "spec", "template", "type"); t == serviceAccountTokenType {
			return fmt.Errorf("a Secret of type %s is a cluster's own credential and is never propagated", serviceAccountTokenType)
		}
	}
	return nil
}

// declaredScopeHolds reports whether a type config's target scope is the kind's real one, where
// kubefedctl knows it: a namespaced claim for a cluster-scoped kind would let objects in a
// tenant's namespace write cluster-wide.
func declaredScopeHolds(target apis.APIResource) bool {
	scope, known := apis.BuiltinScope(target.Group, target.Kind)
	return !known || scope == target.Scope
}

// serviceAccountTokenType is the type of the Secrets that hold service-account tokens.
const serviceAccountTokenType = "kubernetes.io/service-account-token"

// intersectNamespace applies kubefed's namespace rule: a namespaced object goes only where its
// FederatedNamespace places the namespace; without one, nowhere (in Cluster scope).
func (r *renderer) intersectNamespace(o *apis.FederatedObject, placed placement) error {
	if !o.TypeConfig.Namespaced() {
		return nil
	}
	ns := o.Object.GetNamespace()
	fns := r.namespaces[ns]
	if fns == nil {
		if r.fed.Scope() == apis.ScopeNamespaced {
			return nil
		}
		for name, ok := range placed.selected {
			if ok {
				placed.selected[name] = false
				if r.opts.Explain {
					placed.reasons[name] = fmt.Sprintf("namespace %q has no FederatedNamespace, so kubefed places nothing in it", ns)
				}
			}
		}
		return nil
	}
	nsPlaced, ok := r.nsPlacements[ns]
	if !ok {
		var err error
		if nsPlaced, err = computePlacement(fns.Placement, r.clusters, false, r.opts.Explain); err != nil {
			return fmt.Errorf("its FederatedNamespace %q: %w", ns, err)
		}
		r.nsPlacements[ns] = nsPlaced
	}
	for name, ok := range placed.selected {
		if ok && !nsPlaced.selected[name] {
			placed.selected[name] = false
			if r.opts.Explain {
				placed.reasons[name] = fmt.Sprintf("namespace %q is not placed here: %s", ns, nsPlaced.reasons[name])
			}
		}
	}
	return nil
}

// checkTemplateMetadata warns of template metadata kubefed drops: annotations and finalizers
// with something in them (kubefed keeps them empty, and so warns of nothing then).
func (r *renderer) checkTemplateMetadata(o *apis.FederatedObject) {
	meta, _, _ := unstructured.NestedFieldNoCopy(o.Object.Object, "spec", "template", "metadata")
	m, _ := meta.(map[string]any)
	for _, field := range []string{"annotations", "finalizers"} {
		if v, found := m[field]; found && v != nil && !emptyCollection(m, field) {
			r.warn("%s: %s: metadata.%s cannot be set via the template, to avoid conflicting with controllers in member clusters; dropped (use an override to set them)",
				o.Source, o.Describe(), field)
		}
	}
}

// schedule applies the object's ReplicaSchedulingPreference, if it has one: replicas per
// cluster planned over (nil when the preference does not apply) and the reason for each figure.
func (r *renderer) schedule(o *apis.FederatedObject) (*ScheduleExplanation, map[string]int64, map[string]string, error) {
	key := o.Object.GetNamespace() + "/" + o.Object.GetName()
	p := r.prefs[key]
	if p == nil || p.Spec.TargetKind != o.Object.GetKind() {
		return nil, nil, nil, nil
	}
	r.usedPrefs[key] = true
	exp := &ScheduleExplanation{Preference: key, TotalReplicas: p.Spec.TotalReplicas, Rebalance: p.Spec.Rebalance}
	names := r.readyNames
	if p.Spec.IntersectWithClusterSelector {
		fns := r.namespaces[o.Object.GetNamespace()]
		if fns == nil {
			exp.Note = "intersectWithClusterSelector needs the namespace's FederatedNamespace, and there is none; the preference is not applied"
			r.warn("%s: %s: %s", p.Source, p.Describe(), exp.Note)
			return exp, nil, nil, nil
		}
		own, err1 := computePlacement(o.Placement, r.clusters, true, false)
		ns, err2 := computePlacement(fns.Placement, r.clusters, true, false)
		if err1 != nil || err2 != nil {
			exp.Note = "a cluster selector is invalid; the preference is not applied"
			return exp, nil, nil, nil
		}
		names = nil
		for _, name := range r.readyNames {
			if own.selected[name] && ns.selected[name] {
				names = append(names, name)
			}
		}
		exp.Note = "planned over the ready clusters that the object's and its namespace's clusterSelectors select"
	}
	if len(names) == 0 {
		exp.Note = strings.TrimPrefix(exp.Note+"; no cluster to plan over, so the preference is not applied and placement is left as it is", "; ")
		return exp, nil, nil, nil
	}
	exp.PlannedOver = names
	plan, err := schedule.Compute(p.Spec, schedule.Input{Clusters: names, Current: r.opts.Current[key], Capacity: r.opts.Capacity[key], Key: key})
	if err != nil {
		return exp, nil, nil, fmt.Errorf("%s: %s: %w", p.Source, p.Describe(), err)
	}
	replicas := plan.Result()
	if p.Spec.TotalReplicas > 0 && weightSum(plan) == 0 {
		r.warnUnweighted(o, p, names, replicas)
	}
	reasons := map[string]string{}
	if r.opts.Explain {
		for name := range replicas {
			reasons[name] = replicasReason(plan, name)
		}
	}
	return exp, replicas, reasons, nil
}

// warnUnweighted says what a preference with no weight to share by does: kubefed placed only
// the minimums and the replicas it kept, without a word.
func (r *renderer) warnUnweighted(o *apis.FederatedObject, p *apis.Preference, names []string, replicas map[string]int64) {
	var placed int64
	for _, n := range replicas {
		placed += n
	}
	what := fmt.Sprintf("%s: %s for %s: no cluster it plans over (%s) has a weight above 0", p.Source, p.Describe(), o.Describe(), strings.Join(names, ", "))
	if placed == 0 {
		r.warn("%s, so it places 0 replicas everywhere; give clusters (or \"*\") a weight", what)
		return
	}
	r.warn("%s, so it places only %d of its %d replicas (minReplicas, and replicas kept where they run); give clusters (or \"*\") a weight",
		what, placed, p.Spec.TotalReplicas)
}

// objectKey is what objects are sorted by: group, kind, namespace, name.
type objectKey struct{ group, kind, namespace, name string }

func keyOf(u *unstructured.Unstructured) objectKey {
	gvk := u.GroupVersionKind()
	return objectKey{gvk.Group, gvk.Kind, u.GetNamespace(), u.GetName()}
}

func (a objectKey) less(b objectKey) bool {
	if a.group != b.group {
		return a.group < b.group
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if a.namespace != b.namespace {
		return a.namespace < b.namespace
	}
	return a.name < b.name
}

// sortObjects orders items by the key of their object, computing each key once: the
// comparisons are the hot part of sorting many objects.
func sortObjects[T any](items []T, object func(T) *unstructured.Unstructured) {
	type keyed struct {
		key  objectKey
		item T
	}
	keys := make([]keyed, len(items))
	for i, item := range items {
		keys[i] = keyed{keyOf(object(item)), item}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].key.less(keys[j].key) })
	for i := range keys {
		items[i] = keys[i].item
	}
}
