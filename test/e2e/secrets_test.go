package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/propagate"
)

var (
	policiesGVR = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"}
	bindingsGVR = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicybindings"}
)

// quotingPolicy makes a cluster reject writes of the matched resources in namespace ns with a
// message that quotes a Secret's value, as an admission webhook may: what a report or an error
// must not pass on. It returns a function that removes it.
func quotingPolicy(t *testing.T, contextName, ns, group, resource, valueExpression string) func() {
	t.Helper()
	client := dynamicFor(t, contextName)
	ctx := context.Background()
	name := "quote-" + strings.ReplaceAll(resource, ".", "-")
	policy := map[string]any{
		"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"failurePolicy": "Fail",
			"matchConstraints": map[string]any{"resourceRules": []any{map[string]any{
				"apiGroups": []any{group}, "apiVersions": []any{"*"}, "operations": []any{"CREATE", "UPDATE"}, "resources": []any{resource}}}},
			"validations": []any{map[string]any{
				"expression":        "object.metadata.namespace != '" + ns + "'",
				"messageExpression": "'refusing the value ' + " + valueExpression,
			}},
		},
	}
	binding := map[string]any{
		"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": map[string]any{"name": name},
		"spec": map[string]any{"policyName": name, "validationActions": []any{"Deny"}},
	}
	_, err := client.Resource(policiesGVR).Create(ctx, &unstructured.Unstructured{Object: policy}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = client.Resource(bindingsGVR).Create(ctx, &unstructured.Unstructured{Object: binding}, metav1.CreateOptions{})
	require.NoError(t, err)
	return func() {
		_ = client.Resource(bindingsGVR).Delete(ctx, name, metav1.DeleteOptions{})
		_ = client.Resource(policiesGVR).Delete(ctx, name, metav1.DeleteOptions{})
	}
}

// untilCode runs kubefedctl until it exits with code, within a bound: an admission policy takes
// a moment to be enforced, and as long to be lifted.
func untilCode(t *testing.T, code int, args ...string) result {
	t.Helper()
	var r result
	err := wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		r = kubefedctl(t, args...)
		return r.code == code, nil
	})
	require.NoError(t, err, "kubefedctl %v: want exit code %d\nstdout: %s\nstderr: %s", args, code, r.stdout, r.stderr)
	return r
}

func encode(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// Secret values never reach output: federate -o, propagate --diff (client and server dry run)
// and -o json|yaml, and the errors a server words about a Secret; a changed value still shows.
func TestSecretsNeverReachOutput(t *testing.T) {
	federation(t)
	mustRun(t, "enable", "secrets")
	ctx := context.Background()
	host := dynamicFor(t, "host")
	ns := "secrets-e2e"
	const first, second, user = "first-password-e2e", "second-password-e2e", "secret-user-e2e"
	values := []string{first, encode(first), second, encode(second), user, encode(user)}
	assertNoValues := func(out string, what ...any) {
		t.Helper()
		for _, v := range values {
			assert.NotContains(t, out, v, what...)
		}
	}

	ensureNamespace(t, "host", ns)
	lastApplied := `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"` + ns + `"},"stringData":{"password":"` + first + `"}}`
	secret := map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": "db", "namespace": ns, "labels": map[string]any{"app": "db"},
			"annotations": map[string]any{"kubectl.kubernetes.io/last-applied-configuration": lastApplied}},
		"data": map[string]any{"password": encode(first), "user": encode(user)},
	}
	_, err := host.Resource(secretsGVR).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: secret}, metav1.CreateOptions{})
	require.NoError(t, ignoreExists(err))
	live, err := host.Resource(secretsGVR).Namespace(ns).Get(ctx, "db", metav1.GetOptions{})
	require.NoError(t, err)
	asFile, err := yaml.Marshal(live.Object)
	require.NoError(t, err)
	file := writeFile(t, string(asFile))

	// federate prints the values as ***, and says so, unless --show-secrets.
	for _, args := range [][]string{
		{"federate", "secret", "db", "-n", ns, "-o", "yaml"},
		{"federate", "secrets", "db", "-n", ns, "-o", "json"},
		{"federate", "namespace", ns, "--contents", "-o", "yaml"},
		{"federate", "-f", file, "-o", "yaml"},
		{"federate", "-f", file, "-o", "json"},
	} {
		r := mustRun(t, args...)
		assert.Contains(t, r.stdout, "***", "%v", args)
		assert.Contains(t, r.stdout, "FederatedSecret", "%v", args)
		assert.Contains(t, r.stderr, "--show-secrets", "%v", args)
		assertNoValues(r.stdout+r.stderr, "%v", args)
	}
	r := mustRun(t, "federate", "secret", "db", "-n", ns, "-o", "yaml", "--show-secrets")
	assert.Contains(t, r.stdout, encode(first), "--show-secrets prints them, for a manifest")
	assert.NotContains(t, r.stdout, "last-applied", "kubectl's copy of the values never reaches a template")
	r = kubefedctl(t, "federate", "secret", "db", "-n", ns, "--show-secrets")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "--show-secrets prints Secret values with -o")

	// The host rejects a FederatedSecret, quoting its value: the error hides it.
	lift := quotingPolicy(t, "host", ns, "types.kubefed.io", "federatedsecrets", "string(object.spec.template.data.password)")
	r = untilCode(t, cli.ExitError, "federate", "secret", "db", "-n", ns, "--dry-run=server")
	assert.Contains(t, r.stderr, "refusing the value ***")
	assertNoValues(r.stdout+r.stderr, "federate's error")
	lift()
	untilCode(t, cli.ExitOK, "federate", "secret", "db", "-n", ns, "--dry-run=server")

	// Federated and propagated for real.
	mustRun(t, "federate", "namespace", ns, "--contents")
	t.Cleanup(func() {
		for _, plural := range []string{"federatedsecrets", "federatedconfigmaps", "federatednamespaces"} {
			_ = host.Resource(federatedGVR(plural)).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}
		kubefedctl(t, "propagate", "-n", ns)
		_ = host.Resource(namespacesGVR).Delete(ctx, ns, metav1.DeleteOptions{})
	})
	mustRun(t, "propagate", "-n", ns)
	m1 := dynamicFor(t, "member1")
	copied, err := m1.Resource(secretsGVR).Namespace(ns).Get(ctx, "db", metav1.GetOptions{})
	require.NoError(t, err)
	got, _, _ := unstructured.NestedString(copied.Object, "data", "password")
	require.Equal(t, encode(first), got)
	// Someone kubectl-applied it in member1 too: kubectl's annotation holds the value.
	_, err = m1.Resource(secretsGVR).Namespace(ns).Patch(ctx, "db", types.MergePatchType,
		[]byte(`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":`+strconvQuote(lastApplied)+`}}}`), metav1.PatchOptions{FieldManager: "kubectl-client-side-apply"})
	require.NoError(t, err)
	copied, err = m1.Resource(secretsGVR).Namespace(ns).Get(ctx, "db", metav1.GetOptions{})
	require.NoError(t, err)
	liveHash := copied.GetAnnotations()[propagate.HashAnnotation]
	require.NotEmpty(t, liveHash)

	// Only the password changes.
	_, err = host.Resource(federatedGVR("federatedsecrets")).Namespace(ns).Patch(ctx, "db", types.MergePatchType,
		[]byte(`{"spec":{"template":{"data":{"password":"`+encode(second)+`"}}}}`), metav1.PatchOptions{})
	require.NoError(t, err)

	hostResources := []schema.GroupVersionResource{federatedGVR("federatedsecrets"), federatedGVR("federatednamespaces")}
	memberResources := []schema.GroupVersionResource{secretsGVR, namespacesGVR}
	snapshotAll := func() [3][]string {
		return [3][]string{snapshot(t, host, hostResources...), snapshot(t, m1, memberResources...), snapshot(t, dynamicFor(t, "member2"), memberResources...)}
	}
	before := snapshotAll()
	for _, dryRun := range []string{"--dry-run=client", "--dry-run=server"} {
		for _, output := range []string{"", "json", "yaml"} {
			args := []string{"propagate", "-n", ns, dryRun, "--diff", "--detailed-exitcode"}
			if output != "" {
				args = append(args, "-o", output)
			}
			r := kubefedctl(t, args...)
			require.Equal(t, cli.ExitChanges, r.code, "%v: the changed value is a change\n%s%s", args, r.stdout, r.stderr)
			out := r.stdout
			if output == "json" {
				// The report's diffs, decoded, are what the table prints.
				var report struct{ Results []struct{ Diff string } }
				require.NoError(t, json.Unmarshal([]byte(r.stdout), &report))
				out = ""
				for _, res := range report.Results {
					out += res.Diff
				}
			}
			assert.Contains(t, out, "--- live Secret/"+ns+"/db member1", "%v", args)
			assert.Contains(t, out, "-  password: '*** (before)'", "%v", args)
			assert.Contains(t, out, "+  password: '*** (after)'", "%v", args)
			assert.NotContains(t, out, "user: '*** (", "%v: an unchanged value is not marked as changed", args)
			assertNoValues(r.stdout+r.stderr, "%v", args)
			assert.NotContains(t, r.stdout, liveHash, "%v: the digest of the values is hidden too", args)
			if dryRun == "--dry-run=server" && output == "" {
				assert.Contains(t, out, "kubectl.kubernetes.io/last-applied-configuration: '***'", "the server's answer keeps kubectl's annotation, hidden")
			}
		}
	}
	assert.Equal(t, before, snapshotAll(), "the dry runs wrote nothing")

	// member1 rejects the Secret, quoting its value: the report hides it, as does the status.
	lift = quotingPolicy(t, "member1", ns, "", "secrets", "string(object.data.password)")
	defer lift()
	r = untilCode(t, cli.ExitError, "propagate", "-n", ns, "--dry-run=server")
	assert.Regexp(t, `member1\s+Secret\s+`+ns+`\s+db\s+failed\s+.*refusing the value \*\*\*`, r.stdout)
	assertNoValues(r.stdout+r.stderr, "server dry run's reason")
	for _, output := range []string{"json", "yaml"} {
		r = kubefedctl(t, "propagate", "-n", ns, "-o", output)
		assert.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
		// YAML may fold the reason across lines.
		assert.Contains(t, strings.Join(strings.Fields(r.stdout), " "), "refusing the value ***", output)
		assertNoValues(r.stdout+r.stderr, output)
	}
	fedSecret, err := host.Resource(federatedGVR("federatedsecrets")).Namespace(ns).Get(ctx, "db", metav1.GetOptions{})
	require.NoError(t, err)
	status, err := json.Marshal(fedSecret.Object["status"])
	require.NoError(t, err)
	assert.Contains(t, string(status), "member1", "the failure is in the status")
	assertNoValues(string(status), "the federated object's status")
	lift()

	r = untilCode(t, cli.ExitOK, "propagate", "-n", ns)
	assertNoValues(r.stdout + r.stderr)
	copied, err = m1.Resource(secretsGVR).Namespace(ns).Get(ctx, "db", metav1.GetOptions{})
	require.NoError(t, err)
	got, _, _ = unstructured.NestedString(copied.Object, "data", "password")
	assert.Equal(t, encode(second), got, "the write itself carries the value")
}

func strconvQuote(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}
