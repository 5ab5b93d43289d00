package h5_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/nir/h5"
	"github.com/tessera-sim/tessera/compiler/nir/internal/sidecar"
	"github.com/tessera-sim/tessera/tools/refdata"
)

// TestSamples reads every reference sample and compares each group and
// dataset, in visit order, with the "hdf5" list of its sidecar: paths,
// class, dtype, shape, layout, chunks and every value.
func TestSamples(t *testing.T) {
	samples, err := sidecar.Load(refdata.Dir(t, "nir"))
	require.NoError(t, err)
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) {
			f, err := h5.Open(s.Path)
			require.NoError(t, err)
			defer f.Close()
			var paths []string
			objs := map[string]struct {
				g *h5.Group
				d *h5.Dataset
			}{}
			require.NoError(t, f.Walk(func(p string, g *h5.Group, d *h5.Dataset) error {
				if p != "/" {
					paths = append(paths, p)
				}
				objs[p] = struct {
					g *h5.Group
					d *h5.Dataset
				}{g, d}
				return nil
			}))
			var want []string
			for _, o := range s.Side.HDF5 {
				want = append(want, o.Path)
			}
			require.Equal(t, want, paths, "visit order")
			for _, o := range s.Side.HDF5 {
				obj := objs[o.Path]
				if o.Kind == "group" {
					assert.NotNil(t, obj.g, o.Path)
					continue
				}
				require.NotNil(t, obj.d, o.Path)
				checkDataset(t, obj.d, o)
			}
		})
	}
}

func checkDataset(t *testing.T, d *h5.Dataset, o sidecar.Object) {
	t.Helper()
	info, err := d.Info()
	require.NoError(t, err, o.Path)
	if len(o.Shape) == 0 {
		assert.True(t, info.Scalar(), "%s: scalar", o.Path)
	} else {
		assert.Equal(t, o.Shape, info.Dims, "%s: shape", o.Path)
	}
	assert.Equal(t, o.Layout, info.Layout, "%s: layout", o.Path)
	if o.Layout == "chunked" {
		assert.Equal(t, o.Chunks, info.Chunks, "%s: chunks", o.Path)
	}
	switch o.Class {
	case "STRING":
		require.NotNil(t, o.String, o.Path)
		if o.String.VariableLength {
			assert.Equal(t, h5.VLen, info.Class, o.Path)
		} else {
			assert.Equal(t, h5.String, info.Class, o.Path)
		}
		got, err := d.Strings()
		require.NoError(t, err, o.Path)
		want, ok := sidecar.Strings(o.Value)
		require.True(t, ok, o.Path)
		assert.Equal(t, want, got, o.Path)
	case "FLOAT", "INTEGER":
		cls := map[string]h5.Class{"FLOAT": h5.Float, "INTEGER": h5.Integer}[o.Class]
		assert.Equal(t, cls, info.Class, o.Path)
		assert.Equal(t, o.ElementSize, info.Size, o.Path)
		assert.Equal(t, sidecar.NumpyDType(o.DType), info.DType(), o.Path)
		got, err := d.Floats()
		require.NoError(t, err, o.Path)
		switch {
		case o.Summary != nil:
			assert.NoError(t, o.Summary.Check(o.DType, got), o.Path)
		case len(o.Shape) == 0:
			want, ok := sidecar.Numbers(o.Value)
			require.True(t, ok, o.Path)
			assert.Equal(t, []float64{want}, got, o.Path)
		default:
			if len(o.Values) == 0 {
				assert.Empty(t, got, o.Path)
			} else {
				assert.Equal(t, o.Values, got, o.Path)
			}
		}
	default:
		t.Errorf("%s: unknown class %q in sidecar", o.Path, o.Class)
	}
}

// TestLibraryVersion pins the library: ParseInfo reads the text that
// version prints, so a new version must be checked before it is used.
// (Test binaries carry no dependency list, so go.mod is read.)
func TestLibraryVersion(t *testing.T) {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for ; ; dir = filepath.Dir(dir) {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			var found string
			for _, line := range strings.Split(string(data), "\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && f[0] == "require" {
					f = f[1:]
				}
				if len(f) >= 2 && f[0] == "github.com/scigolib/hdf5" {
					found = f[1]
				}
				if strings.Contains(line, "github.com/scigolib/hdf5") && strings.Contains(line, "=>") {
					t.Errorf("go.mod replaces the hdf5 library: %q; check it against the package doc", line)
				}
			}
			require.Equal(t, h5.LibraryVersion, found,
				"github.com/scigolib/hdf5 changed in go.mod: check Dataset.Info()'s text against ParseInfo and the gaps in the package doc, then update LibraryVersion")
			return
		}
		require.NotEqual(t, dir, filepath.Dir(dir), "go.mod not found")
	}
}

func TestParseInfo(t *testing.T) {
	tests := []struct {
		in   string
		want h5.Info
		err  bool
	}{
		{in: "Dataset: float (size=4 bytes), 2D array [3 x 4], chunked (chunks=[3 4 4])",
			want: h5.Info{Class: h5.Float, Size: 4, Dims: []int{3, 4}, Layout: "chunked", Chunks: []int{3, 4}}},
		{in: "Dataset: class_9 (size=16 bytes), scalar, contiguous (address=0x1A0, size=16)",
			want: h5.Info{Class: h5.VLen, Size: 16, Layout: "contiguous", DataBytes: 16}},
		{in: "Dataset: integer (size=8 bytes), 1D array [2], contiguous (address=0x800, size=16)",
			want: h5.Info{Class: h5.Integer, Size: 8, Dims: []int{2}, Layout: "contiguous", DataBytes: 16}},
		{in: "Dataset: float (size=8 bytes), 4D array [4 2 3 3], chunked (chunks=[4 2 3 3 8])",
			want: h5.Info{Class: h5.Float, Size: 8, Dims: []int{4, 2, 3, 3}, Layout: "chunked", Chunks: []int{4, 2, 3, 3}}},
		{in: "Dataset: float (size=8 bytes), 1D array [0], contiguous (address=0xFFFFFFFFFFFFFFFF, size=0)",
			want: h5.Info{Class: h5.Float, Size: 8, Dims: []int{0}, Layout: "contiguous"}},
		{in: "Dataset: string (size=5 bytes), scalar, compact (size=5)",
			want: h5.Info{Class: h5.String, Size: 5, Layout: "compact"}},
		{in: "Dataset: compound (size=12 bytes), 1D array [2], contiguous (address=0x10, size=24)",
			want: h5.Info{Class: h5.Other, Size: 12, Dims: []int{2}, Layout: "contiguous", DataBytes: 24}},
		{in: "Dataset: float (size=8 bytes), 3D array [1000000 1000000 1000000], contiguous (address=0x10, size=8)", err: true},
		{in: "Dataset: float (size=8 bytes), 2D array [3 x 4 x 5], contiguous (address=0x10, size=8)", err: true},
		{in: "Dataset: float (size=0 bytes), scalar, contiguous (address=0x10, size=8)", err: true},
		{in: "Dataset: float (size=8 bytes), 1D array [-1], contiguous (address=0x10, size=8)", err: true},
		{in: "Dataset: float (size=8 bytes), torus, contiguous (address=0x10, size=8)", err: true},
		{in: "dataset float", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := h5.ParseInfo(tt.in)
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := h5.Open(filepath.Join(dir, "missing.nir"))
	assert.Error(t, err)
	p := filepath.Join(dir, "junk.nir")
	require.NoError(t, os.WriteFile(p, []byte("not an hdf5 file at all"), 0o644))
	_, err = h5.Open(p)
	assert.ErrorContains(t, err, "junk.nir")
}

// TestPreScan corrupts a local heap's size: the library would try to
// allocate it whole while opening the file; Open must refuse it first.
func TestPreScan(t *testing.T) {
	samples, err := sidecar.Load(refdata.Dir(t, "nir"))
	require.NoError(t, err)
	data, err := os.ReadFile(samples[0].Path)
	require.NoError(t, err)
	i := bytes.Index(data, []byte("HEAP"))
	require.Positive(t, i)
	copy(data[i+8:], []byte{0, 0, 0, 0, 0, 0xff, 0, 0})
	p := filepath.Join(t.TempDir(), "bad.nir")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	_, err = h5.Open(p)
	assert.ErrorContains(t, err, "local heap at byte")
}
