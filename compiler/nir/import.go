package nir

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
)

// Options control Import.
type Options struct {
	// DtPS is the timestep in picoseconds (1 ms = 1e9). Required: NIR is
	// continuous-time and stores no time step, so the same file gives
	// different per-step decays and gains for different DtPS.
	DtPS int64
	// Name is the graph's name; the file's base name without extension
	// when empty.
	Name string
	// Vth is the threshold mantissa of every spiking population (the
	// neuron fires when v > Vth<<6). Each neuron's NIR threshold, measured
	// from its reset value, is mapped onto it, which sets the voltage
	// scale. 0 means DefaultVth.
	Vth int32
	// WeightBits is the stored weight precision, 1..8 (Lava's
	// numWeightBits); 0 means 8. See docs/nir.md for the grid it implies.
	WeightBits int
	// Dirac treats an input spike as a pulse of unit area (amplitude 1/dt
	// for one step), as Sinabs' IAF export assumes. The default is a pulse
	// of unit height lasting one step, which is what snnTorch, Norse and
	// Rockpool exports assume.
	Dirac bool
	// MaxNeurons and MaxSynapses bound the imported graph (0 means
	// DefaultMaxNeurons / DefaultMaxSynapses): convolutions and chains of
	// dense layers are expanded into explicit synapses, and a small file
	// can describe a very large network.
	MaxNeurons, MaxSynapses int
}

// Defaults of Options.
const (
	DefaultVth         = 1 << 10
	DefaultMaxNeurons  = 1 << 20
	DefaultMaxSynapses = 1 << 23
)

func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.DtPS <= 0 {
		errs = append(errs, errors.New("Options.DtPS is required (NIR stores no time step): give the timestep in picoseconds, e.g. 1e9 for 1 ms"))
	}
	if o.Vth == 0 {
		o.Vth = DefaultVth
	}
	if o.Vth < 1 || o.Vth > core.VthMax {
		errs = append(errs, fmt.Errorf("Options.Vth must be in 1..%d, got %d", core.VthMax, o.Vth))
	}
	if o.WeightBits == 0 {
		o.WeightBits = 8
	}
	if o.WeightBits < 1 || o.WeightBits > 8 {
		errs = append(errs, fmt.Errorf("Options.WeightBits must be in 1..8, got %d", o.WeightBits))
	}
	if o.MaxNeurons == 0 {
		o.MaxNeurons = DefaultMaxNeurons
	}
	if o.MaxSynapses == 0 {
		o.MaxSynapses = DefaultMaxSynapses
	}
	if o.MaxNeurons < 0 || o.MaxSynapses < 0 {
		errs = append(errs, errors.New("Options.MaxNeurons and MaxSynapses must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("nir: %w", err)
	}
	return o, nil
}

// node roles in the imported graph.
type role uint8

const (
	roleSource  role = iota + 1 // top-level Input: an input population
	roleSpiking                 // LIF, IF, CubaLIF: a population whose spikes drive synapses
	roleAnalog                  // LI, CubaLI, I: a population whose voltage is read out
	roleLinear                  // Affine, Linear, Scale, Delay, Flatten, conv, pooling, nested Input/Output
	roleSink                    // top-level Output: probes
	roleReject                  // no Loihi equivalent
)

// fnode is a node of the flattened graph.
type fnode struct {
	n    *Node
	role role
	size int // output elements
	op   *linOp
	out  []*fnode // edge targets, in edge order, duplicates kept

	pop *popInfo // roleSource, roleSpiking, roleAnalog
}

// Import reads the NIR graph in path and converts it to a graph for the
// chip: Input nodes become input populations, neuron nodes populations
// with integer Loihi parameters, chains of linear nodes between them
// projections with explicit quantized weights, and Output nodes probes.
// docs/nir.md says exactly how. The Report gives the quantization error
// and everything the import had to approximate. All problems are returned
// at once as an ErrorList, each naming its node; the graph is returned
// only when there is none.
func Import(path string, opts Options) (*graph.Graph, Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, Report{}, err
	}
	g, err := Read(path)
	if err != nil {
		return nil, Report{}, err
	}
	return convert(g, path, opts)
}

// convert is Import after Read; opts has its defaults.
func convert(g *Graph, path string, opts Options) (*graph.Graph, Report, error) {
	im := &importer{path: path, opts: opts, dt: float64(opts.DtPS) * 1e-12}
	out := im.run(g)
	if err := im.errs.err(path); err != nil {
		return nil, Report{}, err
	}
	return out, im.rep, nil
}

type importer struct {
	path  string
	opts  Options
	dt    float64 // seconds
	errs  ErrorList
	rep   Report
	nodes []*fnode
	byQ   map[string]*fnode
}

func (im *importer) note(format string, args ...any) {
	im.rep.Notes = append(im.rep.Notes, fmt.Sprintf(format, args...))
}

func (im *importer) run(g *Graph) *graph.Graph {
	im.byQ = map[string]*fnode{}
	im.flatten(g, true)
	if len(im.errs) > 0 {
		return nil
	}
	order := im.linearOrder()
	if len(im.errs) > 0 {
		return nil
	}
	name := im.opts.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(im.path), filepath.Ext(im.path))
	}
	out := &graph.Graph{Name: name, DtPS: im.opts.DtPS, Pos: graph.Pos{File: im.path}}
	consts := im.constants(order)
	im.populations(out, consts)
	if len(im.errs) > 0 {
		return nil
	}
	im.propagate(out, order, consts)
	im.rep.finish()
	if len(im.errs) > 0 {
		return nil
	}
	return out
}

// flatten lists every node, nested graphs inlined, and resolves edges to
// and from NIRGraph nodes to the nested graph's Input and Output.
func (im *importer) flatten(g *Graph, top bool) {
	for _, n := range g.Nodes {
		var extra []string
		for name := range n.Params {
			if !slices.ContainsFunc(fields[n.Type], func(f field) bool { return f.name == name }) {
				extra = append(extra, name)
			}
		}
		slices.Sort(extra)
		for _, name := range extra {
			im.note("%s: field %q is not a %s field; ignored", n, name, n.Type)
		}
		for _, d := range n.Defaulted {
			im.note("%s: %s is not in the file; %s assumed, as nir.read does", n, d, map[string]string{"v_reset": "0", "w_in": "1"}[d])
		}
		if n.Type == "NIRGraph" {
			im.flatten(n.Graph, false)
			continue
		}
		f := &fnode{n: n, size: numel(n.OutputType)}
		switch n.Type {
		case "Input":
			f.role = roleSource
			if !top {
				f.role, f.op = roleLinear, &linOp{node: n, kind: "identity"}
			}
		case "Output":
			f.role = roleSink
			if !top {
				f.role, f.op = roleLinear, &linOp{node: n, kind: "identity"}
			}
		case "LIF", "IF", "CubaLIF":
			f.role = roleSpiking
		case "LI", "CubaLI", "I":
			f.role = roleAnalog
		case "Threshold":
			f.role = roleReject
			im.errs.add(n, "a stateless threshold (a spike in every step the input is above it, no reset) has no "+
				"Loihi equivalent: Loihi neurons reset after a spike; use an IF or LIF node instead")
		default:
			f.role = roleLinear
			op, err := im.linOp(n)
			if err != nil {
				im.errs.add(n, "%v", err)
				continue
			}
			f.op = op
		}
		im.nodes = append(im.nodes, f)
		im.byQ[n.qual] = f
	}
	for _, e := range g.Edges {
		src, dst := im.endpoint(g, e.Src, "Output"), im.endpoint(g, e.Dst, "Input")
		if src == nil || dst == nil {
			continue
		}
		switch {
		case dst.role == roleSource:
			im.errs.add(dst.n, "an Input node cannot have incoming edges (edge from %q)", src.n.qual)
		case src.role == roleSink:
			im.errs.add(src.n, "an Output node cannot have outgoing edges (edge to %q)", dst.n.qual)
		default:
			src.out = append(src.out, dst)
		}
		if src.n.OutputType != nil && dst.n.InputType != nil && !slices.Equal(src.n.OutputType, dst.n.InputType) {
			im.note("edge %q -> %q: shape %v meets shape %v (same size; elements are matched in C order)",
				src.n.qual, dst.n.qual, src.n.OutputType, dst.n.InputType)
		}
	}
}

// endpoint resolves an edge end: a NIRGraph node stands for its nested
// Input (as a target) or Output (as a source).
func (im *importer) endpoint(g *Graph, name, inner string) *fnode {
	n := g.Node(name)
	if n == nil {
		return nil
	}
	for n.Type == "NIRGraph" {
		ends := n.Graph.NodesOfType(inner)
		if len(ends) != 1 {
			im.errs.add(n, "a nested graph used as an edge end needs exactly one %s node, it has %d", inner, len(ends))
			return nil
		}
		n = ends[0]
	}
	return im.byQ[n.qual]
}

// linOp prepares a linear node.
func (im *importer) linOp(n *Node) (*linOp, error) {
	op := &linOp{node: n}
	switch n.Type {
	case "Affine", "Linear":
		w := n.Params["weight"]
		op.kind, op.w, op.rows, op.cols = "affine", w.Values, w.Shape[0], w.Shape[1]
		if b := n.Params["bias"]; b != nil {
			op.bias = b.Values
		}
		if err := finite(n, "weight", "bias"); err != nil {
			return nil, err
		}
	case "Scale":
		op.kind, op.scale = "scale", n.Params["scale"].Values
		if err := finite(n, "scale"); err != nil {
			return nil, err
		}
	case "Flatten":
		op.kind = "identity"
	case "Delay":
		op.kind = "delay"
		for i, s := range n.Params["delay"].Values {
			x := s / im.dt
			if math.IsNaN(x) || x < 0 || x > core.MaxDelayLimit+0.5 {
				return nil, fmt.Errorf("delay[%d] = %g s is %g steps of %g s; Loihi delays are 0..%d steps",
					i, s, x, im.dt, core.MaxDelayLimit)
			}
			q := math.Round(x)
			im.rep.Delays.Add(x, q, false)
			op.steps = append(op.steps, int32(q))
		}
		if len(op.steps) == 0 {
			return nil, errors.New("delay is empty")
		}
	case "Conv1d", "Conv2d":
		in := n.InputType
		if len(in) == 0 {
			in = nil
		}
		c, err := n.conv(in)
		if err != nil {
			return nil, err
		}
		if !c.inKnown {
			return nil, errors.New("input shape unknown")
		}
		op.kind, op.conv, op.bias = "conv", c, c.bias
		if err := finite(n, "weight", "bias"); err != nil {
			return nil, err
		}
	case "SumPool2d", "AvgPool2d":
		c, err := n.pool(n.InputType)
		if err != nil {
			return nil, err
		}
		op.kind, op.conv = "conv", c
	default:
		return nil, fmt.Errorf("internal error: %s is not linear", n.Type)
	}
	if op.kind == "scale" && len(op.scale) == 0 {
		return nil, errors.New("scale is empty")
	}
	return op, nil
}

func finite(n *Node, names ...string) error {
	for _, name := range names {
		if p := n.Params[name]; p != nil {
			for i, v := range p.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%s[%d] is %v", name, i, v)
				}
			}
		}
	}
	return nil
}

// linearOrder orders the linear nodes so that each comes after every
// linear node feeding it; a cycle of linear nodes (an algebraic loop with
// no neuron in it) is an error.
func (im *importer) linearOrder() []*fnode {
	indeg := map[*fnode]int{}
	for _, f := range im.nodes {
		if f.role != roleLinear {
			continue
		}
		for _, t := range f.out {
			if t.role == roleLinear {
				indeg[t]++
			}
		}
	}
	var order, ready []*fnode
	for _, f := range im.nodes {
		if f.role == roleLinear && indeg[f] == 0 {
			ready = append(ready, f)
		}
	}
	for len(ready) > 0 {
		f := ready[0]
		ready = ready[1:]
		order = append(order, f)
		for _, t := range f.out {
			if t.role == roleLinear {
				if indeg[t]--; indeg[t] == 0 {
					ready = append(ready, t)
				}
			}
		}
	}
	for _, f := range im.nodes {
		if f.role == roleLinear && indeg[f] > 0 {
			im.errs.add(f.n, "it is on a cycle of linear nodes with no neuron in it (an algebraic loop)")
		}
	}
	return order
}

// constants propagates the constant (bias) part of every linear node: the
// map from a linear node to its constant output.
func (im *importer) constants(order []*fnode) map[*fnode][]float64 {
	in := map[*fnode][]float64{}
	out := map[*fnode][]float64{}
	for _, f := range order {
		c := f.op.applyConst(in[f])
		if c == nil {
			continue
		}
		out[f] = c
		for _, t := range f.out {
			if t.role == roleLinear {
				in[t] = addConst(in[t], c)
			}
		}
	}
	return out
}

func addConst(a, b []float64) []float64 {
	if a == nil {
		return slices.Clone(b)
	}
	for i := range a {
		a[i] += b[i%len(b)]
	}
	return a
}
