package federate

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

func TestValidatePlacement(t *testing.T) {
	tests := []struct {
		name     string
		clusters []string
		selector map[string]string
		want     string // the error, "" when valid
	}{
		{"every cluster", nil, nil, ""},
		{"clusters", []string{"member1", "eu.west-2"}, nil, ""},
		{"selector", nil, map[string]string{"region": "eu", "example.com/tier": "gold", "empty": ""}, ""},
		{"upper case cluster", []string{"Member1"}, nil, `--clusters: "Member1" is not a cluster name: a lowercase RFC 1123 subdomain`},
		{"underscore cluster", []string{"member_1"}, nil, `--clusters: "member_1" is not a cluster name`},
		{"empty cluster", []string{"a", ""}, nil, "--clusters holds an empty name (a,,b or a trailing comma)"},
		{"duplicate cluster", []string{"a", "b", "a"}, nil, `--clusters names "a" twice`},
		{"too long cluster", []string{string(make([]byte, 254))}, nil, "is not a cluster name"},
		{"key with a space", nil, map[string]string{"bad key!!": "x"}, `--cluster-selector: "bad key!!" is not a label key: name part must consist of alphanumeric characters`},
		{"empty key", nil, map[string]string{"": "x"}, `--cluster-selector: "" is not a label key`},
		{"bad prefix", nil, map[string]string{"Example.com/tier": "x"}, `--cluster-selector: "Example.com/tier" is not a label key: prefix part a lowercase RFC 1123 subdomain`},
		{"bad value", nil, map[string]string{"region": "eu west"}, `--cluster-selector: "eu west" (of key "region") is not a label value`},
		{"value with =", nil, map[string]string{"region": "eu=west"}, `--cluster-selector: "eu=west" (of key "region") is not a label value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validatePlacement(tt.clusters, tt.selector)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "kubefedctl clusters lists the joined clusters")
		})
	}
}

func TestValidatePlacementNamesEveryProblemInOrder(t *testing.T) {
	err := validatePlacement(nil, map[string]string{"z z": "1", "a a": "1", "ok": "not ok"})
	require.Error(t, err)
	msg := err.Error()
	a, z, v := strings.Index(msg, `"a a"`), strings.Index(msg, `"z z"`), strings.Index(msg, `"not ok"`)
	assert.True(t, a >= 0 && v > a && z > v, "keys in order, each named: %s", msg)
}

func TestPlacementWarnings(t *testing.T) {
	joined := []joinedCluster{
		{name: "member1", labels: map[string]string{"region": "us-east"}},
		{name: "member2", labels: map[string]string{"region": "eu-west", "tier": "gold"}},
	}
	tests := []struct {
		name      string
		placement Placement
		joined    []joinedCluster
		want      []string
	}{
		{"every cluster", Placement{}, joined, nil},
		{"joined clusters", Placement{Clusters: []string{"member2", "member1"}}, joined, nil},
		{"one not joined", Placement{Clusters: []string{"member1", "ghost"}}, joined, []string{
			`cluster "ghost" named by --clusters is not joined to the federation (no KubeFedCluster "ghost" in namespace "kube-federation-system"): nothing is placed there until it joins; kubefedctl clusters lists the joined clusters`,
		}},
		{"none joined", Placement{Clusters: []string{"a", "b"}}, nil, []string{
			`cluster "a" named by --clusters is not joined to the federation (no KubeFedCluster "a" in namespace "kube-federation-system"): nothing is placed there until it joins; kubefedctl clusters lists the joined clusters`,
			`cluster "b" named by --clusters is not joined to the federation (no KubeFedCluster "b" in namespace "kube-federation-system"): nothing is placed there until it joins; kubefedctl clusters lists the joined clusters`,
		}},
		{"selector matching one", Placement{Selector: map[string]string{"region": "eu-west"}}, joined, nil},
		{"selector matching on two labels", Placement{Selector: map[string]string{"region": "eu-west", "tier": "gold"}}, joined, nil},
		{"selector matching none", Placement{Selector: map[string]string{"region": "ap-south"}}, joined, []string{
			"--cluster-selector region=ap-south matches no joined cluster: nothing is placed until a cluster with these labels joins; kubefedctl clusters lists the joined clusters and their labels",
		}},
		{"labels from two clusters", Placement{Selector: map[string]string{"region": "us-east", "tier": "gold"}}, joined, []string{
			"--cluster-selector region=us-east,tier=gold matches no joined cluster: nothing is placed until a cluster with these labels joins; kubefedctl clusters lists the joined clusters and their labels",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, placementWarnings(tt.placement, tt.joined, apis.DefaultKubeFedNamespace))
		})
	}
}

// Files are converted with the same checks, before anything is printed.
func TestFederateFilesRefusesBadPlacement(t *testing.T) {
	file := filepath.Join(testdata, "secrets.yaml")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"selector key", []string{"--cluster-selector", "bad key!!=x"}, `error: --cluster-selector: "bad key!!" is not a label key`},
		{"cluster name", []string{"--clusters", "member1,Member2"}, `--clusters: "Member2" is not a cluster name`},
		{"both", []string{"--clusters", "member1", "--cluster-selector", "region=eu"}, "--clusters and --cluster-selector are mutually exclusive"},
		{"template schema without enable-type", []string{"--template-schema", "open"}, "--template-schema is the schema of the Federated CRD that --enable-type creates: add --enable-type"},
		{"template schema unknown", []string{"--template-schema", "loose"}, `--template-schema must be typed or open, not "loose"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := federateFiles(t, append([]string{"-f", file, "-o", "yaml"}, tt.args...)...)
			require.Error(t, err)
			assert.Contains(t, "error: "+err.Error(), tt.want)
			assert.Empty(t, stdout, "nothing is printed")
		})
	}
	stdout, stderr, err := federateFiles(t, "-f", file, "-o", "yaml", "--clusters", "member1,eu.west-2")
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "- name: eu.west-2")
}
