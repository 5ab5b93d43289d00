package chip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/chip/sched"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/mesh"
)

// Options control one run.
type Options struct {
	Steps int    // timesteps to run, ≥ 1
	Seed  uint64 // run seed: with the image's seeds, fixes every random draw
	// Workers is the number of goroutines sweeping cores; 0 means GOMAXPROCS.
	// Results are identical for any value.
	Workers int
	// Queue picks the event queue: "calendar" (default) or "heap".
	Queue string
	// Progress, if set, is called after each step with (steps done, total).
	Progress func(done, total int)
	// Tracer, if set, receives every sweep, synaptic batch, spike, packet
	// move and step end (see Tracer).
	Tracer Tracer
	// WeightsEvery > 0 samples every plastic weight every that many steps
	// (into Result.Weights); the final weights are always sampled.
	WeightsEvery int
}

// Chip is a loaded image, ready to run.
type Chip struct {
	img   *image.Image
	spec  preset.Spec
	cores []*core.Core // by position in img.Cores
	ids   []int32      // core id → position in cores, or -1
	mesh  *mesh.Mesh
	// net is the cycle-accurate network, when the preset asks for it
	// (mesh_model: cycle); spikes then cross it instead of mesh.
	net *mesh.Network
	// flits is, per core position, how many flits each packet the core
	// sends takes in the preset's packet format (a graded core's packets
	// carry its payload); hostFlits the same for input spikes, which are
	// binary. Only the cycle-accurate network sees flits.
	flits     []int32
	hostFlits int

	tilesInUse int
	// Per core neuron: population index and index within it, and what to record.
	neuronPop   [][]int32
	neuronIndex [][]int32
	recSpike    [][]bool
	probes      []probeSite
	inputRec    []bool // per input: record its spikes
	inputPop    []int32
	digest      string // hex SHA-256 of the encoded image
}

type probeSite struct {
	core, neuron int
	pop, index   int32
	signals      image.Signal
}

// New builds a chip from an image, which is checked first.
func New(img *image.Image) (*Chip, error) {
	if err := img.Check(); err != nil {
		return nil, fmt.Errorf("chip: image %q: %w", img.Name, err)
	}
	spec := img.Preset
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("chip: %w", err)
	}
	m, err := mesh.New(spec.Mesh)
	if err != nil {
		return nil, fmt.Errorf("chip: %w", err)
	}
	c := &Chip{img: img, spec: spec, mesh: m, ids: make([]int32, spec.Mesh.Cores())}
	if spec.MeshModel == preset.MeshCycle {
		net, err := mesh.NewNetwork(mesh.NetSpecFrom(spec.Mesh))
		if err != nil {
			return nil, fmt.Errorf("chip: %w", err)
		}
		c.net = net
	}
	for i := range c.ids {
		c.ids[i] = -1
	}
	tiles := map[mesh.Tile]bool{}
	pf := spec.PacketFormat()
	c.hostFlits = pf.Flits(0)
	c.flits = make([]int32, len(img.Cores))
	for i := range img.Cores {
		ic := &img.Cores[i]
		c.flits[i] = int32(pf.Flits(int(ic.Model.GradedBits)))
		var plastic []core.PlasticGroup
		for g := range ic.Plastic {
			params, err := ic.Plastic[g].Params()
			if err != nil {
				return nil, fmt.Errorf("chip: core %d: plastic group %d: %w", ic.ID, g, err)
			}
			plastic = append(plastic, core.PlasticGroup{Params: params, Axons: ic.Plastic[g].Axons,
				Weights: ic.Plastic[g].Weights})
		}
		k, err := core.New(spec.Core, core.Config{Plastic: plastic,
			Du: ic.Du, Dv: ic.Dv, Vth: ic.Vth, BiasMant: ic.BiasMant, BiasExp: ic.BiasExp,
			UInit: ic.UInit, VInit: ic.VInit, Model: ic.Model, WeightExp: ic.WeightExp,
			AxonStart: ic.AxonStart, SynNeuron: ic.SynNeuron, SynWeight: ic.SynWeight,
			SynDelay: ic.SynDelay, SynClass: ic.SynClass,
			RouteStart: ic.RouteStart, RouteCore: ic.RouteCore, RouteAxon: ic.RouteAxon,
		})
		if err != nil {
			return nil, fmt.Errorf("chip: core %d: %w", ic.ID, err)
		}
		c.cores = append(c.cores, k)
		c.ids[ic.ID] = int32(i)
		tiles[m.TileOf(int(ic.ID))] = true
	}
	c.tilesInUse = max(1, len(tiles))
	c.mapNeurons()
	data, err := image.Encode(img)
	if err != nil {
		return nil, fmt.Errorf("chip: %w", err)
	}
	sum := sha256.Sum256(data)
	c.digest = hex.EncodeToString(sum[:])
	return c, nil
}

// mapNeurons records, for every core neuron, its population and what the
// probes want of it.
func (c *Chip) mapNeurons() {
	n := len(c.cores)
	c.neuronPop, c.neuronIndex, c.recSpike = make([][]int32, n), make([][]int32, n), make([][]bool, n)
	for i, k := range c.cores {
		c.neuronPop[i] = make([]int32, k.NumNeurons())
		c.neuronIndex[i] = make([]int32, k.NumNeurons())
		c.recSpike[i] = make([]bool, k.NumNeurons())
	}
	popIndex := map[string]int32{}
	for p, pop := range c.img.Populations {
		popIndex[pop.Name] = int32(p)
		for _, s := range pop.Slices {
			ci := c.ids[s.Core]
			for j := int32(0); j < s.Count; j++ {
				c.neuronPop[ci][s.Offset+j] = int32(p)
				c.neuronIndex[ci][s.Offset+j] = s.Start + j
			}
		}
	}
	c.inputRec = make([]bool, len(c.img.Inputs))
	c.inputPop = make([]int32, len(c.img.Inputs))
	for i, in := range c.img.Inputs {
		c.inputPop[i] = popIndex[in.Population]
	}
	for _, pr := range c.img.Probes {
		p := popIndex[pr.Population]
		pop := &c.img.Populations[p]
		if pop.IsInput {
			for i, in := range c.img.Inputs {
				if in.Population == pop.Name && pr.Signals&image.SignalSpikes != 0 {
					c.inputRec[i] = true
				}
			}
			continue
		}
		for _, idx := range pr.Neurons {
			ci, off := c.locate(pop, idx)
			if pr.Signals&image.SignalSpikes != 0 {
				c.recSpike[ci][off] = true
			}
			if pr.Signals&(image.SignalU|image.SignalV) != 0 {
				c.probes = append(c.probes, probeSite{core: ci, neuron: off, pop: p, index: idx,
					signals: pr.Signals})
			}
		}
	}
}

// locate finds the core position and core neuron of a population neuron.
func (c *Chip) locate(pop *image.Population, idx int32) (int, int) {
	for _, s := range pop.Slices {
		if idx >= s.Start && idx < s.Start+s.Count {
			return int(c.ids[s.Core]), int(s.Offset + idx - s.Start)
		}
	}
	return 0, 0 // unreachable for a checked image
}

// Image returns the image the chip runs.
func (c *Chip) Image() *image.Image { return c.img }

// packet is one spike in flight on the mesh.
type packet struct {
	id      uint64 // unique within the run, for traces
	at, dst mesh.Tile
	core    int32 // position in c.cores
	axon    uint32
	step    int32
	payload int32 // 1 for binary spikes
	// ready (cycle-accurate mesh): the cycle the packet's head can win the
	// switch at the router it is in, at zero load — when it was usable
	// there plus route computation and VC allocation
	ready int64
}

const (
	kindPacket uint8 = iota + 1 // a packet at a router (hop model)
	kindMesh                    // the cycle-accurate network has work due
)

// Run resets the chip and runs opts.Steps timesteps.
func (c *Chip) Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Steps < 1 {
		return nil, fmt.Errorf("chip: steps must be ≥ 1, got %d", opts.Steps)
	}
	var q sched.Queue
	switch opts.Queue {
	case "", "calendar":
		cal, err := sched.NewCalendar(sched.DefaultCalendarSpec())
		if err != nil {
			return nil, fmt.Errorf("chip: %w", err)
		}
		q = cal
	case "heap":
		q = sched.NewHeap()
	default:
		return nil, fmt.Errorf("chip: unknown queue %q (calendar or heap)", opts.Queue)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for i, k := range c.cores {
		k.Reset()
		// Each core's stream comes from the run seed and its own id only.
		if err := k.SetSeed(opts.Seed ^ (uint64(c.img.Cores[i].ID)+1)*0x9e3779b97f4a7c15); err != nil {
			return nil, fmt.Errorf("chip: core %d: %w", c.img.Cores[i].ID, err)
		}
	}
	c.mesh.Reset()
	if c.net != nil {
		c.net.Reset()
	}
	r := &run{meshNextPS: -1, chip: c, s: sched.New(q), res: newResult(c, opts), workers: workers, tracer: opts.Tracer,
		busy: make([]int64, len(c.cores)), busySum: make([]int64, len(c.cores)), lastActive: make([]uint64, len(c.cores)),
		popSpikes: make([]uint64, len(c.img.Populations)),
		sweeps:    make([][]core.Fire, len(c.cores)), durs: make([]int64, len(c.cores))}
	r.inputs = make([]inputGen, len(c.img.Inputs))
	if c.net != nil {
		c.net.OnHop(nil)
		if r.tracer != nil {
			c.net.OnHop(r.meshHop)
		}
		ns := c.net.Spec()
		r.pipeline = int64(ns.Router.RouteCycles + ns.Router.VCAllocCycles)
		r.injectReady = int64(ns.InjectCycles) + r.pipeline
	}
	for i := range c.img.Inputs {
		in := &c.img.Inputs[i]
		// One stream per input, from the run seed and the input's own seed.
		r.inputs[i].rng = rand.New(rand.NewPCG(opts.Seed, in.Seed^uint64(i)<<32))
	}
	for step := int32(1); step <= int32(opts.Steps); step++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("chip: stopped at step %d: %w", step, err)
		}
		if err := r.step(ctx, step); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(int(step), opts.Steps)
		}
		if opts.WeightsEvery > 0 && int(step)%opts.WeightsEvery == 0 && step != int32(opts.Steps) {
			r.res.Weights = c.sampleWeights(step, r.res.Weights)
		}
	}
	r.res.Weights = c.sampleWeights(int32(opts.Steps), r.res.Weights)
	r.res.finish(r)
	return r.res, nil
}

type inputGen struct {
	rng    *rand.Rand
	cursor int // next raster spike
}

// run is the state of one Run.
type run struct {
	chip    *Chip
	s       *sched.Scheduler
	res     *Result
	workers int

	startPS int64   // start of the current step
	busy    []int64 // per core: when it is free
	busySum []int64 // per core: total busy time
	// lastActive is each core's active-update count after its last sweep.
	lastActive []uint64
	popSpikes  []uint64 // per population
	sweeps     [][]core.Fire
	durs       []int64
	packets    []packet
	free       []int32
	inputs     []inputGen
	tracer     Tracer
	nextID     uint64 // next packet id
	lastPS     int64  // latest activity in the step
	// meshNextPS is the time of the earliest kindMesh event queued, or −1.
	meshNextPS int64
	delivered  []mesh.Delivery
	barriers   uint64
	// pipeline is the cycle mesh's zero-load cycles from a head being
	// usable in a router to its switch allocation (route computation and
	// VC allocation), for the waits of traced hops; injectReady the same
	// from a packet's injection (the injection channel, then pipeline)
	pipeline, injectReady int64
}

func (r *run) step(ctx context.Context, step int32) error {
	c := r.chip
	S := r.startPS
	r.lastPS = S
	if err := r.sweepAll(ctx, step); err != nil {
		return err
	}
	spikeLat := c.spec.Core.SpikeOut.LatencyPS
	for ci, fires := range r.sweeps {
		r.busy[ci] = S + r.durs[ci]
		r.busySum[ci] += r.durs[ci]
		r.lastPS = max(r.lastPS, r.busy[ci])
		k := c.cores[ci]
		id := c.img.Cores[ci].ID
		src := int(id) // a core's network node is its id
		flits := int(c.flits[ci])
		if r.tracer != nil {
			n := k.NumNeurons()
			act := r.activeIn(ci, step)
			r.tracer.Sweep(step, id, S, r.durs[ci], act, n-act)
		}
		for _, f := range fires {
			r.popSpikes[c.neuronPop[ci][f.Neuron]]++
			if c.recSpike[ci][f.Neuron] {
				r.res.addSpike(step, S+f.OffsetPS, c.neuronPop[ci][f.Neuron], c.neuronIndex[ci][f.Neuron])
			}
			if r.tracer != nil {
				r.tracer.Spike(step, S+f.OffsetPS, c.neuronPop[ci][f.Neuron], c.neuronIndex[ci][f.Neuron])
			}
			cores, axons := k.Routes(int(f.Neuron))
			for j := range cores {
				if err := r.inject(src, cores[j], axons[j], step, f.Payload, flits, S+f.OffsetPS+int64(j+1)*spikeLat); err != nil {
					return err
				}
			}
		}
	}
	for _, p := range c.probes {
		r.res.addProbe(step, p.pop, p.index, c.cores[p.core].U(p.neuron), c.cores[p.core].V(p.neuron))
	}
	if err := r.injectInputs(step, S); err != nil {
		return err
	}
	for {
		e, ok := r.s.Next()
		if !ok {
			break
		}
		if err := r.handle(e); err != nil {
			return err
		}
	}
	if err := c.mesh.Check(0); err != nil {
		return fmt.Errorf("chip: step %d: %w", step, err)
	}
	if c.net != nil {
		if c.net.Busy() {
			return fmt.Errorf("chip: step %d: the network still holds packets at the barrier", step)
		}
		if err := c.net.Check(); err != nil {
			return fmt.Errorf("chip: step %d: %w", step, err)
		}
	}
	end := r.lastPS
	barrier := c.spec.Barrier.LatencyPS(c.tilesInUse)
	r.barriers++
	// Learning runs after the barrier, before the next sweep; the cores
	// learn in parallel, each its updates in sequence.
	var learnPS int64
	for ci, k := range c.cores {
		if k.NumPlastic() == 0 {
			continue
		}
		u := k.Learn(step)
		d := int64(u) * c.spec.Core.SynUpdate.LatencyPS
		r.busySum[ci] += d
		learnPS = max(learnPS, d)
		if r.tracer != nil && u > 0 {
			r.tracer.Learn(step, c.img.Cores[ci].ID, end+barrier, d, u)
		}
	}
	r.startPS = max(end+barrier+learnPS, S+c.spec.TickPS)
	r.res.StepTimePS = append(r.res.StepTimePS, r.startPS-S)
	if r.tracer != nil {
		r.tracer.EndStep(step, S, end, r.startPS)
	}
	return nil
}

// activeIn is the number of active neuron updates core ci made in the
// sweep of this step (from its counters: the sweep was its last op of
// the kind).
func (r *run) activeIn(ci int, step int32) int {
	cnt := r.chip.cores[ci].Counters()
	act := int(cnt.NeuronActive - r.lastActive[ci])
	r.lastActive[ci] = cnt.NeuronActive
	return act
}

// sweepAll sweeps every core for step, in parallel when it pays.
func (r *run) sweepAll(ctx context.Context, step int32) error {
	cores := r.chip.cores
	if r.workers <= 1 || len(cores) < 4 {
		for i, k := range cores {
			r.sweeps[i], r.durs[i] = k.Sweep(step)
		}
		return nil
	}
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(r.workers)
	chunk := (len(cores) + r.workers - 1) / r.workers
	for lo := 0; lo < len(cores); lo += chunk {
		hi := min(lo+chunk, len(cores))
		g.Go(func() error {
			for i := lo; i < hi; i++ {
				r.sweeps[i], r.durs[i] = cores[i].Sweep(step)
			}
			return nil
		})
	}
	return g.Wait()
}

func (r *run) injectInputs(step int32, S int64) error {
	c := r.chip
	host := 0 // the host shares tile (0, 0)'s first network port
	for i := range c.img.Inputs {
		in := &c.img.Inputs[i]
		g := &r.inputs[i]
		emit := func(ch int32) error {
			r.popSpikes[c.inputPop[i]]++
			if c.inputRec[i] {
				r.res.addSpike(step, S, c.inputPop[i], ch)
			}
			if r.tracer != nil {
				r.tracer.Spike(step, S, c.inputPop[i], ch)
			}
			r.res.InputSpikes++
			for k := in.RouteStart[ch]; k < in.RouteStart[ch+1]; k++ {
				if err := r.inject(host, in.RouteCore[k], in.RouteAxon[k], step, 1, c.hostFlits, S); err != nil {
					return err
				}
			}
			return nil
		}
		switch in.Kind {
		case image.InputRaster:
			for g.cursor < len(in.Spikes) && in.Spikes[g.cursor].Step < step {
				g.cursor++
			}
			for ; g.cursor < len(in.Spikes) && in.Spikes[g.cursor].Step == step; g.cursor++ {
				if err := emit(in.Spikes[g.cursor].Index); err != nil {
					return err
				}
			}
		case image.InputPoisson:
			for ch := int32(0); ch < in.Size; ch++ {
				if g.rng.Uint32() < in.ProbQ32 {
					if err := emit(ch); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// inject puts a packet on the mesh at tile src at time t. flits is its
// size in the preset's packet format; the cycle-accurate network carries
// that many flits, the per-hop model one packet whatever its size.
func (r *run) inject(srcNode int, coreID, axon uint32, step, payload int32, flits int, t int64) error {
	c := r.chip
	if int(coreID) >= len(c.ids) || c.ids[coreID] < 0 {
		c.mesh.Inject()
		c.mesh.Drop()
		return fmt.Errorf("chip: route to core %d, which is not in the image", coreID)
	}
	var id int32
	if n := len(r.free); n > 0 {
		id = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		id = int32(len(r.packets))
		r.packets = append(r.packets, packet{})
	}
	r.nextID++
	src := c.mesh.TileOf(srcNode)
	r.packets[id] = packet{id: r.nextID, at: src, dst: c.mesh.TileOf(int(coreID)), core: c.ids[coreID], axon: axon,
		step: step, payload: payload}
	if r.tracer != nil {
		r.tracer.Packet(PacketEvent{Kind: PacketInject, Packet: r.nextID, Step: step, FromPS: t, TimePS: t,
			FromTile: int32(src), ToTile: int32(src), Core: int32(coreID), Axon: int32(axon)})
	}
	if c.net != nil {
		cyc := max(c.net.CycleAt(t), c.net.Now())
		if err := c.net.Inject(srcNode, int(coreID), uint64(id), flits, cyc); err != nil {
			return fmt.Errorf("chip: %w", err)
		}
		r.packets[id].ready = cyc + r.injectReady
		return r.wakeMesh(c.net.TimePS(cyc))
	}
	c.mesh.Inject()
	return r.s.Schedule(sched.Event{TimePS: t, Kind: kindPacket, Target: id})
}

// wakeMesh makes sure a kindMesh event is queued no later than t.
func (r *run) wakeMesh(t int64) error {
	if r.meshNextPS >= 0 && r.meshNextPS <= t {
		return nil
	}
	r.meshNextPS = t
	return r.s.Schedule(sched.Event{TimePS: t, Kind: kindMesh})
}

// advanceMesh runs the cycle-accurate network through every cycle that
// starts by time t and hands the packets it delivered to their cores.
func (r *run) advanceMesh(t int64) error {
	net := r.chip.net
	if r.meshNextPS == t {
		r.meshNextPS = -1
	}
	if err := net.Advance(t/net.Spec().CyclePS + 1); err != nil {
		return fmt.Errorf("chip: %w", err)
	}
	r.delivered = net.TakeDelivered(r.delivered[:0])
	for _, d := range r.delivered {
		if d.Dropped {
			return fmt.Errorf("chip: packet %d dropped by the network at node %d", d.ID, d.Node)
		}
		r.packets[d.ID].at = r.packets[d.ID].dst
		if err := r.arrive(int32(d.ID), net.TimePS(d.DeliveredCycle)); err != nil {
			return err
		}
	}
	if next, ok := net.NextCycle(); ok {
		return r.wakeMesh(max(net.TimePS(next), t+1))
	}
	return nil
}

// meshHop traces a move of a packet's head from one router of the
// cycle-accurate network to the next: from the cycle it won the switch to
// the cycle it is usable downstream (time queued in a router shows as the
// gap before its next hop).
func (r *run) meshHop(h mesh.Hop) {
	net := r.chip.net
	p := &r.packets[h.ID]
	r.tracer.Packet(PacketEvent{Kind: PacketHop, Packet: p.id, Step: p.step,
		FromPS: net.TimePS(h.SentCycle), TimePS: net.TimePS(h.ArriveCycle),
		WaitPS:   net.TimePS(max(h.SentCycle-p.ready, 0)),
		FromTile: int32(h.From), ToTile: int32(h.To), Core: r.chip.img.Cores[p.core].ID, Axon: int32(p.axon)})
	p.at = h.To
	p.ready = h.ArriveCycle + r.pipeline
}

// arrive hands packet id, delivered at time t, to its core: the synaptic
// ops start when the core is free.
func (r *run) arrive(id int32, t int64) error {
	p := &r.packets[id]
	k := r.chip.cores[p.core]
	n, err := k.ReceiveGraded(int(p.axon), p.step, p.payload)
	if err != nil {
		return fmt.Errorf("chip: core %d: %w", r.chip.img.Cores[p.core].ID, err)
	}
	start := max(t, r.busy[p.core])
	d := int64(n) * r.chip.spec.Core.SynOp.LatencyPS
	r.busy[p.core] = start + d
	r.busySum[p.core] += d
	r.lastPS = max(r.lastPS, start+d)
	if r.tracer != nil {
		cid := r.chip.img.Cores[p.core].ID
		r.tracer.Packet(PacketEvent{Kind: PacketDeliver, Packet: p.id, Step: p.step, FromPS: t, TimePS: t,
			FromTile: int32(p.at), ToTile: int32(p.at), Core: cid, Axon: int32(p.axon)})
		r.tracer.Synapses(p.step, cid, start, d, int32(p.axon), n, p.id)
	}
	r.free = append(r.free, id)
	return nil
}

func (r *run) handle(e sched.Event) error {
	switch e.Kind {
	case kindMesh:
		return r.advanceMesh(e.TimePS)
	case kindPacket:
		p := &r.packets[e.Target]
		next, t, done := r.chip.mesh.Hop(p.at, p.dst, e.TimePS)
		if !done {
			if r.tracer != nil {
				r.tracer.Packet(PacketEvent{Kind: PacketHop, Packet: p.id, Step: p.step, FromPS: e.TimePS, TimePS: t,
					FromTile: int32(p.at), ToTile: int32(next), Core: r.chip.img.Cores[p.core].ID, Axon: int32(p.axon)})
			}
			p.at = next
			return r.s.Schedule(sched.Event{TimePS: t, Kind: kindPacket, Target: e.Target})
		}
		return r.arrive(e.Target, t)
	}
	return errors.New("chip: unknown event kind")
}
