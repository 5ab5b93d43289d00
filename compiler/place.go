package compiler

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Placement names a placement strategy.
type Placement string

const (
	// PlaceInOrder fills cores in order: slice k on core k.
	PlaceInOrder Placement = "inorder"
	// PlaceGreedy puts each slice, heaviest traffic first, on the free core
	// nearest (in traffic-weighted hops) to what is already placed.
	PlaceGreedy Placement = "greedy"
	// PlaceAnneal refines the greedy placement by simulated annealing with
	// a seeded generator: deterministic for a seed. The default.
	PlaceAnneal Placement = "anneal"
)

// Options steer a compilation.
type Options struct {
	Placement Placement // "" means PlaceAnneal
	Seed      uint64    // placement seed
	// Rates, when given, are measured spikes per step of each neuron, by
	// population name (from a previous run); neurons of populations not
	// listed, and all neurons without Rates, count as one spike per step.
	// They weight the traffic that placement minimises.
	Rates map[string][]float64
	// Progress, if set, is told the fraction of annealing done.
	Progress func(done, total int)
	// Pack lets small populations share a core (see compilation.pack);
	// without it every population has cores of its own.
	Pack bool
}

// trafficEdge is expected spike traffic (packets per step) from slice a to
// slice b; a = host for input populations, which enter at tile (0, 0).
type trafficEdge struct {
	a, b int
	w    float64
}

// traffic derives, from the expanded synapses, the expected packets per
// step between slices: a neuron sends one packet per destination slice per
// spike.
func (c *compilation) traffic(opts Options) []trafficEdge {
	host := len(c.members)
	sum := map[[2]int]float64{}
	seen := map[[3]int]bool{} // (pre pop, pre neuron, dst slice)
	for k := range c.g.Projections {
		pr := &c.g.Projections[k]
		pre, post := c.popIndex[pr.Pre], c.popIndex[pr.Post]
		rates := opts.Rates[pr.Pre]
		for _, s := range c.syn[k] {
			dst := c.slices[c.sliceOf(post, s.post)].group
			key := [3]int{pre, int(s.pre), dst}
			if seen[key] {
				continue
			}
			seen[key] = true
			src := host
			if !c.g.Populations[pre].IsInput() {
				src = c.slices[c.sliceOf(pre, s.pre)].group
			}
			rate := 1.0
			if int(s.pre) < len(rates) {
				rate = rates[s.pre]
			}
			sum[[2]int{src, dst}] += rate
		}
	}
	edges := make([]trafficEdge, 0, len(sum))
	for k, w := range sum {
		if k[0] != k[1] && w > 0 {
			edges = append(edges, trafficEdge{k[0], k[1], w})
		}
	}
	slices.SortFunc(edges, func(x, y trafficEdge) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	return edges
}

// placer holds a placement under evaluation.
type placer struct {
	c      *compilation
	core   []int32 // per slice (and host, last, fixed at core 0's tile)
	owner  []int   // per core: slice index or -1
	adj    [][]trafficEdge
	width  int
	perTil int
}

func (p *placer) dist(coreA, coreB int32) int {
	ta, tb := int(coreA)/p.perTil, int(coreB)/p.perTil
	dx := ta%p.width - tb%p.width
	dy := ta/p.width - tb/p.width
	return max(dx, -dx) + max(dy, -dy)
}

// cost is Σ traffic × hops.
func (p *placer) cost(edges []trafficEdge) float64 {
	var s float64
	for _, e := range edges {
		s += e.w * float64(p.dist(p.core[e.a], p.core[e.b]))
	}
	return s
}

// local is the cost of the edges touching slice i if it sat on core at.
func (p *placer) local(i int, at int32, skip int) float64 {
	var s float64
	for _, e := range p.adj[i] {
		o := e.b
		if o == i {
			o = e.a
		}
		if o == skip {
			continue
		}
		s += e.w * float64(p.dist(at, p.core[o]))
	}
	return s
}

// place assigns a core to every slice, and records the predicted hop
// traffic of the result and of in-order placement.
func (c *compilation) place(opts Options) {
	n := len(c.members)
	total := c.spec.Mesh.Cores()
	if n > total {
		return // partition reported it
	}
	edges := c.traffic(opts)
	p := &placer{c: c, core: make([]int32, n+1), owner: make([]int, total),
		adj: make([][]trafficEdge, n+1), width: c.spec.Mesh.Width, perTil: c.spec.Mesh.CoresPerTile}
	for _, e := range edges {
		p.adj[e.a] = append(p.adj[e.a], e)
		p.adj[e.b] = append(p.adj[e.b], e)
	}
	for i := range p.core[:n] {
		p.core[i] = int32(i)
	}
	p.core[n] = 0 // the host port is on tile (0, 0)
	c.stats.NaiveHopTraffic = p.cost(edges)
	switch opts.Placement {
	case PlaceInOrder:
	case PlaceGreedy, PlaceAnneal, "":
		p.greedy()
		if p.cost(edges) > c.stats.NaiveHopTraffic {
			// Greedy can lose to the file's own order (long chains laid
			// out in order already): keep the better start.
			p.inOrder()
		}
		if opts.Placement != PlaceGreedy {
			p.anneal(opts)
		}
	default:
		c.errs.Add(c.g.Pos, "unknown placement %q (inorder, greedy or anneal)", opts.Placement)
		return
	}
	for i := range c.slices {
		c.slices[i].core = p.core[c.slices[i].group]
	}
	c.stats.HopTraffic = p.cost(edges)
}

// inOrder puts slice k on core k.
func (p *placer) inOrder() {
	for i := range p.owner {
		p.owner[i] = -1
	}
	for i := range p.core[:len(p.core)-1] {
		p.core[i] = int32(i)
		p.owner[i] = i
	}
}

// greedy places slices in decreasing order of traffic, each on the free
// core that costs least against the slices (and host) already placed.
func (p *placer) greedy() {
	n := len(p.core) - 1
	weight := make([]float64, n)
	for i := range weight {
		for _, e := range p.adj[i] {
			weight[i] += e.w
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weight[b], weight[a]) })
	placed := make([]bool, n+1)
	placed[n] = true
	for i := range p.owner {
		p.owner[i] = -1
	}
	for _, i := range order {
		best, bestCost := int32(-1), math.Inf(1)
		for core := range p.owner {
			if p.owner[core] >= 0 {
				continue
			}
			var s float64
			for _, e := range p.adj[i] {
				o := e.b
				if o == i {
					o = e.a
				}
				if placed[o] {
					s += e.w * float64(p.dist(int32(core), p.core[o]))
				}
			}
			if s < bestCost {
				best, bestCost = int32(core), s
			}
		}
		p.core[i] = best
		p.owner[best] = i
		placed[i] = true
	}
}

// anneal refines the placement: move a slice to a random core, swapping
// with its owner if any, accepted by the Metropolis rule on a geometric
// temperature schedule.
func (p *placer) anneal(opts Options) {
	n := len(p.core) - 1
	if n < 2 {
		return
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x91ace))
	var wsum float64
	var m int
	for i := 0; i < n; i++ {
		for _, e := range p.adj[i] {
			wsum += e.w
			m++
		}
	}
	if m == 0 {
		return
	}
	iters := min(20000*n, 4_000_000)
	t0 := 2 * wsum / float64(m)
	t1 := t0 * 1e-4
	cores := len(p.owner)
	// Keep the best placement seen: annealing may wander off it while
	// hot, and end in a worse local minimum.
	cur := 0.0
	best := 0.0
	bestCore := slices.Clone(p.core)
	for it := 0; it < iters; it++ {
		if it%(iters/100+1) == 0 {
			if p.c.stopped() {
				break // the best placement so far stays; the compilation reports the stop
			}
			if opts.Progress != nil {
				opts.Progress(it, iters)
			}
		}
		temp := t0 * math.Pow(t1/t0, float64(it)/float64(iters))
		i := rng.IntN(n)
		to := int32(rng.IntN(cores))
		from := p.core[i]
		if to == from {
			continue
		}
		j := p.owner[to]
		delta := p.local(i, to, j) - p.local(i, from, j)
		if j >= 0 {
			delta += p.local(j, from, i) - p.local(j, to, i)
		}
		if delta <= 0 || rng.Float64() < math.Exp(-delta/temp) {
			p.core[i], p.owner[to] = to, i
			p.owner[from] = j
			if j >= 0 {
				p.core[j] = from
			}
			cur += delta
			if cur < best-1e-9 {
				best = cur
				copy(bestCore, p.core)
			}
		}
	}
	copy(p.core, bestCore)
	for i := range p.owner {
		p.owner[i] = -1
	}
	for i, c := range p.core[:n] {
		p.owner[c] = i
	}
	if opts.Progress != nil {
		opts.Progress(iters, iters)
	}
}
