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
	"sigs.k8s.io/yaml"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Stdin is the path that means standard input, as in kubectl's -f -.
const Stdin = "-"

// Read returns every object in the given files, in directories (recursively, files ending in
// .yaml, .yml or .json, in lexical order) and on stdin for "-". Documents may be YAML or JSON,
// several per file; a v1 List is unpacked into its items.
func Read(paths []string, stdin io.Reader) ([]apis.Document, error) {
	var docs []apis.Document
	for _, path := range paths {
		if path == Stdin {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			more, err := Parse("stdin", data)
			if err != nil {
				return nil, err
			}
			docs = append(docs, more...)
			continue
		}
		files, err := expand(path)
		if err != nil {
			return nil, err
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", file, err)
			}
			more, err := Parse(file, data)
			if err != nil {
				return nil, err
			}
			docs = append(docs, more...)
		}
	}
	return docs, nil
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

// Parse splits data into objects; source names it in errors, with line numbers of the file.
// Documents are decoded in parallel: YAML decoding is most of the time spent reading large inputs.
func Parse(source string, data []byte) ([]apis.Document, error) {
	chunks := splitDocuments(data)
	decoded := make([][]apis.Document, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				decoded[i], errs[i] = decodeDocument(source, i+1, chunks[i])
			}
		}()
	}
	for i := range chunks {
		next <- i
	}
	close(next)
	wg.Wait()
	var docs []apis.Document
	for i := range chunks {
		if errs[i] != nil {
			return nil, errs[i]
		}
		docs = append(docs, decoded[i]...)
	}
	return docs, nil
}

func decodeDocument(source string, index int, chunk chunk) ([]apis.Document, error) {
	where := fmt.Sprintf("%s: document %d", source, index)
	if u, ok := decodeFast(chunk.data); ok {
		if u == nil {
			return nil, nil
		}
		return unpack(source, where, u)
	}
	jsonData, err := yaml.YAMLToJSON(chunk.data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
			n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
			return fmt.Sprintf("line %d", n+chunk.firstLine-1)
		})
		return nil, fmt.Errorf("%s is not valid YAML or JSON: %s", where, msg)
	}
	jsonData = bytes.TrimSpace(jsonData)
	if len(jsonData) == 0 || string(jsonData) == "null" {
		return nil, nil
	}
	if jsonData[0] != '{' {
		return nil, fmt.Errorf("%s is not an object", where)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(jsonData); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return unpack(source, where, u)
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
// so that errors can give the file's line numbers.
func splitDocuments(data []byte) []chunk {
	var chunks []chunk
	current := chunk{firstLine: 1}
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		trimmed := bytes.TrimRight(line, "\r\n")
		if bytes.HasPrefix(trimmed, []byte("---")) && (len(trimmed) == 3 || trimmed[3] == ' ' || trimmed[3] == '\t') {
			chunks = append(chunks, current)
			current = chunk{firstLine: i + 2}
			continue
		}
		current.data = append(current.data, line...)
	}
	return append(chunks, current)
}

// decodeFast decodes a document straight from go-yaml's tree into the types unstructured JSON
// decoding gives (int64 for whole numbers, float64, string, bool, nil), skipping the detour
// through JSON text that YAMLToJSON and UnmarshalJSON take: that detour is half the time of
// reading large inputs. It declines (ok false) whatever it is not sure to convert exactly as the
// detour would, and the detour then decides, errors included. A nil object means an empty
// document.
func decodeFast(data []byte) (u *unstructured.Unstructured, ok bool) {
	var tree any
	if err := goyaml.Unmarshal(data, &tree); err != nil {
		return nil, false
	}
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
