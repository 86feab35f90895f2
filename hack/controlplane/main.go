// Command controlplane builds the pinned etcd, kube-apiserver and kube-controller-manager that
// kubefedctl's end-to-end tests, demo and benchmarks run, into a cache outside the checkout, and
// prints the directory that holds them. The versions are this module's go.mod: k8s.io/kubernetes
// with every k8s.io staging module replaced by its v0 twin, and go.etcd.io/etcd/server/v3.
// A cache that holds the pinned versions is reused; concurrent callers wait for one build.
//
//	go run .            # build if needed, print the directory
//	go run . -versions  # print the pinned versions
//	go run . -tool krew # the same for the tools that hack/tools/krew pins
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

var binaries = map[string]string{
	"kube-apiserver":          "k8s.io/kubernetes/cmd/kube-apiserver",
	"kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
	"etcd":                    "go.etcd.io/etcd/server/v3",
}

func main() {
	versionsOnly := flag.Bool("versions", false, "print the pinned versions and exit")
	timeout := flag.Duration("timeout", 45*time.Minute, "give up on a build that takes longer")
	tool := flag.String("tool", "", "build the tools of the module hack/tools/NAME instead of the control plane")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	if *tool != "" {
		err = buildTools(ctx, *tool)
	} else {
		err = run(ctx, *versionsOnly)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, versionsOnly bool) error {
	kubernetes, err := moduleVersion(ctx, "k8s.io/kubernetes")
	if err != nil {
		return err
	}
	etcd, err := moduleVersion(ctx, "go.etcd.io/etcd/server/v3")
	if err != nil {
		return err
	}
	if versionsOnly {
		fmt.Printf("kubernetes %s\netcd %s\n", kubernetes, etcd)
		return nil
	}
	root, err := cacheRoot()
	if err != nil {
		return err
	}
	// The recipe number changes when the way of building does, so that a cache of the old way is
	// not taken for the new.
	const recipe = 2
	dir := filepath.Join(root, fmt.Sprintf("kubernetes-%s_etcd-%s_%s-%s_r%d", kubernetes, etcd, runtime.GOOS, runtime.GOARCH, recipe))
	if complete(dir) {
		fmt.Println(dir)
		return nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	unlock, err := lock(ctx, filepath.Join(root, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if complete(dir) {
		// Another caller built it while we waited.
		fmt.Println(dir)
		return nil
	}
	fmt.Fprintf(os.Stderr, "building kube-apiserver, kube-controller-manager (kubernetes %s) and etcd %s into %s; the first build takes several minutes\n", kubernetes, etcd, dir)
	start := time.Now()
	staging := dir + ".partial"
	if err := os.RemoveAll(staging); err != nil {
		return err
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return err
	}
	// Stamp the version the servers report, as Kubernetes' own build does.
	major, minor, _ := strings.Cut(strings.TrimPrefix(kubernetes, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	stamp := "k8s.io/component-base/version"
	ldflags := fmt.Sprintf("-s -w -X %[1]s.gitVersion=%[2]s -X %[1]s.gitMajor=%[3]s -X %[1]s.gitMinor=%[4]s -X %[1]s.gitTreeState=clean", stamp, kubernetes, major, minor)
	args := []string{"build", "-trimpath", "-ldflags=" + ldflags, "-o", staging + string(filepath.Separator)}
	for _, pkg := range binaries {
		args = append(args, pkg)
	}
	build := exec.CommandContext(ctx, "go", args...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("building the control plane binaries timed out: %w", ctx.Err())
		}
		return fmt.Errorf("building the control plane binaries: %w", err)
	}
	// go build names a package ending in /v3 after its parent directory.
	if err := os.Rename(filepath.Join(staging, "server"), filepath.Join(staging, "etcd")); err != nil {
		return fmt.Errorf("naming the etcd binary: %w", err)
	}
	if err := os.WriteFile(filepath.Join(staging, "VERSIONS"), []byte(fmt.Sprintf("kubernetes %s\netcd %s\n", kubernetes, etcd)), 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Rename(staging, dir); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "built in %s\n", time.Since(start).Round(time.Second))
	fmt.Println(dir)
	return nil
}

// cacheRoot is $KUBEFEDCTL_CACHE/control-plane, else the user's cache directory.
func cacheRoot() (string, error) {
	if dir := os.Getenv("KUBEFEDCTL_CACHE"); dir != "" {
		return filepath.Join(dir, "control-plane"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a cache directory (set KUBEFEDCTL_CACHE): %w", err)
	}
	return filepath.Join(dir, "kubefedctl", "control-plane"), nil
}

func complete(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "VERSIONS")); err != nil {
		return false
	}
	for name := range binaries {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

func moduleVersion(ctx context.Context, module string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Version}}", module).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("reading the pinned version of %s: %s", module, strings.TrimSpace(string(exit.Stderr)))
		}
		return "", fmt.Errorf("running go (the Go toolchain builds the control plane): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// lock takes an exclusive lock on path, so that one caller builds while others wait, until ctx
// ends.
func lock(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another build of the control plane binaries (%s): %w", path, ctx.Err())
		case <-time.After(time.Second):
		}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
