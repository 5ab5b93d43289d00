// Package noc runs the synthetic-traffic experiments that validate the
// cycle-accurate mesh (mesh.Network) against a standard network-on-chip
// simulator, as shared/reference/noc-validation.md specifies: k×k meshes,
// uniform, transpose, bitcomp and hotspot traffic, Bernoulli injection,
// warm-up, measurement window and drain, the latency/throughput CSV and a
// saturation-throughput search. It owns traffic generation and
// measurement, not the network model.
//
// Everything is seeded and deterministic: each node draws its packets
// from its own PCG stream, seeded with (Config.Seed, node id).
//
//	res, err := noc.Run(ctx, noc.Config{K: 8, Traffic: noc.Uniform, PacketSize: 1, VCs: 2,
//		BufferFlits: 8, Router: noc.IQDefault, Rate: 0.2, Seed: 1})
//	rows, sums, err := noc.Sweep(ctx, noc.DefaultSweep(), progress)
//	err = noc.WriteCSV(w, rows)
//
// The full sweep takes minutes; it is a library call for the CLI (and the
// nocsweep build-tagged test), never part of plain `go test`.
package noc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tessera-sim/tessera/mesh"
	"github.com/tessera-sim/tessera/router"
)

// Router settings (the CSV's router column).
const (
	IQDefault = "iq_default" // conventional: route computation, VC allocation, switch allocation, switch traversal, link: 1 cycle each
	IQMin     = "iq_min"     // the same with route computation folded away (lookahead)
)

// ZeroLoadRate is the offered load of the zero-load point.
const ZeroLoadRate = 0.001

// Config is one simulated point.
type Config struct {
	K           int     // mesh is K×K, one node per router
	Traffic     string  // Uniform, Transpose, Bitcomp, Hotspot
	PacketSize  int     // flits per packet (all packets)
	VCs         int     // virtual channels per input port
	BufferFlits int     // per VC
	Router      string  // IQDefault or IQMin
	Rate        float64 // offered load λ, flits/node/cycle
	Seed        uint64

	WarmupCycles int64 // statistics discarded; default 5000
	WindowCycles int64 // measurement window; default 10000, lengthened to reach MinPackets
	MinPackets   int   // measured packets wanted; default 1000
	// DrainLimitCycles bounds the drain after the window; a run whose
	// measured packets are not all delivered by then has no steady state.
	// Default max(5·window, 50000).
	DrainLimitCycles int64
	// ZeroLoadLatency, when > 0, is the zero-load packet latency of this
	// configuration: a mean above three times it marks the point saturated.
	ZeroLoadLatency float64
}

// Validate reports every bad field.
func (c Config) Validate() error {
	var errs []error
	if c.K < 2 || c.K > 64 {
		errs = append(errs, fmt.Errorf("noc: k must be in 2..64, got %d", c.K))
	}
	if err := checkPattern(c.Traffic); err != nil {
		errs = append(errs, err)
	}
	if c.PacketSize < 1 || c.PacketSize > 1024 {
		errs = append(errs, fmt.Errorf("noc: packet size must be in 1..1024 flits, got %d", c.PacketSize))
	}
	if c.Router != IQDefault && c.Router != IQMin {
		errs = append(errs, fmt.Errorf("noc: router must be %q or %q, got %q", IQDefault, IQMin, c.Router))
	}
	if !(c.Rate > 0 && c.Rate <= float64(c.PacketSize)) {
		errs = append(errs, fmt.Errorf("noc: rate must be in (0, packet size], got %g", c.Rate))
	}
	if c.WarmupCycles < 0 || c.WindowCycles < 0 || c.DrainLimitCycles < 0 || c.MinPackets < 0 {
		errs = append(errs, errors.New("noc: warm-up, window, drain limit and min packets must be ≥ 0"))
	}
	if err := c.NetSpec().Validate(); err != nil && c.K >= 2 && c.K <= 64 {
		errs = append(errs, fmt.Errorf("noc: %w", err))
	}
	return errors.Join(errs...)
}

// NetSpec is the network of the configuration: a K×K mesh, one node per
// router, XY routing, the chosen pipeline, VCs and buffers.
func (c Config) NetSpec() mesh.NetSpec {
	s := mesh.DefaultNetSpec()
	s.Width, s.Height, s.LocalPorts = c.K, c.K, 1
	s.Router = router.DefaultVCSpec()
	if c.Router == IQMin {
		s.Router = router.MinimalVCSpec()
	}
	s.Router.VCs, s.Router.BufferFlits = c.VCs, c.BufferFlits
	s.WatchdogCycles = 20_000
	return s
}

func (c Config) withDefaults() Config {
	if c.WarmupCycles == 0 {
		c.WarmupCycles = 5000
	}
	if c.WindowCycles == 0 {
		c.WindowCycles = 10_000
	}
	if c.MinPackets == 0 {
		c.MinPackets = 1000
	}
	// lengthen the window at low load so that enough packets are measured
	perCycle := float64(c.K*c.K) * c.Rate / float64(c.PacketSize)
	if need := int64(math.Ceil(1.1 * float64(c.MinPackets) / perCycle)); need > c.WindowCycles {
		c.WindowCycles = need
	}
	if c.DrainLimitCycles == 0 {
		c.DrainLimitCycles = max(5*c.WindowCycles, 50_000)
	}
	return c
}

// Result is one simulated point.
type Result struct {
	Config Config // with the defaults filled in

	AvgPacketLatency  float64 // cycles, creation → tail ejected, source queuing included
	AvgNetworkLatency float64 // cycles, head leaves the source queue → tail ejected
	AvgHops           float64 // routers passed, source and destination included
	Accepted          float64 // flits ejected per node per cycle during the window
	Offered           float64 // flits created per node per cycle during the window (measured λ)
	Measured          int     // packets created in the window

	// Steady: the source queues did not keep growing over the window (a
	// run whose queues grow is stopped at the window's end, undrained) and
	// every measured packet was delivered within the drain limit.
	Steady bool
	// Saturated: no steady state, or mean packet latency above three times
	// Config.ZeroLoadLatency, or the load is at or above the channel-load
	// bound (some channel would have to carry a flit every cycle or more, so
	// no steady state exists, however slowly the queues grow in a finite
	// run).
	Saturated bool
	// AboveBound: the load is at or above ChannelBound(traffic, k).
	AboveBound bool
	// BacklogGrowth is the growth of the source queues over the window, in
	// packets (created but not yet entered the network).
	BacklogGrowth int64

	Cycles   int64  // cycles simulated
	FlitHops uint64 // switch traversals simulated
}

// sim is a network with its traffic generators.
type sim struct {
	cfg     Config
	net     *mesh.Network
	k, n    int
	size    int
	lnq     float64 // log(1 − p), p = packets per node per cycle
	always  bool    // p ≥ 1
	rng     []rand.PCG
	next    []int64 // next creation cycle per node
	fixed   []int32 // per node: the destination of a deterministic pattern, or -1
	id      uint64
	created int64 // packets created so far (creation cycle < the last horizon)
	// measurement
	winStart, winEnd int64
	mCreated         int64
	mDone            int64
	sumLat, sumNet   float64
	sumHops          float64
}

func newSim(cfg Config) (*sim, error) {
	net, err := mesh.NewNetwork(cfg.NetSpec())
	if err != nil {
		return nil, err
	}
	k := cfg.K
	s := &sim{cfg: cfg, net: net, k: k, n: k * k, size: cfg.PacketSize,
		rng: make([]rand.PCG, k*k), next: make([]int64, k*k), fixed: make([]int32, k*k)}
	p := cfg.Rate / float64(cfg.PacketSize)
	s.always = p >= 1
	s.lnq = math.Log1p(-p)
	for i := range s.rng {
		s.rng[i] = *rand.NewPCG(cfg.Seed, uint64(i)+0x9e3779b97f4a7c15)
		s.next[i] = s.gap(i) - 1
		s.fixed[i] = int32(dest(cfg.Traffic, k, i))
	}
	s.winStart, s.winEnd = math.MaxInt64, math.MaxInt64
	net.OnDeliver(s.delivered)
	return s, nil
}

// gap draws the cycles to a node's next packet: geometric on 1, 2, …
// with success probability p, the gaps of a Bernoulli(p) process.
func (s *sim) gap(node int) int64 {
	if s.always {
		return 1
	}
	u := (float64(s.rng[node].Uint64()>>11) + 1) / (1 << 53) // (0, 1]
	return 1 + int64(math.Log(u)/s.lnq)
}

func (s *sim) destOf(node int) int {
	if d := s.fixed[node]; d >= 0 {
		return int(d)
	}
	return int((s.rng[node].Uint64() >> 32) * uint64(s.n) >> 32)
}

func (s *sim) delivered(d mesh.Delivery) {
	if d.CreatedCycle < s.winStart || d.CreatedCycle >= s.winEnd {
		return
	}
	s.mDone++
	s.sumLat += float64(d.DeliveredCycle - d.CreatedCycle)
	s.sumNet += float64(d.DeliveredCycle - d.EnteredCycle)
	s.sumHops += float64(d.Hops)
}

// runTo creates every packet due before horizon and runs the network to it.
func (s *sim) runTo(horizon int64) error {
	for node := 0; node < s.n; node++ {
		for c := s.next[node]; c < horizon; c = s.next[node] {
			s.id++
			if err := s.net.Inject(node, s.destOf(node), s.id, s.size, c); err != nil {
				return err
			}
			s.created++
			if c >= s.winStart && c < s.winEnd {
				s.mCreated++
			}
			s.next[node] = c + s.gap(node)
		}
	}
	return s.net.Advance(horizon)
}

// backlog is the number of packets created before the current cycle that
// have not entered the network.
func (s *sim) backlog() int64 { return s.created - int64(s.net.Stats().Entered) }

// chunk is how far ahead of the network packets are created.
const chunk = 128

// Run simulates one point: warm-up, measurement window, drain.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.withDefaults()
	s, err := newSim(cfg)
	if err != nil {
		return Result{}, fmt.Errorf("noc: %w", err)
	}
	w0 := cfg.WarmupCycles
	w1 := w0 + cfg.WindowCycles
	s.winStart, s.winEnd = w0, w1
	res := Result{Config: cfg}
	var ej0, ej1, bl0, bl1 int64
	limit := w1 + cfg.DrainLimitCycles
	now, iter := int64(0), 0
loop:
	for {
		target := now + chunk
		if now < w0 {
			target = min(target, w0)
		} else if now < w1 {
			target = min(target, w1)
		}
		if err := s.runTo(target); err != nil {
			return res, fmt.Errorf("noc: %s at cycle %d: %w", describe(cfg), target, err)
		}
		now = target
		switch now {
		case w0:
			ej0, bl0 = int64(s.net.Stats().FlitsEjected), s.backlog()
		case w1:
			ej1, bl1 = int64(s.net.Stats().FlitsEjected), s.backlog()
			if growing(bl1-bl0, s.mCreated, s.n) {
				break loop // no steady state: the queues grow, don't drain them
			}
		}
		if now >= w1 && s.mDone == s.mCreated {
			res.Steady = true
			break
		}
		if now >= limit {
			break
		}
		if iter++; iter%64 == 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
	}
	nodes := float64(s.n)
	win := float64(cfg.WindowCycles)
	res.Accepted = float64(ej1-ej0) / nodes / win
	res.Offered = float64(s.mCreated) * float64(cfg.PacketSize) / nodes / win
	res.Measured = int(s.mCreated)
	res.BacklogGrowth = bl1 - bl0
	if growing(res.BacklogGrowth, s.mCreated, s.n) {
		res.Steady = false
	}
	if s.mDone > 0 {
		m := float64(s.mDone)
		res.AvgPacketLatency, res.AvgNetworkLatency, res.AvgHops = s.sumLat/m, s.sumNet/m, s.sumHops/m
	}
	res.AboveBound = cfg.Rate >= ChannelBound(cfg.Traffic, cfg.K)*(1-1e-9)
	res.Saturated = !res.Steady || res.AboveBound || (cfg.ZeroLoadLatency > 0 && res.AvgPacketLatency > 3*cfg.ZeroLoadLatency)
	st := s.net.Stats()
	res.Cycles, res.FlitHops = st.Cycle, st.FlitHops
	if err := s.net.Check(); err != nil {
		return res, fmt.Errorf("noc: %s: %w", describe(cfg), err)
	}
	return res, nil
}

// growing tells source queues that grew over the window by more than
// noise: more than 5 % of the packets created in it, and more than two per
// node.
func growing(growth, created int64, nodes int) bool {
	return growth > max(int64(2*nodes), created/20)
}

func describe(c Config) string {
	return fmt.Sprintf("k=%d %s P=%d VCs=%d %s λ=%g seed=%d", c.K, c.Traffic, c.PacketSize, c.VCs, c.Router, c.Rate, c.Seed)
}

// ZeroLoadAtHops is the zero-load packet latency of a packet of c that
// passes hops routers (mesh.NetSpec.ZeroLoadCycles, which is linear in
// the hops). Applied to a run's mean hops it gives the zero-load latency of
// the packets that run actually sampled.
func ZeroLoadAtHops(c Config, hops float64) float64 {
	s := c.NetSpec()
	r := s.Router
	perRouter := r.RouteCycles + r.VCAllocCycles + r.SwitchAllocCycles + r.SwitchCycles
	return float64(s.InjectCycles+s.EjectCycles+c.PacketSize-1) + hops*float64(perRouter) + (hops-1)*float64(r.LinkCycles)
}

// ZeroLoadLatency is the analytic zero-load packet latency of a
// configuration: the mean over the pattern's source/destination pairs of
// mesh.NetSpec.ZeroLoadCycles.
func ZeroLoadLatency(c Config) float64 {
	spec := c.NetSpec()
	var sum float64
	for src := 0; src < c.K*c.K; src++ {
		destProbs(c.Traffic, c.K, src, func(d int, p float64) {
			sum += p * float64(spec.ZeroLoadCycles(src, d, c.PacketSize))
		})
	}
	return sum / float64(c.K*c.K)
}
