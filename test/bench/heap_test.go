package bench

import (
	"runtime"
	"testing"
	"os"
	"runtime/pprof"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

func TestHeap(t *testing.T) {
	var m runtime.MemStats
	docs, _ := manifest.Read([]string{"/tmp/gen10k"}, nil)
	runtime.GC(); runtime.ReadMemStats(&m); t.Logf("after read: %d MB", m.HeapAlloc>>20)
	fed, _ := apis.Assemble(docs, "kube-federation-system", "default")
	docs = nil
	runtime.GC(); runtime.ReadMemStats(&m); t.Logf("after assemble: %d MB", m.HeapAlloc>>20)
	res, _ := render.Render(fed, render.Options{})
	runtime.GC(); runtime.ReadMemStats(&m); t.Logf("after render: %d MB", m.HeapAlloc>>20)
	objs, _ := res.Objects("member1")
	runtime.GC(); runtime.ReadMemStats(&m); t.Logf("after objects member1 (%d): %d MB", len(objs), m.HeapAlloc>>20)
	f, _ := os.Create("/tmp/heap.out"); pprof.WriteHeapProfile(f); f.Close()
	runtime.KeepAlive(res); runtime.KeepAlive(fed); runtime.KeepAlive(objs)
}
