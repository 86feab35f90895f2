package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// BinDirEnv names binaries to use instead of building them.
const BinDirEnv = "KUBEFEDCTL_CONTROL_PLANE_BIN"

// BuildTimeout bounds a first build of the control plane binaries.
const BuildTimeout = 45 * time.Minute

// EnsureBinaries returns the directory holding etcd, kube-apiserver and kube-controller-manager,
// building them with hack/controlplane when the cache does not hold the pinned versions.
// Progress goes to log.
func EnsureBinaries(ctx context.Context, log io.Writer) (string, error) {
	if dir := os.Getenv(BinDirEnv); dir != "" {
		return dir, checkBinaries(dir)
	}
	dir, err := runBuilder(ctx, log, "the control plane binaries", "the local control planes")
	if err != nil {
		return "", err
	}
	return dir, checkBinaries(dir)
}

// EnsureTool returns the directory holding the tools that the module hack/tools/NAME pins (krew:
// krew and validate-krew-manifest), built once into the cache beside the control planes.
func EnsureTool(ctx context.Context, log io.Writer, name string) (string, error) {
	return runBuilder(ctx, log, "the tools of hack/tools/"+name, "the tools of hack/tools/"+name, "-tool", name)
}

// runBuilder runs hack/controlplane, which builds into the cache what is missing there and
// prints the directory on its last line. what names the build in its errors, forWhom what the
// Go toolchain is needed for.
func runBuilder(ctx context.Context, log io.Writer, what, forWhom string, args ...string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("the Go toolchain is needed to build %s, and go is not on PATH", forWhom)
	}
	ctx, cancel := context.WithTimeout(ctx, BuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", ".", "-timeout", BuildTimeout.String()}, args...)...)
	cmd.Dir = filepath.Join(root, "hack", "controlplane")
	cmd.Stderr = log
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("building %s took longer than %s", what, BuildTimeout)
		}
		return "", fmt.Errorf("building %s with hack/controlplane failed (its output is above): %w", what, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

func checkBinaries(dir string) error {
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("control plane binary %s is missing from %s: %w", name, dir, err)
		}
	}
	return nil
}

// RepoRoot finds the checkout: the nearest directory upwards that holds hack/controlplane.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "controlplane", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the kubefedctl checkout (hack/controlplane) above the working directory")
		}
		dir = parent
	}
}

// StateRoot is where runs keep their directories: $KUBEFEDCTL_CACHE/runs, else under the user's
// cache directory, outside the checkout.
func StateRoot() (string, error) {
	if dir := os.Getenv("KUBEFEDCTL_CACHE"); dir != "" {
		return filepath.Join(dir, "runs"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a cache directory (set KUBEFEDCTL_CACHE): %w", err)
	}
	return filepath.Join(dir, "kubefedctl", "runs"), nil
}
