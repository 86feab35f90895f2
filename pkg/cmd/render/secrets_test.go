package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// Values that must never be printed unless asked for, in clear and as the API encodes them.
var secretValues = []string{
	"aHVudGVyMg==", // hunter2, template data
	"s3cr3t-token", // template stringData
	"b3ZlcnJpZGRlbg==",
	"other-s3cr3t",
	"c2VydmVyLWtleQ==",
}

const federatedSecret = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: db, namespace: demo}
spec:
  template:
    type: Opaque
    data: {password: aHVudGVyMg==}
    stringData: {token: s3cr3t-token}
  placement:
    clusters: [{name: member1}, {name: member2}]
  overrides:
  - clusterName: member2
    clusterOverrides:
    - path: /data/password
      value: b3ZlcnJpZGRlbg==
    - path: /stringData
      value: {token: other-s3cr3t}
    - path: /metadata/labels
      value: {tier: gold}
`

// A Secret type of one's own naming: the type config, not the kind's name, says it is a Secret.
const credentialType = `apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: secrets, namespace: kube-federation-system}
spec:
  targetType: {version: v1, kind: Secret, pluralName: secrets, scope: Namespaced}
  propagation: Enabled
  federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedCredential, pluralName: federatedcredentials, scope: Namespaced}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedCredential
metadata: {name: tls, namespace: demo}
spec:
  template:
    data: {tls.key: c2VydmVyLWtleQ==}
  placement:
    clusters: [{name: member2}]
  overrides:
  - clusterName: member2
    clusterOverrides:
    - path: /data/tls.key
      value: b3ZlcnJpZGRlbg==
`

// A template may carry its own apiVersion; the member object is a v1 Secret all the same.
const secretOtherVersion = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: odd, namespace: demo}
spec:
  template:
    apiVersion: v2
    data: {password: aHVudGVyMg==}
  placement:
    clusters: [{name: member1}, {name: member2}]
`

func renderSecretArgs(extra ...string) []string {
	return append([]string{"render", "-f", filepath.Join(examples, "clusters.yaml"), "-f", filepath.Join(examples, "namespace.yaml"), "-f", "-"}, extra...)
}

func TestRenderMasksSecretsOnStdout(t *testing.T) {
	inputs := map[string]string{
		"FederatedSecret":                 federatedSecret,
		"a Secret type named otherwise":   credentialType,
		"a Secret of another apiVersion":  secretOtherVersion,
		"all of them in one input stream": federatedSecret + "---\n" + credentialType + "---\n" + secretOtherVersion,
	}
	outputs := map[string][]string{
		"yaml, every cluster":  nil,
		"json, every cluster":  {"-o", "json"},
		"yaml, one cluster":    {"--cluster", "member2"},
		"json, one cluster":    {"--cluster", "member2", "-o", "json"},
		"explain text":         {"--explain"},
		"explain json":         {"--explain", "-o", "json"},
		"explain yaml":         {"--explain", "-o", "yaml"},
		"explain, one cluster": {"--explain", "--cluster", "member2"},
	}
	for inputName, input := range inputs {
		for outputName, flags := range outputs {
			t.Run(inputName+"/"+outputName, func(t *testing.T) {
				code, stdout, stderr := run(t, input, renderSecretArgs(flags...)...)
				require.Equal(t, cli.ExitOK, code, stderr)
				explain := strings.Contains(outputName, "explain")
				if !explain || len(presentValues(overrideValues(input))) > 0 {
					assert.Contains(t, stdout, "***")
				}
				for _, v := range secretValues {
					assert.NotContains(t, stdout, v)
					assert.NotContains(t, stderr, v)
				}

				code, clear, stderr := run(t, input, renderSecretArgs(append(flags, "--show-secrets")...)...)
				require.Equal(t, cli.ExitOK, code, stderr)
				assert.NotContains(t, clear, "***")
				if strings.Contains(stdout, "***") {
					assert.NotEmpty(t, presentValues(clear), "--show-secrets prints the values")
				}
			})
		}
	}
}

func TestRenderMaskedSecretKeepsTheRest(t *testing.T) {
	code, stdout, stderr := run(t, federatedSecret, renderSecretArgs("--cluster", "member2")...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "data:\n  password: '***'\n")
	assert.Contains(t, stdout, "stringData:\n  token: '***'\n")
	assert.Contains(t, stdout, "tier: gold")
	assert.Contains(t, stdout, "type: Opaque")
	assert.Contains(t, stdout, "name: db\n")

	code, stdout, stderr = run(t, federatedSecret, renderSecretArgs("--explain", "--cluster", "member2")...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, `override: replace /data/password = "***"`)
	assert.Contains(t, stdout, `override: replace /stringData = {"token":"***"}`)
	assert.Contains(t, stdout, `override: replace /metadata/labels = {"tier":"gold"}`, "values outside data and stringData stay")

	// Other kinds are printed as they are.
	code, stdout, _ = run(t, "", "render", "-f", examples, "--explain", "--cluster", "member2")
	require.Equal(t, cli.ExitOK, code)
	assert.Contains(t, stdout, `override: replace /data/greeting = "bonjour"`)
}

func TestRenderErrorsDoNotQuoteSecretValues(t *testing.T) {
	broken := strings.Replace(federatedSecret, "- path: /data/password\n", "- path: /data/password/nested\n", 1)
	code, stdout, stderr := run(t, broken, renderSecretArgs()...)
	assert.Equal(t, cli.ExitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `FederatedSecret "demo/db"`)
	assert.Contains(t, stderr, "/data/password/nested")
	for _, v := range secretValues {
		assert.NotContains(t, stderr, v)
	}
}

func TestRenderShowSecretsFlag(t *testing.T) {
	code, stdout, stderr := run(t, federatedSecret, renderSecretArgs("--show-secrets", "--output-dir", t.TempDir())...)
	assert.Equal(t, cli.ExitError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "error: --show-secrets and --output-dir are mutually exclusive: files under --output-dir always hold the real values\n", stderr)
}

// TestRenderOutputDirKeepsSecretValues: the files are the plan a GitOps tool applies.
func TestRenderOutputDirKeepsSecretValues(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, federatedSecret, renderSecretArgs("--output-dir", dir)...)
	require.Equal(t, cli.ExitOK, code, stderr)
	data, err := os.ReadFile(filepath.Join(dir, "member2", "secret_demo_db.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "password: b3ZlcnJpZGRlbg==")
	assert.Contains(t, string(data), "token: other-s3cr3t")
	assert.NotContains(t, string(data), "***")
}

// presentValues are the secret values an input holds.
func presentValues(input string) []string {
	var out []string
	for _, v := range secretValues {
		if strings.Contains(input, v) {
			out = append(out, v)
		}
	}
	return out
}

// overrideValues is the part of an input after its first overrides: key, roughly the values
// --explain shows.
func overrideValues(input string) string {
	var b strings.Builder
	for _, doc := range strings.Split(input, "---\n") {
		if i := strings.Index(doc, "overrides:"); i >= 0 {
			b.WriteString(doc[i:])
		}
	}
	return b.String()
}
