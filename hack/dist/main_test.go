package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/version"
	"github.com/kubefedctl/kubefedctl/test/framework"
)

// krewPlugin holds the fields of a krew manifest these tests read; krew's own validator judges
// the manifest.
type krewPlugin struct {
	Spec struct {
		Version     string `json:"version"`
		Description string `json:"description"`
		Platforms   []struct {
			URI      string `json:"uri"`
			Sha256   string `json:"sha256"`
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
		} `json:"platforms"`
	} `json:"spec"`
}

func readManifest(t *testing.T, file string) krewPlugin {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var p krewPlugin
	require.NoError(t, yaml.Unmarshal(data, &p))
	return p
}

// krewTools builds (once, into the cache) krew and its validator from hack/tools/krew.
func krewTools(t *testing.T) string {
	t.Helper()
	dir, err := framework.EnsureTool(context.Background(), os.Stderr, "krew")
	require.NoError(t, err)
	return dir
}

// validateWithKrew runs krew's own validator on a manifest; -skip-install leaves out the
// download of every platform's archive.
func validateWithKrew(t *testing.T, tools, manifest string) {
	t.Helper()
	out, err := exec.Command(filepath.Join(tools, "validate-krew-manifest"), "-manifest", manifest, "-skip-install").CombinedOutput()
	require.NoError(t, err, "validate-krew-manifest %s:\n%s", manifest, out)
}

// The tracked manifest is a release's: krew accepts it, it names a tag's version, and it offers
// every platform the release builds (which krew does not require).
func TestCommittedKrewManifest(t *testing.T) {
	validateWithKrew(t, krewTools(t), "../../plugins/kubefed.yaml")
	p := readManifest(t, "../../plugins/kubefed.yaml")
	assert.NoError(t, releaseVersion(p.Spec.Version))
	var platforms []string
	for _, pl := range p.Spec.Platforms {
		platforms = append(platforms, pl.Selector.MatchLabels["os"]+"/"+pl.Selector.MatchLabels["arch"])
	}
	assert.ElementsMatch(t, []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}, platforms)
	// krew does not read the description; its users do.
	assert.True(t, strings.HasPrefix(p.Spec.Description, "kubectl kubefed is "), "the description says what the plugin is: %q", p.Spec.Description)
}

// One build of the linux platforms, at the version this checkout gets, serves every check of a
// release: the archives and their sums, krew's validator and installer, and the image.
func TestDist(t *testing.T) {
	out := t.TempDir()
	before := gitStatus(t)
	build := exec.Command("go", "run", "./hack/dist", "-platforms", "linux/amd64,linux/arm64", "-out", out)
	build.Dir = "../.."
	output, err := build.CombinedOutput()
	require.NoError(t, err, string(output))
	assert.Equal(t, before, gitStatus(t), "a build writes only under its output directory")
	printed := exec.Command("go", "run", "./hack/dist", "-print", "version")
	printed.Dir = "../.."
	printedVersion, err := printed.Output()
	require.NoError(t, err)
	v := strings.TrimSpace(string(printedVersion))
	manifest := filepath.Join(out, "kubefed.yaml")

	t.Run("the archives are the manifest's and the checksums'", func(t *testing.T) {
		p := readManifest(t, manifest)
		assert.Equal(t, v, p.Spec.Version)
		require.Len(t, p.Spec.Platforms, 2, "the manifest offers the platforms built")
		checksums, err := os.ReadFile(filepath.Join(out, "checksums.txt"))
		require.NoError(t, err)
		var lines []string
		for _, pl := range p.Spec.Platforms {
			name := "kubectl-kubefed_" + v + "_" + pl.Selector.MatchLabels["os"] + "_" + pl.Selector.MatchLabels["arch"] + ".tar.gz"
			assert.Equal(t, name, path.Base(pl.URI))
			archive, err := os.ReadFile(filepath.Join(out, name))
			require.NoError(t, err)
			sum := sha256.Sum256(archive)
			assert.Equal(t, hex.EncodeToString(sum[:]), pl.Sha256, name)
			lines = append(lines, hex.EncodeToString(sum[:])+"  "+name)
		}
		assert.ElementsMatch(t, lines, strings.Split(strings.TrimSpace(string(checksums)), "\n"))
	})

	t.Run("the binary reports the version, commit and commit date", func(t *testing.T) {
		if runtime.GOOS+"/"+runtime.GOARCH != "linux/amd64" {
			t.Skip("runs the linux/amd64 binary")
		}
		dir := unpack(t, filepath.Join(out, "kubectl-kubefed_"+v+"_linux_amd64.tar.gz"))
		info := versionInfo(t, exec.Command(filepath.Join(dir, "kubectl-kubefed"), "version", "-o", "json"))
		assert.Equal(t, v, info["version"])
		head, err := exec.Command("git", "log", "-1", "--format=%H %cI").Output()
		require.NoError(t, err)
		sha, date, _ := strings.Cut(strings.TrimSpace(string(head)), " ")
		assert.Equal(t, sha, info["gitCommit"])
		assert.Equal(t, strings.Replace(date, "+00:00", "Z", 1), info["buildDate"], "the build date is the commit's, so builds of a commit are the same bytes")
	})

	t.Run("krew's validator accepts the manifest", func(t *testing.T) {
		validateWithKrew(t, krewTools(t), manifest)
	})

	t.Run("krew installs the archive, kubectl runs the plugin, krew uninstalls it", func(t *testing.T) {
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			t.Skip("kubectl is not installed")
		}
		if runtime.GOOS+"/"+runtime.GOARCH != "linux/amd64" {
			t.Skip("installs the linux/amd64 archive")
		}
		tools := krewTools(t)
		// krew as kubectl runs it, a plugin on PATH; a throw-away KREW_ROOT and a local, empty
		// plugin index, for krew's index commands (list, uninstall) without the network.
		scratch := t.TempDir()
		pluginDir := filepath.Join(scratch, "path")
		require.NoError(t, os.Mkdir(pluginDir, 0o755))
		require.NoError(t, os.Symlink(filepath.Join(tools, "krew"), filepath.Join(pluginDir, "kubectl-krew")))
		krewRoot := filepath.Join(scratch, "krew")
		index := filepath.Join(scratch, "index")
		require.NoError(t, os.MkdirAll(filepath.Join(index, "plugins"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(index, "plugins", ".keep"), nil, 0o644))
		for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "empty index"}} {
			c := exec.Command("git", args...)
			c.Dir = index
			o, err := c.CombinedOutput()
			require.NoError(t, err, string(o))
		}
		env := append(os.Environ(),
			"KREW_ROOT="+krewRoot,
			"KREW_DEFAULT_INDEX_URI="+index,
			"KREW_NO_UPGRADE_CHECK=1",
			"PATH="+pluginDir+string(os.PathListSeparator)+filepath.Join(krewRoot, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
		kubectlCmd := func(args ...string) *exec.Cmd {
			c := exec.Command(kubectl, args...)
			c.Env = env
			c.Stdin = nil
			return c
		}
		run := func(args ...string) string {
			o, err := kubectlCmd(args...).CombinedOutput()
			require.NoError(t, err, "kubectl %s:\n%s", strings.Join(args, " "), o)
			return string(o)
		}
		archive := filepath.Join(out, "kubectl-kubefed_"+v+"_linux_amd64.tar.gz")
		assert.Contains(t, run("krew", "install", "--manifest="+manifest, "--archive="+archive), "Installed plugin: kubefed")
		installed := filepath.Join(krewRoot, "bin", "kubectl-kubefed")
		require.FileExists(t, installed)
		assert.Contains(t, run("plugin", "list"), installed)
		info := versionInfo(t, kubectlCmd("kubefed", "version", "-o", "json"))
		assert.Equal(t, v, info["version"])

		run("krew", "update")
		assert.Contains(t, run("krew", "list"), "kubefed")
		assert.Contains(t, run("krew", "uninstall", "kubefed"), "Uninstalled plugin: kubefed")
		assert.NoFileExists(t, installed)
		_, err = kubectlCmd("kubefed", "version").Output()
		assert.Error(t, err, "kubectl no longer finds the plugin")
	})

	t.Run("the image layout holds both linux platforms, non-root, and runs", func(t *testing.T) {
		outer, err := layout.ImageIndexFromPath(filepath.Join(out, "image"))
		require.NoError(t, err)
		top, err := outer.IndexManifest()
		require.NoError(t, err)
		require.Len(t, top.Manifests, 1, "one entry, the multi-platform index, for crane push and skopeo")
		assert.Equal(t, types.OCIImageIndex, top.Manifests[0].MediaType)
		assert.Equal(t, version.ImageTag(v), top.Manifests[0].Annotations["org.opencontainers.image.ref.name"])
		index, err := outer.ImageIndex(top.Manifests[0].Digest)
		require.NoError(t, err)
		manifest, err := index.IndexManifest()
		require.NoError(t, err)
		head, err := exec.Command("git", "rev-parse", "HEAD").Output()
		require.NoError(t, err)
		var platforms []string
		for _, desc := range manifest.Manifests {
			require.NotNil(t, desc.Platform)
			platform := desc.Platform.OS + "/" + desc.Platform.Architecture
			platforms = append(platforms, platform)
			img, err := index.Image(desc.Digest)
			require.NoError(t, err)
			config, err := img.ConfigFile()
			require.NoError(t, err)
			assert.Equal(t, desc.Platform.Architecture, config.Architecture, platform)
			assert.Equal(t, "layers", config.RootFS.Type, platform)
			assert.Equal(t, "65532:65532", config.Config.User, platform)
			assert.Equal(t, []string{"/usr/local/bin/kubefedctl"}, config.Config.Entrypoint, platform)
			for key, want := range map[string]string{
				"org.opencontainers.image.version":  v,
				"org.opencontainers.image.revision": strings.TrimSpace(string(head)),
				"org.opencontainers.image.source":   "https://github.com/kubefedctl/kubefedctl",
			} {
				assert.Equal(t, want, config.Config.Labels[key], "%s label %s", platform, key)
			}
			m, err := img.Manifest()
			require.NoError(t, err)
			assert.Equal(t, v, m.Annotations["org.opencontainers.image.version"], platform)

			files := imageFiles(t, img)
			assert.NotContains(t, files, "bin/sh", "no shell")
			roots := x509.NewCertPool()
			require.True(t, roots.AppendCertsFromPEM(files["etc/ssl/certs/ca-certificates.crt"]), "CA certificates in %s", platform)
			assert.Contains(t, string(files["etc/passwd"]), "nonroot:x:65532:65532:")
			if platform != runtime.GOOS+"/"+runtime.GOARCH {
				continue
			}
			bin := filepath.Join(t.TempDir(), "kubefedctl")
			require.NoError(t, os.WriteFile(bin, files["usr/local/bin/kubefedctl"], 0o755))
			info := versionInfo(t, exec.Command(bin, "version", "-o", "json"))
			assert.Equal(t, v, info["version"])
			assert.Equal(t, platform, info["platform"])
		}
		assert.Equal(t, []string{"linux/amd64", "linux/arm64"}, platforms)
	})
}

// imageFiles reads an image's flattened file system.
func imageFiles(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		require.NoError(t, err)
		content, err := io.ReadAll(tr)
		require.NoError(t, err)
		files[h.Name] = content
	}
}

// The same binaries, version and commit give the same image, byte for byte.
func TestImageIsReproducible(t *testing.T) {
	in := imageInput{
		Version:  "v0.2.0",
		Source:   source{Commit: "c52e03ba596eee6c3c3790647b7a27ee680f0f09", CommitTime: time.Date(2026, 12, 2, 14, 59, 52, 0, time.UTC)},
		Binaries: map[string][]byte{"amd64": []byte("amd64 binary"), "arm64": []byte("arm64 binary")},
		CACerts:  caCerts(),
	}
	digest := func() string {
		index, _, err := buildImage(in)
		require.NoError(t, err)
		d, err := index.Digest()
		require.NoError(t, err)
		return d.String()
	}
	first := digest()
	assert.Equal(t, first, digest())
	in.Version = "v0.2.1"
	assert.NotEqual(t, first, digest(), "the version is in the image")
}

func unpack(t *testing.T, archive string) string {
	t.Helper()
	data, err := os.ReadFile(archive)
	require.NoError(t, err)
	dir := t.TempDir()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name)
		content, err := io.ReadAll(tr)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, h.Name), content, os.FileMode(h.Mode)))
	}
	assert.Equal(t, []string{"LICENSE", "kubectl-kubefed"}, names)
	return dir
}

func versionInfo(t *testing.T, c *exec.Cmd) map[string]string {
	t.Helper()
	out, err := c.Output()
	require.NoError(t, err)
	var info map[string]string
	require.NoError(t, json.Unmarshal(out, &info))
	return info
}

func gitStatus(t *testing.T) string {
	t.Helper()
	c := exec.Command("git", "status", "--porcelain")
	c.Dir = "../.."
	out, err := c.Output()
	require.NoError(t, err)
	return string(out)
}
