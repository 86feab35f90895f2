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
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", errors.New("the Go toolchain is needed to build the local control planes, and go is not on PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, BuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", ".", "-timeout", BuildTimeout.String())
	cmd.Dir = filepath.Join(root, "hack", "controlplane")
	cmd.Stderr = log
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("building the control plane binaries took longer than %s", BuildTimeout)
		}
		return "", fmt.Errorf("building the control plane binaries with hack/controlplane failed (its output is above): %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	dir := lines[len(lines)-1]
	return dir, checkBinaries(dir)
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
