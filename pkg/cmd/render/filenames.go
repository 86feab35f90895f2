package render

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
)

// maxFileName is the longest file name (one path element, in bytes) that common file systems
// (ext4, xfs, btrfs, APFS, NTFS) accept.
const maxFileName = 255

// kindPattern is a Kind as the API machinery names them: a Go identifier's letters and digits.
var kindPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// lowerKindPattern is a kind as it appears in a file name.
var lowerKindPattern = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// pathSegmentKinds are the kinds whose names Kubernetes checks only as a path segment (RBAC's
// "system:controller:job-controller"), not as a DNS subdomain.
var pathSegmentKinds = map[schema.GroupKind]bool{
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:               true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:        true,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:        true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}: true,
}

// validClusterDir checks a cluster's name as the directory it becomes: a KubeFedCluster's name
// is a Kubernetes object name, a DNS-1123 subdomain, which is never "." or "..", holds no
// separator and no upper case, so no two clusters share a directory on any file system.
func validClusterDir(name string) error {
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return fmt.Errorf("cluster %q cannot be a directory under --output-dir: %s (rename its KubeFedCluster)", name, strings.Join(msgs, "; "))
	}
	return nil
}

// fileName names an object's file, <kind>[.<group>]_[<namespace>_]<name>.<ext>, after checking
// each part by Kubernetes' own rules for it, so the result is one plain path element: never ".",
// "..", a separator, a control character or longer than a file system allows.
func fileName(obj *unstructured.Unstructured, ext string) (string, error) {
	gv, err := schema.ParseGroupVersion(obj.GetAPIVersion())
	if err != nil {
		return "", fmt.Errorf("apiVersion %q cannot be part of a file name: %w", obj.GetAPIVersion(), err)
	}
	kind := obj.GetKind()
	if !kindPattern.MatchString(kind) {
		return "", fmt.Errorf("kind %q cannot be part of a file name: a kind is letters and digits, starting with a letter", kind)
	}
	if gv.Group != "" {
		if msgs := validation.IsDNS1123Subdomain(gv.Group); len(msgs) > 0 {
			return "", fmt.Errorf("API group %q cannot be part of a file name: %s", gv.Group, strings.Join(msgs, "; "))
		}
	}
	namespace, name := obj.GetNamespace(), obj.GetName()
	if namespace != "" {
		if msgs := validation.IsDNS1123Label(namespace); len(msgs) > 0 {
			return "", fmt.Errorf("namespace %q is not a valid namespace name: %s", namespace, strings.Join(msgs, "; "))
		}
	}
	if err := validName(schema.GroupKind{Group: gv.Group, Kind: kind}, name); err != nil {
		return "", err
	}
	file := strings.ToLower(kind)
	if gv.Group != "" {
		file += "." + gv.Group
	}
	if namespace != "" {
		file += "_" + namespace
	}
	file += "_" + name + ext
	if len(file) > maxFileName {
		return "", fmt.Errorf("its file name would be %d bytes, more than the %d a file system allows (shorten the name or namespace)", len(file), maxFileName)
	}
	return file, nil
}

func validName(gk schema.GroupKind, name string) error {
	if name == "" {
		return fmt.Errorf("the object has no name")
	}
	if !pathSegmentKinds[gk] {
		if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
			return fmt.Errorf("name %q is not a valid %s name: %s", name, gk.Kind, strings.Join(msgs, "; "))
		}
		return nil
	}
	if msgs := path.IsValidPathSegmentName(name); len(msgs) > 0 {
		return fmt.Errorf("name %q is not a valid %s name: %s", name, gk.Kind, strings.Join(msgs, "; "))
	}
	// Kubernetes allows these in a path segment; a file name that travels through git to other
	// systems must not hold them.
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }) {
		return fmt.Errorf("name %q cannot be a file name: it holds a control character or a backslash", name)
	}
	return nil
}

// validRecordedFile checks an entry of the render record before anything acts on it: a tampered
// record must not make render remove anything but a file of the format it writes, directly in a
// cluster's directory.
func validRecordedFile(entry string) error {
	cluster, file, ok := strings.Cut(entry, "/")
	if !ok || !filepath.IsLocal(filepath.FromSlash(entry)) || validClusterDir(cluster) != nil {
		return errors.New("not <cluster>/<file>")
	}
	if file == "" || len(file) > maxFileName || strings.ContainsAny(file, "/\\") ||
		strings.ContainsFunc(file, unicode.IsControl) {
		return errors.New("not a plain file name in a cluster's directory")
	}
	base, ok := strings.CutSuffix(file, ".yaml")
	if !ok {
		if base, ok = strings.CutSuffix(file, ".json"); !ok {
			return errors.New("not a .yaml or .json file")
		}
	}
	kindGroup, rest, ok := strings.Cut(base, "_")
	if !ok || rest == "" {
		return errors.New("not named <kind>[.<group>]_[<namespace>_]<name>")
	}
	kind, group, hasGroup := strings.Cut(kindGroup, ".")
	if !lowerKindPattern.MatchString(kind) || (hasGroup && len(validation.IsDNS1123Subdomain(group)) > 0) {
		return errors.New("not named <kind>[.<group>]_[<namespace>_]<name>")
	}
	return nil
}
