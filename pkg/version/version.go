// Package version reports the build's version, set by the linker.
package version

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set with -ldflags "-X github.com/kubefedctl/kubefedctl/pkg/version.version=..." by hack/dist (make build,
// make dist); a build without them reports the module version go install recorded.
var (
	version   = "v0.0.0-dev"
	gitCommit = "unknown"
	buildDate = "unknown"
)

// Info is what `version` prints.
type Info struct {
	Version   string `json:"version"`
	GitCommit string `json:"gitCommit"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns this binary's version information.
func Get() Info {
	v := version
	if v == "v0.0.0-dev" {
		// Not stamped by make: go install MODULE@VERSION still records the module's version.
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	return Info{
		Version:   v,
		GitCommit: gitCommit,
		BuildDate: buildDate,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// ImageTag is a version as an image tag, which may not hold the "+" of a semantic version's
// build metadata (v0.2.0+dirty is tagged v0.2.0-dirty).
func ImageTag(v string) string {
	return strings.ReplaceAll(v, "+", "-")
}
