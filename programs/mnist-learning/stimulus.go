package mnistlearning

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Sizes of the network's ends.
const (
	Side    = 28          // MNIST images are Side × Side
	Pixels  = Side * Side // input channels, one per pixel
	Classes = 10          // output neurons, one per digit
)

// Timing is how images are shown: each for Present steps, then Rest steps
// of silence so that the traces of one image have decayed before the next.
type Timing struct {
	Present, Rest int
	// MaxProb is the spike probability per step of a pixel of intensity
	// 255; a pixel of intensity v spikes with probability MaxProb·v/255,
	// independently each step (Poisson-like rate coding).
	MaxProb float64
	// TeacherEvery: during training the teacher channel of the image's
	// digit spikes at every TeacherEvery-th step of the presentation.
	TeacherEvery int
}

// DefaultTiming is the timing of every experiment here.
var DefaultTiming = Timing{Present: 30, Rest: 10, MaxProb: 0.2, TeacherEvery: 2}

// Window is the steps one image takes.
func (t Timing) Window() int { return t.Present + t.Rest }

// Shown is one image presentation.
type Shown struct {
	Start int32 // first step of the presentation (1-based)
	Label int
	Teach bool // the teacher was on
}

// Spike is one input spike: a step (1-based) and a channel.
type Spike struct {
	Step    int32
	Channel int32
}

// Stimulus is the input of one run: pixel and teacher spikes of a
// sequence of presentations.
type Stimulus struct {
	Timing  Timing
	Shown   []Shown
	Pixels  []Spike // sorted by step, then channel
	Teacher []Spike // sorted by step
}

// Steps is the run's length: every presentation and its rest.
func (s *Stimulus) Steps() int { return len(s.Shown) * s.Timing.Window() }

// Show appends presentations of samples, one after another, with the
// teacher on or off. The pixel spikes of the k-th presentation of the
// stimulus come from their own generator, PCG(seed, k), so they do not
// depend on what else was drawn.
func (s *Stimulus) Show(samples []Sample, teach bool, seed uint64) {
	tm := s.Timing
	for _, smp := range samples {
		k := len(s.Shown)
		start := int32(k*tm.Window() + 1)
		s.Shown = append(s.Shown, Shown{Start: start, Label: smp.Label, Teach: teach})
		rng := rand.New(rand.NewPCG(seed, uint64(k)))
		for t := int32(0); t < int32(tm.Present); t++ {
			for j, v := range smp.Pixels {
				// One draw per pixel and step, ink or not, so that the
				// draws of a step do not depend on the image.
				if rng.Float64() < tm.MaxProb*float64(v)/255 {
					s.Pixels = append(s.Pixels, Spike{start + t, int32(j)})
				}
			}
			if teach && int(t)%tm.TeacherEvery == 0 {
				s.Teacher = append(s.Teacher, Spike{start + t, int32(smp.Label)})
			}
		}
	}
}

// WriteRaster writes spikes as a raster CSV file (step,index).
func WriteRaster(w io.Writer, spikes []Spike) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "step,index")
	for _, sp := range spikes {
		fmt.Fprintf(bw, "%d,%d\n", sp.Step, sp.Channel)
	}
	return bw.Flush()
}
