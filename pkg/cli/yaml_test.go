package cli

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v2"
)

var awkward = []string{
	"", "a", "y", "Y", "yes", "No", "on", "OFF", "true", "False", "null", "~", "NULL", "0", "1", "-1", "1.5", ".5", "1e3",
	"0x1F", "0o17", "017", "1_000", "190:20:30", ".inf", "-.Inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
	"a: b", "a:b", "- a", "-a", "a #b", "#a", "&a", "*a", "!a", "|a", ">a", "%a", "@a", "`a", "'a'", "\"a\"", "{a}", "[a]",
	"a,b", "a?", "?a", " lead", "trail ", "tab\tin", "héllo", "日本", "a\\b", "a/b", "example.com/x", "v1", "a10", "a2",
	"a02", "a002", "A", "_", "-", ".", "x.y-z_w", "multi\nline", "multi\nline\n", "crlf\r\n", "key:", "nginx:1.27",
	"250m", "64Mi", "http://x.y/z?q=1", "sha256:abc", "=", "<<", "a  b", "é", "1e", "1E", "0x", "0b", "0o", "12h", "1Gi",
	"123", "007", "0", "00", "99999999999999999999", "a:", "a:b:c", "ab::c", "Yes", "yES", "nginx:1.27", "x-y:z.1", "1e5x",
	"A-b_c.d/e", "key_", "a.b", "_a", "a b", "ä", "a-", "z", "Z", "aZ", "a_b", "a-b", "ab", "aB", "b_", "B", "a0", "a00",
}

func randomValue(r *rand.Rand, depth int) any {
	switch n := r.Intn(10); {
	case depth > 3 || n < 4:
		switch r.Intn(6) {
		case 0:
			return int64(r.Intn(2000) - 1000)
		case 1:
			return float64(r.Intn(1000))/8 + 0.125
		case 2:
			return r.Intn(2) == 0
		case 3:
			return nil
		default:
			return awkward[r.Intn(len(awkward))]
		}
	case n < 7:
		m := map[string]any{}
		for range r.Intn(5) {
			m[awkward[r.Intn(len(awkward))]] = randomValue(r, depth+1)
		}
		return m
	default:
		l := []any{}
		for range r.Intn(4) {
			l = append(l, randomValue(r, depth+1))
		}
		return l
	}
}

func TestMarshalYAMLEqualsGoYAML(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	compared := 0
	defer func() { assert.Greater(t, compared, 2000, "too many cases skipped") }()
	for i := 0; i < 3000; i++ {
		obj := map[string]any{}
		for range 1 + r.Intn(5) {
			obj[awkward[r.Intn(len(awkward))]] = randomValue(r, 0)
		}
		if !strictKeyOrder(obj) {
			// go-yaml's own output varies between runs here; nothing to compare with.
			continue
		}
		compared++
		want, err := yaml.Marshal(obj)
		require.NoError(t, err)
		got, err := MarshalYAML(obj)
		require.NoError(t, err)
		if !assert.Equal(t, string(want), string(got), fmt.Sprintf("case %d: %#v", i, obj)) {
			return
		}
	}
}

func TestYAMLKeyOrder(t *testing.T) {
	keys := []string{"a10", "a2", "a02", "b", "A", "_x", "1", "10", "9", "é", "a"}
	m := map[string]any{}
	for _, k := range keys {
		m[k] = int64(1)
	}
	want, err := yaml.Marshal(m)
	require.NoError(t, err)
	got, err := MarshalYAML(m)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	got, err = MarshalYAML(map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(got))
}

// strictKeyOrder reports whether yamlKeyLess is a strict weak order on the keys of every
// mapping in v, the condition for go-yaml's output not to depend on map iteration order.
func strictKeyOrder(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		var keys []string
		for k, item := range v {
			keys = append(keys, k)
			if !strictKeyOrder(item) {
				return false
			}
		}
		for _, a := range keys {
			for _, b := range keys {
				if a != b && !yamlKeyLess(a, b) && !yamlKeyLess(b, a) {
					return false
				}
				for _, c := range keys {
					if yamlKeyLess(a, b) && yamlKeyLess(b, c) && !yamlKeyLess(a, c) {
						return false
					}
				}
			}
		}
	case []any:
		for _, item := range v {
			if !strictKeyOrder(item) {
				return false
			}
		}
	}
	return true
}

func TestMarshalYAMLIsStableOnCyclicKeys(t *testing.T) {
	obj := map[string]any{"007": int64(1), "0x": int64(2), "1_000": int64(3)}
	first, err := MarshalYAML(obj)
	require.NoError(t, err)
	for range 20 {
		again, err := MarshalYAML(map[string]any{"1_000": int64(3), "0x": int64(2), "007": int64(1)})
		require.NoError(t, err)
		assert.Equal(t, string(first), string(again))
	}
}
