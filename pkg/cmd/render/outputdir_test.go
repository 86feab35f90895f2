package render_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

const recordName = ".kubefedctl-render.json"

func kubeFedCluster(name string) string {
	return fmt.Sprintf(`apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: %q, namespace: kube-federation-system}
spec: {apiEndpoint: "https://c.example.com"}
`, name)
}

func federatedNamespace(name string) string {
	return fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: %[1]q, namespace: %[1]q}
spec: {placement: {clusterSelector: {}}}
`, name)
}

func federatedConfigMap(namespace, name, overrides string) string {
	return fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: %q, namespace: %q}
spec:
  template: {data: {k: v}}
  placement: {clusters: [{name: member1}]}
%s`, name, namespace, overrides)
}

func federatedClusterRole(name string) string {
	return fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedClusterRole
metadata: {name: %q}
spec:
  template: {rules: []}
  placement: {clusters: [{name: member1}]}
`, name)
}

func overrideMember1(path, value string) string {
	return fmt.Sprintf("  overrides:\n  - clusterName: member1\n    clusterOverrides:\n    - {path: %s, value: %s}\n", path, value)
}

func docs(parts ...string) string { return strings.Join(parts, "---\n") }

// renderInto renders the examples' clusters and namespace plus stdin into dir.
func renderInto(dir, stdin string, extra ...string) []string {
	args := []string{"render", "-f", filepath.Join(examples, "clusters.yaml"), "-f", filepath.Join(examples, "namespace.yaml")}
	if stdin != "" {
		args = append(args, "-f", "-")
	}
	return append(append(args, "--output-dir", dir), extra...)
}

// snapshot describes every entry under root, links unfollowed: what a refused render must leave.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			out[rel] = "link to " + target
			return err
		case info.IsDir():
			out[rel] = "dir " + info.Mode().Perm().String()
		default:
			data, err := os.ReadFile(path)
			out[rel] = info.Mode().Perm().String() + " " + string(data)
			return err
		}
		return nil
	}))
	return out
}

func writeFile(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), mode))
	require.NoError(t, os.Chmod(path, mode))
}

func writeRecord(t *testing.T, dir string, files ...string) {
	t.Helper()
	data, err := json.Marshal(map[string]any{"files": files})
	require.NoError(t, err)
	writeFile(t, filepath.Join(dir, recordName), string(data), 0o644)
}

func readRecord(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, recordName))
	require.NoError(t, err)
	var r struct {
		Files []string `json:"files"`
	}
	require.NoError(t, json.Unmarshal(data, &r))
	return r.Files
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	}))
	return files
}

// refused runs a render that must fail and checks that it failed as a render fails: one line on
// stderr holding want, nothing on stdout, nothing changed anywhere under the test's directory.
func refused(t *testing.T, top, stdin string, args []string, want ...string) {
	t.Helper()
	before := snapshot(t, top)
	code, stdout, stderr := run(t, stdin, args...)
	assert.Equal(t, cli.ExitError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line on stderr: %q", stderr)
	assert.True(t, strings.HasPrefix(stderr, "error: "), stderr)
	for _, w := range want {
		assert.Contains(t, stderr, w)
	}
	assert.Equal(t, before, snapshot(t, top), "a refused render changes nothing")
}

// prepared makes top/out holding an earlier render's record of one stale file, that file, and a
// user's files beside it, and a file outside the output directory.
func prepared(t *testing.T) (top, dir string) {
	top = t.TempDir()
	dir = filepath.Join(top, "out")
	writeFile(t, filepath.Join(dir, "member1", "configmap_demo_old.yaml"), "recorded", 0o644)
	writeFile(t, filepath.Join(dir, "member1", "kustomization.yaml"), "mine", 0o644)
	writeRecord(t, dir, "member1/configmap_demo_old.yaml")
	writeFile(t, filepath.Join(top, "precious"), "outside", 0o644)
	return top, dir
}

func TestRenderOutputDirRefusesUnsafeNames(t *testing.T) {
	long := strings.Repeat("a", 254)
	ns63 := strings.Repeat("n", 63)
	tests := []struct {
		name  string
		stdin string
		want  []string
	}{
		{name: "cluster ../escape", stdin: kubeFedCluster("../escape"), want: []string{`KubeFedCluster "../escape": the name is not a valid cluster name`}},
		{name: "cluster with an absolute path", stdin: kubeFedCluster("/etc/cron.d"), want: []string{`KubeFedCluster "/etc/cron.d": the name is not a valid cluster name`}},
		{name: "cluster ..", stdin: kubeFedCluster(".."), want: []string{`KubeFedCluster "..": the name is not a valid cluster name`}},
		{name: "cluster .", stdin: kubeFedCluster("."), want: []string{`KubeFedCluster ".": the name is not a valid cluster name`}},
		{name: "cluster with a separator", stdin: kubeFedCluster("member1/../member2"), want: []string{`KubeFedCluster "member1/../member2": the name is not a valid cluster name`}},
		{name: "cluster in upper case", stdin: kubeFedCluster("Member1"), want: []string{`KubeFedCluster "Member1": the name is not a valid cluster name`, "lower case"}},
		{name: "cluster with NUL", stdin: kubeFedCluster("a\x00b"), want: []string{`KubeFedCluster "a\x00b": the name is not a valid cluster name`}},
		{name: "cluster with a newline", stdin: kubeFedCluster("a\nb"), want: []string{`KubeFedCluster "a\nb": the name is not a valid cluster name`}},
		{name: "cluster name too long", stdin: kubeFedCluster(long), want: []string{"must be no more than 253 characters"}},
		{name: "two clusters of one name", stdin: docs(kubeFedCluster("member1")), want: []string{`KubeFedCluster "kube-federation-system/member1" is defined twice`}},

		{name: "object ../../etc/passwd", stdin: federatedConfigMap("demo", "../../etc/passwd", ""), want: []string{`FederatedConfigMap "demo/../../etc/passwd"`, `cluster "member1"`, `name "../../etc/passwd" is not a valid ConfigMap name`}},
		{name: "object with a separator", stdin: federatedConfigMap("demo", "a/b", ""), want: []string{`name "a/b" is not a valid ConfigMap name`}},
		{name: "object ..", stdin: federatedConfigMap("demo", "..", ""), want: []string{`name ".." is not a valid ConfigMap name`}},
		{name: "object in upper case", stdin: federatedConfigMap("demo", "Web", ""), want: []string{`name "Web" is not a valid ConfigMap name`}},
		{name: "object with NUL", stdin: federatedConfigMap("demo", "a\x00b", ""), want: []string{`name "a\x00b" is not a valid ConfigMap name`}},
		{name: "object name too long", stdin: federatedConfigMap("demo", long, ""), want: []string{"must be no more than 253 characters"}},
		{name: "namespace ..", stdin: federatedNamespace(".."), want: []string{`FederatedNamespace "../.."`, `name ".." is not a valid Namespace name`}},
		{name: "namespace with a separator", stdin: docs(federatedNamespace("a/b"), federatedConfigMap("a/b", "x", "")), want: []string{`"a/b"`, "is not a valid"}},
		{name: "file name longer than a file system allows", stdin: docs(federatedNamespace(ns63), federatedConfigMap(ns63, strings.Repeat("c", 200), "")), want: []string{"its file name would be 279 bytes, more than the 255 a file system allows"}},
		{name: "identity changed by an override of /metadata", stdin: federatedConfigMap("demo", "x", overrideMember1("/metadata", `{name: "../../etc/x", namespace: "../.."}`)), want: []string{`FederatedConfigMap "demo/x"`, `path "/metadata": invalid path`}},
		{name: "group from an override of /apiVersion", stdin: federatedConfigMap("demo", "x", overrideMember1("/apiVersion", `"../v1"`)), want: []string{`path "/apiVersion": invalid path`}},
		{name: "apiVersion with two slashes", stdin: federatedConfigMap("demo", "x", overrideMember1("/apiVersion", `"../../v1"`)), want: []string{`path "/apiVersion": invalid path`}},
		{name: "group in upper case", stdin: federatedConfigMap("demo", "x", overrideMember1("/apiVersion", `"EXAMPLE.com/v1"`)), want: []string{`path "/apiVersion": invalid path`}},
		{name: "kind from a type config", stdin: `apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: evils.example.com, namespace: kube-federation-system}
spec:
  targetType: {group: example.com, version: v1, kind: "../Evil", pluralName: evils, scope: Cluster}
  propagation: Enabled
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedEvil, pluralName: federatedevils, scope: Cluster}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedEvil
metadata: {name: x}
spec: {placement: {clusterSelector: {}}}
`, want: []string{`kind "../Evil" cannot be part of a file name`}},
		{name: "RBAC name with a separator", stdin: federatedClusterRole("a/b"), want: []string{`name "a/b" is not a valid ClusterRole name`}},
		{name: "RBAC name ..", stdin: federatedClusterRole(".."), want: []string{`name ".." is not a valid ClusterRole name`}},
		{name: "RBAC name with a backslash", stdin: federatedClusterRole(`a\..\..\b`), want: []string{`cannot be a file name: it holds a control character or a backslash`}},
		{name: "RBAC name with NUL", stdin: federatedClusterRole("a\x00b"), want: []string{`it holds a control character`}},
		{name: "two names that differ only in case", stdin: docs(federatedClusterRole("Admin"), federatedClusterRole("admin")), want: []string{`ClusterRole "Admin" and ClusterRole "admin" would both be written to clusterrole.rbac.authorization.k8s.io_admin.yaml`}},
		{name: "a render that fails for another reason", stdin: federatedConfigMap("demo", "x", "  overrides:\n  - clusterName: member1\n    clusterOverrides:\n    - {op: remove, path: /data/missing}\n"), want: []string{"remove /data/missing", "does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, dir := prepared(t)
			refused(t, top, tt.stdin, renderInto(dir, tt.stdin), tt.want...)
		})
	}
}

func TestRenderOutputDirAcceptsKubernetesNames(t *testing.T) {
	dir := t.TempDir()
	stdin := docs(federatedClusterRole("system:kubefed:Reader_2"), federatedConfigMap("demo", "a.b-c", ""))
	code, _, stderr := run(t, stdin, renderInto(dir, stdin, "--cluster", "member1")...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, []string{
		recordName,
		"member1/clusterrole.rbac.authorization.k8s.io_system:kubefed:Reader_2.yaml",
		"member1/configmap_demo_a.b-c.yaml",
		"member1/namespace_demo.yaml",
	}, listFiles(t, dir))
}

func TestRenderOutputDirRefusesATamperedRecord(t *testing.T) {
	for _, entry := range []string{
		"../../etc/passwd",
		"/etc/passwd",
		"member1/../../precious",
		"member1/../member2/configmap_demo_x.yaml",
		"./member1/configmap_demo_old.yaml",
		"member1//configmap_demo_old.yaml",
		"member1/sub/configmap_demo_x.yaml",
		"member1/kustomization.yaml",
		"member1/README.md",
		"member1/configmap_demo_old.txt",
		"member1/ConfigMap_demo_old.yaml",
		"member1/configmap_.yaml",
		"member1/configmap_demo_old.yaml\x00",
		"member1/configmap_demo\\..\\..\\old.yaml",
		"Member1/configmap_demo_old.yaml",
		"../configmap_demo_old.yaml",
		"member1",
		"member1/",
		"",
		".kubefedctl-render.json",
	} {
		t.Run(fmt.Sprintf("%q", entry), func(t *testing.T) {
			top, dir := prepared(t)
			writeRecord(t, dir, "member1/configmap_demo_old.yaml", entry)
			refused(t, top, "", renderInto(dir, ""), ".kubefedctl-render.json lists", "fix or remove the record")
		})
	}
	for name, content := range map[string]string{
		"not JSON":             "files: [a]",
		"files is not a list":  `{"files": "member1/configmap_demo_old.yaml"}`,
		"entries not a string": `{"files": [1]}`,
	} {
		t.Run(name, func(t *testing.T) {
			top, dir := prepared(t)
			writeFile(t, filepath.Join(dir, recordName), content, 0o644)
			refused(t, top, "", renderInto(dir, ""), ".kubefedctl-render.json is not a render record")
		})
	}
	t.Run("record is a link", func(t *testing.T) {
		top, dir := prepared(t)
		require.NoError(t, os.Remove(filepath.Join(dir, recordName)))
		require.NoError(t, os.Symlink(filepath.Join(top, "precious"), filepath.Join(dir, recordName)))
		refused(t, top, "", renderInto(dir, ""), ".kubefedctl-render.json is not a regular file")
	})
	t.Run("record is a directory", func(t *testing.T) {
		top, dir := prepared(t)
		require.NoError(t, os.Remove(filepath.Join(dir, recordName)))
		require.NoError(t, os.Mkdir(filepath.Join(dir, recordName), 0o755))
		refused(t, top, "", renderInto(dir, ""), ".kubefedctl-render.json is not a regular file")
	})
}

func TestRenderOutputDirRefusesLinksAndNonDirectories(t *testing.T) {
	t.Run("cluster directory links outside", func(t *testing.T) {
		top, dir := prepared(t)
		outside := filepath.Join(top, "elsewhere")
		require.NoError(t, os.Mkdir(outside, 0o755))
		require.NoError(t, os.Symlink(outside, filepath.Join(dir, "member2")))
		refused(t, top, "", renderInto(dir, ""), "member2 is a symbolic link", "remove the link", "nothing was written")
	})
	t.Run("cluster directory links to /etc", func(t *testing.T) {
		top, dir := prepared(t)
		require.NoError(t, os.Symlink("/etc", filepath.Join(dir, "member3")))
		refused(t, top, "", renderInto(dir, ""), "member3 is a symbolic link")
	})
	t.Run("cluster directory links to another cluster's", func(t *testing.T) {
		top, dir := prepared(t)
		require.NoError(t, os.Symlink("member1", filepath.Join(dir, "member2")))
		refused(t, top, "", renderInto(dir, ""), "member2 is a symbolic link")
	})
	t.Run("cluster directory is a file", func(t *testing.T) {
		top, dir := prepared(t)
		writeFile(t, filepath.Join(dir, "member2"), "mine", 0o644)
		refused(t, top, "", renderInto(dir, ""), "member2 is not a directory")
	})
	t.Run("a file to write is a directory", func(t *testing.T) {
		top, dir := prepared(t)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "member3", "namespace_demo.yaml"), 0o755))
		refused(t, top, "", renderInto(dir, ""), "member3/namespace_demo.yaml is a directory")
	})
	t.Run("output directory is a file", func(t *testing.T) {
		top := t.TempDir()
		writeFile(t, filepath.Join(top, "out"), "mine", 0o644)
		refused(t, top, "", renderInto(filepath.Join(top, "out"), ""), "is not a directory")
	})
}

// Links inside a cluster's directory are replaced or removed, never followed.
func TestRenderOutputDirReplacesLinksInsteadOfFollowingThem(t *testing.T) {
	top, dir := prepared(t)
	precious := filepath.Join(top, "precious")
	// A recorded, stale file turned into a link out, and a file render writes, turned into another.
	require.NoError(t, os.Remove(filepath.Join(dir, "member1", "configmap_demo_old.yaml")))
	require.NoError(t, os.Symlink(precious, filepath.Join(dir, "member1", "configmap_demo_old.yaml")))
	require.NoError(t, os.Symlink(precious, filepath.Join(dir, "member1", "namespace_demo.yaml")))

	code, _, stderr := run(t, "", renderInto(dir, "")...)
	require.Equal(t, cli.ExitOK, code, stderr)
	data, err := os.ReadFile(precious)
	require.NoError(t, err)
	assert.Equal(t, "outside", string(data))
	_, err = os.Lstat(filepath.Join(dir, "member1", "configmap_demo_old.yaml"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "the recorded link is removed, not its target")
	info, err := os.Lstat(filepath.Join(dir, "member1", "namespace_demo.yaml"))
	require.NoError(t, err)
	assert.True(t, info.Mode().IsRegular(), "the link is replaced by the file")
}

func TestRenderOutputDirRemovesOnlyRecordedFiles(t *testing.T) {
	dir := t.TempDir()
	// A user's files, one in the very format render writes.
	writeFile(t, filepath.Join(dir, "member1", "kustomization.yaml"), "mine", 0o644)
	writeFile(t, filepath.Join(dir, "member3", "configmap_demo_old.yaml"), "mine", 0o644)

	code, stdout, stderr := run(t, "", "render", "-f", examples, "--output-dir", dir)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "cluster member1: 3 objects written to ")
	written := []string{
		"member1/configmap_demo_web-config.yaml",
		"member1/deployment.apps_demo_web.yaml",
		"member1/namespace_demo.yaml",
		"member2/configmap_demo_web-config.yaml",
		"member2/deployment.apps_demo_web.yaml",
		"member2/namespace_demo.yaml",
		"member3/namespace_demo.yaml",
	}
	assert.Equal(t, written, readRecord(t, dir))
	assert.Equal(t, append([]string{recordName, "member1/configmap_demo_web-config.yaml", "member1/deployment.apps_demo_web.yaml", "member1/kustomization.yaml"},
		append(written[2:6], "member3/configmap_demo_old.yaml", "member3/namespace_demo.yaml")...), listFiles(t, dir))

	// The same render again changes nothing.
	before := snapshot(t, dir)
	code, _, stderr = run(t, "", "render", "-f", examples, "--output-dir", dir)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, before, snapshot(t, dir))

	// The ConfigMap leaves the input: member1's recorded copy goes, only with --cluster member1.
	withoutConfig := []string{"render", "-f", filepath.Join(examples, "clusters.yaml"), "-f", filepath.Join(examples, "namespace.yaml"), "-f", filepath.Join(examples, "web.yaml"), "--output-dir", dir}
	code, stdout, stderr = run(t, "", append(withoutConfig, "--cluster", "member1")...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "cluster member1: 2 objects written to "+filepath.Join(dir, "member1")+", 1 stale files removed\n")
	assert.NoFileExists(t, filepath.Join(dir, "member1", "configmap_demo_web-config.yaml"))
	assert.FileExists(t, filepath.Join(dir, "member2", "configmap_demo_web-config.yaml"), "another cluster's files are left to its own render")
	assert.Equal(t, []string{written[1], written[2], written[3], written[4], written[5], written[6]}, readRecord(t, dir))

	code, _, stderr = run(t, "", withoutConfig...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.NoFileExists(t, filepath.Join(dir, "member2", "configmap_demo_web-config.yaml"))
	assert.FileExists(t, filepath.Join(dir, "member1", "kustomization.yaml"))
	assert.FileExists(t, filepath.Join(dir, "member3", "configmap_demo_old.yaml"))
	assert.Equal(t, []string{written[1], written[2], written[4], written[5], written[6]}, readRecord(t, dir))
}

func TestRenderOutputDirModes(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "member2", "secret_demo_db.yaml")
	tightened := filepath.Join(dir, "member2", "namespace_demo.yaml")
	writeFile(t, secretFile, "old", 0o666)
	writeRecord(t, dir, "member2/secret_demo_db.yaml")
	writeFile(t, tightened, "old", 0o600)

	code, _, stderr := run(t, federatedSecret, renderInto(dir, federatedSecret)...)
	require.Equal(t, cli.ExitOK, code, stderr)
	for _, path := range []string{secretFile, filepath.Join(dir, "member1", "secret_demo_db.yaml")} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), "a Secret's file is its owner's only: %s", path)
	}
	info, err := os.Stat(tightened)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), "a mode the user tightened stays")
	data, err := os.ReadFile(tightened)
	require.NoError(t, err)
	assert.Contains(t, string(data), "kind: Namespace", "and the file is rewritten")
	info, err = os.Stat(filepath.Join(dir, "member1", "namespace_demo.yaml"))
	require.NoError(t, err)
	assert.Zero(t, info.Mode().Perm()&0o133, "other files are not executable, nor writable by others")
	// No temporary file is left behind.
	for _, f := range listFiles(t, dir) {
		assert.NotContains(t, f, ".tmp")
	}
}
