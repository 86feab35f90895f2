package propagate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

var (
	fdeploy = schema.GroupResource{Group: "types.kubefed.io", Resource: "federateddeployments"}
	fcm     = schema.GroupResource{Group: "types.kubefed.io", Resource: "federatedconfigmaps"}
	fns     = schema.GroupResource{Group: "types.kubefed.io", Resource: "federatednamespaces"}
)

func TestPassRules(t *testing.T) {
	inNamespace := []rbacv1.PolicyRule{
		{APIGroups: []string{"core.kubefed.io"}, Resources: []string{"kubefedconfigs"}, ResourceNames: []string{"kubefed"}, Verbs: []string{"get"}},
		{APIGroups: []string{"core.kubefed.io"}, Resources: []string{"federatedtypeconfigs", "kubefedclusters"}, Verbs: []string{"list"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{"kubefedctl-propagate"}, Verbs: []string{"get", "update"}},
	}
	preferences := rbacv1.PolicyRule{APIGroups: []string{"scheduling.kubefed.io"}, Resources: []string{"replicaschedulingpreferences"}, Verbs: []string{"list"}}
	for _, tc := range []struct {
		name                   string
		pass                   ScheduledPass
		namespaced, everywhere []rbacv1.PolicyRule
	}{
		{
			name:       "Cluster scope: the machinery in the KubeFed namespace, the federated types everywhere",
			pass:       ScheduledPass{Propagated: []schema.GroupResource{fdeploy, fcm, fns}},
			namespaced: inNamespace,
			everywhere: []rbacv1.PolicyRule{
				{APIGroups: []string{"core.kubefed.io"}, Resources: []string{"kubefedconfigs"}, Verbs: []string{"list"}},
				preferences,
				{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federatedconfigmaps", "federateddeployments", "federatednamespaces"}, Verbs: []string{"list"}},
				{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federatedconfigmaps", "federateddeployments", "federatednamespaces"}, Verbs: []string{"get", "patch"}},
				{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federatedconfigmaps/status", "federateddeployments/status", "federatednamespaces/status"}, Verbs: []string{"patch"}},
			},
		},
		{
			name:       "a selected type: FederatedNamespaces only listed, for placement",
			pass:       ScheduledPass{Propagated: []schema.GroupResource{fdeploy}, Placement: []schema.GroupResource{fns}},
			namespaced: inNamespace,
			everywhere: []rbacv1.PolicyRule{
				{APIGroups: []string{"core.kubefed.io"}, Resources: []string{"kubefedconfigs"}, Verbs: []string{"list"}},
				preferences,
				{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federateddeployments", "federatednamespaces"}, Verbs: []string{"list"}},
				{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federateddeployments"}, Verbs: []string{"get", "patch"}},
				{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federateddeployments/status"}, Verbs: []string{"patch"}},
			},
		},
		{
			name: "Namespaced scope: everything in the KubeFed namespace, nothing cluster-wide",
			pass: ScheduledPass{Namespaced: true, Propagated: []schema.GroupResource{fcm}},
			namespaced: append(append([]rbacv1.PolicyRule{}, inNamespace...),
				preferences,
				rbacv1.PolicyRule{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federatedconfigmaps"}, Verbs: []string{"list"}},
				rbacv1.PolicyRule{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federatedconfigmaps"}, Verbs: []string{"get", "patch"}},
				rbacv1.PolicyRule{APIGroups: []string{"types.kubefed.io"}, Resources: []string{"federatedconfigmaps/status"}, Verbs: []string{"patch"}},
			),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			namespaced, everywhere := PassRules(tc.pass)
			assert.Equal(t, tc.namespaced, namespaced)
			assert.Equal(t, tc.everywhere, everywhere)
			for _, r := range append(namespaced, everywhere...) {
				for _, field := range [][]string{r.APIGroups, r.Resources, r.Verbs} {
					assert.NotContains(t, field, "*", "no wildcard: %+v", r)
				}
				assert.Empty(t, r.NonResourceURLs)
			}
			for _, r := range everywhere {
				assert.NotContains(t, r.Resources, "secrets", "Secrets are read only in the KubeFed namespace")
			}
		})
	}
}

func TestCronJobManifests(t *testing.T) {
	pass := ScheduledPass{KubeFedNamespace: "kube-federation-system", Schedule: "*/10 * * * *", Image: "registry.example/kubefedctl:v0.2.0",
		Args: []string{"--kubefed-namespace=kube-federation-system", "deployments.apps", "--selector=tier=web"}, Propagated: []schema.GroupResource{fdeploy}}
	objects, err := CronJobManifests(pass)
	require.NoError(t, err)
	var kinds []string
	for _, o := range objects {
		kinds = append(kinds, o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
		_, found := o.Object["status"]
		assert.False(t, found, "%s has no status", o.GetKind())
		_, found, _ = unstructured.NestedFieldNoCopy(o.Object, "metadata", "creationTimestamp")
		assert.False(t, found)
	}
	assert.Equal(t, []string{
		"ServiceAccount kube-federation-system/kubefedctl-propagate",
		"Role kube-federation-system/kubefedctl-propagate",
		"RoleBinding kube-federation-system/kubefedctl-propagate",
		"ClusterRole /kubefedctl-propagate:kube-federation-system",
		"ClusterRoleBinding /kubefedctl-propagate:kube-federation-system",
		"CronJob kube-federation-system/kubefedctl-propagate",
	}, kinds)

	cron := objects[len(objects)-1].Object
	str := func(path ...string) string {
		v, _, err := unstructured.NestedString(cron, path...)
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, "*/10 * * * *", str("spec", "schedule"))
	assert.Equal(t, "Forbid", str("spec", "concurrencyPolicy"))
	pod := []string{"spec", "jobTemplate", "spec", "template", "spec"}
	assert.Equal(t, "kubefedctl-propagate", str(append(pod, "serviceAccountName")...))
	containers, _, _ := unstructured.NestedSlice(cron, append(pod, "containers")...)
	require.Len(t, containers, 1)
	c := containers[0].(map[string]any)
	assert.Equal(t, "registry.example/kubefedctl:v0.2.0", c["image"])
	assert.Equal(t, []any{"propagate", "--kubefed-namespace=kube-federation-system", "deployments.apps", "--selector=tier=web"}, c["args"])
	assert.Equal(t, map[string]any{
		"requests": map[string]any{"memory": "384Mi", "cpu": "100m"},
		"limits":   map[string]any{"memory": "512Mi"},
	}, c["resources"])
	for _, field := range []string{"command", "volumeMounts"} {
		assert.NotContains(t, c, field, "the image's entrypoint, and no kubeconfig mounted")
	}
	for _, arg := range c["args"].([]any) {
		assert.NotContains(t, arg, "kubeconfig")
		assert.NotContains(t, arg, "--context")
	}
}

func TestPassArgsAndScheduleFlags(t *testing.T) {
	globals := cli.NewGlobals()
	o := NewOptions(globals, genericiooptions.NewTestIOStreamsDiscard())
	o.PrintCronJob = true
	assert.Equal(t, []string{"--kubefed-namespace=kube-federation-system"}, o.passArgs(), "the defaults are not repeated")
	o.Type, o.Name, o.namespace, o.Selector, o.Concurrency = "deployments.apps", "web", "demo", "tier=web", 8
	assert.Equal(t, []string{"--kubefed-namespace=kube-federation-system", "deployments.apps", "web", "--namespace=demo", "--selector=tier=web", "--concurrency=8"}, o.passArgs())

	for _, tc := range []struct {
		name string
		set  func(o *Options)
		err  string
	}{
		{"schedule without print-cronjob", func(o *Options) { o.PrintCronJob, o.Schedule = false, "@hourly" }, "--schedule and --image describe the CronJob that --print-cronjob prints: add --print-cronjob"},
		{"a dry run", func(o *Options) { o.dryRun = cli.DryRunServer }, "--print-cronjob prints manifests and runs no pass: leave out --dry-run"},
		{"detailed exit codes", func(o *Options) { o.DetailedExitCode = true }, "--print-cronjob runs the pass on a schedule, where --diff and --detailed-exitcode have no reader: leave them out"},
		{"a schedule of four fields", func(o *Options) { o.Schedule = "* * * *" }, `--schedule "* * * *" is not a cron schedule of five fields (minute hour day-of-month month day-of-week), such as "*/5 * * * *", nor a macro such as @hourly`},
		{"an output of tables", func(o *Options) { o.Output = "wide" }, `with --print-cronjob, --output must be yaml or json, not "wide"`},
		{"no image", func(o *Options) { o.Image = "" }, "--print-cronjob needs --image REF, the image that holds this kubefedctl: make dist writes it to dist/image, and README (The image) says how to push it"},
		{"fine", func(o *Options) { o.Schedule, o.Output = "@hourly", "json" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions(globals, genericiooptions.NewTestIOStreamsDiscard())
			o.PrintCronJob, o.dryRun, o.Image = true, cli.DryRunNone, "registry.example/kubefedctl:v1"
			tc.set(o)
			err := o.validateSchedule()
			if tc.err == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.err)
			}
		})
	}
}
