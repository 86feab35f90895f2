package cli

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequestTimeout(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"0", 0, false},
		{"5", 5 * time.Second, false},
		{"5s", 5 * time.Second, false},
		{"1m30s", 90 * time.Second, false},
		{"250ms", 250 * time.Millisecond, false},
		{"0s", 0, false},
		{"-1", 0, true},
		{"-5s", 0, true},
		{"-1ns", 0, true},
		{"5x", 0, true},
		{"soon", 0, true},
		{"1.5", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, err := ParseRequestTimeout(tt.value)
			if tt.wantErr {
				require.Error(t, err)
				assert.Equal(t, `invalid --request-timeout "`+tt.value+`": the timeout must be a positive duration, a whole number of seconds (5) or a number with a unit (1s, 2m, 3h), or 0 for none`, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// A negative timeout is refused before the kubeconfig is even read: the error names the flag,
// not the missing file.
func TestClientsRefuseANegativeRequestTimeout(t *testing.T) {
	g := NewGlobals()
	missing := filepath.Join(t.TempDir(), "no-such-kubeconfig")
	g.ConfigFlags.KubeConfig = &missing
	timeout := "-5s"
	g.ConfigFlags.Timeout = &timeout

	_, err := g.HostClients()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `invalid --request-timeout "-5s"`)
	_, err = g.ContextConfig("member1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `invalid --request-timeout "-5s"`)
	_, err = g.RequestTimeout()
	require.Error(t, err)

	timeout = "5"
	got, err := g.RequestTimeout()
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, got, "kubectl reads a bare number as seconds")
	_, err = g.HostClients()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "--request-timeout", "a valid timeout gets as far as the kubeconfig")
}
