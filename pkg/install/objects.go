// Package install is `kubefedctl init`: what a host needs for the federation, since no
// controller chart installs it any more: kubefed's namespace, its CRDs and a KubeFedConfig.
package install

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

//go:embed crds/*.yaml
var crdFiles embed.FS

// Settings are the KubeFedConfig's choices.
type Settings struct {
	Namespace string
	Scope     string
	// AdoptResources is Enabled or Disabled when --adopt-resources was given, else empty: the
	// host's value is kept, or kubefed's default (Enabled) used.
	AdoptResources string
	// Existing is the spec of the KubeFedConfig the host holds, nil when it holds none.
	Existing map[string]any
}

// Objects are what init applies, in order: the namespace, the CRDs, the KubeFedConfig.
func Objects(s Settings) ([]*unstructured.Unstructured, error) {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": s.Namespace},
	}}
	crds, err := CRDs()
	if err != nil {
		return nil, err
	}
	config := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apis.CoreGroup + "/" + apis.CoreVersion,
		"kind":       apis.KindKubeFedConfig,
		"metadata":   map[string]any{"name": apis.KubeFedConfigName, "namespace": s.Namespace},
		"spec":       ConfigSpec(s.Existing, s.Scope, s.AdoptResources),
	}}
	return append(append([]*unstructured.Unstructured{ns}, crds...), config), nil
}

// CRDs are the CustomResourceDefinitions of kubefed's seven core and scheduling APIs, with
// kubefed's names, groups, versions, scopes and short names, and schemas of kubefedctl's own that
// accept kubefed's manifests (and what kubefed's controller writes).
func CRDs() ([]*unstructured.Unstructured, error) {
	paths, err := fs.Glob(crdFiles, "crds/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var crds []*unstructured.Unstructured
	for _, path := range paths {
		data, err := crdFiles.ReadFile(path)
		if err != nil {
			return nil, err
		}
		crd := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(data, &crd.Object); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}
