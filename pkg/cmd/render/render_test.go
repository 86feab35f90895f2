package render_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
)

const testdata = "../../../testdata"

var examples = filepath.Join(testdata, "examples")

// run executes the whole command tree as main does and returns exit code, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	root := cmd.NewRootCommand(streams, "kubefedctl")
	root.SetArgs(args)
	code := cli.Execute(root, streams)
	return code, out.String(), errOut.String()
}

func TestRenderIsByteIdenticalAcrossRuns(t *testing.T) {
	code, first, stderr := run(t, "", "render", "-f", examples, "--cluster", "member1", "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, first, `"kind": "List"`)
	for i := 0; i < 5; i++ {
		code, again, stderr := run(t, "", "render", "-f", examples, "--cluster", "member1", "-o", "json")
		require.Equal(t, cli.ExitOK, code, stderr)
		assert.Equal(t, first, again)
	}
}

func TestRenderStdinEqualsFiles(t *testing.T) {
	var all []string
	for _, name := range []string{"clusters.yaml", "namespace.yaml", "web.yaml", "config.yaml"} {
		data, err := os.ReadFile(filepath.Join(examples, name))
		require.NoError(t, err)
		all = append(all, string(data))
	}
	code, fromFiles, stderr := run(t, "", "render", "-f", examples)
	require.Equal(t, cli.ExitOK, code, stderr)
	code, fromStdin, stderr := run(t, strings.Join(all, "\n---\n"), "render", "-f", "-")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, fromFiles, fromStdin)
	assert.True(t, strings.HasPrefix(fromFiles, "# Cluster: member1\n"))
	assert.Contains(t, fromFiles, "\n---\n# Cluster: member2\n")
}

func TestRenderBadInput(t *testing.T) {
	bad := filepath.Join(testdata, "bad")
	clusters := filepath.Join(examples, "clusters.yaml")
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{name: "malformed YAML", files: []string{"malformed.yaml"}, want: []string{"malformed.yaml: document 1 is not valid YAML or JSON", "line 9"}},
		{name: "unknown federated kind", files: []string{"unknown-kind.yaml"}, want: []string{"unknown-kind.yaml: unknown federated kind FederatedWidget", "FederatedTypeConfig"}},
		{name: "unknown op", files: []string{"unknown-op.yaml"}, want: []string{"unknown-op.yaml", `FederatedConfigMap "demo/settings"`, `cluster "member2"`, `path "/data/a"`, `unknown op "move"`}},
		{name: "remove of a missing path", files: []string{"remove-missing.yaml"}, want: []string{"remove-missing.yaml", `FederatedConfigMap "demo/settings"`, `cluster "member2"`, "remove /data/missing", "does not exist"}},
		{name: "negative replicas", files: []string{"negative-replicas.yaml"}, want: []string{"negative-replicas.yaml", `ReplicaSchedulingPreference "demo/web"`, "spec.totalReplicas must be a whole number of zero or more, not -2"}},
		{name: "fractional weight", files: []string{"fractional-replicas.yaml"}, want: []string{"fractional-replicas.yaml", `ReplicaSchedulingPreference "demo/web"`, "spec.clusters.member1.weight must be a whole number of zero or more, not 1.5"}},
		{name: "unsupported targetKind", files: []string{"bad-target-kind.yaml"}, want: []string{"bad-target-kind.yaml", `ReplicaSchedulingPreference "demo/web"`, `spec.targetKind "FederatedStatefulSet" is not supported`}},
		{name: "same identity twice", files: []string{"duplicate.yaml"}, want: []string{"duplicate.yaml", `FederatedConfigMap "demo/web-config" is defined twice`, "config.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"render", "-f", clusters, "-f", filepath.Join(examples, "namespace.yaml")}
			if tt.name == "same identity twice" {
				args = append(args, "-f", filepath.Join(examples, "config.yaml"))
			}
			for _, f := range tt.files {
				args = append(args, "-f", filepath.Join(bad, f))
			}
			code, stdout, stderr := run(t, "", args...)
			assert.Equal(t, cli.ExitError, code)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line on stderr: %q", stderr)
			assert.True(t, strings.HasPrefix(stderr, "error: "), stderr)
			for _, w := range tt.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

func TestRenderUnknownCluster(t *testing.T) {
	code, stdout, stderr := run(t, "", "render", "-f", examples, "--cluster", "nope")
	assert.Equal(t, cli.ExitError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "error: --cluster \"nope\" is not a known cluster; the input has member1, member2, member3\n", stderr)
}

func TestRenderFlags(t *testing.T) {
	code, _, stderr := run(t, "", "render")
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, "-f/--filename is required")
	code, _, stderr = run(t, "", "render", "-f", examples, "-o", "wide")
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, `--output must be yaml or json, not "wide"`)
	code, _, stderr = run(t, "", "render", "-f", filepath.Join(testdata, "nothing-here"))
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, "nothing-here\" does not exist")
}

func TestRenderOutputDir(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := run(t, "", "render", "-f", examples, "--output-dir", dir)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "cluster member1: 3 objects written to "+filepath.Join(dir, "member1")+"\n"+
		"cluster member2: 3 objects written to "+filepath.Join(dir, "member2")+"\n"+
		"cluster member3: 1 objects written to "+filepath.Join(dir, "member3")+"\n", stdout)

	// Each file is what render prints for that object.
	code, printed, stderr := run(t, "", "render", "-f", examples, "--cluster", "member2")
	require.Equal(t, cli.ExitOK, code, stderr)
	data, err := os.ReadFile(filepath.Join(dir, "member2", "deployment.apps_demo_web.yaml"))
	require.NoError(t, err)
	assert.Contains(t, printed, string(data))
}

func TestRenderExplain(t *testing.T) {
	code, stdout, stderr := run(t, "", "render", "-f", examples, "--explain", "--cluster", "member2")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "FederatedDeployment demo/web")
	assert.Contains(t, stdout, "member2: placed: planned for by ReplicaSchedulingPreference")
	assert.Contains(t, stdout, "replicas 2: 2 by weight 1 of 3")
	assert.Contains(t, stdout, `override: replace /spec/template/spec/containers/0/image = "mirror.eu.example.com/nginx:1.27"`)
	assert.NotContains(t, stdout, "member1:")

	code, stdout, _ = run(t, "", "render", "-f", examples, "--explain", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	assert.Contains(t, stdout, `"replicasReason": "2 from minReplicas, 6 by weight 2 of 3`)
}

func TestPluginName(t *testing.T) {
	var out bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	root := cmd.NewRootCommand(streams, cli.DisplayName("/usr/local/bin/kubectl-kubefed"))
	root.SetArgs([]string{"render", "--help"})
	require.Equal(t, cli.ExitOK, cli.Execute(root, streams))
	assert.Contains(t, out.String(), "kubectl kubefed render -f testdata/examples --explain")
	assert.Contains(t, out.String(), "Usage:\n  kubectl kubefed render -f PATH...")
	assert.NotContains(t, out.String(), "kubefedctl")
}

// A cluster's name from a file may hold anything; the heading of its section must not add
// documents to the stream.
func TestRenderRefusesOddClusterNames(t *testing.T) {
	for _, name := range []string{"a\n---\napiVersion: v1\nkind: Secret", "a\x00b", "Upper"} {
		t.Run(name, func(t *testing.T) {
			stdin := "apiVersion: core.kubefed.io/v1beta1\nkind: KubeFedCluster\nmetadata: {name: " + strconv.Quote(name) + ", namespace: kube-federation-system}\nspec: {apiEndpoint: \"https://c.example.com\"}\n"
			code, stdout, stderr := run(t, stdin, "render", "-f", filepath.Join(examples, "clusters.yaml"), "-f", filepath.Join(examples, "namespace.yaml"), "-f", "-")
			// Refused when read: such a name never becomes a heading, a directory or a report line.
			require.Equal(t, cli.ExitError, code, stdout)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "KubeFedCluster "+strconv.Quote(name)+": the name is not a valid cluster name")
		})
	}
}

// Every example render's help shows runs as written (from the repository's root).
func TestRenderHelpExamplesRun(t *testing.T) {
	root := cmd.NewRootCommand(genericiooptions.NewTestIOStreamsDiscard(), "kubefedctl")
	render, _, err := root.Find([]string{"render"})
	require.NoError(t, err)
	ran := 0
	for _, line := range strings.Split(render.Example, "\n") {
		line = strings.TrimSpace(line)
		stdin := ""
		if before, after, piped := strings.Cut(line, " | "); piped {
			// cat FILE | kubefedctl render -f -: the file on stdin.
			data, err := os.ReadFile(filepath.Join(testdata, "..", strings.TrimPrefix(before, "cat ")))
			if err != nil {
				// A file of the reader's own, such as app.yaml: the examples stand in for it.
				data, err = os.ReadFile(filepath.Join(examples, "web.yaml"))
				require.NoError(t, err)
				clusters, err := os.ReadFile(filepath.Join(examples, "clusters.yaml"))
				require.NoError(t, err)
				namespace, err := os.ReadFile(filepath.Join(examples, "namespace.yaml"))
				require.NoError(t, err)
				data = []byte(string(clusters) + "\n---\n" + string(namespace) + "\n---\n" + string(data))
			}
			stdin, line = string(data), after
		}
		if !strings.HasPrefix(line, "kubefedctl render") {
			continue
		}
		args := strings.Fields(line)[1:]
		for i, a := range args {
			switch {
			case a == "testdata/examples":
				args[i] = examples
			case i > 0 && args[i-1] == "--output-dir":
				args[i] = t.TempDir()
			}
		}
		code, _, stderr := run(t, stdin, args...)
		assert.Equal(t, cli.ExitOK, code, "%s: %s", line, stderr)
		ran++
	}
	assert.GreaterOrEqual(t, ran, 4, "render's help shows its examples")
}

// Strict input: what the host would refuse, render refuses too, naming the file and the key or
// field; --validate=warn renders it with a warning.
func TestRenderStrictInput(t *testing.T) {
	dir := t.TempDir()
	clusters, err := os.ReadFile(filepath.Join(examples, "clusters.yaml"))
	require.NoError(t, err)
	namespace, err := os.ReadFile(filepath.Join(examples, "namespace.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clusters.yaml"), clusters, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "namespace.yaml"), namespace, 0o644))
	configMap := func(name string) string {
		return "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: " + name + ", namespace: demo}\nspec:\n  template: {data: {k: v}}\n  placement: {clusters: [{name: member1}]}\n"
	}
	noSeparator := filepath.Join(dir, "no-separator.yaml")
	require.NoError(t, os.WriteFile(noSeparator, []byte(configMap("first")+configMap("second")), 0o644))
	code, stdout, stderr := run(t, "", "render", "-f", dir)
	assert.Equal(t, cli.ExitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, noSeparator+`: document 1: duplicate key "apiVersion" at line 7`)
	assert.Contains(t, stderr, `(two objects without a "---" line between them?)`)

	code, stdout, stderr = run(t, "", "render", "-f", dir, "--validate=warn")
	assert.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stderr, "Warning: "+noSeparator+`: document 1: duplicate key "apiVersion" at line 7`)
	assert.Contains(t, stdout, "name: second")
	assert.NotContains(t, stdout, "name: first")
	require.NoError(t, os.Remove(noSeparator))

	misspelt := filepath.Join(dir, "misspelt.yaml")
	require.NoError(t, os.WriteFile(misspelt, []byte(strings.Replace(configMap("cm"), "placement:", "placment:", 1)), 0o644))
	for _, strict := range [][]string{nil, {"--validate"}, {"--validate=true"}, {"--validate=strict"}} {
		code, stdout, stderr = run(t, "", append([]string{"render", "-f", dir}, strict...)...)
		assert.Equal(t, cli.ExitError, code, "%v", strict)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, misspelt+`: FederatedConfigMap demo/cm: unknown field "spec.placment"`)
	}
	code, _, stderr = run(t, "", "render", "-f", dir, "--validate=warn")
	assert.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "Warning: "+misspelt+`: FederatedConfigMap demo/cm: unknown field "spec.placment": ignored`+"\n", stderr)
	for _, quiet := range []string{"--validate=false", "--validate=ignore"} {
		code, _, stderr = run(t, "", "render", "-f", dir, quiet)
		assert.Equal(t, cli.ExitOK, code, stderr)
		assert.Empty(t, stderr)
	}
	code, _, stderr = run(t, "", "render", "-f", dir, "--validate=loose")
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, `--validate must be strict (or true), warn, or ignore (or false), not "loose"`)
}

// A template is held to its Federated CRD's schema where the input gives the CRD (as enable -o
// yaml prints it): a value of the wrong type or outside an enum is refused, naming the file, the
// object and the field; a field the schema does not name is kept, as the host keeps it;
// --validate=warn renders with a warning.
func TestRenderChecksTemplatesAgainstTheFederatedCRD(t *testing.T) {
	dir := t.TempDir()
	crd := filepath.Join(testdata, "enable", "widget-crd.golden")
	widgets := filepath.Join(dir, "widgets.yaml")
	widget := func(name, spec string) string {
		return "---\napiVersion: types.kubefed.io/v1beta1\nkind: FederatedWidget\nmetadata: {name: " + name + ", namespace: demo}\nspec:\n  template:\n    spec: " + spec + "\n  placement: {clusters: [{name: member1}]}\n"
	}
	require.NoError(t, os.WriteFile(widgets, []byte(widget("good", "{replicas: 3, color: red, future: kept}")+widget("bad", "{replicas: three, color: green}")), 0o644))
	args := []string{"render", "-f", filepath.Join(examples, "clusters.yaml"), "-f", filepath.Join(examples, "namespace.yaml"), "-f", crd, "-f", widgets, "--cluster", "member1"}

	code, stdout, stderr := run(t, "", args...)
	assert.Equal(t, cli.ExitError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "error: "+widgets+`: FederatedWidget "demo/bad": spec.template.spec.color in body should be one of [red blue] (the schema of its Federated CRD); `+
		widgets+`: FederatedWidget "demo/bad": spec.template.spec.replicas in body must be of type integer: "string" (the schema of its Federated CRD); --validate=warn renders anyway`+"\n", stderr)

	code, stdout, stderr = run(t, "", append(args, "--validate=warn")...)
	assert.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stderr, "Warning: "+widgets+`: FederatedWidget "demo/bad": spec.template.spec.replicas in body must be of type integer`)
	assert.Contains(t, stdout, "future: kept", "a field the schema does not name is kept")
	code, _, stderr = run(t, "", append(args, "--validate=ignore")...)
	assert.Equal(t, cli.ExitOK, code, stderr)
	assert.NotContains(t, stderr, "schema")

	// The good one alone passes.
	require.NoError(t, os.WriteFile(widgets, []byte(widget("good", "{replicas: 3, color: red, future: kept}")), 0o644))
	code, stdout, stderr = run(t, "", args...)
	assert.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "replicas: 3")

	// A CRD that is not a Federated CRD is not part of a federation's manifests.
	other := filepath.Join(dir, "other-crd.yaml")
	require.NoError(t, os.WriteFile(other, []byte("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gadgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Gadget, plural: gadgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n"), 0o644))
	code, _, stderr = run(t, "", append(args, "-f", other)...)
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, `CustomResourceDefinition "gadgets.example.com" is not a Federated CRD`)
}

// Without --cluster, -o json is one JSON document: each cluster's v1 List under its name.
func TestRenderJSONOfEveryClusterIsOneDocument(t *testing.T) {
	code, stdout, stderr := run(t, "", "render", "-f", examples, "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var byCluster map[string]struct {
		Kind  string           `json:"kind"`
		Items []map[string]any `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &byCluster), stdout)
	require.Len(t, byCluster, 3)
	for name, want := range map[string]int{"member1": 3, "member2": 3, "member3": 1} {
		assert.Equal(t, "List", byCluster[name].Kind, name)
		assert.Len(t, byCluster[name].Items, want, name)
	}
	code, one, stderr := run(t, "", "render", "-f", examples, "--cluster", "member2", "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var list map[string]any
	require.NoError(t, json.Unmarshal([]byte(one), &list))
	assert.Len(t, list["items"], len(byCluster["member2"].Items), "the same objects as --cluster prints")
}
