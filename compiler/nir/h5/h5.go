// Package h5 reads the HDF5 container that NIR graphs are stored in. It is a
// thin adapter over github.com/scigolib/hdf5 (pure Go, pinned at
// LibraryVersion) that gives the NIR reader what it needs in one place:
// groups and datasets by name, each dataset's class, element size, shape and
// layout, numeric values widened to float64, and strings, fixed-length or
// variable-length.
//
// It does not know NIR: it reads any HDF5 file the library can open. It does
// not write, and it does not read attributes (NIR graph files have none).
//
// # Library gaps and how this package covers them
//
// The library at LibraryVersion has these gaps, listed in
// shared/reference/nir/README.md; each is handled here so that callers never
// meet them:
//
//  1. Dataset.ReadStrings fails on variable-length strings, which is how
//     every NIR string is stored. Strings uses Dataset.ReadVLenBytes for
//     them (one []byte per element, in C order) and ReadStrings only for
//     fixed-length strings.
//  2. There is no public accessor for a dataset's shape or type. Info parses
//     the library's Dataset.Info() text ("Dataset: float (size=4 bytes),
//     2D array [3 x 4], chunked (chunks=[3 4 4])"); the format is that of
//     LibraryVersion, and a test fails if the module version changes. The
//     text does not say whether an integer is signed or its byte order;
//     Floats gets both right (the library converts), and DType names every
//     integer as signed, which is what NIR writes.
//  3. Groups with more than about 150 links fail at Open ("non-leaf B-tree
//     nodes not supported yet"): the library cannot walk a symbol-table
//     B-tree deeper than one level, and Open loads the whole tree, so the
//     whole file fails. This cannot be fixed from outside the library. Open
//     turns the error into ErrTooManyLinks, whose message says what to do:
//     re-save the file with the newest HDF5 format (h5py
//     File(..., libver="latest") or h5repack -L), whose link storage the
//     library does read.
//
// Beyond the listed gaps, the library trusts sizes it reads from the file.
// Info is checked before any data is read: a dataset may not claim more
// elements than MaxElements, nor more bytes than its layout can hold in a
// file of this size (contiguous data must lie inside the file; compressed
// chunks inflate at most about 1032 to 1). A panic inside the library is
// recovered and returned as an error naming the object. What the library
// allocates while opening the file (object headers, heaps) is bounded by its
// own checks only.
package h5

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scigolib/hdf5"
)

// LibraryVersion is the version of github.com/scigolib/hdf5 whose behaviour
// (and Info text format) this package is written against.
const LibraryVersion = "v0.14.0"

// MaxElements bounds the number of elements of one dataset, whatever the
// file claims.
const MaxElements = 1 << 26

// MaxDepth bounds the nesting of groups.
const MaxDepth = 64

// ErrTooManyLinks is returned by Open when a group has too many links for
// the library (gap 3 in the package documentation).
var ErrTooManyLinks = errors.New("a group holds more links than github.com/scigolib/hdf5 " + LibraryVersion +
	" can read (about 150; it cannot walk deeper symbol-table B-trees); re-save the file with the newest HDF5 format, " +
	"e.g. h5py.File(path, \"w\", libver=\"latest\") or h5repack -L, which stores large groups in a form the library reads")

// Class is a dataset's HDF5 datatype class, as far as this package reads it.
type Class uint8

const (
	Integer Class = iota + 1 // fixed-point
	Float                    // IEEE float
	String                   // fixed-length string
	VLen                     // variable-length (NIR: UTF-8 strings)
	Other                    // compound, array, enum, …: not read
)

func (c Class) String() string {
	switch c {
	case Integer:
		return "integer"
	case Float:
		return "float"
	case String:
		return "string"
	case VLen:
		return "vlen"
	case Other:
		return "other"
	}
	return fmt.Sprintf("Class(%d)", uint8(c))
}

// Info is a dataset's type, shape and layout.
type Info struct {
	Class Class
	Size  int   // bytes per element (16 for a variable-length reference)
	Dims  []int // nil for a scalar
	// Layout is "compact", "contiguous", "chunked" or what the library
	// printed for anything else.
	Layout string
	Chunks []int // chunk shape (chunked only), one entry per dimension
	// DataBytes is the stored size of contiguous data (0 otherwise).
	DataBytes int64
}

// Scalar says whether the dataset is 0-dimensional.
func (i Info) Scalar() bool { return i.Dims == nil }

// NumElements is the product of the dimensions (1 for a scalar).
func (i Info) NumElements() int {
	n := 1
	for _, d := range i.Dims {
		n *= d
	}
	return n
}

// DType names the element type as numpy does ("float32", "int64",
// "string"). Integers are assumed signed (see gap 2).
func (i Info) DType() string {
	switch i.Class {
	case Integer:
		return fmt.Sprintf("int%d", 8*i.Size)
	case Float:
		return fmt.Sprintf("float%d", 8*i.Size)
	case String, VLen:
		return "string"
	}
	return "unknown"
}

// File is an open HDF5 file.
type File struct {
	f    *hdf5.File
	path string
	size int64
	root *Group
}

// Group is an HDF5 group: child groups and datasets in stored order (link
// name order for the files NIR writes).
type Group struct {
	name, path string
	names      []string
	groups     map[string]*Group
	datasets   map[string]*Dataset
}

// Dataset is one HDF5 dataset.
type Dataset struct {
	name, path string
	d          *hdf5.Dataset
	file       *File
	info       *Info
}

// Open opens path and loads its group tree.
func Open(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("h5: %w", err)
	}
	if err := preScan(path, st.Size()); err != nil {
		return nil, fmt.Errorf("h5: %s: %w", path, err)
	}
	var f *hdf5.File
	err = guard(path, func() error {
		var e error
		f, e = hdf5.Open(path)
		return e
	})
	if err != nil {
		if strings.Contains(err.Error(), "non-leaf B-tree nodes not supported") {
			return nil, fmt.Errorf("h5: %s: %w (library said: %v)", path, ErrTooManyLinks, err)
		}
		return nil, fmt.Errorf("h5: %s: %w", path, err)
	}
	file := &File{f: f, path: path, size: st.Size()}
	root, err := file.group(f.Root(), "/", "/", 0, new(int))
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	file.root = root
	return file, nil
}

// group copies the library's group tree, checking names and depth.
func (file *File) group(g *hdf5.Group, name, path string, depth int, count *int) (*Group, error) {
	if g == nil {
		return nil, fmt.Errorf("h5: %s: %s: group could not be read", file.path, path)
	}
	if depth > MaxDepth {
		return nil, fmt.Errorf("h5: %s: %s: groups nested deeper than %d", file.path, path, MaxDepth)
	}
	out := &Group{name: name, path: path, groups: map[string]*Group{}, datasets: map[string]*Dataset{}}
	for _, c := range g.Children() {
		*count++
		if int64(*count) > file.size { // every link costs bytes in the file
			return nil, fmt.Errorf("h5: %s: more objects than the file can hold", file.path)
		}
		cn := c.Name()
		if cn == "" || strings.Contains(cn, "/") {
			return nil, fmt.Errorf("h5: %s: %s: invalid link name %q", file.path, path, cn)
		}
		if out.has(cn) {
			return nil, fmt.Errorf("h5: %s: %s: link %q appears twice", file.path, path, cn)
		}
		cp := join(path, cn)
		switch c := c.(type) {
		case *hdf5.Group:
			sub, err := file.group(c, cn, cp, depth+1, count)
			if err != nil {
				return nil, err
			}
			out.groups[cn] = sub
		case *hdf5.Dataset:
			out.datasets[cn] = &Dataset{name: cn, path: cp, d: c, file: file}
		default:
			continue // named datatypes: not data
		}
		out.names = append(out.names, cn)
	}
	return out, nil
}

func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Path is the file's path as given to Open.
func (f *File) Path() string { return f.path }

// Size is the file's length in bytes.
func (f *File) Size() int64 { return f.size }

// Root is the root group "/".
func (f *File) Root() *Group { return f.root }

// Walk visits every group and dataset below and including the root, in
// stored order, depth first: groups before their contents, like h5py's
// visititems (with the root added first). Exactly one of g and d is set.
func (f *File) Walk(fn func(path string, g *Group, d *Dataset) error) error {
	return f.root.walk(fn)
}

func (g *Group) walk(fn func(string, *Group, *Dataset) error) error {
	if err := fn(g.path, g, nil); err != nil {
		return err
	}
	for _, n := range g.names {
		if sub := g.groups[n]; sub != nil {
			if err := sub.walk(fn); err != nil {
				return err
			}
			continue
		}
		d := g.datasets[n]
		if err := fn(d.path, nil, d); err != nil {
			return err
		}
	}
	return nil
}

func (g *Group) has(name string) bool {
	return g.groups[name] != nil || g.datasets[name] != nil
}

// Name is the group's link name ("/" for the root).
func (g *Group) Name() string { return g.name }

// Path is the group's absolute path.
func (g *Group) Path() string { return g.path }

// Names lists the group's children in stored order.
func (g *Group) Names() []string { return g.names }

// Group returns the child group name, or nil.
func (g *Group) Group(name string) *Group { return g.groups[name] }

// Dataset returns the child dataset name, or nil.
func (g *Group) Dataset(name string) *Dataset { return g.datasets[name] }

// Name is the dataset's link name.
func (d *Dataset) Name() string { return d.name }

// Path is the dataset's absolute path.
func (d *Dataset) Path() string { return d.path }

// Info reads the dataset's type, shape and layout (without its data), and
// checks that the data it claims can be in a file of this size.
func (d *Dataset) Info() (Info, error) {
	if d.info != nil {
		return *d.info, nil
	}
	var s string
	if err := guard(d.path, func() error {
		var e error
		s, e = d.d.Info()
		return e
	}); err != nil {
		return Info{}, d.errorf("%v", err)
	}
	info, err := ParseInfo(s)
	if err != nil {
		return Info{}, d.errorf("%v", err)
	}
	if err := d.checkSize(info); err != nil {
		return Info{}, err
	}
	d.info = &info
	return info, nil
}

// maxInflate is deflate's largest expansion ratio (a little over 1032:1).
const maxInflate = 1040

func (d *Dataset) checkSize(info Info) error {
	n := info.NumElements()
	bytes := int64(n) * int64(info.Size)
	switch info.Layout {
	case "contiguous":
		if bytes > d.file.size || info.DataBytes > d.file.size {
			return d.errorf("claims %d bytes of contiguous data in a file of %d bytes", max(bytes, info.DataBytes), d.file.size)
		}
	case "compact":
		if bytes > 1<<16 {
			return d.errorf("claims %d bytes of compact data (at most 65536 fit)", bytes)
		}
	case "chunked":
		if bytes > maxInflate*d.file.size+1<<16 {
			return d.errorf("claims %d bytes of chunked data, more than a file of %d bytes can inflate to", bytes, d.file.size)
		}
	}
	return nil
}

func (d *Dataset) errorf(format string, args ...any) error {
	return fmt.Errorf("h5: %s: %s: %s", d.file.path, d.path, fmt.Sprintf(format, args...))
}

// Floats reads a numeric dataset as float64 values in C order: float32 is
// widened exactly, integers are exact up to 2^53.
func (d *Dataset) Floats() ([]float64, error) {
	info, err := d.Info()
	if err != nil {
		return nil, err
	}
	if info.Class != Integer && info.Class != Float {
		return nil, d.errorf("is %s, not numeric", info.DType())
	}
	var v []float64
	if err := guard(d.path, func() error {
		var e error
		v, e = d.d.Read()
		return e
	}); err != nil {
		return nil, d.errorf("%v", err)
	}
	if len(v) != info.NumElements() {
		return nil, d.errorf("read %d values, shape %v holds %d", len(v), info.Dims, info.NumElements())
	}
	return v, nil
}

// Strings reads a string dataset, fixed- or variable-length, in C order.
// Variable-length strings must be valid UTF-8.
func (d *Dataset) Strings() ([]string, error) {
	info, err := d.Info()
	if err != nil {
		return nil, err
	}
	var out []string
	switch info.Class {
	case VLen:
		var raw [][]byte
		if err := guard(d.path, func() error {
			var e error
			raw, e = d.d.ReadVLenBytes()
			return e
		}); err != nil {
			return nil, d.errorf("%v", err)
		}
		out = make([]string, len(raw))
		for i, b := range raw {
			if !utf8.Valid(b) {
				return nil, d.errorf("element %d is not valid UTF-8", i)
			}
			out[i] = string(b)
		}
	case String:
		if err := guard(d.path, func() error {
			var e error
			out, e = d.d.ReadStrings()
			return e
		}); err != nil {
			return nil, d.errorf("%v", err)
		}
	default:
		return nil, d.errorf("is %s, not a string", info.DType())
	}
	if len(out) != info.NumElements() {
		return nil, d.errorf("read %d strings, shape %v holds %d", len(out), info.Dims, info.NumElements())
	}
	return out, nil
}

// preScan checks, before the library sees the file, the sizes the library
// allocates from without checking them while it opens a file: the data
// segment of every local heap ("HEAP") and the size of every global heap
// collection ("GCOL"). A size larger than the file is an error. (A fuzzed
// heap size made the library try to allocate a terabyte.)
func preScan(path string, size int64) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(data) < 16 {
		return errors.New("not an HDF5 file (too short)")
	}
	lengthSize := 8
	switch data[8] { // superblock version
	case 0, 1:
		lengthSize = int(data[14])
	case 2, 3:
		lengthSize = int(data[10])
	}
	if lengthSize != 2 && lengthSize != 4 && lengthSize != 8 {
		return fmt.Errorf("superblock: size of lengths is %d, want 2, 4 or 8", lengthSize)
	}
	for _, sig := range []string{"HEAP", "GCOL"} {
		for off := 0; ; {
			i := bytes.Index(data[off:], []byte(sig))
			if i < 0 {
				break
			}
			at := off + i
			off = at + 1
			if at+8+lengthSize > len(data) {
				break
			}
			var n uint64
			for k := lengthSize - 1; k >= 0; k-- {
				n = n<<8 | uint64(data[at+8+k])
			}
			if n > uint64(size) {
				return fmt.Errorf("%s at byte %d claims %d bytes in a file of %d", map[string]string{
					"HEAP": "local heap", "GCOL": "global heap collection"}[sig], at, n, size)
			}
		}
	}
	return nil
}

// guard runs f and turns a panic inside the library into an error.
func guard(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("hdf5 library failed on %s (malformed file?): %v", what, r)
		}
	}()
	return f()
}

// ParseInfo parses the text of Dataset.Info() as LibraryVersion prints it:
//
//	Dataset: float (size=4 bytes), 2D array [3 x 4], chunked (chunks=[3 4 4])
//	Dataset: class_9 (size=16 bytes), scalar, contiguous (address=0x1A0, size=16)
func ParseInfo(s string) (Info, error) {
	bad := func(why string) (Info, error) {
		return Info{}, fmt.Errorf("cannot parse the library's dataset description %q (%s; written for github.com/scigolib/hdf5 %s)", s, why, LibraryVersion)
	}
	rest, ok := strings.CutPrefix(s, "Dataset: ")
	if !ok {
		return bad("no \"Dataset: \" prefix")
	}
	// Datatype: "<class> (size=<n> bytes)".
	cls, rest, ok := strings.Cut(rest, " (size=")
	if !ok {
		return bad("no datatype size")
	}
	sz, rest, ok := strings.Cut(rest, " bytes), ")
	if !ok {
		return bad("no datatype size")
	}
	var info Info
	size, err := strconv.Atoi(sz)
	if err != nil || size <= 0 || size > 1<<16 {
		return bad("bad element size")
	}
	info.Size = size
	switch cls {
	case "integer":
		info.Class = Integer
	case "float":
		info.Class = Float
	case "string":
		info.Class = String
	case "class_9":
		info.Class = VLen
	default:
		info.Class = Other
	}
	// Dataspace: "scalar", "null", "1D array [n]", "2D array [a x b]",
	// "ND array [a b c]"; then ", " and the layout.
	space, layout, ok := strings.Cut(rest, ", ")
	if !ok {
		return bad("no layout")
	}
	switch {
	case space == "scalar":
	case space == "null":
		info.Dims = []int{0}
	default:
		_, list, ok := strings.Cut(space, "D array [")
		if !ok || !strings.HasSuffix(list, "]") {
			return bad("unknown dataspace")
		}
		list = strings.TrimSuffix(list, "]")
		fields := strings.Fields(strings.ReplaceAll(list, " x ", " "))
		if len(fields) == 0 || len(fields) > 32 {
			return bad("bad rank")
		}
		n := int64(1)
		for _, f := range fields {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil || v < 0 || v > MaxElements {
				return bad("dimension out of range")
			}
			n *= v
			if n > MaxElements {
				return Info{}, fmt.Errorf("dataset of shape %s exceeds %d elements", space, MaxElements)
			}
			info.Dims = append(info.Dims, int(v))
		}
		if space[:strings.Index(space, "D")] != strconv.Itoa(len(fields)) {
			return bad("rank does not match dimensions")
		}
	}
	switch {
	case strings.HasPrefix(layout, "compact"):
		info.Layout = "compact"
	case strings.HasPrefix(layout, "contiguous"):
		info.Layout = "contiguous"
		if _, sz, ok := strings.Cut(layout, ", size="); ok {
			v, err := strconv.ParseInt(strings.TrimSuffix(sz, ")"), 10, 64)
			if err != nil || v < 0 {
				return bad("bad contiguous size")
			}
			info.DataBytes = v
		}
	case strings.HasPrefix(layout, "chunked (chunks=["):
		info.Layout = "chunked"
		list := strings.TrimSuffix(strings.TrimPrefix(layout, "chunked (chunks=["), "])")
		for _, f := range strings.Fields(list) {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil || v <= 0 || v > 1<<32 {
				return bad("bad chunk dimension")
			}
			info.Chunks = append(info.Chunks, int(v))
		}
		// HDF5 stores one more chunk dimension: the element size.
		if len(info.Chunks) == len(info.Dims)+1 {
			info.Chunks = info.Chunks[:len(info.Dims)]
		}
	default:
		info.Layout = layout
	}
	return info, nil
}
