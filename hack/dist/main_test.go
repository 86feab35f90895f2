package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// krewPlugin holds the fields of a krew manifest that krew's validation looks at.
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"shortDescription"`
		Description      string `json:"description"`
		Platforms        []struct {
			URI      string `json:"uri"`
			Sha256   string `json:"sha256"`
			Bin      string `json:"bin"`
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			Files []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
		} `json:"platforms"`
	} `json:"spec"`
}

// validate applies krew's manifest rules: the API, a plugin name krew accepts, a semantic
// version with its "v", a short description, and for every platform a selector, an https
// archive URI, a sha256, files to install and a bin among them (with .exe on windows).
func validate(t *testing.T, data []byte) krewPlugin {
	t.Helper()
	var p krewPlugin
	require.NoError(t, yaml.UnmarshalStrict(data, &p))
	assert.Equal(t, "krew.googlecontainertools.github.com/v1alpha2", p.APIVersion)
	assert.Equal(t, "Plugin", p.Kind)
	assert.Regexp(t, `^[a-z0-9][a-z0-9-]*$`, p.Metadata.Name)
	assert.False(t, strings.HasPrefix(p.Metadata.Name, "kubectl"), "a plugin name does not start with kubectl")
	assert.Regexp(t, `^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`, p.Spec.Version)
	assert.NotEmpty(t, p.Spec.ShortDescription)
	assert.Less(t, len(p.Spec.ShortDescription), 256)
	assert.NotEmpty(t, p.Spec.Homepage)
	assert.True(t, strings.HasPrefix(p.Spec.Description, "kubectl "+p.Metadata.Name+" is "), "the description says what the plugin is: %q", p.Spec.Description)
	require.NotEmpty(t, p.Spec.Platforms)
	seen := map[string]bool{}
	for _, pl := range p.Spec.Platforms {
		key := pl.Selector.MatchLabels["os"] + "/" + pl.Selector.MatchLabels["arch"]
		assert.False(t, seen[key], "one platform per selector: %s", key)
		seen[key] = true
		assert.Regexp(t, `^https://`, pl.URI)
		assert.Regexp(t, `^[0-9a-f]{64}$`, pl.Sha256, key)
		assert.NotEmpty(t, pl.Files, key)
		assert.False(t, strings.ContainsAny(pl.Bin, `/\`), "bin is a file name: %s", pl.Bin)
		if pl.Selector.MatchLabels["os"] == "windows" {
			assert.True(t, strings.HasSuffix(pl.Bin, ".exe"), key)
		}
		installed := false
		for _, f := range pl.Files {
			assert.NotEmpty(t, f.From)
			assert.NotEmpty(t, f.To)
			installed = installed || path.Base(f.From) == pl.Bin
		}
		assert.True(t, installed, "bin %s is among the files of %s", pl.Bin, key)
	}
	for _, want := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
		assert.True(t, seen[want], want)
	}
	return p
}

func TestCommittedKrewManifestIsValid(t *testing.T) {
	data, err := os.ReadFile("../../plugins/kubefed.yaml")
	require.NoError(t, err)
	validate(t, data)
}

// A build for this machine's platform: the archive unpacks, the binary runs and reports the
// version, and the manifest's sha256 is the archive's.
func TestDistArchivesMatchTheManifest(t *testing.T) {
	out := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	c := exec.Command("go", "run", "./hack/dist", "-version", "v9.8.7", "-commit", "abc123", "-platforms", platform, "-out", out, "-manifest", "")
	c.Dir = "../.."
	output, err := c.CombinedOutput()
	require.NoError(t, err, string(output))

	data, err := os.ReadFile(filepath.Join(out, "kubefed.yaml"))
	require.NoError(t, err)
	var p krewPlugin
	require.NoError(t, yaml.Unmarshal(data, &p))
	assert.Equal(t, "v9.8.7", p.Spec.Version)
	name := "kubectl-kubefed_v9.8.7_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	archive, err := os.ReadFile(filepath.Join(out, name))
	require.NoError(t, err)
	sum := sha256.Sum256(archive)
	found := false
	for _, pl := range p.Spec.Platforms {
		if strings.HasSuffix(pl.URI, "/"+name) {
			found = true
			assert.Equal(t, hex.EncodeToString(sum[:]), pl.Sha256)
		}
	}
	assert.True(t, found, "the manifest names %s", name)
	checksums, err := os.ReadFile(filepath.Join(out, "checksums.txt"))
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(sum[:])+"  "+name+"\n", string(checksums))

	dir := t.TempDir()
	gz, err := gzip.NewReader(strings.NewReader(string(archive)))
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
	versionOut, err := exec.Command(filepath.Join(dir, "kubectl-kubefed"), "version", "-o", "json").Output()
	require.NoError(t, err)
	var info map[string]string
	require.NoError(t, json.Unmarshal(versionOut, &info))
	assert.Equal(t, "v9.8.7", info["version"])
	assert.Equal(t, "abc123", info["gitCommit"])
}
