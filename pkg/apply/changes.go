package apply

import (
	"reflect"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Changes lists the fields in which after differs from before, as dotted paths (rules,
// metadata.labels.region, spec.apiEndpoint): top-level fields, the fields of metadata and spec
// one level down, and each label and annotation. What every write moves by itself (resourceVersion, the time of a field manager's
// entry) is not a change, so a server dry run and the real write it previews report the same
// changes, and a write that changes nothing reports none.
func Changes(before, after *unstructured.Unstructured) []string {
	var changes []string
	keys := map[string]bool{}
	for k := range before.Object {
		keys[k] = true
	}
	for k := range after.Object {
		keys[k] = true
	}
	for k := range keys {
		b, a := before.Object[k], after.Object[k]
		switch k {
		case "metadata":
			bm, am := comparableMetadata(b), comparableMetadata(a)
			for _, set := range []string{"labels", "annotations"} {
				bs, _ := bm[set].(map[string]any)
				as, _ := am[set].(map[string]any)
				changes = append(changes, fieldChanges("metadata."+set+".", bs, as)...)
				delete(bm, set)
				delete(am, set)
			}
			changes = append(changes, fieldChanges("metadata.", bm, am)...)
		case "spec":
			bm, bok := b.(map[string]any)
			am, aok := a.(map[string]any)
			if bok && aok {
				changes = append(changes, fieldChanges("spec.", bm, am)...)
				continue
			}
			fallthrough
		default:
			if !reflect.DeepEqual(b, a) {
				changes = append(changes, k)
			}
		}
	}
	sort.Strings(changes)
	return changes
}

func fieldChanges(prefix string, before, after map[string]any) []string {
	var changes []string
	for k, b := range before {
		if !reflect.DeepEqual(b, after[k]) {
			changes = append(changes, prefix+k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			changes = append(changes, prefix+k)
		}
	}
	return changes
}

// comparableMetadata is metadata without what moves on every write: the resourceVersion, and
// the time in each field manager's entry (the entry itself, who owns what, is compared).
func comparableMetadata(v any) map[string]any {
	m, _ := v.(map[string]any)
	out := make(map[string]any, len(m))
	for k, value := range m {
		switch k {
		case "resourceVersion":
			continue
		case "managedFields":
			entries, _ := value.([]any)
			kept := make([]any, len(entries))
			for i, e := range entries {
				entry, ok := e.(map[string]any)
				if !ok {
					kept[i] = e
					continue
				}
				copied := make(map[string]any, len(entry))
				for ek, ev := range entry {
					if ek != "time" {
						copied[ek] = ev
					}
				}
				kept[i] = copied
			}
			value = kept
		}
		out[k] = value
	}
	return out
}

// Missing lists the fields of desired that existing does not hold as desired says, with the
// paths of Changes: what a client-side dry run can tell of an apply without sending it. Fields
// an apply would remove are not seen; the server dry run sees them.
func Missing(existing, desired *unstructured.Unstructured) []string {
	var changes []string
	for k, d := range desired.Object {
		e := existing.Object[k]
		dm, dok := d.(map[string]any)
		em, eok := e.(map[string]any)
		if (k == "metadata" || k == "spec") && dok && eok {
			for field, dv := range dm {
				if !contains(em[field], dv) {
					changes = append(changes, k+"."+field)
				}
			}
			continue
		}
		if !reflect.DeepEqual(e, d) {
			changes = append(changes, k)
		}
	}
	sort.Strings(changes)
	return changes
}

// contains reports whether have holds want: every key of a map (recursively), anything else
// equal.
func contains(have, want any) bool {
	wm, ok := want.(map[string]any)
	if !ok {
		return reflect.DeepEqual(have, want)
	}
	hm, ok := have.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range wm {
		if !contains(hm[k], v) {
			return false
		}
	}
	return true
}
