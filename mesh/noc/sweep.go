package noc

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Point is one configuration of the sweep: everything but the load.
type Point struct {
	K           int
	Traffic     string
	PacketSize  int
	VCs         int
	BufferFlits int
	Router      string
}

func (p Point) config(rate float64, seed uint64) Config {
	return Config{K: p.K, Traffic: p.Traffic, PacketSize: p.PacketSize, VCs: p.VCs, BufferFlits: p.BufferFlits,
		Router: p.Router, Rate: rate, Seed: seed}
}

func (p Point) String() string {
	return fmt.Sprintf("k=%d %s P=%d VCs=%d buf=%d %s", p.K, p.Traffic, p.PacketSize, p.VCs, p.BufferFlits, p.Router)
}

// StandardPoints is the grid of noc-validation.md: k 4 and 8, the four
// patterns, packets of 1 and 4 flits, 1 and 2 VCs (8 too for k=8 uniform),
// 8-flit buffers, for each of the given routers (IQDefault, IQMin).
func StandardPoints(routers ...string) []Point {
	var ps []Point
	for _, r := range routers {
		for _, k := range []int{4, 8} {
			for _, tr := range Patterns() {
				for _, size := range []int{1, 4} {
					vcs := []int{1, 2}
					if k == 8 && tr == Uniform {
						vcs = append(vcs, 8)
					}
					for _, v := range vcs {
						ps = append(ps, Point{K: k, Traffic: tr, PacketSize: size, VCs: v, BufferFlits: 8, Router: r})
					}
				}
			}
		}
	}
	return ps
}

// SweepConfig is a sweep: for every point and seed, a zero-load point, then
// loads from Start upwards in steps until two consecutive points are
// saturated, then bisection between the last unsaturated and the first
// saturated load down to the resolution.
type SweepConfig struct {
	Points []Point
	Seeds  []uint64

	Start             float64 // first load; default 0.005
	Step              float64 // load step; default 0.02
	HotspotStep       float64 // load step for hotspot; default 0.0025
	Resolution        float64 // bisection resolution; default 0.005
	HotspotResolution float64 // default 0.001

	// Per-point settings passed to Run (0 = Run's defaults).
	WarmupCycles, WindowCycles, DrainLimitCycles int64
	MinPackets                                   int
	// ZeroLoadPackets is the measured packets of the zero-load point
	// (default 10000: its mean hop count then strays from the pattern's
	// by well under 1 %).
	ZeroLoadPackets int
}

// DefaultSweep is the whole grid of noc-validation.md, conventional and
// minimal pipelines, seed 1.
func DefaultSweep() SweepConfig {
	return SweepConfig{Points: StandardPoints(IQDefault, IQMin), Seeds: []uint64{1}}
}

func (sc SweepConfig) withDefaults() SweepConfig {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&sc.Start, 0.005)
	def(&sc.Step, 0.02)
	def(&sc.HotspotStep, 0.0025)
	def(&sc.Resolution, 0.005)
	def(&sc.HotspotResolution, 0.001)
	if len(sc.Seeds) == 0 {
		sc.Seeds = []uint64{1}
	}
	if sc.ZeroLoadPackets <= 0 {
		sc.ZeroLoadPackets = 10_000
	}
	return sc
}

// Summary is the outcome of one point and seed.
type Summary struct {
	Point                Point
	Seed                 uint64
	ZeroLoadLatency      float64 // measured packet latency at ZeroLoadRate
	ZeroLoadAnalytic     float64 // ZeroLoadLatency(config)
	SaturationThroughput float64 // highest unsaturated load found
	ChannelBound         float64 // ChannelBound(traffic, k)
	Runs                 int
}

// Progress reports a sweep's advance: points (× seeds) done of total, and
// the run that just finished.
type Progress struct {
	Done, Total int
	Point       Point
	Last        Result
}

// Sweep runs every point and seed of sc in order (one at a time: it is
// meant to leave the rest of the machine alone) and returns every run, in
// order, and one Summary per point and seed. progress, if set, is called
// after every run.
func Sweep(ctx context.Context, sc SweepConfig, progress func(Progress)) ([]Result, []Summary, error) {
	sc = sc.withDefaults()
	var rows []Result
	var sums []Summary
	total := len(sc.Points) * len(sc.Seeds)
	done := 0
	for _, p := range sc.Points {
		for _, seed := range sc.Seeds {
			sum, err := SaturationSearch(ctx, sc, p, seed, func(r Result) {
				rows = append(rows, r)
				if progress != nil {
					progress(Progress{Done: done, Total: total, Point: p, Last: r})
				}
			})
			if err != nil {
				return rows, sums, err
			}
			sums = append(sums, sum)
			done++
		}
	}
	if progress != nil {
		progress(Progress{Done: done, Total: total})
	}
	return rows, sums, nil
}

// SaturationSearch measures one point's zero-load latency and saturation
// throughput; every run is handed to emit.
func SaturationSearch(ctx context.Context, sc SweepConfig, p Point, seed uint64, emit func(Result)) (Summary, error) {
	sc = sc.withDefaults()
	step, res := sc.Step, sc.Resolution
	if p.Traffic == Hotspot {
		step, res = sc.HotspotStep, sc.HotspotResolution
	}
	sum := Summary{Point: p, Seed: seed, ZeroLoadAnalytic: ZeroLoadLatency(p.config(ZeroLoadRate, seed)),
		ChannelBound: ChannelBound(p.Traffic, p.K)}
	run := func(rate float64) (Result, error) {
		c := p.config(rate, seed)
		c.WarmupCycles, c.WindowCycles, c.DrainLimitCycles, c.MinPackets = sc.WarmupCycles, sc.WindowCycles, sc.DrainLimitCycles, sc.MinPackets
		if rate == ZeroLoadRate {
			c.MinPackets = sc.ZeroLoadPackets
		}
		c.ZeroLoadLatency = sum.ZeroLoadLatency
		r, err := Run(ctx, c)
		if err != nil {
			return r, err
		}
		sum.Runs++
		emit(r)
		return r, nil
	}
	z, err := run(ZeroLoadRate)
	if err != nil {
		return sum, err
	}
	if !z.Steady {
		return sum, fmt.Errorf("noc: %s: no steady state at zero load", p)
	}
	sum.ZeroLoadLatency = z.AvgPacketLatency
	// sweep upwards until two consecutive saturated points
	lastOK, firstSat := 0.0, math.NaN()
	satRun := 0
	for i := 0; ; i++ {
		rate := round(sc.Start + float64(i)*step)
		if rate > float64(p.PacketSize) || rate > 1 {
			break
		}
		r, err := run(rate)
		if err != nil {
			return sum, err
		}
		if r.Saturated {
			if satRun == 0 {
				firstSat = rate
			}
			satRun++
			if satRun == 2 {
				break
			}
			continue
		}
		satRun, lastOK, firstSat = 0, rate, math.NaN()
	}
	if math.IsNaN(firstSat) {
		sum.SaturationThroughput = lastOK
		return sum, nil
	}
	lo, hi := lastOK, firstSat
	for hi-lo > res*1.0001 {
		mid := round((lo + hi) / 2)
		r, err := run(mid)
		if err != nil {
			return sum, err
		}
		if r.Saturated {
			hi = mid
		} else {
			lo = mid
		}
	}
	sum.SaturationThroughput = lo
	return sum, nil
}

// round keeps loads on a 1e-6 grid so that CSV rows read cleanly.
func round(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// Header is the CSV header noc-validation.md prescribes.
var Header = []string{"topology", "k", "traffic", "packet_size", "num_vcs", "vc_buf_size", "router",
	"injection_rate", "avg_packet_latency", "avg_network_latency", "avg_hops", "accepted_rate", "saturated"}

// WriteCSV writes one row per run with exactly the columns of Header. The
// latency and hop columns are empty for a run without steady state.
func WriteCSV(w io.Writer, rs []Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, r := range rs {
		c := r.Config
		lat, net, hops := "", "", ""
		if r.Steady {
			lat, net, hops = f(r.AvgPacketLatency), f(r.AvgNetworkLatency), f(r.AvgHops)
		}
		sat := "0"
		if r.Saturated {
			sat = "1"
		}
		if err := cw.Write([]string{"mesh", strconv.Itoa(c.K), TrafficName(c.Traffic, c.K), strconv.Itoa(c.PacketSize),
			strconv.Itoa(c.VCs), strconv.Itoa(c.BufferFlits), c.Router, strconv.FormatFloat(c.Rate, 'g', -1, 64),
			lat, net, hops, strconv.FormatFloat(r.Accepted, 'f', 5, 64), sat}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SummaryHeader is the header of WriteSummaryCSV.
var SummaryHeader = []string{"topology", "k", "traffic", "packet_size", "num_vcs", "vc_buf_size", "router", "seed",
	"zero_load_latency", "zero_load_analytic", "saturation_throughput", "channel_bound", "runs"}

// WriteSummaryCSV writes one row per point and seed: zero-load latency
// (measured and analytic), saturation throughput and the channel-load bound.
func WriteSummaryCSV(w io.Writer, sums []Summary) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SummaryHeader); err != nil {
		return err
	}
	for _, s := range sums {
		p := s.Point
		if err := cw.Write([]string{"mesh", strconv.Itoa(p.K), TrafficName(p.Traffic, p.K), strconv.Itoa(p.PacketSize),
			strconv.Itoa(p.VCs), strconv.Itoa(p.BufferFlits), p.Router, strconv.FormatUint(s.Seed, 10),
			strconv.FormatFloat(s.ZeroLoadLatency, 'f', 4, 64), strconv.FormatFloat(s.ZeroLoadAnalytic, 'f', 4, 64),
			strconv.FormatFloat(s.SaturationThroughput, 'g', -1, 64), strconv.FormatFloat(s.ChannelBound, 'f', 4, 64),
			strconv.Itoa(s.Runs)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
