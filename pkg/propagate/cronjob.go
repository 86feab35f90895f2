package propagate

import (
	"maps"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
)

// ScheduledName names the ServiceAccount, Role, RoleBinding and CronJob of a scheduled pass in
// the KubeFed namespace; the ClusterRole and its binding add the namespace, as two federations
// may share a host.
const ScheduledName = "kubefedctl-propagate"

// DefaultSchedule is --schedule's default: every five minutes.
const DefaultSchedule = "*/5 * * * *"

// The pass's memory, from the benchmark's measured peak (README, Measured): 335 MB resident for
// 1,000 FederatedDeployments over 3 members, 221 MB over 2. The request holds the larger with a
// margin; the limit leaves room for a federation half as large again, and GOMEMLIMIT makes the
// Go runtime collect harder before the kernel would kill it.
var (
	memoryRequest = resource.MustParse("384Mi")
	memoryLimit   = resource.MustParse("512Mi")
)

const goMemLimit = "460MiB"

// ScheduledPass is what a scheduled pass is made of.
type ScheduledPass struct {
	KubeFedNamespace string
	// Namespaced is the federation's scope: a Namespaced one reads and writes only its KubeFed
	// namespace, so it needs no cluster-wide grant at all.
	Namespaced bool
	Schedule   string
	Image      string
	// Args are propagate's flags for the pass, selection included.
	Args []string
	// Propagated are the federated resources the pass propagates: it lists them, reads one again
	// on a conflict, patches the finalizer and the status. Placement are those it only lists
	// (the FederatedNamespaces, for placement).
	Propagated, Placement []schema.GroupResource
}

// ClusterRoleName names the cluster-wide grant of a scheduled pass of the federation in ns.
func ClusterRoleName(ns string) string { return ScheduledName + ":" + ns }

// PassRules are what a pass asks of the host, and nothing more: in the KubeFed namespace, and
// everywhere the federation reaches (for a Namespaced federation, that too is the KubeFed
// namespace, and clusterWide is empty). Read from the pass itself:
//   - read: the KubeFedConfig (get), the KubeFedClusters and FederatedTypeConfigs (list), each
//     cluster's credentials Secret (get), in the KubeFed namespace; every KubeFedConfig of the
//     host (list), to find other federations; the ReplicaSchedulingPreferences and every
//     federated resource (list);
//   - write: the Lease (create, then get and update by name); on each propagated federated
//     object, the finalizer (patch, with a get on a conflict) and the status (patch).
func PassRules(p ScheduledPass) (namespaced, clusterWide []rbacv1.PolicyRule) {
	namespaced = []rbacv1.PolicyRule{
		{APIGroups: []string{apis.CoreGroup}, Resources: []string{"kubefedconfigs"}, ResourceNames: []string{apis.KubeFedConfigName}, Verbs: []string{"get"}},
		{APIGroups: []string{apis.CoreGroup}, Resources: []string{"federatedtypeconfigs", "kubefedclusters"}, Verbs: []string{"list"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{protocol.LeaseName}, Verbs: []string{"get", "update"}},
	}
	var reach []rbacv1.PolicyRule
	if !p.Namespaced {
		reach = append(reach, rbacv1.PolicyRule{APIGroups: []string{apis.CoreGroup}, Resources: []string{"kubefedconfigs"}, Verbs: []string{"list"}})
	}
	reach = append(reach, rbacv1.PolicyRule{APIGroups: []string{apis.SchedulingGroup}, Resources: []string{"replicaschedulingpreferences"}, Verbs: []string{"list"}})
	reach = append(reach, federatedRules(p.Propagated, p.Placement)...)
	if p.Namespaced {
		return append(namespaced, reach...), nil
	}
	return namespaced, reach
}

// federatedRules grants, per API group, list on every federated resource, and get, patch and
// patch of the status on those propagated.
func federatedRules(propagated, placement []schema.GroupResource) []rbacv1.PolicyRule {
	listed := map[string]map[string]bool{}
	written := map[string]map[string]bool{}
	add := func(m map[string]map[string]bool, gr schema.GroupResource) {
		if m[gr.Group] == nil {
			m[gr.Group] = map[string]bool{}
		}
		m[gr.Group][gr.Resource] = true
	}
	for _, gr := range propagated {
		add(listed, gr)
		add(written, gr)
	}
	for _, gr := range placement {
		add(listed, gr)
	}
	var rules []rbacv1.PolicyRule
	for _, group := range slices.Sorted(maps.Keys(listed)) {
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: slices.Sorted(maps.Keys(listed[group])), Verbs: []string{"list"}})
		if len(written[group]) == 0 {
			continue
		}
		resources := slices.Sorted(maps.Keys(written[group]))
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: resources, Verbs: []string{"get", "patch"}})
		var status []string
		for _, r := range resources {
			status = append(status, r+"/status")
		}
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: status, Verbs: []string{"patch"}})
	}
	return rules
}

// CronJobManifests are the objects that run the pass on the host on a schedule, in the order
// kubectl apply needs them: the ServiceAccount, its grants, and the CronJob, which runs the
// image's kubefedctl with the in-cluster configuration of that ServiceAccount.
func CronJobManifests(p ScheduledPass) ([]*unstructured.Unstructured, error) {
	ns := p.KubeFedNamespace
	labels := map[string]string{"app.kubernetes.io/name": "kubefedctl", "app.kubernetes.io/component": "propagate"}
	meta := func(name, namespace string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels}
	}
	subject := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ScheduledName, Namespace: ns}}
	namespaced, clusterWide := PassRules(p)
	objects := []runtime.Object{
		&corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: meta(ScheduledName, ns)},
		&rbacv1.Role{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: meta(ScheduledName, ns), Rules: namespaced},
		&rbacv1.RoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: meta(ScheduledName, ns),
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: ScheduledName}, Subjects: subject},
	}
	if len(clusterWide) > 0 {
		objects = append(objects,
			&rbacv1.ClusterRole{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: meta(ClusterRoleName(ns), ""), Rules: clusterWide},
			&rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: meta(ClusterRoleName(ns), ""),
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ClusterRoleName(ns)}, Subjects: subject})
	}
	container := corev1.Container{
		Name:  "propagate",
		Image: p.Image,
		// The image's entrypoint is kubefedctl; no kubeconfig: client-go's in-cluster
		// configuration, the ServiceAccount's token.
		Args: append([]string{"propagate"}, p.Args...),
		Env:  []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: goMemLimit}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceMemory: memoryRequest, corev1.ResourceCPU: resource.MustParse("100m")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: memoryLimit},
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	objects = append(objects, &batchv1.CronJob{
		TypeMeta:   typeMeta("batch/v1", "CronJob"),
		ObjectMeta: meta(ScheduledName, ns),
		Spec: batchv1.CronJobSpec{
			Schedule: p.Schedule,
			// One pass at a time, as the Lease also ensures: a pass still running when the next is
			// due makes the next wait for the schedule after.
			ConcurrencyPolicy: batchv1.ForbidConcurrent,
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: batchv1.JobSpec{
					// A failed pass is not retried: the next one, on schedule, converges.
					BackoffLimit: ptr.To[int32](0),
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{
							ServiceAccountName: ScheduledName,
							RestartPolicy:      corev1.RestartPolicyNever,
							SecurityContext: &corev1.PodSecurityContext{
								RunAsNonRoot:   ptr.To(true),
								SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
							},
							Containers: []corev1.Container{container},
						},
					},
				},
			},
		},
	})
	out := make([]*unstructured.Unstructured, 0, len(objects))
	for _, obj := range objects {
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{Object: content}
		// What a typed object carries empty, a manifest leaves out.
		dropEmpty(u.Object)
		out = append(out, u)
	}
	return out, nil
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// dropEmpty removes the nulls and empty maps a typed object converts with (creationTimestamp,
// status), at every depth.
func dropEmpty(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			dropEmpty(v)
			if len(v) == 0 {
				delete(m, k)
			}
		case []any:
			for _, item := range v {
				if im, ok := item.(map[string]any); ok {
					dropEmpty(im)
				}
			}
		}
	}
}
