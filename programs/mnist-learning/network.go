package mnistlearning

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// Params are the network's numbers, in the units of net.yaml (hardware).
// README.md says why each is what it is.
type Params struct {
	Du, Dv, Vth int // output neurons
	// The test network's normalization (README.md, "Map normalization"): each output
	// neuron gets a negative bias of MapBias times the drive that a
	// full-ink image would give its map beyond the smallest map's, and
	// the threshold TestVth instead of Vth.
	MapBias float64
	TestVth int
	// Lateral is the weight of the inhibitory synapses between output
	// neurons (0: none), with exponent LateralExp.
	Lateral, LateralExp int
	// The learning projection pixels → out: weights start at InitWeight;
	// LearnExp scales what a spike delivers, not what is learned.
	InitWeight, LearnExp int
	Rule                 string
	TEpoch               int
	SignMode             string
	XImpulse, XTau       float64 // the pixel trace x1
	YImpulse, YTau       float64 // the output trace y1
	// Teacher → out: channel k excites neuron k with TeacherWeight·2^TeacherExp
	// and inhibits every other output neuron with −TeacherInhibit·2^TeacherExp.
	TeacherWeight, TeacherInhibit, TeacherExp int
}

// DefaultParams is the network of every experiment here.
var DefaultParams = Params{
	Du: 4095, Dv: 410, Vth: 6000,
	InitWeight: 0, LearnExp: 1,
	// At each spike of an output neuron every synapse onto it changes
	// by x1·(y1 − 64)/64 − w/128: a neuron firing fast (its trace y1
	// above 64: driven by the teacher) strengthens the synapses of the
	// pixels that are on; one firing slowly on its own (a wrong answer:
	// the teacher excites only the right neuron) weakens them, below 0
	// if need be (mixed weights). −w/128 keeps the weights bounded.
	Rule:     "2^-6*y0*x1*(y1 - 64) - 2^-7*w*y0",
	TEpoch:   1,
	SignMode: "mixed",
	XImpulse: 32, XTau: 5,
	YImpulse: 32, YTau: 5,
	TeacherWeight: 255, TeacherInhibit: 0, TeacherExp: 5,
	// A map's spike count grows with its total weight, so maps with much
	// ink (0, 6, 4) won close races against small ones (1, 9, 5); the
	// bias makes the score about x·w_k − 0.2·Σw_k. It takes drive away,
	// so the threshold is lower, or many images would get no spike.
	MapBias: 0.2, TestVth: 3000,
}

// Weights are the weights of pixels → out: [digit][pixel].
type Weights [Classes][Pixels]int32

// NetSpec says which network file to write.
type NetSpec struct {
	Name    string
	Comment string // the file's leading comment, without '#'
	// PixelFile and TeacherFile are the raster files of the two inputs,
	// relative to the network file. An empty TeacherFile gives the
	// teacher an empty raster: it is there, probed, and silent.
	PixelFile, TeacherFile string
	// Learned, if set, makes pixels → out a fixed projection with these
	// weights (inference); otherwise it is plastic and starts at
	// InitWeight (training).
	Learned *Weights
	// Bias, with Learned, is each output neuron's bias in v units per
	// step (MapBiases); nil: none.
	Bias   *[Classes]int
	Params Params
}

// WriteNetwork writes a network file of the experiment.
func WriteNetwork(w io.Writer, s NetSpec) error {
	p := s.Params
	bw := bufio.NewWriter(w)
	for _, l := range strings.Split(strings.TrimRight(s.Comment, "\n"), "\n") {
		fmt.Fprintln(bw, strings.TrimRight("# "+l, " "))
	}
	fmt.Fprintf(bw, "name: %s\ndt: 1ms\nunits: hardware\n", s.Name)
	fmt.Fprintf(bw, "inputs:\n")
	fmt.Fprintf(bw, "  - name: pixels # channel 28·row + column, rate ∝ intensity\n    size: %d\n    raster: {file: %s}\n", Pixels, s.PixelFile)
	fmt.Fprintf(bw, "  - name: teacher # channel k: \"this image is digit k\"\n    size: %d\n", Classes)
	if s.TeacherFile == "" {
		fmt.Fprintf(bw, "    raster: {spikes: []} # silent: no teacher\n")
	} else {
		fmt.Fprintf(bw, "    raster: {file: %s}\n", s.TeacherFile)
	}
	vth, bias := p.Vth, ""
	if s.Learned != nil && p.TestVth != 0 {
		vth = p.TestVth
	}
	if s.Learned != nil && s.Bias != nil {
		// The smallest exponent whose mantissas fit 13 signed bits, so
		// the shift loses as little as it can.
		e := 0
		for _, b := range s.Bias {
			for b>>e < -4096 || b>>e > 4095 {
				e++
			}
		}
		mant := make([]string, Classes)
		for k, b := range s.Bias {
			mant[k] = fmt.Sprint(b >> e)
		}
		bias = fmt.Sprintf(",\n      bias_exp: %d, bias_mant: [%s]", e, strings.Join(mant, ", "))
	}
	fmt.Fprintf(bw, "populations:\n  - name: out # neuron k answers digit k\n    size: %d\n    neuron: {du: %d, dv: %d, vth: %d%s}\n",
		Classes, p.Du, p.Dv, vth, bias)
	fmt.Fprintf(bw, "projections:\n")
	if s.Learned == nil {
		fmt.Fprintf(bw, `  - name: learn
    pre: pixels
    post: out
    connectivity: all_to_all
    weight: %d
    weight_exp: %d
    plasticity:
      rule: %s
      t_epoch: %d
      x1: {impulse: %g, tau: %g}
      y1: {impulse: %g, tau: %g}
      sign_mode: %s
`, p.InitWeight, p.LearnExp, p.Rule, p.TEpoch, p.XImpulse, p.XTau, p.YImpulse, p.YTau, p.SignMode)
	} else {
		fmt.Fprintf(bw, "  - name: learned # the weights learned on chip, fixed\n    pre: pixels\n    post: out\n    weight: 0\n    weight_exp: %d\n    connectivity:\n      list:\n", p.LearnExp)
		n := 0
		for k := range Classes {
			for j, v := range s.Learned[k] {
				if v == 0 {
					continue // a zero weight adds nothing
				}
				fmt.Fprintf(bw, "        - [%d, %d, %d]\n", j, k, v)
				n++
			}
		}
		if n == 0 {
			fmt.Fprintf(bw, "        - [0, 0, 0]\n") // a list holds at least one pair
		}
	}
	fmt.Fprintf(bw, "  - name: teach # channel k fires neuron k\n    pre: teacher\n    post: out\n    weight_exp: %d\n    weight: %d\n    connectivity:\n      list: [",
		p.TeacherExp, -p.TeacherInhibit)
	sep := ""
	for k := range Classes {
		fmt.Fprintf(bw, "%s[%d, %d, %d]", sep, k, k, p.TeacherWeight)
		sep = ", "
		for j := range Classes {
			if j != k && p.TeacherInhibit != 0 {
				fmt.Fprintf(bw, ", [%d, %d]", k, j) // inhibits the others
			}
		}
	}
	fmt.Fprintf(bw, "]\n")
	if p.Lateral != 0 {
		fmt.Fprintf(bw, "  - name: lateral # every output neuron inhibits the others\n    pre: out\n    post: out\n    weight_exp: %d\n    weight: %d\n    connectivity:\n      list: [", p.LateralExp, -p.Lateral)
		sep = ""
		for k := range Classes {
			for j := range Classes {
				if j != k {
					fmt.Fprintf(bw, "%s[%d, %d]", sep, k, j)
					sep = ", "
				}
			}
		}
		fmt.Fprintf(bw, "]\n")
	}
	fmt.Fprintf(bw, "probes:\n  - {population: out, record: [spikes]}\n  - {population: teacher, record: [spikes]}\n")
	return bw.Flush()
}

// MapBiases are the test network's biases (v units per step): neuron k
// gets −lambda times the drive per step that an image of full ink in every
// pixel would receive through map k, minus that of the map with the
// smallest total, so that every bias is ≤ 0 and the smallest map has none.
// A pixel of full ink spikes with probability maxProb per step, and its
// spike adds w·2^learnExp·64 to the current (core/doc.go: a_in << 6).
func MapBiases(w *Weights, lambda, maxProb float64, learnExp int) [Classes]int {
	var sums [Classes]float64
	lo := math.Inf(1)
	for k := range Classes {
		for _, v := range w[k] {
			sums[k] += float64(v)
		}
		lo = min(lo, sums[k])
	}
	var b [Classes]int
	for k := range Classes {
		b[k] = -int(math.Round(lambda * maxProb * (sums[k] - lo) * math.Ldexp(64, learnExp)))
	}
	return b
}
