package nir

import (
	"fmt"
	"slices"
)

// spatial is the geometry of a convolution or pooling node: PyTorch-style
// cross-correlation over 1 or 2 spatial axes with stride, padding (low and
// high side), dilation and groups. Pooling is a convolution with one
// all-ones kernel per channel (groups = channels).
type spatial struct {
	nd                int // spatial axes: 1 or 2
	pool, avg         bool
	cin, cout, groups int
	k, s, d, lo, hi   []int // per spatial axis
	in, out           []int // spatial sizes
	inKnown           bool
	weight, bias      []float64 // conv only: weight (cout, cin/groups, k...)
}

func (c *spatial) inShape() []int  { return append([]int{c.cin}, c.in...) }
func (c *spatial) outShape() []int { return append([]int{c.cout}, c.out...) }

// vec reads an integer field that is a scalar (broadcast) or has nd values.
func (n *Node) vec(name string, nd, lowest int) ([]int, error) {
	v := n.ints(name)
	if len(v) == 1 && nd > 1 {
		v = slices.Repeat(v, nd)
	}
	if len(v) != nd {
		return nil, fmt.Errorf("%s has %d values, want %d", name, len(v), nd)
	}
	for _, x := range v {
		if x < lowest {
			return nil, fmt.Errorf("%s %v: values must be at least %d", name, v, lowest)
		}
	}
	return v, nil
}

// conv works out a Conv1d/Conv2d node's geometry. in is the input shape
// from the node's source, or nil to use the node's input_shape field only.
func (n *Node) conv(in []int) (*spatial, error) {
	c := &spatial{nd: 1}
	if n.Type == "Conv2d" {
		c.nd = 2
	}
	w := n.Params["weight"]
	if len(w.Shape) != c.nd+2 {
		return nil, fmt.Errorf("weight has shape %v, want %d dimensions (C_out, C_in/groups, kernel)", w.Shape, c.nd+2)
	}
	c.weight = w.Values
	c.cout, c.k = w.Shape[0], w.Shape[2:]
	g := n.ints("groups")
	if len(g) != 1 || g[0] < 1 || c.cout%g[0] != 0 {
		return nil, fmt.Errorf("groups %v must be one positive integer dividing C_out = %d", g, c.cout)
	}
	c.groups = g[0]
	c.cin = w.Shape[1] * c.groups
	if b := n.Params["bias"]; b.Len() != c.cout {
		return nil, fmt.Errorf("bias has %d values, want C_out = %d", b.Len(), c.cout)
	}
	c.bias = n.Params["bias"].Values
	var err error
	if c.s, err = n.vec("stride", c.nd, 1); err != nil {
		return nil, err
	}
	if c.d, err = n.vec("dilation", c.nd, 1); err != nil {
		return nil, err
	}
	if p := n.Params["input_shape"]; p != nil {
		if c.in, err = n.vec("input_shape", c.nd, 1); err != nil {
			return nil, err
		}
		c.inKnown = true
	}
	if in != nil {
		if len(in) != c.nd+1 || in[0] != c.cin {
			return nil, fmt.Errorf("input shape %v does not fit the kernel: want (C_in = %d, %d spatial sizes)", in, c.cin, c.nd)
		}
		if c.inKnown && !slices.Equal(c.in, in[1:]) {
			return nil, fmt.Errorf("input_shape %v differs from the input's spatial shape %v", c.in, in[1:])
		}
		c.in, c.inKnown = in[1:], true
	}
	pad := n.Params["padding"]
	if pad.IsString() {
		c.lo, c.hi = make([]int, c.nd), make([]int, c.nd)
		if pad.Strings[0] == "same" {
			for i := range c.nd {
				if c.s[i] != 1 {
					return nil, fmt.Errorf("padding \"same\" needs stride 1 (PyTorch), stride is %v", c.s)
				}
				total := c.d[i] * (c.k[i] - 1)
				c.lo[i] = total / 2
				c.hi[i] = total - c.lo[i]
			}
		}
	} else {
		if c.lo, err = n.vec("padding", c.nd, 0); err != nil {
			return nil, err
		}
		c.hi = c.lo
	}
	return c, c.sizes()
}

// pool works out a pooling node's geometry from its input shape (C, H, W).
func (n *Node) pool(in []int) (*spatial, error) {
	c := &spatial{nd: 2, pool: true, avg: n.Type == "AvgPool2d"}
	var err error
	if c.k, err = n.vec("kernel_size", 2, 1); err != nil {
		return nil, err
	}
	if c.s, err = n.vec("stride", 2, 1); err != nil {
		return nil, err
	}
	if c.lo, err = n.vec("padding", 2, 0); err != nil {
		return nil, err
	}
	c.hi, c.d = c.lo, []int{1, 1}
	if len(in) != 3 {
		return nil, fmt.Errorf("input shape %v: pooling needs (C, H, W)", in)
	}
	c.cin, c.cout, c.groups, c.in, c.inKnown = in[0], in[0], in[0], in[1:], true
	return c, c.sizes()
}

// sizes computes the output's spatial sizes.
func (c *spatial) sizes() error {
	if !c.inKnown {
		return nil
	}
	c.out = make([]int, c.nd)
	for i := range c.nd {
		num := c.in[i] + c.lo[i] + c.hi[i] - c.d[i]*(c.k[i]-1) - 1
		if num < 0 {
			return fmt.Errorf("kernel %v (dilation %v) is larger than the padded input %v", c.k, c.d, c.in)
		}
		c.out[i] = num/c.s[i] + 1
	}
	if numel(c.outShape()) > maxElements || numel(c.inShape()) > maxElements {
		return fmt.Errorf("input %v or output %v has more than %d elements", c.inShape(), c.outShape(), maxElements)
	}
	return nil
}

// inferShapes works out the shapes nir.read infers: nested graphs first
// (a NIRGraph node takes its Input's and Output's shapes), then, at each
// level, the nodes whose input shape comes from their source (pooling,
// Flatten without input_type, convolutions without input_shape), and
// finally checks that every edge joins layers of the same size.
func inferShapes(g *Graph, errs *ErrorList) {
	for _, n := range g.Nodes {
		if n.Type != "NIRGraph" {
			continue
		}
		inferShapes(n.Graph, errs)
		if in := n.Graph.NodesOfType("Input"); len(in) == 1 {
			n.InputType = in[0].OutputType
		}
		if out := n.Graph.NodesOfType("Output"); len(out) == 1 {
			n.OutputType = out[0].InputType
		}
	}
	preds := map[string][]*Node{}
	for _, e := range g.Edges {
		if src := g.Node(e.Src); src != nil {
			preds[e.Dst] = append(preds[e.Dst], src)
		}
	}
	for changed, iter := true, 0; changed && iter <= len(g.Nodes); iter++ {
		changed = false
		for _, n := range g.Nodes {
			if n.InputType != nil {
				continue
			}
			in := sourceShape(preds[n.Name])
			if in == nil {
				continue
			}
			switch n.Type {
			case "SumPool2d", "AvgPool2d":
				c, err := n.pool(in)
				if err != nil {
					errs.add(n, "%v", err)
					n.InputType = []int{} // reported; stop trying
					continue
				}
				n.InputType, n.OutputType = c.inShape(), c.outShape()
			case "Conv1d", "Conv2d":
				c, err := n.conv(in)
				if err != nil {
					errs.add(n, "%v", err)
					n.InputType = []int{}
					continue
				}
				n.InputType, n.OutputType = c.inShape(), c.outShape()
			case "Flatten":
				n.setFlatten(in, errs)
				if n.InputType == nil {
					n.InputType = []int{}
				}
			default:
				continue
			}
			changed = true
		}
	}
	for _, e := range g.Edges {
		src, dst := g.Node(e.Src), g.Node(e.Dst)
		if src == nil || dst == nil || src.OutputType == nil || dst.InputType == nil {
			continue
		}
		if numel(src.OutputType) != numel(dst.InputType) {
			errs.add(dst, "its input from %q has %d elements (shape %v), but it takes %d (shape %v)",
				src.Name, numel(src.OutputType), src.OutputType, numel(dst.InputType), dst.InputType)
		}
	}
	for _, n := range g.Nodes {
		if n.InputType == nil && len(preds[n.Name]) > 0 {
			errs.add(n, "its input shape cannot be inferred from its sources")
		}
	}
}

// sourceShape is the output shape shared by all sources, or nil.
func sourceShape(src []*Node) []int {
	if len(src) == 0 || src[0].OutputType == nil {
		return nil
	}
	for _, s := range src[1:] {
		if !slices.Equal(s.OutputType, src[0].OutputType) {
			return nil
		}
	}
	return src[0].OutputType
}
