package dvsmotion

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/events"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/tools/golden"
)

var update = flag.Bool("update", false, "rewrite bar.bin and net.yaml from their generators")

// bar.bin is exactly the seeded scene.
func TestStimulusUpToDate(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteATIS(&buf, Scene(Seed).Events))
	golden.Check(t, "bar.bin", buf.Bytes(), *update, "./programs/dvs-motion")
	assert.Less(t, buf.Len(), 100_000, "keep the checked-in recording small")
}

// net.yaml is exactly what WriteNetwork writes.
func TestNetworkUpToDate(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteNetwork(&buf))
	golden.Check(t, "net.yaml", buf.Bytes(), *update, "./programs/dvs-motion")
}

// The recording reads back, through the package the compiler uses, as the
// events the generator made.
func TestRecordingReadsBack(t *testing.T) {
	rec, err := events.ReadFile("bar.bin")
	require.NoError(t, err)
	want := Scene(Seed).Events
	require.Equal(t, len(want), len(rec.Events))
	assert.Equal(t, want, rec.Events)
	st := rec.Stats()
	assert.Zero(t, st.Decreasing, "events in time order")
	assert.Less(t, st.MaxX, SensorWidth)
	assert.Less(t, st.MaxY, SensorHeight)
}

// Counts are the detector spikes of one phase.
type Counts struct {
	Phase       Phase
	Right, Left int
}

// run compiles net.yaml on the loihi preset and runs it over the whole
// recording.
func run(t testing.TB, workers int) *chip.Result {
	t.Helper()
	img, _, err := compiler.CompileFile("net.yaml", preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: Scene(Seed).Steps(), Seed: 1, Workers: workers})
	require.NoError(t, err)
	return res
}

// count splits the detector spikes of res by phase of rec.
func count(rec Recording, res *chip.Result) []Counts {
	out := make([]Counts, len(rec.Phases))
	for i, ph := range rec.Phases {
		out[i].Phase = ph
	}
	for _, s := range res.Spikes {
		for i, ph := range rec.Phases {
			if first, last := StepRange(ph); s.Step >= first && s.Step <= last {
				switch res.Populations[s.Population] {
				case "right":
					out[i].Right++
				case "left":
					out[i].Left++
				}
				break
			}
		}
	}
	return out
}

// Rightward sweeps drive the right detectors, leftward sweeps the left
// ones, and noise alone drives neither; the run is the same whatever the
// number of workers.
func TestSelectivity(t *testing.T) {
	rec := Scene(Seed)
	res := run(t, 1)
	counts := count(rec, res)
	t.Logf("%-11s %-9s %-9s %6s %6s %8s", "phase", "bar", "steps", "right", "left", "ratio")
	for _, c := range counts {
		ratio := float64(max(c.Right, c.Left)) / float64(max(1, min(c.Right, c.Left)))
		first, last := StepRange(c.Phase)
		t.Logf("%-11s %-9s %4d-%-4d %6d %6d %8.1f", c.Phase.Name, c.Phase.Direction, first, last, c.Right, c.Left, ratio)
	}
	r := res.Report
	t.Logf("%d steps, %d input spikes, %d spikes; %.3f ms hardware time, %.1f nJ",
		r.Steps, res.InputSpikes, len(res.Spikes), float64(r.HardwareTimePS)/1e9, float64(r.Energy.TotalFJ)/1e6)

	for _, c := range counts {
		switch c.Phase.Direction {
		case None:
			noise := 0
			for _, e := range rec.Events {
				if e.T >= c.Phase.StartMicros && e.T < c.Phase.EndMicros {
					noise++
				}
			}
			assert.Greater(t, noise, 100, "%s: the noise phase does hold noise events", c.Phase.Name)
			assert.LessOrEqual(t, c.Right+c.Left, 10, "%s: noise alone gives few detector spikes", c.Phase.Name)
		case Rightward:
			assert.Greater(t, c.Right, 300, "%s: the right detectors answer", c.Phase.Name)
			assert.GreaterOrEqual(t, c.Right, 3*c.Left, "%s: right ≥ 3 × left", c.Phase.Name)
		case Leftward:
			assert.Greater(t, c.Left, 300, "%s: the left detectors answer", c.Phase.Name)
			assert.GreaterOrEqual(t, c.Left, 3*c.Right, "%s: left ≥ 3 × right", c.Phase.Name)
		}
	}

	scored := 0
	for _, c := range counts {
		scored += c.Right + c.Left
	}
	assert.Equal(t, len(res.Spikes), scored, "every detector spike falls in a phase")

	res2 := run(t, 2)
	assert.Equal(t, res.Spikes, res2.Spikes, "Workers 1 and 2 give the same spikes")
	assert.Equal(t, res.Report, res2.Report, "and the same report")
}

// One detector on a hand-written raster: its delayed input (channel 0) and
// its undelayed one (channel 1) fire alone, out of step, in step, and one of
// them on many steps in a row. Only the two arriving together make it fire:
// the weight and threshold of net.yaml make a coincidence unit that does not
// integrate over steps.
func TestCoincidence(t *testing.T) {
	src := fmt.Sprintf(`name: coincidence
dt: 1ms
units: hardware
inputs:
  - name: in
    size: 2
    raster:
      spikes: [
        [5, 0],                             # delayed input alone
        [20, 1],                            # undelayed input alone
        [40, 0], [40, 1],                   # same step: %[1]d steps apart at the detector
        [60, 0], [%[2]d, 1],                # %[1]d steps apart: together at the detector
        [80, 0], [81, 0], [82, 0], [83, 0], [84, 0], [85, 0], [86, 0], [87, 0],
        [100, 1], [101, 1], [102, 1], [103, 1], [104, 1], [105, 1], [106, 1], [107, 1],
      ]
populations:
  - name: det
    size: 1
    neuron: {du: 4095, dv: 4095, vth: %[3]d}
projections:
  - {pre: in, post: det, connectivity: {list: [[0, 0, %[4]d, %[1]d], [1, 0, %[4]d, 0]]}, weight: %[4]d}
probes:
  - {population: det, record: [spikes]}
`, Delay, 60+Delay, Vth, Weight)
	g, err := netfile.Parse("coincidence.yaml", []byte(src))
	require.NoError(t, err)
	img, _, err := compiler.Compile(g, preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: 120, Seed: 1})
	require.NoError(t, err)
	var steps []int32
	for _, s := range res.Spikes {
		steps = append(steps, s.Step)
	}
	require.Len(t, steps, 1, "only the coinciding pair fires the detector; spikes at steps %v", steps)
	// A spike of step s through a synapse of delay d lands in step s+1+d.
	assert.Equal(t, int32(60+Delay+1), steps[0], "at the coincidence")
}
