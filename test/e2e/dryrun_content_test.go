package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// outcomes are a run's result lines without the dry-run suffix.
func outcomes(stdout string) []string {
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		lines = append(lines, strings.TrimSuffix(line, " (server dry run)"))
	}
	return lines
}

// previewMatches runs args as a server dry run and then for real, and requires both to report
// the same outcome for every object, the real run to change nothing in the host when it says
// unchanged everywhere, and want to be among the lines.
func previewMatches(t *testing.T, want []string, args ...string) []string {
	t.Helper()
	host := dynamicFor(t, "host")
	resources := []schema.GroupVersionResource{namespacesGVR, crdsGVR, apis.KubeFedConfigResource, apis.FederatedTypeConfigResource}
	before := snapshot(t, host, resources...)
	preview := outcomes(mustRun(t, append(args, "--dry-run=server")...).stdout)
	assert.Equal(t, before, snapshot(t, host, resources...), "a server dry run changes nothing")
	real := outcomes(mustRun(t, args...).stdout)
	assert.Equal(t, real, preview, "the server dry run of %v says what the real run then does", args)
	for _, line := range want {
		assert.Contains(t, real, line)
	}
	changed := false
	for _, line := range real {
		changed = changed || !strings.HasSuffix(line, " unchanged")
	}
	if !changed {
		assert.Equal(t, before, snapshot(t, host, resources...), "unchanged everywhere: the real run wrote nothing")
	}
	return real
}

// A server dry run of init and enable compares what the host would store with what it holds,
// not resourceVersions (which a dry run never moves): it says unchanged exactly when the real run
// then changes nothing, and configured exactly when it does.
func TestServerDryRunsOfInitAndEnableSayWhatChanges(t *testing.T) {
	mustRun(t, "init")
	lines := previewMatches(t, nil, "init")
	for _, line := range lines {
		assert.True(t, strings.HasSuffix(line, " unchanged"), "an initialised host: %s", line)
	}

	// The KubeFedConfig loses a section kubefed requires (edited by another tool): init puts it back.
	ctx := context.Background()
	configs := dynamicFor(t, "host").Resource(apis.KubeFedConfigResource).Namespace(kfns)
	live, err := configs.Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	require.NoError(t, err)
	unstructured.RemoveNestedField(live.Object, "spec", "statusController")
	_, err = configs.Update(ctx, live, metav1.UpdateOptions{FieldManager: "someone-else"})
	require.NoError(t, err)
	lines = previewMatches(t, []string{"kubefedconfig.core.kubefed.io/kubefed configured", "namespace/" + kfns + " unchanged"}, "init")
	for _, line := range lines {
		if !strings.HasPrefix(line, "kubefedconfig.") {
			assert.True(t, strings.HasSuffix(line, " unchanged"), line)
		}
	}
	previewMatches(t, nil, "init")

	crd := "customresourcedefinition.apiextensions.k8s.io/federatedconfigmaps.types.kubefed.io"
	ftc := "federatedtypeconfig.core.kubefed.io/configmaps"
	mustRun(t, "enable", "configmaps")
	previewMatches(t, []string{crd + " unchanged", ftc + " unchanged"}, "enable", "configmaps")
	// Another template schema changes the CRD alone.
	previewMatches(t, []string{crd + " configured", ftc + " unchanged"}, "enable", "configmaps", "--template-schema=open")
	previewMatches(t, []string{crd + " unchanged", ftc + " unchanged"}, "enable", "configmaps", "--template-schema=open")
	previewMatches(t, []string{crd + " configured", ftc + " unchanged"}, "enable", "configmaps")
}
