// Package bench measures kubefedctl as users run it: the built binary, on generated input.
package bench

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
	"github.com/kubefedctl/kubefedctl/test/gen"
)

// BenchmarkRenderBinary renders 10,000 federated objects for 5 clusters with the real binary
// and reports wall time and the process's peak resident memory. Goal: under 2 s and 300 MB.
func BenchmarkRenderBinary(b *testing.B) {
	dir := b.TempDir()
	binary := filepath.Join(dir, "kubefedctl")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/kubefedctl")
	build.Stderr = os.Stderr
	require.NoError(b, build.Run())
	input := filepath.Join(dir, "input")
	require.NoError(b, gen.Write(input, gen.Spec{Clusters: 5, Objects: 10000, Namespaces: 20}))

	var peakKB int64
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(binary, "render", "-f", input)
		cmd.Stdout = io.Discard
		cmd.Stderr = os.Stderr
		start := time.Now()
		require.NoError(b, cmd.Run())
		total += time.Since(start)
		if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && usage.Maxrss > peakKB {
			peakKB = usage.Maxrss
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/render")
	b.ReportMetric(float64(peakKB)/1024, "peak-MB")
	b.ReportMetric(10000, "objects")
	b.ReportMetric(5, "clusters")
}

// BenchmarkRenderInProcess runs the same render inside the test process, for profiling
// (go test -bench RenderInProcess -cpuprofile cpu.out ./test/bench/).
func BenchmarkRenderInProcess(b *testing.B) {
	input := filepath.Join(b.TempDir(), "input")
	require.NoError(b, gen.Write(input, gen.Spec{Clusters: 5, Objects: 10000, Namespaces: 20}))
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: io.Discard, ErrOut: os.Stderr}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		root := cmd.NewRootCommand(streams, "kubefedctl")
		root.SetArgs([]string{"render", "-f", input})
		require.Equal(b, cli.ExitOK, cli.Execute(root, streams))
	}
}
