package nir

import (
	"fmt"
	"slices"

	"github.com/tessera-sim/tessera/compiler/nir/h5"
)

// maxGraphDepth bounds the nesting of NIRGraph nodes.
const maxGraphDepth = 16

// Read reads the NIR graph stored in path. It checks every node's fields
// (required ones present, numbers where numbers belong, neuron parameters
// of one size), fills in the defaults nir.read applies (v_reset = 0, w_in
// = 1) and infers each node's input and output shape. It is lenient where
// nir.read's strict type check is not (an Output shape that differs from
// its source but has as many elements, as in Rockpool exports). All
// problems are returned at once, as an ErrorList; a file the HDF5 layer
// cannot read gives a single error.
func Read(path string) (*Graph, error) {
	f, err := h5.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nir: %w", err)
	}
	defer f.Close()
	root := f.Root()
	var errs ErrorList
	g := &Graph{}
	if d := root.Dataset("version"); d != nil {
		s, err := d.Strings()
		if err != nil || len(s) != 1 {
			errs.addf("/version is not a string: %v", err)
		} else {
			g.Version = s[0]
		}
	}
	top := root.Group("node")
	if top == nil {
		errs.addf("the file has no /node group; it is not a NIR graph file")
		return nil, errs.err(path)
	}
	rd := reader{errs: &errs}
	n := rd.node(top, "node", "", 0)
	if n == nil {
		return nil, errs.err(path)
	}
	if n.Type != "NIRGraph" {
		errs.addf("/node is a %s, want a NIRGraph", n.Type)
		return nil, errs.err(path)
	}
	g.Nodes, g.Edges, g.Metadata, g.byName = n.Graph.Nodes, n.Graph.Edges, n.Metadata, n.Graph.byName
	if len(errs) == 0 {
		inferShapes(g, &errs)
	}
	if err := errs.err(path); err != nil {
		return nil, err
	}
	return g, nil
}

type reader struct {
	errs *ErrorList
}

// node reads one node group. qual is the node's qualified name ("" for the
// top-level graph).
func (rd *reader) node(grp *h5.Group, name, qual string, depth int) *Node {
	n := &Node{Name: name, Path: grp.Path(), Params: map[string]*Param{}, qual: qual}
	td := grp.Dataset("type")
	if td == nil {
		rd.errs.add(n, "group %s has no \"type\" dataset", grp.Path())
		return nil
	}
	ts, err := td.Strings()
	if err != nil || len(ts) != 1 {
		rd.errs.add(n, "\"type\" is not a single string: %v", err)
		return nil
	}
	n.Type = ts[0]
	if !nodeTypes[n.Type] {
		rd.errs.add(n, "unknown node type; nir.read accepts Affine, AvgPool2d, Conv1d, Conv2d, CubaLI, CubaLIF, Delay, "+
			"Flatten, I, IF, Input, LI, LIF, Linear, NIRGraph, Output, Scale, SumPool2d, Threshold")
		return nil
	}
	for _, c := range grp.Names() {
		if d := grp.Dataset(c); d != nil {
			if c == "type" || (n.Type == "NIRGraph" && c == "edges") {
				continue
			}
			p, err := readParam(d)
			if err != nil {
				rd.errs.add(n, "field %q: %v", c, err)
				continue
			}
			n.Params[c] = p
		}
	}
	if m := grp.Group("metadata"); m != nil {
		n.Metadata = rd.metadata(n, m, 0)
	}
	if n.Type == "NIRGraph" {
		if depth >= maxGraphDepth {
			rd.errs.add(n, "NIRGraph nodes nested deeper than %d", maxGraphDepth)
			return nil
		}
		n.Graph = rd.graph(n, grp, depth)
		if n.Graph == nil {
			return nil
		}
		return n
	}
	n.check(rd.errs)
	return n
}

func (rd *reader) graph(n *Node, grp *h5.Group, depth int) *Graph {
	g := &Graph{byName: map[string]*Node{}}
	nodes := grp.Group("nodes")
	if nodes == nil {
		rd.errs.add(n, "NIRGraph has no \"nodes\" group")
		return nil
	}
	for _, c := range nodes.Names() {
		sub := nodes.Group(c)
		if sub == nil {
			rd.errs.add(n, "nodes/%s is a dataset, not a node group", c)
			continue
		}
		q := c
		if n.qual != "" {
			q = n.qual + "/" + c
		}
		if child := rd.node(sub, c, q, depth+1); child != nil {
			g.Nodes = append(g.Nodes, child)
			g.byName[c] = child
		}
	}
	ed := grp.Dataset("edges")
	if ed == nil {
		rd.errs.add(n, "NIRGraph has no \"edges\" dataset")
		return nil
	}
	info, err := ed.Info()
	if err != nil {
		rd.errs.add(n, "edges: %v", err)
		return nil
	}
	switch {
	case info.NumElements() == 0:
		// An empty edge list is written as a float64 array of shape (0,).
	case info.Class != h5.VLen && info.Class != h5.String:
		rd.errs.add(n, "edges is %s of shape %v, want strings of shape (E, 2)", info.DType(), info.Dims)
	case len(info.Dims) != 2 || info.Dims[1] != 2:
		rd.errs.add(n, "edges has shape %v, want (E, 2)", info.Dims)
	default:
		s, err := ed.Strings()
		if err != nil {
			rd.errs.add(n, "edges: %v", err)
			return nil
		}
		for i := 0; i+1 < len(s); i += 2 {
			e := Edge{Src: s[i], Dst: s[i+1]}
			for _, end := range []string{e.Src, e.Dst} {
				if g.byName[end] == nil && !slices.Contains(nodes.Names(), end) {
					rd.errs.add(n, "edge %d [%q, %q] names %q, which is not a node of this graph", i/2, e.Src, e.Dst, end)
				}
			}
			g.Edges = append(g.Edges, e)
		}
	}
	return g
}

func (rd *reader) metadata(n *Node, grp *h5.Group, depth int) Metadata {
	if depth > 8 {
		rd.errs.add(n, "metadata nested deeper than 8 groups")
		return nil
	}
	m := Metadata{}
	for _, c := range grp.Names() {
		if sub := grp.Group(c); sub != nil {
			m[c] = rd.metadata(n, sub, depth+1)
			continue
		}
		p, err := readParam(grp.Dataset(c))
		if err != nil {
			rd.errs.add(n, "metadata %q: %v", c, err)
			continue
		}
		m[c] = p
	}
	return m
}

// readParam reads one dataset into a Param.
func readParam(d *h5.Dataset) (*Param, error) {
	info, err := d.Info()
	if err != nil {
		return nil, err
	}
	p := &Param{DType: info.DType()}
	if !info.Scalar() {
		p.Shape = info.Dims
	}
	switch info.Class {
	case h5.Integer, h5.Float:
		p.Values, err = d.Floats()
	case h5.String, h5.VLen:
		p.Strings, err = d.Strings()
	default:
		return nil, fmt.Errorf("unsupported HDF5 datatype (%s)", info.Class)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}
