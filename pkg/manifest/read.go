// Package manifest reads kubefed objects from files, directories and stdin.
package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	goyaml "go.yaml.in/yaml/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Stdin is the path that means standard input, as in kubectl's -f -.
const Stdin = "-"

// Validation is kubectl's --validate for what a manifest may hold: strict refuses duplicate
// keys and fields kubefed's own kinds do not have, warn reads them with a warning (the last of
// duplicate values, unknown fields ignored), ignore reads them silently.
type Validation string

const (
	Strict Validation = "strict"
	Warn   Validation = "warn"
	Ignore Validation = "ignore"
)

// ParseValidation accepts kubectl's values of --validate: strict (or true), warn, ignore (or
// false).
func ParseValidation(value string) (Validation, error) {
	switch value {
	case "", "true", string(Strict):
		return Strict, nil
	case string(Warn):
		return Warn, nil
	case "false", string(Ignore):
		return Ignore, nil
	}
	return "", fmt.Errorf("--validate must be strict (or true), warn, or ignore (or false), not %q", value)
}

// Read returns every object in the given files, in directories (recursively, files ending in
// .yaml, .yml or .json, in lexical order) and on stdin for "-". Documents may be YAML or JSON,
// several per file; a v1 List is unpacked into its items. Reading is strict: see ReadValidated.
func Read(paths []string, stdin io.Reader) ([]apis.Document, error) {
	docs, _, err := ReadValidated(paths, stdin, Strict)
	return docs, err
}

// ReadValidated is Read with a Validation; under warn it returns the warnings, each naming the
// file and the key or field.
func ReadValidated(paths []string, stdin io.Reader, v Validation) ([]apis.Document, []string, error) {
	var docs []apis.Document
	var warnings []string
	add := func(source string, data []byte) error {
		more, warned, err := parse(source, data, v)
		docs = append(docs, more...)
		warnings = append(warnings, warned...)
		return err
	}
	for _, path := range paths {
		if path == Stdin {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, nil, fmt.Errorf("reading stdin: %w", err)
			}
			if err := add("stdin", data); err != nil {
				return nil, nil, err
			}
			continue
		}
		files, err := expand(path)
		if err != nil {
			return nil, nil, err
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, nil, fmt.Errorf("reading %s: %w", file, err)
			}
			if err := add(file, data); err != nil {
				return nil, nil, err
			}
		}
	}
	warned, err := checkFields(docs, v)
	if err != nil {
		return nil, nil, err
	}
	return docs, append(warnings, warned...), nil
}

// checkFields refuses (strict) or warns of (warn) the fields kubefed's own kinds do not have.
// A Federated<Kind> is one of the default federated group, or one a FederatedTypeConfig of the
// input declares.
func checkFields(docs []apis.Document, v Validation) ([]string, error) {
	if v == Ignore {
		return nil, nil
	}
	federated := map[schema.GroupKind]bool{}
	for _, doc := range docs {
		gvk := doc.Object.GroupVersionKind()
		if gvk.Group == apis.CoreGroup && gvk.Kind == apis.KindFederatedTypeConfig {
			group, _, _ := unstructured.NestedString(doc.Object.Object, "spec", "federatedType", "group")
			kind, _, _ := unstructured.NestedString(doc.Object.Object, "spec", "federatedType", "kind")
			federated[schema.GroupKind{Group: group, Kind: kind}] = true
		}
	}
	var warnings []string
	for _, doc := range docs {
		gk := doc.Object.GroupVersionKind().GroupKind()
		isFederated := federated[gk] || gk.Group == apis.DefaultFederatedGroup && strings.HasPrefix(gk.Kind, apis.FederatedKindPrefix)
		unknown := apis.UnknownFields(doc.Object, isFederated)
		if len(unknown) == 0 {
			continue
		}
		quoted := make([]string, len(unknown))
		for i, f := range unknown {
			quoted[i] = strconv.Quote(f)
		}
		what := doc.Object.GetKind() + " " + doc.Object.GetName()
		if ns := doc.Object.GetNamespace(); ns != "" {
			what = doc.Object.GetKind() + " " + ns + "/" + doc.Object.GetName()
		}
		field := "field"
		if len(unknown) > 1 {
			field = "fields"
		}
		msg := fmt.Sprintf("%s: %s: unknown %s %s", doc.Source, what, field, strings.Join(quoted, ", "))
		if v == Strict {
			return nil, fmt.Errorf("%s: %s has no such field, and the host would refuse it too (strict field validation); correct the name, or pass --validate=warn to read it without", msg, doc.Object.GetKind())
		}
		warnings = append(warnings, msg+": ignored")
	}
	return warnings, nil
}

func expand(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the path %q does not exist", path)
		}
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isManifest(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading directory %s: %w", path, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("the directory %q holds no .yaml, .yml or .json file", path)
	}
	return files, nil
}

func isManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Parse splits data into objects, strictly (see ReadValidated); source names it in errors,
// with line numbers of the file.
func Parse(source string, data []byte) ([]apis.Document, error) {
	docs, _, err := parse(source, data, Strict)
	if err != nil {
		return nil, err
	}
	if _, err := checkFields(docs, Strict); err != nil {
		return nil, err
	}
	return docs, nil
}

// parse splits and decodes, and checks keys; fields are checked over the whole input.
// Documents are decoded in parallel: YAML decoding is most of the time spent reading large inputs.
func parse(source string, data []byte, v Validation) ([]apis.Document, []string, error) {
	chunks, err := splitDocuments(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	decoded := make([][]apis.Document, len(chunks))
	warned := make([][]string, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				decoded[i], warned[i], errs[i] = decodeDocument(source, i+1, chunks[i], v)
			}
		}()
	}
	for i := range chunks {
		next <- i
	}
	close(next)
	wg.Wait()
	var docs []apis.Document
	var warnings []string
	for i := range chunks {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		docs = append(docs, decoded[i]...)
		warnings = append(warnings, warned[i]...)
	}
	return docs, warnings, nil
}

func decodeDocument(source string, index int, chunk chunk, v Validation) ([]apis.Document, []string, error) {
	where := fmt.Sprintf("%s: document %d", source, index)
	var warnings []string
	var tree any
	var parseErr error
	if v == Ignore {
		parseErr = goyaml.Unmarshal(chunk.data, &tree)
	} else {
		// One strict parse finds the duplicate keys: the documents' only decoding, unless some.
		parseErr = goyaml.UnmarshalStrict(chunk.data, &tree)
		if dups := duplicateKeys(parseErr, chunk.firstLine); len(dups) > 0 {
			msg := fmt.Sprintf("%s: duplicate %s", where, strings.Join(dups, ", "))
			for _, d := range dups {
				if strings.HasPrefix(d, `key "apiVersion"`) || strings.HasPrefix(d, `key "kind"`) {
					msg += ` (two objects without a "---" line between them?)`
					break
				}
			}
			if v == Strict {
				return nil, nil, fmt.Errorf("%s: a key may appear once in a mapping; remove one, or pass --validate=warn to keep the last value", msg)
			}
			warnings = append(warnings, msg+": the last value is kept")
			// Strict parsing kept the first value; kubectl's reading, the last.
			tree = nil
			parseErr = goyaml.Unmarshal(chunk.data, &tree)
		}
	}
	if parseErr == nil {
		if u, ok := fastObject(tree); ok {
			if u == nil {
				return nil, warnings, nil
			}
			docs, err := unpack(source, where, u)
			return docs, warnings, err
		}
	}
	jsonData, err := yaml.YAMLToJSON(chunk.data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
			n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
			return fmt.Sprintf("line %d", n+chunk.firstLine-1)
		})
		return nil, nil, fmt.Errorf("%s is not valid YAML or JSON: %s", where, msg)
	}
	jsonData = bytes.TrimSpace(jsonData)
	if len(jsonData) == 0 || string(jsonData) == "null" {
		return nil, warnings, nil
	}
	if jsonData[0] != '{' {
		return nil, nil, fmt.Errorf("%s is not an object", where)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(jsonData); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	docs, err := unpack(source, where, u)
	return docs, warnings, err
}

// duplicateKeyError is go-yaml's report of a key set twice in one mapping.
var duplicateKeyError = regexp.MustCompile(`^line (\d+): (key .*) already set in map$`)

// duplicateKeys lists the keys a strict parse found set twice in one mapping, with the file's
// line of the second, as kubectl's strict reading finds them (sigs.k8s.io/yaml's strict mode is
// go-yaml's).
func duplicateKeys(err error, firstLine int) []string {
	typeErr, ok := err.(*goyaml.TypeError)
	if !ok {
		return nil
	}
	var dups []string
	for _, e := range typeErr.Errors {
		if m := duplicateKeyError.FindStringSubmatch(e); m != nil {
			n, _ := strconv.Atoi(m[1])
			dups = append(dups, fmt.Sprintf("%s at line %d", m[2], n+firstLine-1))
		}
	}
	return dups
}

// unpack returns the object, or the items of a List.
func unpack(source, where string, u *unstructured.Unstructured) ([]apis.Document, error) {
	if !u.IsList() {
		return []apis.Document{{Source: source, Object: u}}, nil
	}
	list, err := u.ToList()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	docs := make([]apis.Document, len(list.Items))
	for i := range list.Items {
		docs[i] = apis.Document{Source: source, Object: &list.Items[i]}
	}
	return docs, nil
}

var yamlLine = regexp.MustCompile(`line \d+`)

type chunk struct {
	data      []byte
	firstLine int
}

// splitDocuments splits a YAML stream at "---" lines, remembering where each document starts
// so that errors can give the file's line numbers. A separator line may end in a comment; any
// other text after "---" is refused: kubectl would not split there, and YAML would read the text
// as the start of the next document, so either reading could lose or merge an object.
func splitDocuments(data []byte) ([]chunk, error) {
	var chunks []chunk
	current := chunk{firstLine: 1}
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		trimmed := bytes.TrimRight(line, "\r\n")
		if bytes.HasPrefix(trimmed, []byte("---")) && (len(trimmed) == 3 || trimmed[3] == ' ' || trimmed[3] == '\t') {
			if rest := bytes.TrimSpace(trimmed[3:]); len(rest) > 0 && rest[0] != '#' {
				return nil, fmt.Errorf("line %d: text after the document separator \"---\" (%q): put it on a line of its own, or make it a comment", i+1, rest)
			}
			chunks = append(chunks, current)
			current = chunk{firstLine: i + 2}
			continue
		}
		current.data = append(current.data, line...)
	}
	return append(chunks, current), nil
}

// fastObject converts a document straight from go-yaml's tree into the types unstructured JSON
// decoding gives (int64 for whole numbers, float64, string, bool, nil), skipping the detour
// through JSON text that YAMLToJSON and UnmarshalJSON take: that detour is half the time of
// reading large inputs. It declines (ok false) whatever it is not sure to convert exactly as the
// detour would, and the detour then decides, errors included. A nil object means an empty
// document.
func fastObject(tree any) (u *unstructured.Unstructured, ok bool) {
	if tree == nil {
		return nil, true
	}
	if _, isMap := tree.(map[any]any); !isMap {
		return nil, false
	}
	value, ok := jsonValue(tree)
	if !ok {
		return nil, false
	}
	obj := value.(map[string]any)
	if kind, _ := obj["kind"].(string); kind == "" {
		// UnmarshalJSON's error for a missing kind is the one users should see.
		return nil, false
	}
	if _, ok := obj["apiVersion"].(string); !ok {
		return nil, false
	}
	return &unstructured.Unstructured{Object: obj}, true
}

func jsonValue(v any) (any, bool) {
	switch v := v.(type) {
	case nil, string, bool, int64:
		return v, true
	case int:
		return int64(v), true
	case float64:
		// The detour writes a whole float as digits, which decode as int64.
		switch {
		case math.IsInf(v, 0) || math.IsNaN(v):
			return nil, false
		case v != math.Trunc(v):
			return v, true
		case math.Abs(v) < 1<<53:
			return int64(v), true
		}
		return nil, false
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			converted, ok := jsonValue(item)
			if !ok {
				return nil, false
			}
			out[i] = converted
		}
		return out, true
	case map[any]any:
		out := make(map[string]any, len(v))
		for key, item := range v {
			k, isString := key.(string)
			if !isString {
				return nil, false
			}
			converted, ok := jsonValue(item)
			if !ok {
				return nil, false
			}
			out[k] = converted
		}
		return out, true
	}
	return nil, false
}
