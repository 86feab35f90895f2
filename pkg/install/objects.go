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
	Namespace      string
	Scope          string
	AdoptResources bool
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
	adopt := apis.AdoptResourcesEnabled
	if !s.AdoptResources {
		adopt = apis.AdoptResourcesDisabled
	}
	config := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apis.CoreGroup + "/" + apis.CoreVersion,
		"kind":       apis.KindKubeFedConfig,
		"metadata":   map[string]any{"name": apis.KubeFedConfigName, "namespace": s.Namespace},
		"spec": map[string]any{
			"scope":          s.Scope,
			"syncController": map[string]any{"adoptResources": adopt},
		},
	}}
	return append(append([]*unstructured.Unstructured{ns}, crds...), config), nil
}

// CRDs are the CustomResourceDefinitions of kubefed's core and scheduling APIs, with schemas of
// kubefedctl's own that accept kubefed's manifests.
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
