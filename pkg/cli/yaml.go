package cli

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v2"
)

// errFallback says a document holds something the fast encoder leaves to go-yaml.
var errFallback = errors.New("needs go-yaml")

// MarshalYAML gives the bytes kubectl's YAML printer gives for an unstructured object (JSON types
// only), several times faster and with far less garbage: kubectl goes through JSON, back through
// go-yaml's parser and then go-yaml's emitter. Keys are ordered as go-yaml orders them, scalars
// are styled by go-yaml itself (and remembered), and a document with a multi-line string is
// handed to go-yaml whole. Tests compare the two on awkward values.
func MarshalYAML(obj map[string]any) ([]byte, error) {
	if len(obj) == 0 {
		return []byte("{}\n"), nil
	}
	e := yamlEncoder{scalars: map[string]string{}}
	if err := e.mapping(obj, 0, false); err != nil {
		if errors.Is(err, errFallback) {
			return yaml.Marshal(obj)
		}
		return nil, err
	}
	return e.buf, nil
}

type yamlEncoder struct {
	buf     []byte
	scalars map[string]string
}

func (e *yamlEncoder) indent(n int) {
	for range n {
		e.buf = append(e.buf, ' ')
	}
}

// mapping writes a non-root or root mapping at indent. inline says the first key continues a
// line already started ("- " of a sequence item).
func (e *yamlEncoder) mapping(m map[string]any, indent int, inline bool) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return yamlKeyLess(keys[i], keys[j]) })
	for i, k := range keys {
		if i > 0 || !inline {
			e.indent(indent)
		}
		key, err := e.str(k)
		if err != nil {
			return err
		}
		e.buf = append(e.buf, key...)
		e.buf = append(e.buf, ':')
		switch v := m[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				e.buf = append(e.buf, " {}\n"...)
				continue
			}
			e.buf = append(e.buf, '\n')
			if err := e.mapping(v, indent+2, false); err != nil {
				return err
			}
		case []any:
			if len(v) == 0 {
				e.buf = append(e.buf, " []\n"...)
				continue
			}
			e.buf = append(e.buf, '\n')
			// go-yaml does not indent a sequence under a mapping key.
			if err := e.sequence(v, indent, false); err != nil {
				return err
			}
		default:
			e.buf = append(e.buf, ' ')
			if err := e.scalar(v); err != nil {
				return err
			}
			e.buf = append(e.buf, '\n')
		}
	}
	return nil
}

func (e *yamlEncoder) sequence(items []any, indent int, inline bool) error {
	for i, item := range items {
		if i > 0 || !inline {
			e.indent(indent)
		}
		e.buf = append(e.buf, "- "...)
		switch v := item.(type) {
		case map[string]any:
			if len(v) == 0 {
				e.buf = append(e.buf, "{}\n"...)
				continue
			}
			if err := e.mapping(v, indent+2, true); err != nil {
				return err
			}
		case []any:
			if len(v) == 0 {
				e.buf = append(e.buf, "[]\n"...)
				continue
			}
			if err := e.sequence(v, indent+2, true); err != nil {
				return err
			}
		default:
			if err := e.scalar(v); err != nil {
				return err
			}
			e.buf = append(e.buf, '\n')
		}
	}
	return nil
}

func (e *yamlEncoder) scalar(v any) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, v)
	case int64:
		e.buf = strconv.AppendInt(e.buf, v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		e.buf = append(e.buf, s...)
	case string:
		s, err := e.str(v)
		if err != nil {
			return err
		}
		e.buf = append(e.buf, s...)
	default:
		// Not a JSON type (an int from Go code, say): go-yaml knows what to do.
		return errFallback
	}
	return nil
}

// str renders a string scalar as go-yaml would, single-line strings only.
func (e *yamlEncoder) str(s string) (string, error) {
	if plainWord(s) {
		return s, nil
	}
	if r, ok := e.scalars[s]; ok {
		return r, nil
	}
	if strings.ContainsAny(s, "\n\r") {
		return "", errFallback
	}
	data, err := yaml.Marshal(s)
	if err != nil {
		return "", err
	}
	r := strings.TrimSuffix(string(data), "\n")
	if strings.Contains(r, "\n") {
		return "", errFallback
	}
	e.scalars[s] = r
	return r, nil
}

// plainWord reports strings go-yaml certainly writes as they are: a letter, then letters,
// digits and ._/- only, and not one of YAML 1.1's words for booleans and null.
func plainWord(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && (c < '0' || c > '9') && c != '.' && c != '_' && c != '/' && c != '-' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// yamlKeyLess is go-yaml's order for string keys: letters before other characters, and runs of
// digits compared as numbers.
func yamlKeyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}
