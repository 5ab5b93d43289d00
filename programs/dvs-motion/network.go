package dvsmotion

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// The network, in the units of net.yaml (hardware).
//
// The retina pools the sensor into Cols × Rows channels of Pool × Pool
// pixels, ON and OFF merged: a channel fires when the bar's edge, either
// one, crosses its square. Each pair of horizontally adjacent channels
// feeds two detectors, one per direction (DetCols × Rows of each).
//
// A detector is a coincidence unit: du = dv = 4095 makes u hold only this
// step's input (Loihi decays u by (du+1)/4096, all of it) and cuts v to
// v/4096 each step, under 3 for any v below the threshold, so v is
// this step's summed weights << 6 plus at most 2. One input gives
// Weight << 6 = 6400, below Vth << 6 = 9600: no spike. Two in the same
// step give 12800: a spike.
const (
	Pool    = 2
	Cols    = SensorWidth / Pool  // 16
	Rows    = SensorHeight / Pool // 16
	DetCols = Cols - 1            // 15: a detector needs a right-hand neighbour
	// Delay is the delay, in steps, of a detector's first input: the time
	// the tuned bar takes to cross one channel (Pool pixels at
	// TunedMicrosPerPixel), so the delayed spike of the channel it left
	// meets the undelayed spike of the channel it enters.
	Delay  = Pool * TunedMicrosPerPixel / 1000
	Weight = 100
	Vth    = 150
)

// Channel is the retina channel of the square in column x, row y.
func Channel(x, y int) int { return y*Cols + x }

// Detector is the index of the detector at column x, row y, in both the
// right and the left population.
func Detector(x, y int) int { return y*DetCols + x }

// WriteNetwork writes the network file (net.yaml). Its synapse lists are
// long, hence generated: one line of pairs per detector row.
func WriteNetwork(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `# Direction-selective motion detection on an event camera: Barlow–Levick
# (1965) / Reichardt (1961) delay-and-coincidence detectors on a synthetic
# DVS recording (bar.bin) of a bar sweeping right, left, then right again at
# half the speed.
# See README.md. Written by WriteNetwork (network.go); after a change there:
#   go test ./programs/dvs-motion -update
#
# The retina pools the 32×32 sensor into 16×16 squares of 2×2 pixels, ON and
# OFF events on one channel: channel %d·y + x is the square in column x, row y.
# Detector (x, y), x in 0..%d, is neuron %d·y + x of "right" and of "left".
#
# right (x, y) ← channel (x, y) delayed %d steps, channel (x+1, y) undelayed
# left  (x, y) ← channel (x+1, y) delayed %d steps, channel (x, y) undelayed
#
# A bar moving right at %d ms per pixel crosses one square in %d ms: channel
# x's spike, delayed, arrives with channel x+1's own, and the two coincide
# at right (x, y). At left (x, y) they arrive %d steps apart instead.
# A detector keeps only this step's input (du = dv = 4095): one input
# (weight %d) stays below the threshold (%d), two coinciding inputs cross it.
name: dvs-motion
dt: 1ms
units: hardware
inputs:
  - name: retina
    size: %d # 16 × 16 squares, polarity merged
    events: {file: bar.bin, sensor: [%d, %d], pool: %d, polarity: merge, t0_us: 0}
populations:
  - name: right
    size: %d # 15 × 16 detectors
    neuron: {du: 4095, dv: 4095, vth: %d}
  - name: left
    size: %d
    neuron: {du: 4095, dv: 4095, vth: %d}
projections:
`, Cols, DetCols-1, DetCols, Delay, Delay, TunedMicrosPerPixel/1000, Delay, 2*Delay, Weight, Vth,
		Cols*Rows, SensorWidth, SensorHeight, Pool,
		DetCols*Rows, Vth, DetCols*Rows, Vth)

	// Each projection pairs every detector with one of its two channels:
	// dx says which (0: the detector's own column, 1: the one right of it).
	projection := func(name, post, what string, dx, delay int) {
		fmt.Fprintf(bw, "  # %s\n", what)
		fmt.Fprintf(bw, "  - name: %s\n    pre: retina\n    post: %s\n    weight: %d\n    delay: %d\n", name, post, Weight, delay)
		fmt.Fprintf(bw, "    connectivity:\n      list: [ # [channel, detector], one row of detectors a line\n")
		for y := range Rows {
			pairs := make([]string, DetCols)
			for x := range DetCols {
				pairs[x] = fmt.Sprintf("[%d, %d]", Channel(x+dx, y), Detector(x, y))
			}
			fmt.Fprintf(bw, "        %s,\n", strings.Join(pairs, ", "))
		}
		fmt.Fprintf(bw, "      ]\n")
	}
	projection("right_delayed", "right", "right (x, y) ← channel (x, y), delayed", 0, Delay)
	projection("right_direct", "right", "right (x, y) ← channel (x+1, y), undelayed", 1, 0)
	projection("left_delayed", "left", "left (x, y) ← channel (x+1, y), delayed", 1, Delay)
	projection("left_direct", "left", "left (x, y) ← channel (x, y), undelayed", 0, 0)

	fmt.Fprintf(bw, "probes:\n  - {population: right, record: [spikes]}\n  - {population: left, record: [spikes]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the network file: %w", err)
	}
	return nil
}
