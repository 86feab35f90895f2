// Package manifest reads kubefed objects from files, directories and stdin.
package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
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

// Parse splits data into objects; source names it in errors.
func Parse(source string, data []byte) ([]apis.Document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []apis.Document
	for index := 1; ; index++ {
		chunk, err := reader.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading document %d: %w", source, index, err)
		}
		jsonData, err := yaml.YAMLToJSON(chunk)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d is not valid YAML or JSON: %s", source, index, strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
		}
		jsonData = bytes.TrimSpace(jsonData)
		if len(jsonData) == 0 || string(jsonData) == "null" {
			continue
		}
		if jsonData[0] != '{' {
			return nil, fmt.Errorf("%s: document %d is not an object", source, index)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(jsonData); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, index, err)
		}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("%s: document %d: %w", source, index, err)
			}
			for i := range list.Items {
				docs = append(docs, apis.Document{Source: source, Object: &list.Items[i]})
			}
			continue
		}
		docs = append(docs, apis.Document{Source: source, Object: u})
	}
}
