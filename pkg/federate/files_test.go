package federate

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/federate")

const testdata = "../../testdata/federate"

// federateFiles runs `federate` with no cluster, as -f does.
func federateFiles(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return federateFilesIn(t, apis.DefaultKubeFedNamespace, args...)
}

// federateFilesIn runs it with a KubeFed namespace (--kubefed-namespace, a root flag).
func federateFilesIn(t *testing.T, kubefedNamespace string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	globals := cli.NewGlobals()
	globals.KubeFedNamespace = kubefedNamespace
	none := filepath.Join(t.TempDir(), "none")
	globals.ConfigFlags.KubeConfig = &none
	cmd := NewCmdFederate(globals, genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	cmd.SetOut(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestFederateFilesMasksSecretsGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"secrets.golden", []string{"-f", filepath.Join(testdata, "secrets.yaml"), "-o", "yaml"}},
		{"secrets-json.golden", []string{"-f", filepath.Join(testdata, "secrets.yaml"), "-o", "json"}},
		{"secrets-shown.golden", []string{"-f", filepath.Join(testdata, "secrets.yaml"), "-o", "yaml", "--show-secrets"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			stdout, stderr, err := federateFiles(t, tt.args...)
			require.NoError(t, err, stderr)
			got := stdout + "# stderr\n" + stderr
			path := filepath.Join(testdata, tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "go test ./pkg/federate/ -update writes it")
			assert.Equal(t, string(want), got)
		})
	}
	// Whatever the golden files say, no value and no encoding of one is printed without the flag.
	for _, output := range []string{"yaml", "json"} {
		stdout, stderr, err := federateFiles(t, "-f", filepath.Join(testdata, "secrets.yaml"), "-o", output)
		require.NoError(t, err)
		for _, value := range []string{"aHVudGVyMg==", "hunter2", "YWRtaW4=", "admin", "Y2VydA==", "a2V5"} {
			assert.NotContains(t, stdout+stderr, value, output)
		}
		assert.NotContains(t, stdout, "last-applied", "kubectl's copy of the values is dropped with the annotations")
		assert.Contains(t, stderr, "--show-secrets", "the user is told the values are hidden")
		assert.Contains(t, stdout, "production", "other kinds print as they are")
	}
	stdout, _, err := federateFiles(t, "-f", filepath.Join(testdata, "secrets.yaml"), "-o", "yaml", "--show-secrets")
	require.NoError(t, err)
	assert.Contains(t, stdout, "aHVudGVyMg==")
	assert.Contains(t, stdout, "postgres://admin:hunter2@db:5432/shop")
	assert.NotContains(t, stdout, "last-applied", "annotations never reach a template")
}

func TestFederateFilesRefusesMachinery(t *testing.T) {
	tests := []struct {
		name, content, refused string
		kubefedNamespace       string
	}{
		{"token Secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: shop}\ntype: kubernetes.io/service-account-token\ndata: {token: dG9rZW4=}\n", "service-account token", apis.DefaultKubeFedNamespace},
		{"join's host Secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: member1-x2x9k, namespace: kube-federation-system}\ndata: {token: dG9rZW4=}\n", "in the KubeFed namespace", apis.DefaultKubeFedNamespace},
		{"another KubeFed namespace", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: fed-b}\n", "in the KubeFed namespace", "fed-b"},
		{"Namespace kube-system", "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n", "system namespace", apis.DefaultKubeFedNamespace},
		{"Namespace kube-node-lease", "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-node-lease}\n", "system namespace", apis.DefaultKubeFedNamespace},
		{"Namespace default", "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n", "kubefed never propagates it", apis.DefaultKubeFedNamespace},
		{"Namespace Kube-System", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Kube-System}\n", "not a valid namespace name", apis.DefaultKubeFedNamespace},
		{"Namespace of the federation", "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-federation-system}\n", "the KubeFed namespace", apis.DefaultKubeFedNamespace},
		{"FederatedSecret", "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedSecret\nmetadata: {name: s, namespace: shop}\nspec: {template: {data: {k: dG9rZW4=}}}\n", "federation's own types", apis.DefaultKubeFedNamespace},
		{"KubeFedCluster", "apiVersion: core.kubefed.io/v1beta1\nkind: KubeFedCluster\nmetadata: {name: member1, namespace: kube-federation-system}\n", "federation's own types", apis.DefaultKubeFedNamespace},
		{"ReplicaSchedulingPreference", "apiVersion: scheduling.kubefed.io/v1alpha1\nkind: ReplicaSchedulingPreference\nmetadata: {name: web, namespace: shop}\n", "federation's own types", apis.DefaultKubeFedNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A refused object among good ones: nothing at all is printed.
			path := filepath.Join(t.TempDir(), "in.yaml")
			content := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine, namespace: shop}\n---\n" + tt.content
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			stdout, _, err := federateFilesIn(t, tt.kubefedNamespace, "-f", path, "-o", "yaml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.refused)
			assert.Contains(t, err.Error(), path, "the error names the file")
			assert.Empty(t, stdout)
			assert.NotContains(t, err.Error(), "dG9rZW4=")
		})
	}
}
