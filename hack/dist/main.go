// Command dist builds the release archives: kubectl-kubefed (with .exe on windows) and LICENSE
// for linux, darwin and windows on amd64 and arm64, their sha256 sums, the krew manifest
// rendered from .krew.yaml with those sums, and an OCI image layout of the linux binaries
// (image/), all under the output directory. Only a release
// (-manifest) also writes the tracked plugins/kubefed.yaml, and only for a tag's version.
//
//	go run ./hack/dist [-version v0.1.0] [-platforms linux/amd64,...] [-out dist]
//	go run ./hack/dist -version v0.1.0 -manifest plugins/kubefed.yaml   # a release
//	go run ./hack/dist -print ldflags|version                           # for make build
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"

	"golang.org/x/mod/semver"
	"sigs.k8s.io/yaml"
)

const module = "github.com/kubefedctl/kubefedctl"

func main() {
	version := flag.String("version", "", "the version to stamp (empty: the tag on HEAD, else a pseudo-version from the commit)")
	platforms := flag.String("platforms", "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64", "os/arch pairs")
	out := flag.String("out", "dist", "output directory")
	manifest := flag.String("manifest", "", "a release: also write the krew manifest here (plugins/kubefed.yaml); needs a tag's version")
	printWhat := flag.String("print", "", "print the linker flags (ldflags) or the version (version) for this checkout, and build nothing")
	flag.Parse()
	if err := run(*version, *printWhat, strings.Split(*platforms, ","), *out, *manifest); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func run(version, printWhat string, platforms []string, out, manifestPath string) error {
	src, err := readSource()
	if err != nil {
		if version == "" {
			return err
		}
		// An explicit version builds outside a checkout too, unstamped by git.
		src = source{}
	}
	if version == "" {
		version = versionOf(src)
	}
	if !semver.IsValid(version) {
		return fmt.Errorf("version %q is not a semantic version vX.Y.Z[-pre][+build], which krew and Go need: pass VERSION=vX.Y.Z or leave it empty", version)
	}
	switch printWhat {
	case "":
	case "ldflags":
		fmt.Println(ldflags(version, src))
		return nil
	case "version":
		fmt.Println(version)
		return nil
	default:
		return fmt.Errorf("-print must be ldflags or version, not %q", printWhat)
	}
	if manifestPath != "" {
		if err := releaseVersion(version); err != nil {
			return fmt.Errorf("not writing the release manifest %s: %w", manifestPath, err)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	license, err := os.ReadFile("LICENSE")
	if err != nil {
		return fmt.Errorf("reading LICENSE (run from the repository root): %w", err)
	}
	sums := map[string]string{}
	linux := map[string][]byte{}
	for _, p := range platforms {
		goos, goarch, ok := strings.Cut(p, "/")
		if !ok {
			return fmt.Errorf("platform %q is not os/arch", p)
		}
		bin := "kubectl-kubefed"
		if goos == "windows" {
			bin += ".exe"
		}
		buildDir := filepath.Join(out, "build", goos+"-"+goarch)
		build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags(version, src), "-o", filepath.Join(buildDir, bin), "./cmd/kubefedctl")
		build.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building %s: %w", p, err)
		}
		binary, err := os.ReadFile(filepath.Join(buildDir, bin))
		if err != nil {
			return err
		}
		if goos == "linux" {
			linux[goarch] = binary
		}
		files := map[string][]byte{bin: binary, "LICENSE": license}
		name := fmt.Sprintf("kubectl-kubefed_%s_%s_%s", version, goos, goarch)
		var archive []byte
		if goos == "windows" {
			name += ".zip"
			archive, err = zipArchive(files)
		} else {
			name += ".tar.gz"
			archive, err = tarArchive(files)
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, name), archive, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(archive)
		sums[name] = hex.EncodeToString(sum[:])
		fmt.Fprintf(os.Stderr, "%s %s\n", sums[name], name)
	}
	if err := os.RemoveAll(filepath.Join(out, "build")); err != nil {
		return err
	}
	if len(linux) > 0 {
		if err := writeImage(filepath.Join(out, "image"), imageInput{Version: version, Source: src, Binaries: linux, CACerts: caCerts()}); err != nil {
			return fmt.Errorf("writing the image layout: %w", err)
		}
		fmt.Fprintf(os.Stderr, "OCI image layout of the linux platforms in %s\n", filepath.Join(out, "image"))
	}
	var lines []string
	for name, sum := range sums {
		lines = append(lines, sum+"  "+name)
	}
	sort.Strings(lines)
	if err := os.WriteFile(filepath.Join(out, "checksums.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	manifest, err := renderManifest(".krew.yaml", version, sums)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "kubefed.yaml"), manifest, 0o644); err != nil {
		return err
	}
	if manifestPath != "" {
		return os.WriteFile(manifestPath, manifest, 0o644)
	}
	return nil
}

// renderManifest fills the krew-release-bot template: .TagName, and addURIAndSha, which gives
// the archive's URI and sha256.
func renderManifest(templatePath, version string, sums map[string]string) ([]byte, error) {
	text, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, err
	}
	var missing []string
	tmpl, err := template.New(templatePath).Funcs(template.FuncMap{
		"addURIAndSha": func(uri, tag string) string {
			uri = strings.ReplaceAll(uri, "{{ .TagName }}", tag)
			sum, ok := sums[path.Base(uri)]
			if !ok {
				// A platform this build left out keeps the manifest incomplete; say so.
				missing = append(missing, path.Base(uri))
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", uri, sum)
		},
	}).Parse(string(text))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]string{"TagName": version}); err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return b.Bytes(), nil
	}
	// A build of some platforms only: its manifest offers just those, rather than entries
	// without a checksum that krew would refuse.
	fmt.Fprintf(os.Stderr, "warning: this build made no archive for %s: the manifest leaves those platforms out\n", strings.Join(missing, ", "))
	return onlyPlatforms(b.Bytes(), sums)
}

// onlyPlatforms keeps the manifest's platforms whose archive is among sums.
func onlyPlatforms(manifest []byte, sums map[string]string) ([]byte, error) {
	var plugin map[string]any
	if err := yaml.Unmarshal(manifest, &plugin); err != nil {
		return nil, fmt.Errorf("reading the rendered krew manifest: %w", err)
	}
	spec, _ := plugin["spec"].(map[string]any)
	platforms, _ := spec["platforms"].([]any)
	var kept []any
	for _, p := range platforms {
		entry, _ := p.(map[string]any)
		uri, _ := entry["uri"].(string)
		if _, ok := sums[path.Base(uri)]; ok {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil, errors.New("no platform of .krew.yaml was built: see -platforms")
	}
	spec["platforms"] = kept
	return yaml.Marshal(plugin)
}

// Archives carry a fixed time, so that the same binaries give the same archive.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func tarArchive(files map[string][]byte) ([]byte, error) {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, name := range sortedNames(files) {
		mode := int64(0o644)
		if strings.HasPrefix(name, "kubectl-") {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(files[name])), ModTime: epoch}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[name]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func zipArchive(files map[string][]byte) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range sortedNames(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: epoch})
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, bytes.NewReader(files[name])); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sortedNames(files map[string][]byte) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
