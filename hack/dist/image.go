package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/kubefedctl/kubefedctl/pkg/version"
)

// The image's layout: the static binary, Mozilla's roots where Go looks for them, and a
// non-root user; no shell, no package manager.
const (
	imageBinary  = "/usr/local/bin/kubefedctl"
	imageCACerts = "/etc/ssl/certs/ca-certificates.crt"
	imageUser    = "65532:65532"
	imageSource  = "https://github.com/kubefedctl/kubefedctl"
)

// imageInput is what an image is made of; the same input gives the same bytes.
type imageInput struct {
	Version string
	Source  source
	// Binaries are the linux kubefedctl binaries by architecture.
	Binaries map[string][]byte
	// CACerts is the PEM bundle of roots.
	CACerts []byte
}

// buildImage makes a multi-platform OCI image index, one image per architecture, each from a
// layer of the files every platform shares and a layer holding the binary.
func buildImage(in imageInput) (v1.ImageIndex, map[string]string, error) {
	created := in.Source.CommitTime.UTC()
	annotations := map[string]string{
		"org.opencontainers.image.title":       "kubefedctl",
		"org.opencontainers.image.description": "Kubernetes Cluster Federation without a control plane",
		"org.opencontainers.image.version":     in.Version,
		"org.opencontainers.image.source":      imageSource,
		"org.opencontainers.image.url":         imageSource,
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}
	if in.Source.Commit != "" {
		annotations["org.opencontainers.image.revision"] = in.Source.Commit
	}
	if !created.IsZero() {
		annotations["org.opencontainers.image.created"] = created.Format(time.RFC3339)
	}
	base, err := layer(created, []file{
		{name: "etc/", dir: true, mode: 0o755},
		{name: "etc/passwd", mode: 0o644, content: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, content: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "etc/ssl/", dir: true, mode: 0o755},
		{name: "etc/ssl/certs/", dir: true, mode: 0o755},
		{name: imageCACerts[1:], mode: 0o644, content: in.CACerts},
		{name: "home/", dir: true, mode: 0o755},
		{name: "home/nonroot/", dir: true, mode: 0o700, uid: 65532},
		{name: "tmp/", dir: true, mode: 0o1777},
	})
	if err != nil {
		return nil, nil, err
	}
	var arches []string
	for arch := range in.Binaries {
		arches = append(arches, arch)
	}
	sort.Strings(arches)
	index := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range arches {
		bin, err := layer(created, []file{
			{name: "usr/", dir: true, mode: 0o755},
			{name: "usr/local/", dir: true, mode: 0o755},
			{name: "usr/local/bin/", dir: true, mode: 0o755},
			{name: imageBinary[1:], mode: 0o755, content: in.Binaries[arch]},
		})
		if err != nil {
			return nil, nil, err
		}
		img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		img, err = mutate.ConfigFile(img, &v1.ConfigFile{
			Architecture: arch,
			OS:           "linux",
			Created:      v1.Time{Time: created},
			RootFS:       v1.RootFS{Type: "layers"},
			Config: v1.Config{
				Entrypoint: []string{imageBinary},
				User:       imageUser,
				WorkingDir: "/home/nonroot",
				Env:        []string{"PATH=/usr/local/bin", "HOME=/home/nonroot", "SSL_CERT_FILE=" + imageCACerts},
				Labels:     annotations,
			},
		})
		if err != nil {
			return nil, nil, err
		}
		img, err = mutate.Append(img,
			mutate.Addendum{Layer: base, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "kubefedctl hack/dist: CA certificates, the nonroot user"}},
			mutate.Addendum{Layer: bin, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "kubefedctl hack/dist: " + imageBinary}})
		if err != nil {
			return nil, nil, err
		}
		img = mutate.Annotations(img, annotations).(v1.Image)
		index = mutate.AppendManifests(index, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}},
		})
	}
	return mutate.Annotations(index, annotations).(v1.ImageIndex), annotations, nil
}

// writeImage writes the index as an OCI image layout at dir, named by its tag (the
// org.opencontainers.image.ref.name annotation that skopeo and crane read).
func writeImage(dir string, in imageInput) error {
	index, annotations, err := buildImage(in)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	refAnnotations := map[string]string{"org.opencontainers.image.ref.name": version.ImageTag(in.Version)}
	for k, v := range annotations {
		refAnnotations[k] = v
	}
	return p.AppendIndex(index, layout.WithAnnotations(refAnnotations))
}

// caCerts is Mozilla's root store as Go's x509roots/fallback module pins it, as PEM: the same
// roots whatever machine builds the image. Constraints NSS adds to a few roots (distrust after
// a date) have no PEM form and are left out with them.
func caCerts() []byte {
	var b bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return b.Bytes()
}

type file struct {
	name    string
	dir     bool
	mode    int64
	uid     int
	content []byte
}

// layer is an uncompressed tar of files, with a fixed time and owner, gzipped by
// go-containerregistry.
func layer(mtime time.Time, files []file) (v1.Layer, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: mtime, Uid: f.uid, Gid: f.uid, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.content))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("writing %s into a layer: %w", f.name, err)
		}
		if _, err := tw.Write(f.content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := b.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
