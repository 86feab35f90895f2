package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	"github.com/kubefedctl/kubefedctl/pkg/render"
	"github.com/kubefedctl/kubefedctl/test/framework"
	"github.com/kubefedctl/kubefedctl/test/gen"
)

const benchObjects = 1000

// BenchmarkPropagate measures propagate on real local control planes: 1,000 FederatedDeployments,
// each with a ReplicaSchedulingPreference and an override, over 2 and then 3 members. Beside it,
// the floor: the same desired objects server-side-applied straight into the members in parallel
// by the benchmark itself. It reports the first pass, a no-op pass, their ratios, the write and
// read requests each member served, and propagate's peak memory.
func BenchmarkPropagate(b *testing.B) {
	ctx := context.Background()
	f, err := framework.Start(ctx, framework.Options{Members: 3, Log: os.Stderr,
		Controllers: []string{"serviceaccount-token-controller", "serviceaccount-controller", "namespace-controller"}})
	require.NoError(b, err)
	defer f.Stop()

	dir := b.TempDir()
	binary := filepath.Join(dir, "kubefedctl")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/kubefedctl")
	build.Stderr = os.Stderr
	require.NoError(b, build.Run())
	run := func(args ...string) {
		var out bytes.Buffer
		streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
		root := cmd.NewRootCommand(streams, "kubefedctl")
		root.SetArgs(append([]string{"--kubeconfig", f.Kubeconfig}, args...))
		require.Equal(b, cli.ExitOK, cli.Execute(root, streams), out.String())
	}
	run("init")
	run("enable", "namespaces")
	run("enable", "deployments.apps")

	// The federated objects, in the host.
	var text strings.Builder
	text.WriteString("apiVersion: types.kubefed.io/v1beta1\nkind: FederatedNamespace\nmetadata: {name: bench, namespace: bench}\nspec:\n  placement: {clusterSelector: {}}\n")
	for i := 0; i < benchObjects; i++ {
		text.WriteString(gen.Deployment("bench", fmt.Sprintf("app%d", i), fmt.Sprintf("member%d", i%2+1)))
	}
	docs, err := manifest.Parse("bench", []byte(text.String()))
	require.NoError(b, err)
	host, err := dynamic.NewForConfig(f.Host.Config())
	require.NoError(b, err)
	_, err = host.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Apply(ctx, "bench",
		&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "bench"}}},
		metav1.ApplyOptions{FieldManager: "bench"})
	require.NoError(b, err)
	cli.ForEach(docs, 32, func(_ int, d apis.Document) {
		gvk := d.Object.GroupVersionKind()
		plural := map[string]string{"FederatedNamespace": "federatednamespaces", "FederatedDeployment": "federateddeployments", "ReplicaSchedulingPreference": "replicaschedulingpreferences"}[gvk.Kind]
		_, err := host.Resource(gvk.GroupVersion().WithResource(plural)).Namespace("bench").Apply(ctx, d.Object.GetName(), d.Object, metav1.ApplyOptions{FieldManager: "bench", Force: true})
		require.NoError(b, err)
	})

	for _, members := range []int{2, 3} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			run("join", fmt.Sprintf("member%d", members), "--error-on-existing=false")
			if members == 2 {
				run("join", "member1", "--error-on-existing=false")
			}
			planes := f.Members[:members]
			floor := applyFloor(b, planes, docs, fmt.Sprintf("floor%d", members))

			before := requests(b, planes)
			first, firstRSS := timeRun(b, binary, f.Kubeconfig)
			afterFirst := requests(b, planes)
			noop, noopRSS := timeRun(b, binary, f.Kubeconfig)
			afterNoop := requests(b, planes)

			b.ReportMetric(floor.Seconds(), "floor-s")
			b.ReportMetric(first.Seconds(), "first-s")
			b.ReportMetric(first.Seconds()/floor.Seconds(), "first/floor")
			b.ReportMetric(noop.Seconds(), "noop-s")
			b.ReportMetric(noop.Seconds()/first.Seconds(), "noop/first")
			b.ReportMetric(float64(sum(afterFirst, before, true))/float64(members), "first-writes/member")
			b.ReportMetric(float64(sum(afterFirst, before, false))/float64(members), "first-reads/member")
			b.ReportMetric(float64(sum(afterNoop, afterFirst, true))/float64(members), "noop-writes/member")
			b.ReportMetric(float64(sum(afterNoop, afterFirst, false))/float64(members), "noop-reads/member")
			b.ReportMetric(float64(max(firstRSS, noopRSS))/1024, "peak-MB")
		})
	}
}

// applyFloor server-side-applies, straight into each member, the objects render plans for it,
// moved to a namespace of their own, all members at once, 32 writes in flight per member.
func applyFloor(b *testing.B, planes []*framework.ControlPlane, docs []apis.Document, namespace string) time.Duration {
	var clusters strings.Builder
	for _, cp := range planes {
		fmt.Fprintf(&clusters, "---\napiVersion: core.kubefed.io/v1beta1\nkind: KubeFedCluster\nmetadata: {name: %s}\nspec: {apiEndpoint: %s, secretRef: {name: x}}\nstatus: {conditions: [{type: Ready, status: \"True\", lastProbeTime: \"2026-01-01T00:00:00Z\"}]}\n", cp.Name, cp.Server)
	}
	clusterDocs, err := manifest.Parse("clusters", []byte(clusters.String()))
	require.NoError(b, err)
	model, err := apis.Assemble(append(clusterDocs, docs...), apis.DefaultKubeFedNamespace, "default")
	require.NoError(b, err)
	plan, err := render.Render(model, render.Options{})
	require.NoError(b, err)
	start := time.Now()
	var wg sync.WaitGroup
	for _, cp := range planes {
		objects, err := plan.Objects(cp.Name)
		require.NoError(b, err)
		client, err := dynamic.NewForConfig(withRate(cp.Config()))
		require.NoError(b, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, obj := range objects {
				if obj.GetKind() == "Namespace" {
					obj.SetName(namespace)
				} else {
					obj.SetNamespace(namespace)
				}
				// Without the managed label, so that propagate leaves the floor's copies alone.
				labels := obj.GetLabels()
				delete(labels, apis.ManagedLabel)
				obj.SetLabels(labels)
			}
			// The namespace first, then the rest.
			gvr := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
			var rest []*unstructured.Unstructured
			for _, obj := range objects {
				if obj.GetKind() == "Namespace" {
					_, err := client.Resource(gvr).Apply(context.Background(), obj.GetName(), obj, metav1.ApplyOptions{FieldManager: "floor", Force: true})
					require.NoError(b, err)
				} else {
					rest = append(rest, obj)
				}
			}
			deployments := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
			cli.ForEach(rest, 32, func(_ int, obj *unstructured.Unstructured) {
				_, err := client.Resource(deployments).Namespace(namespace).Apply(context.Background(), obj.GetName(), obj, metav1.ApplyOptions{FieldManager: "floor", Force: true})
				require.NoError(b, err)
			})
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func withRate(c *rest.Config) *rest.Config {
	c.QPS, c.Burst = 1000, 2000
	return c
}

// timeRun runs `kubefedctl propagate` and returns its wall time and peak resident memory (KB).
func timeRun(b *testing.B, binary, kubeconfig string) (time.Duration, int64) {
	c := exec.Command(binary, "--kubeconfig", kubeconfig, "propagate", "-o", "json")
	c.Stdout = io.Discard
	var stderr bytes.Buffer
	c.Stderr = &stderr
	start := time.Now()
	require.NoError(b, c.Run(), stderr.String())
	elapsed := time.Since(start)
	var rss int64
	if usage, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = usage.Maxrss
	}
	return elapsed, rss
}

// requests reads each member's apiserver request counters: writes (apply, patch, delete) and
// reads (get, list).
func requests(b *testing.B, planes []*framework.ControlPlane) [][2]int {
	out := make([][2]int, len(planes))
	for i, cp := range planes {
		transport, err := rest.TransportFor(cp.Config())
		require.NoError(b, err)
		resp, err := (&http.Client{Transport: transport}).Get(cp.Server + "/metrics")
		require.NoError(b, err)
		scanner := bufio.NewScanner(resp.Body)
		scanner.Buffer(make([]byte, 1<<20), 1<<20)
		for scanner.Scan() {
			line := scanner.Text()
			if !strings.HasPrefix(line, "apiserver_request_total{") {
				continue
			}
			if !strings.Contains(line, `code="2`) {
				// Requests the server turned away (429 under load) are retried, and counted once.
				continue
			}
			n, _ := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
			switch {
			case strings.Contains(line, `verb="APPLY"`), strings.Contains(line, `verb="PATCH"`), strings.Contains(line, `verb="DELETE"`):
				out[i][0] += int(n)
			case strings.Contains(line, `verb="GET"`), strings.Contains(line, `verb="LIST"`):
				out[i][1] += int(n)
			}
		}
		resp.Body.Close()
	}
	return out
}

func sum(after, before [][2]int, writes bool) int {
	total := 0
	for i := range after {
		if writes {
			total += after[i][0] - before[i][0]
		} else {
			total += after[i][1] - before[i][1]
		}
	}
	return total
}
