package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// buildTools builds the tools a module under hack/tools pins (its go.mod's tool lines, with that
// module's own dependencies: krew's old Kubernetes libraries do not fit in kubefedctl's module
// graph) into the cache beside the control planes, and prints the directory that holds them.
// The directory is named after the module's go.sum, so that a new pin is a new build.
func buildTools(ctx context.Context, name string) error {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return fmt.Errorf("-tool %q is not the name of a directory under hack/tools", name)
	}
	module, err := filepath.Abs(filepath.Join("..", "tools", name))
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(module, "go.sum"))
	if err != nil {
		return fmt.Errorf("reading the pins of tool module %s (run from hack/controlplane): %w", name, err)
	}
	pins := sha256.Sum256(sum)
	root, err := cacheRoot()
	if err != nil {
		return err
	}
	root = filepath.Join(filepath.Dir(root), "tools")
	dir := filepath.Join(root, fmt.Sprintf("%s_%s-%s_%s", name, runtime.GOOS, runtime.GOARCH, hex.EncodeToString(pins[:6])))
	stamp := filepath.Join(dir, "TOOLS")
	if _, err := os.Stat(stamp); err == nil {
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
	if _, err := os.Stat(stamp); err == nil {
		fmt.Println(dir)
		return nil
	}
	fmt.Fprintf(os.Stderr, "building the tools of hack/tools/%s into %s\n", name, dir)
	start := time.Now()
	staging := dir + ".partial"
	if err := os.RemoveAll(staging); err != nil {
		return err
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return err
	}
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", staging+string(filepath.Separator), "tool")
	build.Dir = module
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the tools of hack/tools/%s: %w", name, err)
	}
	list := exec.CommandContext(ctx, "go", "list", "-m", "all")
	list.Dir = module
	versions, err := list.Output()
	if err != nil {
		return fmt.Errorf("listing the modules of hack/tools/%s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(staging, "TOOLS"), versions, 0o644); err != nil {
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
