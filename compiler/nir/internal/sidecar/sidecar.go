// Package sidecar loads the NIR reference samples and their JSON sidecars
// (shared/reference/nir, described in its README.md) for the tests of
// compiler/nir and compiler/nir/h5. Samples are found by listing the folder,
// so a new .nir file with its .json beside it is picked up without code
// changes.
package sidecar

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sample is one .nir file and its sidecar.
type Sample struct {
	Name string // path relative to the reference folder, without ".nir"
	Path string // the .nir file
	Side *File
}

// File is a sidecar.
type File struct {
	File        string    `json:"file"`
	Description string    `json:"description"`
	Version     string    `json:"nir_version_dataset"`
	HDF5        []Object  `json:"hdf5"`
	NIRRead     NIRRead   `json:"nir_read"`
	Graph       GraphNode `json:"graph"`
	Container   struct {
		SuperblockVersion int `json:"superblock_version"`
	} `json:"hdf5_container"`
}

// Object is one HDF5 group or dataset, in visit order.
type Object struct {
	Path        string          `json:"path"`
	Kind        string          `json:"kind"`       // group | dataset
	Class       string          `json:"hdf5_class"` // FLOAT | INTEGER | STRING
	Shape       []int           `json:"shape"`
	DType       string          `json:"dtype"` // <f4, <f8, <i8
	ElementSize int             `json:"element_size"`
	Values      []float64       `json:"values"`
	Value       json.RawMessage `json:"value"` // number, string or list of strings
	Summary     *Summary        `json:"summary"`
	Layout      string          `json:"layout"`
	Chunks      []int           `json:"chunks"`
	String      *struct {
		VariableLength bool   `json:"variable_length"`
		Charset        string `json:"charset"`
	} `json:"string"`
}

// Summary describes an array of more than 512 elements.
type Summary struct {
	N      int       `json:"n"`
	Sum    float64   `json:"sum"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	First8 []float64 `json:"first8"`
	Last8  []float64 `json:"last8"`
	SHA256 string    `json:"sha256_le_bytes"`
}

// NIRRead is what nir.read() said of the file.
type NIRRead struct {
	TypeCheck bool   `json:"type_check"`
	OK        bool   `json:"ok"`
	Error     string `json:"error"`
}

// GraphNode is a node as nir.read() returns it; a NIRGraph has Nodes and
// Edges.
type GraphNode struct {
	Type            string                `json:"type"`
	Params          map[string]Param      `json:"params"`
	InputType       map[string][]int      `json:"input_type"`
	OutputType      map[string][]int      `json:"output_type"`
	FieldsNotOnDisk []string              `json:"fields_not_on_disk"`
	Metadata        map[string]Param      `json:"metadata"`
	Nodes           map[string]*GraphNode `json:"nodes"`
	Edges           [][2]string           `json:"edges"`
}

// Param is one node field (or metadata entry).
type Param struct {
	Kind    string          `json:"kind"` // array | scalar | string
	DType   string          `json:"dtype"`
	Shape   []int           `json:"shape"`
	Values  []float64       `json:"values"`
	Value   json.RawMessage `json:"value"`
	Summary *Summary        `json:"summary"`
}

// Load lists every sample under dir (the reference folder "nir") that has
// a sidecar, sorted by name. It fails when there is none.
func Load(dir string) ([]Sample, error) {
	var out []Sample
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".nir") {
			return err
		}
		side := strings.TrimSuffix(p, ".nir") + ".json"
		data, err := os.ReadFile(side)
		if err != nil {
			return fmt.Errorf("sample %s has no sidecar: %w", p, err)
		}
		var f File
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("sidecar %s: %w", side, err)
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, Sample{Name: filepath.ToSlash(strings.TrimSuffix(rel, ".nir")), Path: p, Side: &f})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no .nir samples with sidecars under %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Numbers decodes a "value" holding a number.
func Numbers(raw json.RawMessage) (float64, bool) {
	var v float64
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	return v, true
}

// Strings decodes a "value" holding a string or a list of strings.
func Strings(raw json.RawMessage) ([]string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, true
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return l, true
	}
	return nil, false
}

// Check compares values (read as float64) with a summary, given the stored
// dtype ("float32"/"<f4", "float64"/"<f8", "int64"/"<i8").
func (s *Summary) Check(dtype string, v []float64) error {
	if len(v) != s.N {
		return fmt.Errorf("n = %d, want %d", len(v), s.N)
	}
	var sum float64
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		sum += x
		mn, mx = min(mn, x), max(mx, x)
	}
	if mn != s.Min || mx != s.Max {
		return fmt.Errorf("min/max = %v/%v, want %v/%v", mn, mx, s.Min, s.Max)
	}
	if math.Abs(sum-s.Sum) > 1e-9*max(1, math.Abs(s.Sum))*float64(len(v)) {
		return fmt.Errorf("sum = %v, want %v", sum, s.Sum)
	}
	for i, x := range s.First8 {
		if v[i] != x {
			return fmt.Errorf("first8[%d] = %v, want %v", i, v[i], x)
		}
	}
	for i, x := range s.Last8 {
		if v[len(v)-len(s.Last8)+i] != x {
			return fmt.Errorf("last8[%d] = %v, want %v", i, v[len(v)-len(s.Last8)+i], x)
		}
	}
	h := sha256.New()
	var b [8]byte
	for _, x := range v {
		switch dtype {
		case "float32", "<f4":
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(float32(x)))
			h.Write(b[:4])
		case "float64", "<f8":
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			h.Write(b[:])
		case "int64", "<i8":
			binary.LittleEndian.PutUint64(b[:], uint64(int64(x)))
			h.Write(b[:])
		default:
			return fmt.Errorf("no hash for dtype %q", dtype)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != s.SHA256 {
		return fmt.Errorf("sha256 = %s, want %s", got, s.SHA256)
	}
	return nil
}

// NumpyDType maps "<f4" to "float32" and so on.
func NumpyDType(s string) string {
	switch s {
	case "<f4":
		return "float32"
	case "<f8":
		return "float64"
	case "<i8":
		return "int64"
	case "<i4":
		return "int32"
	}
	return s
}
