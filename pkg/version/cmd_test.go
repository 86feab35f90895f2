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

func TestVersionOutputs(t *testing.T) {
	var out bytes.Buffer
	cmd := NewCmdVersion(genericiooptions.IOStreams{Out: &out})
	cmd.SetArgs([]string{"-o", "json"})
	require.NoError(t, cmd.Execute())
	var info Info
	require.NoError(t, json.Unmarshal(out.Bytes(), &info))
	assert.Equal(t, runtime.Version(), info.GoVersion)
	assert.Equal(t, version, info.Version)
	assert.Equal(t, gitCommit, info.GitCommit)

	out.Reset()
	cmd = NewCmdVersion(genericiooptions.IOStreams{Out: &out})
	cmd.SetArgs([]string{})
	require.NoError(t, cmd.Execute())
	assert.Contains(t, out.String(), "Go version: "+runtime.Version())

	cmd = NewCmdVersion(genericiooptions.IOStreams{Out: &out})
	cmd.SetArgs([]string{"-o", "wide"})
	cmd.SilenceUsage = true
	assert.EqualError(t, cmd.Execute(), `--output must be json or yaml, not "wide"`)
}
