package nir

import (
	"fmt"
	"math"
	"strings"
)

// Graph is a NIR graph as the file stores it: nodes in stored order (which
// is byte-wise name order, not execution order) and edges in file order.
type Graph struct {
	// Version is the /version string of the file: the version of the
	// package that wrote it, not a format version. Empty for nested graphs.
	Version  string
	Nodes    []*Node
	Edges    []Edge
	Metadata Metadata
	byName   map[string]*Node
}

// Node is one NIR node.
type Node struct {
	Name string
	// Type is the NIR class name: "Input", "Affine", "LIF", "NIRGraph", …
	Type string
	// Path is the node's HDF5 group, e.g. "/node/nodes/lif1".
	Path string
	// Params holds every dataset of the node's group except "type", by
	// field name. Fields the reader filled in are included (see Defaulted).
	Params map[string]*Param
	// Defaulted lists fields absent from the file that the reader filled
	// in as nir.read does (v_reset = zeros in old files, w_in = ones).
	Defaulted []string
	// Graph is the nested graph of a NIRGraph node.
	Graph *Graph
	// Metadata is the optional "metadata" group. NIR says no backend may
	// depend on it; the importer does not.
	Metadata Metadata
	// InputType and OutputType are the inferred per-sample shapes, as
	// nir.read works them out again (nil when they cannot be inferred).
	InputType, OutputType []int

	qual string // qualified name: "outer/inner" in nested graphs
}

// Edge is one [source, target] row of a graph's edges.
type Edge struct{ Src, Dst string }

// Param is the value of one field.
type Param struct {
	// DType is the stored element type in numpy's words: "float32",
	// "float64", "int64", …, or "string".
	DType string
	// Shape is nil for a 0-d (scalar) value.
	Shape []int
	// Values holds numbers in C order, widened to float64.
	Values []float64
	// Strings holds the elements of a string field.
	Strings []string
}

// Metadata is a metadata group: each value is a *Param or a nested
// Metadata.
type Metadata map[string]any

// Node returns the node named name at this level, or nil.
func (g *Graph) Node(name string) *Node { return g.byName[name] }

// NodesOfType lists the nodes of one type at this level, in stored order.
func (g *Graph) NodesOfType(typ string) []*Node {
	var out []*Node
	for _, n := range g.Nodes {
		if n.Type == typ {
			out = append(out, n)
		}
	}
	return out
}

// IsString says whether the field holds strings.
func (p *Param) IsString() bool { return p.DType == "string" }

// Len is the number of elements.
func (p *Param) Len() int {
	if p.IsString() {
		return len(p.Strings)
	}
	return len(p.Values)
}

// Known node types: those nir.read accepts.
var nodeTypes = map[string]bool{
	"Affine": true, "AvgPool2d": true, "Conv1d": true, "Conv2d": true, "CubaLI": true, "CubaLIF": true,
	"Delay": true, "Flatten": true, "I": true, "IF": true, "Input": true, "LI": true, "LIF": true,
	"Linear": true, "NIRGraph": true, "Output": true, "Scale": true, "SumPool2d": true, "Threshold": true,
}

// fieldKind is what a field may hold.
type fieldKind uint8

const (
	fArray     fieldKind = iota + 1 // numeric array, any rank (neuron parameters, weights)
	fIntVec                         // integer scalar or 1-D integer array
	fIntOrText                      // fIntVec, or the string "same" / "valid"
)

type field struct {
	name     string
	kind     fieldKind
	optional bool
}

// fields lists each type's datasets (README "Fields per node type").
var fields = map[string][]field{
	"Input":     {{"shape", fIntVec, false}},
	"Output":    {{"shape", fIntVec, false}},
	"Affine":    {{"weight", fArray, false}, {"bias", fArray, false}},
	"Linear":    {{"weight", fArray, false}},
	"Scale":     {{"scale", fArray, false}},
	"Delay":     {{"delay", fArray, false}},
	"Threshold": {{"threshold", fArray, false}},
	"Flatten":   {{"start_dim", fIntVec, false}, {"end_dim", fIntVec, false}, {"input_type", fIntVec, true}},
	"Conv1d": {{"weight", fArray, false}, {"bias", fArray, false}, {"stride", fIntVec, false},
		{"padding", fIntOrText, false}, {"dilation", fIntVec, false}, {"groups", fIntVec, false}, {"input_shape", fIntVec, true}},
	"Conv2d": {{"weight", fArray, false}, {"bias", fArray, false}, {"stride", fIntVec, false},
		{"padding", fIntOrText, false}, {"dilation", fIntVec, false}, {"groups", fIntVec, false}, {"input_shape", fIntVec, true}},
	"SumPool2d": {{"kernel_size", fIntVec, false}, {"stride", fIntVec, false}, {"padding", fIntVec, false}},
	"AvgPool2d": {{"kernel_size", fIntVec, false}, {"stride", fIntVec, false}, {"padding", fIntVec, false}},
	"I":         {{"r", fArray, false}},
	"IF":        {{"r", fArray, false}, {"v_threshold", fArray, false}, {"v_reset", fArray, true}},
	"LI":        {{"tau", fArray, false}, {"r", fArray, false}, {"v_leak", fArray, false}},
	"LIF": {{"tau", fArray, false}, {"r", fArray, false}, {"v_leak", fArray, false},
		{"v_threshold", fArray, false}, {"v_reset", fArray, true}},
	"CubaLI": {{"tau_syn", fArray, false}, {"tau_mem", fArray, false}, {"r", fArray, false},
		{"v_leak", fArray, false}, {"w_in", fArray, true}},
	"CubaLIF": {{"tau_syn", fArray, false}, {"tau_mem", fArray, false}, {"r", fArray, false},
		{"v_leak", fArray, false}, {"v_threshold", fArray, false}, {"v_reset", fArray, true}, {"w_in", fArray, true}},
}

// neuronTypes are the node types with per-neuron parameters.
var neuronTypes = map[string]bool{"I": true, "IF": true, "LI": true, "LIF": true, "CubaLI": true, "CubaLIF": true}

// check validates a node's fields, fills in defaults and records its own
// shapes where its fields determine them.
func (n *Node) check(errs *ErrorList) {
	fs := fields[n.Type]
	for _, f := range fs {
		p := n.Params[f.name]
		if p == nil {
			if !f.optional {
				errs.add(n, "field %q is missing", f.name)
			}
			continue
		}
		switch f.kind {
		case fArray:
			if p.IsString() {
				errs.add(n, "field %q is a string, want numbers", f.name)
			}
		case fIntVec, fIntOrText:
			if p.IsString() {
				if f.kind == fIntVec || p.Len() != 1 || (p.Strings[0] != "same" && p.Strings[0] != "valid") {
					errs.add(n, "field %q is %q, want integers", f.name, strings.Join(p.Strings, ","))
				}
				continue
			}
			if len(p.Shape) > 1 {
				errs.add(n, "field %q has shape %v, want a scalar or a vector", f.name, p.Shape)
			}
			for _, v := range p.Values {
				if v != math.Trunc(v) || math.Abs(v) > 1<<31 {
					errs.add(n, "field %q holds %v, want integers", f.name, v)
					break
				}
			}
		}
	}
	if len(*errs) > 0 && errs.has(n) {
		return
	}
	if neuronTypes[n.Type] {
		n.checkNeuron(errs)
	}
	n.ownShapes(errs)
}

// checkNeuron makes every parameter of a neuron node the same size (size-1
// parameters broadcast) and fills in the defaults nir.read applies.
func (n *Node) checkNeuron(errs *ErrorList) {
	var shape []int
	size := 1
	for _, f := range fields[n.Type] {
		if p := n.Params[f.name]; p != nil && p.Len() > size {
			shape, size = p.Shape, p.Len()
		}
	}
	if shape == nil && size == 1 {
		if p := n.Params[fields[n.Type][0].name]; p != nil {
			shape = p.Shape
		}
	}
	for _, f := range fields[n.Type] {
		p := n.Params[f.name]
		if p == nil {
			continue
		}
		if p.Len() != size && p.Len() != 1 {
			errs.add(n, "field %q has %d values (shape %v), but the layer has %d (shape %v)", f.name, p.Len(), p.Shape, size, shape)
		}
		for _, v := range p.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				errs.add(n, "field %q holds %v", f.name, v)
				break
			}
		}
	}
	fill := func(name, like string, v float64) {
		if n.Params[name] != nil {
			return
		}
		src := n.Params[like]
		if src == nil {
			return
		}
		vals := make([]float64, len(src.Values))
		for i := range vals {
			vals[i] = v
		}
		n.Params[name] = &Param{DType: src.DType, Shape: src.Shape, Values: vals}
		n.Defaulted = append(n.Defaulted, name)
	}
	switch n.Type {
	case "LIF", "IF", "CubaLIF":
		fill("v_reset", "v_threshold", 0)
	}
	switch n.Type {
	case "CubaLI", "CubaLIF":
		fill("w_in", "tau_mem", 1)
	}
	n.InputType, n.OutputType = shape, shape
	if shape == nil {
		n.InputType, n.OutputType = []int{}, []int{}
	}
}

// ints returns an integer field's values.
func (n *Node) ints(name string) []int {
	p := n.Params[name]
	if p == nil || p.IsString() {
		return nil
	}
	out := make([]int, len(p.Values))
	for i, v := range p.Values {
		out[i] = int(v)
	}
	return out
}

// shapeOf checks a shape vector: every dimension positive, the product
// bounded.
func shapeOf(n *Node, name string, dims []int, errs *ErrorList) []int {
	total := 1
	for _, d := range dims {
		if d <= 0 || d > maxElements {
			errs.add(n, "%s %v: every dimension must be positive", name, dims)
			return nil
		}
		total *= d
		if total > maxElements {
			errs.add(n, "%s %v has more than %d elements", name, dims, maxElements)
			return nil
		}
	}
	return dims
}

// maxElements bounds the size of any inferred shape.
const maxElements = 1 << 26

// ownShapes records the shapes a node's fields determine by themselves.
func (n *Node) ownShapes(errs *ErrorList) {
	switch n.Type {
	case "Input", "Output":
		s := shapeOf(n, "shape", n.ints("shape"), errs)
		n.InputType, n.OutputType = s, s
	case "Affine", "Linear":
		w := n.Params["weight"]
		if len(w.Shape) != 2 {
			errs.add(n, "weight has shape %v, want (out, in)", w.Shape)
			return
		}
		if b := n.Params["bias"]; b != nil && b.Len() != w.Shape[0] {
			errs.add(n, "bias has %d values, weight has %d rows", b.Len(), w.Shape[0])
			return
		}
		n.InputType, n.OutputType = []int{w.Shape[1]}, []int{w.Shape[0]}
	case "Scale", "Delay", "Threshold":
		p := n.Params[strings.ToLower(n.Type)]
		s := p.Shape
		if s == nil {
			s = []int{}
		}
		n.InputType, n.OutputType = s, s
	case "Flatten":
		if in := n.Params["input_type"]; in != nil {
			n.setFlatten(shapeOf(n, "input_type", n.ints("input_type"), errs), errs)
		}
	case "Conv1d", "Conv2d":
		c, err := n.conv(nil)
		if err != nil {
			errs.add(n, "%v", err)
			return
		}
		if c.inKnown {
			n.InputType, n.OutputType = c.inShape(), c.outShape()
		}
	}
}

// setFlatten sets a Flatten node's shapes from its input shape.
func (n *Node) setFlatten(in []int, errs *ErrorList) {
	if in == nil {
		return
	}
	start, end := n.ints("start_dim"), n.ints("end_dim")
	if len(start) != 1 || len(end) != 1 {
		errs.add(n, "start_dim and end_dim must be single integers")
		return
	}
	s, e := start[0], end[0]
	if s < 0 {
		s += len(in)
	}
	if e < 0 {
		e += len(in)
	}
	if len(in) == 0 || s < 0 || e >= len(in) || s > e {
		errs.add(n, "start_dim %d and end_dim %d do not fit the input shape %v", start[0], end[0], in)
		return
	}
	out := append([]int{}, in[:s]...)
	m := 1
	for _, d := range in[s : e+1] {
		m *= d
	}
	out = append(out, m)
	out = append(out, in[e+1:]...)
	n.InputType, n.OutputType = in, out
}

// numel is the number of elements of a shape.
func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// QualifiedName is the node's name with the names of the NIRGraph nodes
// it is nested in, joined by "/" ("rsyn/lif"); for a top-level node it is
// Name.
func (n *Node) QualifiedName() string { return n.qual }

func (n *Node) String() string { return fmt.Sprintf("%q (%s)", n.qual, n.Type) }
