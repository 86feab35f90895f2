package framework

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissingToolchainIsReported(t *testing.T) {
	t.Setenv(BinDirEnv, "")
	t.Setenv("PATH", t.TempDir())
	_, err := EnsureBinaries(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the Go toolchain is needed to build the local control planes, and go is not on PATH")
}

func TestMissingBinaryIsReported(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(BinDirEnv, dir)
	_, err := EnsureBinaries(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "control plane binary etcd is missing from "+dir)
}

// A port taken by someone else makes the process exit, and the wait says so with the process's
// own words instead of waiting out its bound.
func TestPortClashEndsWithAClearMessage(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the Go toolchain to build etcd")
	}
	binDir, err := EnsureBinaries(context.Background(), nil)
	require.NoError(t, err)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	peers, err := freePorts(1)
	require.NoError(t, err)

	dir := t.TempDir()
	client := "http://127.0.0.1:" + strconv.Itoa(port)
	peer := "http://127.0.0.1:" + strconv.Itoa(peers[0])
	p := newProcess(dir, "etcd", filepath.Join(binDir, "etcd"), []string{
		"--data-dir=" + filepath.Join(dir, "data"), "--listen-client-urls=" + client, "--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer, "--initial-cluster=default=" + peer,
	})
	require.NoError(t, p.start(false))
	defer p.stop()
	start := time.Now()
	err = waitFor(context.Background(), time.Minute, "etcd", p, func() error { return httpOK(client+"/health", nil) })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "etcd exited")
	assert.Contains(t, err.Error(), "address already in use")
	assert.Less(t, time.Since(start), 30*time.Second, "a clash is reported when the process exits, not at the bound")
}

// A build that cannot happen (here: no module may be downloaded into an empty module cache)
// ends at once with a message that says so, not a hang.
func TestFailedBuildIsReported(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the Go toolchain")
	}
	t.Setenv(BinDirEnv, "")
	t.Setenv("KUBEFEDCTL_CACHE", t.TempDir())
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-mod=mod")
	var log strings.Builder
	start := time.Now()
	_, err := EnsureBinaries(context.Background(), &log)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "building the control plane binaries with hack/controlplane failed")
	assert.NotEmpty(t, log.String(), "the tool's own output is shown")
	assert.Less(t, time.Since(start), 2*time.Minute)
}
