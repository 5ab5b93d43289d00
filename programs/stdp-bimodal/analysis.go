package stdpbimodal

import "math"

// MaxWeight is the top weight of the excitatory plastic synapses.
const MaxWeight = 255

// Bins is the number of bins of the weight histogram: bin b holds the
// weights w with w·Bins/(MaxWeight+1) = b, so bins 0–1 are the lowest 20 %
// of the range (0..51), bins 4–5 the middle 20 % (103..153) and bins 8–9
// the highest 20 % (205..255).
const Bins = 10

// Histogram counts weights in Bins equal bins of 0..MaxWeight.
func Histogram(weights []int32) [Bins]int {
	var h [Bins]int
	for _, w := range weights {
		b := int(w) * Bins / (MaxWeight + 1)
		h[min(max(b, 0), Bins-1)]++
	}
	return h
}

// Shape sums up a histogram: the fractions of the weights in the lowest,
// middle and highest 20 % of the range.
type Shape struct {
	Low, Middle, High float64
}

// ShapeOf is the Shape of histogram h.
func ShapeOf(h [Bins]int) Shape {
	n := 0
	for _, c := range h {
		n += c
	}
	f := func(a, b int) float64 { return float64(h[a]+h[b]) / float64(n) }
	return Shape{Low: f(0, 1), Middle: f(4, 5), High: f(8, 9)}
}

// Rates is the output rate (Hz, for 1 ms steps) in consecutive windows of
// window steps over steps 1..steps, from the steps of the output's spikes.
func Rates(spikeSteps []int32, steps, window int) []float64 {
	out := make([]float64, steps/window)
	for _, s := range spikeSteps {
		if i := (int(s) - 1) / window; i < len(out) {
			out[i]++
		}
	}
	for i := range out {
		out[i] *= 1000 / float64(window)
	}
	return out
}

// CV is the coefficient of variation of the inter-spike intervals of the
// spikes (their steps) in steps from..to: about 1 for irregular,
// fluctuation-driven firing, near 0 for a regular, mean-driven neuron.
func CV(spikeSteps []int32, from, to int32) float64 {
	var isi []float64
	prev := int32(-1)
	for _, s := range spikeSteps {
		if s < from || s > to {
			continue
		}
		if prev >= 0 {
			isi = append(isi, float64(s-prev))
		}
		prev = s
	}
	if len(isi) < 2 {
		return 0
	}
	mean, sq := 0.0, 0.0
	for _, x := range isi {
		mean += x
	}
	mean /= float64(len(isi))
	for _, x := range isi {
		sq += (x - mean) * (x - mean)
	}
	return math.Sqrt(sq/float64(len(isi))) / mean
}
