package render

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Template annotations and finalizers are dropped as kubefed drops them, when they hold
// something; empty ones stay while the overrides apply, as in kubefed, so that an override can
// add to them. An empty collection left at the end is removed: the apiserver stores none.
func TestTemplateAnnotationsAndFinalizers(t *testing.T) {
	const dropped = `shop.yaml: FederatedConfigMap "shop/web": metadata.%s cannot be set via the template, to avoid conflicting with controllers in member clusters; dropped (use an override to set them)`
	tests := []struct {
		name      string
		metadata  string
		overrides string
		want      map[string]any
		warnings  []string
		wantErr   string
	}{
		{name: "empty, no overrides", metadata: `{annotations: {}, finalizers: []}`, want: map[string]any{}},
		{name: "empty annotations, add a key", metadata: `{annotations: {}}`, overrides: `{op: add, path: /metadata/annotations/team, value: web}`,
			want: map[string]any{"annotations": map[string]any{"team": "web"}}},
		{name: "empty annotations, replace a key", metadata: `{annotations: {}}`, overrides: `{path: /metadata/annotations/team, value: web}`,
			want: map[string]any{"annotations": map[string]any{"team": "web"}}},
		{name: "empty finalizers, append", metadata: `{finalizers: []}`, overrides: `{op: add, path: /metadata/finalizers/-, value: example.com/keep}`,
			want: map[string]any{"finalizers": []any{"example.com/keep"}}},
		{name: "empty finalizers, insert at 0", metadata: `{finalizers: []}`, overrides: `{op: add, path: /metadata/finalizers/0, value: example.com/keep}`,
			want: map[string]any{"finalizers": []any{"example.com/keep"}}},
		{name: "emptied by an override", metadata: `{annotations: {}}`, overrides: `{op: add, path: /metadata/annotations/a, value: b}, {path: /metadata/annotations, value: {}}`,
			want: map[string]any{}},
		{name: "full annotations are dropped", metadata: `{annotations: {a: b}}`, want: map[string]any{}, warnings: []string{fmt.Sprintf(dropped, "annotations")}},
		{name: "full finalizers are dropped", metadata: `{finalizers: [x/y]}`, want: map[string]any{}, warnings: []string{fmt.Sprintf(dropped, "finalizers")}},
		{name: "full annotations dropped, so adding a key fails", metadata: `{annotations: {a: b}}`, overrides: `{op: add, path: /metadata/annotations/team, value: web}`,
			warnings: []string{fmt.Sprintf(dropped, "annotations")}, wantErr: `override add /metadata/annotations/team: add operation does not apply: doc is missing path: "/metadata/annotations/team"`},
		{name: "no annotations, so adding a key fails", metadata: `{}`, overrides: `{op: add, path: /metadata/annotations/team, value: web}`,
			wantErr: `add operation does not apply: doc is missing path: "/metadata/annotations/team"`},
		{name: "no annotations, add the map", metadata: `{}`, overrides: `{op: add, path: /metadata/annotations, value: {team: web}}`,
			want: map[string]any{"annotations": map[string]any{"team": "web"}}},
		{name: "null annotations", metadata: `{annotations: null, finalizers: null}`, want: map[string]any{}},
		{name: "annotations as a list", metadata: `{annotations: []}`, want: map[string]any{}, warnings: []string{fmt.Sprintf(dropped, "annotations")}},
		{name: "finalizers as a map", metadata: `{finalizers: {}}`, want: map[string]any{}, warnings: []string{fmt.Sprintf(dropped, "finalizers")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			overrides := ""
			if tt.overrides != "" {
				overrides = fmt.Sprintf("  overrides: [{clusterName: east, clusterOverrides: [%s]}]\n", tt.overrides)
			}
			fed := shopFederation(t, fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: web, namespace: shop}
spec:
  template: {metadata: %s, data: {k: v}}
  placement: {clusters: [{name: east}]}
%s`, tt.metadata, overrides))
			result, err := Render(fed, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, result.Warnings)
			objects, err := result.Objects("east")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, objects, 2)
			require.Equal(t, "ConfigMap", objects[0].GetKind())
			meta := objects[0].Object["metadata"].(map[string]any)
			got := map[string]any{}
			for _, field := range []string{"annotations", "finalizers"} {
				if v, ok := meta[field]; ok {
					got[field] = v
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
