package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// kubefed's type-config controller puts its finalizer on FederatedTypeConfigs; disable removes it,
// keeping anyone else's, so that the type config goes instead of staying Terminating for ever,
// and releases one that kubefed's own disable left Terminating.
func TestDisableRemovesKubefedsTypeConfigFinalizer(t *testing.T) {
	mustRun(t, "init")
	ctx := context.Background()
	ftcs := dynamicFor(t, "host").Resource(apis.FederatedTypeConfigResource).Namespace(kfns)
	setFinalizers := func(finalizers ...string) {
		t.Helper()
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"finalizers": finalizers}})
		require.NoError(t, err)
		_, err = ftcs.Patch(ctx, "limitranges", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubefed-controller-manager"})
		require.NoError(t, err)
	}
	finalizers := func() []string {
		t.Helper()
		live, err := ftcs.Get(ctx, "limitranges", metav1.GetOptions{})
		require.NoError(t, err)
		return live.GetFinalizers()
	}
	waitGoneTypeConfig := func() {
		t.Helper()
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := ftcs.Get(ctx, "limitranges", metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
		require.NoError(t, err, "the type config is gone")
	}
	removed := "federatedtypeconfig.core.kubefed.io/limitranges: finalizer core.kubefed.io/federated-type-config removed"

	mustRun(t, "enable", "limitranges")
	setFinalizers(apis.TypeConfigFinalizer, "example.com/keep")
	for _, mode := range []string{"client", "server"} {
		r := mustRun(t, "disable", "limitranges", "--dry-run="+mode)
		assert.Contains(t, r.stdout, removed+cli.DryRun(mode).Suffix()+"\n")
		assert.Equal(t, []string{apis.TypeConfigFinalizer, "example.com/keep"}, finalizers(), "a dry run changes nothing")
	}
	r := mustRun(t, "disable", "limitranges")
	assert.Contains(t, r.stdout, removed+"\n")
	assert.Contains(t, r.stdout, "federatedtypeconfig.core.kubefed.io/limitranges deleted\n")
	assert.Equal(t, []string{"example.com/keep"}, finalizers(), "another's finalizer stays, and keeps it until its owner is done")
	setFinalizers()
	waitGoneTypeConfig()

	// A type config that kubefed's disable deleted while its finalizer was on: Terminating until
	// disable runs again.
	mustRun(t, "enable", "limitranges")
	setFinalizers(apis.TypeConfigFinalizer)
	require.NoError(t, ftcs.Delete(ctx, "limitranges", metav1.DeleteOptions{}))
	assert.Equal(t, []string{apis.TypeConfigFinalizer}, finalizers(), "Terminating")
	r = mustRun(t, "disable", "limitranges")
	assert.Contains(t, r.stdout, removed+"\n")
	waitGoneTypeConfig()

	// Without kubefed's finalizer, disable says nothing of it.
	mustRun(t, "enable", "limitranges")
	r = mustRun(t, "disable", "limitranges")
	assert.NotContains(t, r.stdout, "finalizer")
	waitGoneTypeConfig()
}
