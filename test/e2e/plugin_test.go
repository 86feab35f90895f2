package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kubectl runs kubefedctl as its plugin: kubectl-kubefed on PATH, through the real kubectl.
func TestKubectlPlugin(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	mustRun(t, "init")
	mustRun(t, "join", "member1", "--error-on-existing=false")
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "kubectl-kubefed"), "../../cmd/kubefedctl")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	run := func(args ...string) string {
		c := exec.Command(kubectl, args...)
		c.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+fed.Kubeconfig)
		out, err := c.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	assert.Contains(t, run("plugin", "list"), filepath.Join(bin, "kubectl-kubefed"))
	assert.Contains(t, run("kubefed", "version"), "Go version:")
	clusters := run("kubefed", "clusters")
	assert.Regexp(t, `(?m)^member1\s+True\s+v1\.34\.4`, clusters)
	help := run("kubefed", "join", "--help")
	assert.Contains(t, help, "kubectl kubefed join us-east-1 --cluster-context member1")
	assert.False(t, strings.Contains(help, "kubefedctl "), "help reads kubectl kubefed")
}
