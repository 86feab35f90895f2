package version

import (
	"bytes"
	"encoding/json"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// stamp sets what the linker would, for one test.
func stamp(t *testing.T, v, commit, date string) {
	saved := [3]string{version, gitCommit, buildDate}
	version, gitCommit, buildDate = v, commit, date
	t.Cleanup(func() { version, gitCommit, buildDate = saved[0], saved[1], saved[2] })
}

func TestVersionOutputs(t *testing.T) {
	stamp(t, "v1.2.3", "0123456789abcdef", "2026-12-02T10:00:00Z")
	var out bytes.Buffer
	cmd := NewCmdVersion(genericiooptions.IOStreams{Out: &out})
	cmd.SetArgs([]string{"-o", "json"})
	require.NoError(t, cmd.Execute())
	var info Info
	require.NoError(t, json.Unmarshal(out.Bytes(), &info))
	assert.Equal(t, runtime.Version(), info.GoVersion)
	assert.Equal(t, Info{Version: "v1.2.3", GitCommit: "0123456789abcdef", BuildDate: "2026-12-02T10:00:00Z", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}, info)

	out.Reset()
	cmd = NewCmdVersion(genericiooptions.IOStreams{Out: &out})
	cmd.SetArgs([]string{})
	require.NoError(t, cmd.Execute())
	assert.Contains(t, out.String(), "Version:    v1.2.3\n")
	assert.Contains(t, out.String(), "Git commit: 0123456789abcdef\n")
	assert.Contains(t, out.String(), "Go version: "+runtime.Version())

	cmd = NewCmdVersion(genericiooptions.IOStreams{Out: &out})
	cmd.SetArgs([]string{"-o", "wide"})
	cmd.SilenceUsage = true
	assert.EqualError(t, cmd.Execute(), `--output must be json or yaml, not "wide"`)
}
