package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// repoRoot is where README's commands run: its paths (testdata/examples) are the checkout's.
const repoRoot = "../.."

// readmeStep is one command of README, and the output README shows for it, if any.
type readmeStep struct {
	line   string
	output *string
}

// readmeSection returns the commands of a README section in order: every line of its ```sh
// blocks (comments stripped), and the `$ ` lines of its ```console blocks with the output shown
// under each.
func readmeSection(t *testing.T, readme, heading string) []readmeStep {
	t.Helper()
	start := strings.Index(readme, "\n"+heading+"\n")
	require.GreaterOrEqual(t, start, 0, "README has a section %q", heading)
	body := readme[start+len(heading)+2:]
	if end := strings.Index(body, "\n## "); end >= 0 {
		body = body[:end]
	}
	var steps []readmeStep
	var lang string
	inBlock := false
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "```") {
			inBlock, lang = !inBlock, strings.TrimPrefix(line, "```")
			continue
		}
		if !inBlock {
			continue
		}
		switch lang {
		case "sh":
			if command := strings.TrimSpace(stripComment(line)); command != "" {
				steps = append(steps, readmeStep{line: command})
			}
		case "console":
			if command, ok := strings.CutPrefix(line, "$ "); ok {
				empty := ""
				steps = append(steps, readmeStep{line: command, output: &empty})
				continue
			}
			require.NotEmpty(t, steps, "output before any command in %q", heading)
			*steps[len(steps)-1].output += line + "\n"
		}
	}
	return steps
}

// stripComment removes a shell comment: a # at the start or after a blank, outside quotes.
func stripComment(line string) string {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		}
	}
	return line
}

// shellWords splits a command line as the shell would for the plain commands README shows:
// words, single and double quotes. Anything more (pipes, redirections, variables, globs) is
// refused, so that README stays runnable as written.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	require.NotContains(t, stripQuoted(line), "|", "README's commands are plain: %s", line)
	for _, c := range []string{">", "<", "$", "*", "`", ";", "&"} {
		require.NotContains(t, stripQuoted(line), c, "README's commands are plain: %s", line)
	}
	var words []string
	var word strings.Builder
	var quote rune
	inWord := false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	require.Zero(t, quote, "unbalanced quotes: %s", line)
	if inWord {
		words = append(words, word.String())
	}
	return words
}

func stripQuoted(line string) string {
	var out strings.Builder
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
		case r == '\'' || r == '"':
			quote = r
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// runREADMEStep runs one of README's commands in dir, against the local clusters: kubefedctl
// as the binary does, kubectl as installed.
func runREADMEStep(t *testing.T, dir string, step readmeStep) result {
	t.Helper()
	words := shellWords(t, step.line)
	switch words[0] {
	case "kubefedctl":
		wd, err := os.Getwd()
		require.NoError(t, err)
		require.NoError(t, os.Chdir(dir))
		defer func() { require.NoError(t, os.Chdir(wd)) }()
		return kubefedctl(t, words[1:]...)
	case "kubectl":
		kubectl, err := exec.LookPath("kubectl")
		require.NoError(t, err, "README's commands use kubectl: install it to run them")
		var out, errOut bytes.Buffer
		c := exec.Command(kubectl, words[1:]...)
		c.Dir = dir
		c.Env = append(os.Environ(), "KUBECONFIG="+fed.Kubeconfig)
		c.Stdout, c.Stderr = &out, &errOut
		code := 0
		if err := c.Run(); err != nil {
			exitErr, ok := err.(*exec.ExitError)
			require.True(t, ok, "running %s: %v", step.line, err)
			code = exitErr.ExitCode()
		}
		return result{code, out.String(), errOut.String()}
	}
	t.Fatalf("README runs %q, which this test does not know how to run: %s", words[0], step.line)
	return result{}
}

// TestREADMEFederationFromScratch runs README's "A federation from scratch" as written, from
// a host with no federation and unjoined members, and checks the output README shows.
func TestREADMEFederationFromScratch(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		// As TestKubectlPlugin: README's reader has kubectl; without it, TestREADMESectionParsing
		// and pkg/cmd's check of README's commands and flags still run.
		t.Skip("README's commands use kubectl, which is not installed")
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	steps := readmeSection(t, string(data), "## A federation from scratch")
	require.GreaterOrEqual(t, len(steps), 8, "the section shows the whole flow")

	ctx := context.Background()
	host := dynamicFor(t, "host")
	// Where a user starts: no federated object anywhere, no member joined, no namespace demo;
	// and where this test leaves the clusters for the tests after it.
	federatedTypes := func() []schema.GroupVersionResource {
		var out []schema.GroupVersionResource
		list, err := host.Resource(apis.FederatedTypeConfigResource).Namespace(kfns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil
		}
		for _, tc := range list.Items {
			group, _, _ := unstructured.NestedString(tc.Object, "spec", "federatedType", "group")
			version, _, _ := unstructured.NestedString(tc.Object, "spec", "federatedType", "version")
			plural, _, _ := unstructured.NestedString(tc.Object, "spec", "federatedType", "pluralName")
			out = append(out, schema.GroupVersionResource{Group: group, Version: version, Resource: plural})
		}
		return out
	}
	type federated struct {
		gvr schema.GroupVersionResource
		obj unstructured.Unstructured
	}
	remaining := func() []federated {
		var out []federated
		for _, gvr := range federatedTypes() {
			if list, err := host.Resource(gvr).List(ctx, metav1.ListOptions{}); err == nil {
				for _, item := range list.Items {
					out = append(out, federated{gvr, item})
				}
			}
		}
		return out
	}
	clean := func() {
		for _, f := range remaining() {
			_ = host.Resource(f.gvr).Namespace(f.obj.GetNamespace()).Delete(ctx, f.obj.GetName(), metav1.DeleteOptions{})
		}
		// Passes finish the deletions (a member namespace takes its time to go); what no pass
		// can finish (a member no longer joined) has its finalizer taken off by hand.
		_ = wait.PollUntilContextTimeout(ctx, time.Second, 60*time.Second, true, func(ctx context.Context) (bool, error) {
			if len(remaining()) == 0 {
				return true, nil
			}
			kubefedctl(t, "propagate")
			return len(remaining()) == 0, nil
		})
		for _, f := range remaining() {
			_, _ = host.Resource(f.gvr).Namespace(f.obj.GetNamespace()).Patch(ctx, f.obj.GetName(), types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		}
		// And a pass unlabels what they left in the members, which the next pass would report.
		kubefedctl(t, "propagate")
		unjoinQuietly(t, "member1", "member2")
		for _, name := range []string{"host", "member1", "member2"} {
			client := dynamicFor(t, name)
			_ = client.Resource(namespacesGVR).Delete(ctx, "demo", metav1.DeleteOptions{})
			require.NoError(t, wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
				_, err := client.Resource(namespacesGVR).Get(ctx, "demo", metav1.GetOptions{})
				return apierrors.IsNotFound(err), nil
			}), "namespace demo in %s is gone", name)
		}
	}
	clean()
	t.Cleanup(clean)

	// A directory like the checkout for what the commands read (testdata), so that what they
	// write (render --output-dir deploy/) stays out of the checkout.
	dir := t.TempDir()
	testdata, err := filepath.Abs(filepath.Join(repoRoot, "testdata"))
	require.NoError(t, err)
	require.NoError(t, os.Symlink(testdata, filepath.Join(dir, "testdata")))

	run := func(steps []readmeStep) {
		for _, step := range steps {
			t.Logf("$ %s", step.line)
			r := runREADMEStep(t, dir, step)
			require.Equal(t, 0, r.code, "README: %s\nstdout: %s\nstderr: %s", step.line, r.stdout, r.stderr)
			if step.output != nil {
				// Markdown keeps no trailing blanks: a table's empty last column leaves some.
				assert.Equal(t, trimLines(*step.output), trimLines(r.stdout), "README shows what %q prints", step.line)
			}
		}
	}
	run(steps)
	// The section ends converged: another pass changes nothing.
	r := mustRun(t, "propagate", "--detailed-exitcode")
	assert.Contains(t, r.stdout, "6 unchanged in 2 clusters")

	// Then every other example README shows, in its order, where it can run as written: not
	// a synopsis (NAME, [--flag], a|b), nor shell beyond plain words, nor another tool.
	examples := readmeExamples(t, string(data), "## A federation from scratch")
	require.GreaterOrEqual(t, len(examples), 10, "README shows examples of the commands")
	run(examples)
}

// readmeExamples are the commands of README's ```sh and ```console blocks outside the section
// skipped, that can run as written on the local clusters.
func readmeExamples(t *testing.T, readme, skipped string) []readmeStep {
	t.Helper()
	var steps []readmeStep
	sections := strings.Split(readme, "\n## ")
	for _, section := range sections[1:] {
		heading, _, _ := strings.Cut(section, "\n")
		if "## "+heading == skipped {
			continue
		}
		for _, step := range readmeSection(t, "\n## "+section, "## "+heading) {
			if runnable(step.line) {
				steps = append(steps, step)
			}
		}
	}
	return steps
}

// runnable says whether a README command runs as written: kubefedctl or kubectl (not its
// plugins, which need installing), plain words only, no placeholder.
func runnable(line string) bool {
	words := strings.Fields(stripQuoted(line))
	if len(words) < 2 || words[0] != "kubefedctl" && words[0] != "kubectl" {
		return false
	}
	if words[0] == "kubectl" && (words[1] == "krew" || words[1] == "kubefed") {
		return false
	}
	if strings.ContainsAny(stripQuoted(line), "[]|<>$`;&*") || strings.Contains(line, "...") {
		return false
	}
	for _, w := range words {
		if len(w) > 1 && strings.ToUpper(w) == w && strings.Trim(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == "" {
			return false
		}
	}
	return true
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// The section's commands are what this test runs: a renamed flag in README fails it.
func TestREADMESectionParsing(t *testing.T) {
	readme := "# x\n\n## A federation from scratch\n\n```sh\nkubefedctl init --context host   # a comment\n\nkubectl apply -f 'a b.yaml'\n```\n\n```console\n$ kubefedctl propagate\nline 1\nline 2\n```\n\n## Commands\n\n```sh\nkubefedctl other\n```\n"
	steps := readmeSection(t, readme, "## A federation from scratch")
	require.Len(t, steps, 3)
	assert.Equal(t, "kubefedctl init --context host", steps[0].line)
	assert.Nil(t, steps[0].output)
	assert.Equal(t, []string{"kubectl", "apply", "-f", "a b.yaml"}, shellWords(t, steps[1].line))
	require.NotNil(t, steps[2].output)
	assert.Equal(t, "line 1\nline 2\n", *steps[2].output)

	for line, want := range map[string]bool{
		"kubefedctl render -f testdata/examples --explain":                   true,
		"kubectl --context member1 get namespaces":                           true,
		"kubectl get cm -o jsonpath='{.data.a}{\"\\n\"}'":                    true,
		"kubefedctl join NAME [--cluster-context CTX]":                       false,
		"kubefedctl init -o yaml > federation-system.yaml":                   false,
		"kubefedctl enable -f FILE -o yaml":                                  false,
		"kubefedctl orphaning-deletion enable|disable|status FEDERATED_TYPE": false,
		"kubectl krew install --manifest=plugins/kubefed.yaml":               false,
		"kubectl kubefed version":                                            false,
		"go install example.com/x@latest":                                    false,
		"source <(kubefedctl completion bash)":                               false,
	} {
		assert.Equal(t, want, runnable(line), line)
	}
}
