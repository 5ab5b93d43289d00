package noc

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cfg(k int, traffic string, size, vcs int, rtr string, rate float64) Config {
	return Config{K: k, Traffic: traffic, PacketSize: size, VCs: vcs, BufferFlits: 8, Router: rtr, Rate: rate, Seed: 1}
}

func TestPatterns(t *testing.T) {
	assert.Equal(t, 2+4*1, dest(Transpose, 4, 1+4*2), "(1,2) → (2,1)")
	assert.Equal(t, 5, dest(Transpose, 4, 5), "the diagonal sends to itself")
	assert.Equal(t, 15, dest(Bitcomp, 4, 0))
	assert.Equal(t, 63-9, dest(Bitcomp, 8, 9))
	assert.Equal(t, 36, HotNode(8))
	assert.Equal(t, 10, HotNode(4))
	assert.Equal(t, 10, dest(Hotspot, 4, 3))
	assert.Equal(t, "hotspot36", TrafficName(Hotspot, 8))
	assert.Equal(t, "uniform", TrafficName(Uniform, 8))
	assert.Equal(t, -1, dest(Uniform, 4, 0))
}

// The mean number of routers passed under uniform traffic with source =
// destination allowed is 1 + 2(k²−1)/(3k): noc-validation.md counts
// routers (Manhattan distance + 1), and 2(k²−1)/(3k) is the mean Manhattan
// distance itself (mean |x1−x2| = (k²−1)/(3k) per dimension).
func TestMeanHopsFormula(t *testing.T) {
	for k := 2; k <= 10; k++ {
		manhattan := 2 * float64(k*k-1) / float64(3*k)
		assert.InDelta(t, 1+manhattan, MeanHops(Uniform, k), 1e-12, "k=%d", k)
	}
	assert.InDelta(t, 3.5, MeanHops(Uniform, 4), 1e-12)
	assert.InDelta(t, 6.25, MeanHops(Uniform, 8), 1e-12)
	assert.InDelta(t, 1+8, MeanHops(Bitcomp, 8), 1e-12) // |x−(7−x)| averages 4 per dimension
}

// Channel-load bounds of XY routing: the closed forms of the doc comment
// agree with the enumeration.
func TestChannelBound(t *testing.T) {
	for _, k := range []int{4, 6, 8} {
		assert.InDelta(t, min(1, 4/float64(k)), ChannelBound(Uniform, k), 1e-12, "uniform k=%d", k)
		assert.InDelta(t, 2/float64(k), ChannelBound(Bitcomp, k), 1e-12, "bitcomp k=%d", k)
		assert.InDelta(t, 1/float64(k-1), ChannelBound(Transpose, k), 1e-12, "transpose k=%d", k)
		assert.InDelta(t, 1/float64(k*k), ChannelBound(Hotspot, k), 1e-12, "hotspot k=%d", k)
	}
}

// At λ = 0.001 the measured packet latency is the analytic zero-load
// latency (the mean of mesh.NetSpec.ZeroLoadCycles over the pattern), and
// the measured hops the analytic mean; packet and network latency agree
// (no source queuing).
func TestZeroLoadLatencyMatchesAnalytic(t *testing.T) {
	ctx := context.Background()
	for _, c := range []Config{
		cfg(4, Uniform, 1, 2, IQDefault, ZeroLoadRate),
		cfg(4, Uniform, 4, 2, IQMin, ZeroLoadRate),
		cfg(8, Uniform, 1, 1, IQDefault, ZeroLoadRate),
		cfg(4, Transpose, 1, 2, IQDefault, ZeroLoadRate),
		cfg(4, Bitcomp, 4, 1, IQDefault, ZeroLoadRate),
		cfg(4, Hotspot, 1, 2, IQMin, ZeroLoadRate),
	} {
		r, err := Run(ctx, c)
		require.NoError(t, err)
		require.True(t, r.Steady)
		assert.False(t, r.Saturated)
		assert.GreaterOrEqual(t, r.Measured, 1000)
		// the packets sampled: the analytic latency at their mean hop count
		// (exact but for the rare contention at this load) ...
		want := ZeroLoadAtHops(c, r.AvgHops)
		assert.InDelta(t, want, r.AvgPacketLatency, 0.01*want, "%s", describe(c))
		assert.GreaterOrEqual(t, r.AvgPacketLatency, want)
		assert.InDelta(t, r.AvgPacketLatency, r.AvgNetworkLatency, 0.01*want)
		// ... and the pattern's mean, up to which sources happened to send
		assert.InDelta(t, ZeroLoadLatency(c), r.AvgPacketLatency, 0.05*ZeroLoadLatency(c), "%s", describe(c))
		assert.InDelta(t, MeanHops(c.Traffic, c.K), r.AvgHops, 0.05*MeanHops(c.Traffic, c.K), "%s", describe(c))
		assert.InDelta(t, c.Rate, r.Accepted, 0.25*c.Rate)
	}
	// the conventional pipeline: 5 cycles per router, plus injection and
	// ejection channel and serialization
	c := cfg(8, Uniform, 1, 2, IQDefault, ZeroLoadRate)
	assert.InDelta(t, 5*6.25+1, ZeroLoadLatency(c), 1e-9)
	c.Router, c.PacketSize = IQMin, 4
	assert.InDelta(t, 4*6.25+1+3, ZeroLoadLatency(c), 1e-9)
}

// Heavily overloaded, the accepted throughput stays within the bounds that
// hold whatever each source manages to inject: the bisection bounds of
// uniform (4/k) and bitcomp (2/k) traffic and the hot node's ejection
// channel (1/k²). Nothing is lost meanwhile (Run checks conservation).
func TestAcceptedWithinChannelBound(t *testing.T) {
	ctx := context.Background()
	short := func(c Config) Config {
		c.WarmupCycles, c.WindowCycles, c.DrainLimitCycles, c.MinPackets = 1500, 3000, 1, 1
		return c
	}
	for _, tc := range []struct {
		c     Config
		bound float64
	}{
		{cfg(8, Uniform, 1, 2, IQDefault, 0.8), 0.5},
		{cfg(8, Uniform, 4, 8, IQMin, 0.9), 0.5},
		{cfg(4, Bitcomp, 4, 2, IQDefault, 0.9), 0.5},
		{cfg(8, Bitcomp, 1, 1, IQDefault, 0.7), 0.25},
		{cfg(4, Hotspot, 1, 2, IQDefault, 0.5), 1.0 / 16},
		{cfg(8, Hotspot, 4, 2, IQDefault, 0.3), 1.0 / 64},
	} {
		require.InDelta(t, tc.bound, ChannelBound(tc.c.Traffic, tc.c.K), 1e-12)
		r, err := Run(ctx, short(tc.c))
		require.NoError(t, err)
		assert.LessOrEqual(t, r.Accepted, tc.bound*1.01, "%s", describe(tc.c))
		assert.Greater(t, r.Accepted, tc.bound*0.1, "%s: the network still carries traffic", describe(tc.c))
		assert.False(t, r.Steady, "%s: queues grow", describe(tc.c))
		assert.True(t, r.Saturated)
		assert.True(t, r.AboveBound)
		assert.Positive(t, r.BacklogGrowth)
	}
}

// Below saturation the network accepts what is offered and is steady.
func TestModerateLoadSteady(t *testing.T) {
	c := cfg(4, Uniform, 4, 2, IQDefault, 0.3)
	c.WarmupCycles, c.WindowCycles = 1000, 3000
	c.ZeroLoadLatency = ZeroLoadLatency(c)
	r, err := Run(context.Background(), c)
	require.NoError(t, err)
	assert.True(t, r.Steady)
	assert.False(t, r.Saturated)
	assert.InDelta(t, r.Offered, r.Accepted, 0.05*r.Offered)
	assert.False(t, r.AboveBound)
	assert.InDelta(t, 0.3, r.Offered, 0.03)
	assert.Greater(t, r.AvgPacketLatency, c.ZeroLoadLatency)
}

func TestRunDeterministic(t *testing.T) {
	c := cfg(4, Uniform, 1, 2, IQDefault, 0.2)
	c.WarmupCycles, c.WindowCycles = 500, 2000
	a, err := Run(context.Background(), c)
	require.NoError(t, err)
	b, err := Run(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c.Seed = 2
	d, err := Run(context.Background(), c)
	require.NoError(t, err)
	assert.NotEqual(t, a.AvgPacketLatency, d.AvgPacketLatency)
}

func TestConfigValidate(t *testing.T) {
	good := cfg(4, Uniform, 1, 2, IQDefault, 0.1)
	require.NoError(t, good.Validate())
	for name, mod := range map[string]func(*Config){
		"k":       func(c *Config) { c.K = 1 },
		"traffic": func(c *Config) { c.Traffic = "tornado" },
		"size":    func(c *Config) { c.PacketSize = 0 },
		"router":  func(c *Config) { c.Router = "wormhole" },
		"rate":    func(c *Config) { c.Rate = 0 },
		"vcs":     func(c *Config) { c.VCs = 0 },
	} {
		c := good
		mod(&c)
		assert.Error(t, c.Validate(), name)
		_, err := Run(context.Background(), c)
		assert.Error(t, err, name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	long := cfg(4, Uniform, 1, 2, IQDefault, 0.1)
	long.WindowCycles = 1 << 20
	_, err := Run(ctx, long)
	assert.ErrorIs(t, err, context.Canceled)
}

// A small saturation search: hotspot on 4×4 saturates at the hot node's
// ejection bound, 1/16, and the search lands just below it.
func TestSaturationSearchHotspot(t *testing.T) {
	sc := SweepConfig{WarmupCycles: 1000, WindowCycles: 4000, MinPackets: 200, HotspotStep: 0.01, HotspotResolution: 0.002}
	p := Point{K: 4, Traffic: Hotspot, PacketSize: 1, VCs: 2, BufferFlits: 8, Router: IQDefault}
	var rows []Result
	sum, err := SaturationSearch(context.Background(), sc, p, 1, func(r Result) { rows = append(rows, r) })
	require.NoError(t, err)
	assert.Equal(t, len(rows), sum.Runs)
	assert.InDelta(t, sum.ZeroLoadAnalytic, sum.ZeroLoadLatency, 0.02*sum.ZeroLoadAnalytic)
	assert.LessOrEqual(t, sum.SaturationThroughput, sum.ChannelBound+0.002)
	assert.Greater(t, sum.SaturationThroughput, 0.6*sum.ChannelBound)
	// the last two rows of the upward sweep are saturated, bisection follows
	var sat int
	for _, r := range rows {
		if r.Saturated {
			sat++
			assert.Greater(t, r.Config.Rate, sum.SaturationThroughput)
		} else {
			assert.LessOrEqual(t, r.Config.Rate, sum.SaturationThroughput)
		}
	}
	assert.GreaterOrEqual(t, sat, 2)

	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, rows))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, "topology,k,traffic,packet_size,num_vcs,vc_buf_size,router,injection_rate,avg_packet_latency,avg_network_latency,avg_hops,accepted_rate,saturated",
		strings.Join(recs[0], ","))
	require.Len(t, recs, len(rows)+1)
	assert.Equal(t, []string{"mesh", "4", "hotspot10", "1", "2", "8", "iq_default", "0.001"}, recs[1][:8])
	for i, r := range rows {
		rec := recs[i+1]
		assert.Len(t, rec, 13)
		if r.Steady {
			assert.NotEmpty(t, rec[8])
		} else {
			assert.Empty(t, rec[8])
		}
		assert.Equal(t, map[bool]string{true: "1", false: "0"}[r.Saturated], rec[12])
	}
	buf.Reset()
	require.NoError(t, WriteSummaryCSV(&buf, []Summary{sum}))
	assert.True(t, strings.HasPrefix(buf.String(), strings.Join(SummaryHeader, ",")+"\n"))
}

func TestStandardPoints(t *testing.T) {
	ps := StandardPoints(IQDefault)
	// 2 k × 4 patterns × 2 sizes × 2 VC counts, plus 8 VCs for k=8 uniform (2 sizes)
	assert.Len(t, ps, 2*4*2*2+2)
	assert.Len(t, StandardPoints(IQDefault, IQMin), 2*len(ps))
	for _, p := range ps {
		require.NoError(t, p.config(0.01, 1).Validate(), p.String())
	}
}

func TestSweepProgress(t *testing.T) {
	sc := SweepConfig{
		Points:       []Point{{K: 4, Traffic: Hotspot, PacketSize: 4, VCs: 1, BufferFlits: 8, Router: IQMin}},
		Seeds:        []uint64{3},
		WarmupCycles: 500, WindowCycles: 2000, MinPackets: 100, HotspotStep: 0.02, HotspotResolution: 0.005,
	}
	var calls []Progress
	rows, sums, err := Sweep(context.Background(), sc, func(p Progress) { calls = append(calls, p) })
	require.NoError(t, err)
	require.Len(t, sums, 1)
	assert.Len(t, calls, len(rows)+1)
	assert.Equal(t, Progress{Done: 1, Total: 1}, calls[len(calls)-1])
	assert.Equal(t, uint64(3), sums[0].Seed)
}

// The committed sweep (testdata/sweep, produced by the nocsweep command in
// docs/noc-validation.md) is what this code computes: re-run two of its
// cheaper points and compare with their summary rows. If the model changes
// on purpose, re-run the sweep and commit its output.
func TestCommittedSweepReproduces(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sweep", "summary.csv"))
	require.NoError(t, err, "testdata/sweep/summary.csv: run the sweep of docs/noc-validation.md")
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, SummaryHeader, recs[0])
	want := map[string][]string{}
	for _, r := range recs[1:] {
		want[strings.Join(r[:8], ",")] = r
	}
	for _, p := range []Point{
		{K: 4, Traffic: Hotspot, PacketSize: 4, VCs: 2, BufferFlits: 8, Router: IQMin},
		{K: 4, Traffic: Transpose, PacketSize: 1, VCs: 1, BufferFlits: 8, Router: IQDefault},
	} {
		sum, err := SaturationSearch(context.Background(), SweepConfig{}, p, 1, func(Result) {})
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, WriteSummaryCSV(&buf, []Summary{sum}))
		got, err := csv.NewReader(&buf).ReadAll()
		require.NoError(t, err)
		row, ok := want[strings.Join(got[1][:8], ",")]
		require.True(t, ok, "%s seed 1 is not in the committed summary", p)
		assert.Equal(t, row, got[1], "%s: the committed sweep is stale", p)
	}
}
