package mnistlearning

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/image"
)

// Config is one experiment: train on the first Train images of the MNIST
// training set, then test on the first Test images of the test set.
type Config struct {
	Train, Test int
	Timing      Timing
	Params      Params
	Seed        uint64 // stimulus seed (the pixel spikes)
	RunSeed     uint64 // chip run seed (the learning engine's roundings)
	Workers     int    // chip workers; results do not depend on it
}

// Outcome is what an experiment measured.
type Outcome struct {
	Config Config
	// Initial and Learned are the weights pixels → out before and after
	// training, read from the compiled image and from the trained chip's
	// LearnedImage.
	Initial, Learned Weights
	// Bias is the test network's bias of each output neuron (MapBiases).
	Bias [Classes]int
	// Per test image: its digit, the output spike counts, and the answer
	// (the neuron with most spikes; -1 when no neuron fired or the top
	// count is tied).
	Labels    []int
	Counts    [][Classes]int
	Predicted []int
	Correct   int
	Confusion [Classes][Classes]int // [digit][answer], answers ≥ 0 only
	// TrainTeacherSpikes and TestTeacherSpikes are the teacher spikes the
	// chip recorded in each phase.
	TrainTeacherSpikes, TestTeacherSpikes int
	TrainSteps, TestSteps                 int
	TrainReport, TestReport               chip.Report
	TestSpikes                            []chip.SpikeRecord
	TestInputSpikes                       uint64
}

// Accuracy is the share of test images answered right.
func (o *Outcome) Accuracy() float64 { return float64(o.Correct) / float64(len(o.Labels)) }

// Run performs an experiment on the loihi preset, writing its rasters and
// network files into dir: it trains the plastic network on chip with the
// teacher on, takes the weights the chip learned, and runs the test
// images through the same network with those weights fixed and the
// teacher silent.
func Run(ctx context.Context, data *Data, cfg Config, dir string) (*Outcome, error) {
	if cfg.Train < 1 || cfg.Train > len(data.Train) || cfg.Test < 1 || cfg.Test > len(data.Test) {
		return nil, fmt.Errorf("experiment: %d training and %d test images asked, MNIST has 1..%d and 1..%d",
			cfg.Train, cfg.Test, len(data.Train), len(data.Test))
	}
	out := &Outcome{Config: cfg}

	// Training.
	train := Stimulus{Timing: cfg.Timing}
	train.Show(data.Train[:cfg.Train], true, cfg.Seed)
	trainNet := filepath.Join(dir, "train.yaml")
	if err := writeFiles(dir, "train", &train, NetSpec{Name: "mnist-learning-train",
		Comment: "MNIST with on-chip learning: training (generated)", PixelFile: "train-pixels.csv",
		TeacherFile: "train-teacher.csv", Params: cfg.Params}); err != nil {
		return nil, err
	}
	img, _, err := compiler.CompileFile(trainNet, preset.Loihi())
	if err != nil {
		return nil, fmt.Errorf("experiment: compiling the training network: %w", err)
	}
	if out.Initial, err = LearnedWeights(img); err != nil {
		return nil, fmt.Errorf("experiment: initial weights: %w", err)
	}
	c, err := chip.New(img)
	if err != nil {
		return nil, fmt.Errorf("experiment: training chip: %w", err)
	}
	out.TrainSteps = train.Steps()
	res, err := c.Run(ctx, chip.Options{Steps: out.TrainSteps, Seed: cfg.RunSeed, Workers: cfg.Workers})
	if err != nil {
		return nil, fmt.Errorf("experiment: training run: %w", err)
	}
	out.TrainReport = res.Report
	out.TrainTeacherSpikes = countSpikes(res, "teacher")
	if out.Learned, err = LearnedWeights(c.LearnedImage()); err != nil {
		return nil, fmt.Errorf("experiment: learned weights: %w", err)
	}

	// Test: the learned weights, fixed; the teacher silent; each output
	// neuron biased against its map's total weight.
	out.Bias = MapBiases(&out.Learned, cfg.Params.MapBias, cfg.Timing.MaxProb, cfg.Params.LearnExp)
	test := Stimulus{Timing: cfg.Timing}
	// Another seed stream than training's, so that a test image is
	// never shown with the spikes of a training image.
	test.Show(data.Test[:cfg.Test], false, cfg.Seed+1<<32)
	if err := writeFiles(dir, "test", &test, NetSpec{Name: "mnist-learning-test",
		Comment: "MNIST with on-chip learning: test with the learned weights (generated)", PixelFile: "test-pixels.csv",
		Learned: &out.Learned, Bias: &out.Bias, Params: cfg.Params}); err != nil {
		return nil, err
	}
	img, _, err = compiler.CompileFile(filepath.Join(dir, "test.yaml"), preset.Loihi())
	if err != nil {
		return nil, fmt.Errorf("experiment: compiling the test network: %w", err)
	}
	if c, err = chip.New(img); err != nil {
		return nil, fmt.Errorf("experiment: test chip: %w", err)
	}
	out.TestSteps = test.Steps()
	res, err = c.Run(ctx, chip.Options{Steps: out.TestSteps, Seed: cfg.RunSeed, Workers: cfg.Workers})
	if err != nil {
		return nil, fmt.Errorf("experiment: test run: %w", err)
	}
	out.TestReport = res.Report
	out.TestTeacherSpikes = countSpikes(res, "teacher")
	out.TestInputSpikes = res.InputSpikes
	out.TestSpikes = res.Spikes
	out.score(test.Shown, res)
	return out, nil
}

// writeFiles writes a stimulus's two rasters and its network file,
// <prefix>.yaml, into dir.
func writeFiles(dir, prefix string, s *Stimulus, spec NetSpec) error {
	files := []struct {
		name   string
		spikes []Spike
	}{{prefix + "-pixels.csv", s.Pixels}}
	if spec.TeacherFile != "" {
		files = append(files, struct {
			name   string
			spikes []Spike
		}{spec.TeacherFile, s.Teacher})
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), func(fh *os.File) error { return WriteRaster(fh, f.spikes) }); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(dir, prefix+".yaml"), func(fh *os.File) error { return WriteNetwork(fh, spec) })
}

func writeFile(path string, write func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("experiment: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// countSpikes counts the recorded spikes of a population.
func countSpikes(res *chip.Result, pop string) int {
	n := 0
	for _, s := range res.Spikes {
		if res.Populations[s.Population] == pop {
			n++
		}
	}
	return n
}

// Answer is the neuron with most spikes; a tie goes to the tied neuron
// that fired first (first[k] is neuron k's first spike step, 0 if none).
// It is -1 if no neuron fired, or if tied neurons fired first in the same
// step.
func Answer(counts [Classes]int, first [Classes]int32) int {
	best, tie := 0, false
	for k := 1; k < Classes; k++ {
		switch {
		case counts[k] > counts[best], counts[k] == counts[best] && first[k] < first[best]:
			best, tie = k, false
		case counts[k] == counts[best] && first[k] == first[best]:
			tie = true
		}
	}
	if counts[best] == 0 || tie {
		return -1
	}
	return best
}

// score counts each test image's output spikes: those of steps
// Start+1 .. Start+Window (a pixel spike reaches the neuron a step after
// it is sent, and the rest lets the last ones land).
func (o *Outcome) score(shown []Shown, res *chip.Result) {
	w := int32(o.Config.Timing.Window())
	o.Counts = make([][Classes]int, len(shown))
	first := make([][Classes]int32, len(shown))
	for _, s := range res.Spikes {
		if res.Populations[s.Population] != "out" || s.Step < 2 {
			continue
		}
		k := int((s.Step - 2) / w)
		if k < len(shown) {
			if o.Counts[k][s.Neuron] == 0 {
				first[k][s.Neuron] = s.Step
			}
			o.Counts[k][s.Neuron]++
		}
	}
	for k, sh := range shown {
		a := Answer(o.Counts[k], first[k])
		o.Labels = append(o.Labels, sh.Label)
		o.Predicted = append(o.Predicted, a)
		if a == sh.Label {
			o.Correct++
		}
		if a >= 0 {
			o.Confusion[sh.Label][a]++
		}
	}
}

// LearnedWeights reads the weights of the plastic projection "learn"
// (pixels → out) from a chip image: [digit][pixel].
func LearnedWeights(img *image.Image) (Weights, error) {
	var w Weights
	// Where each core's neurons sit in population "out".
	outIndex := map[int32][]int32{} // core id → core neuron → out index
	for _, p := range img.Populations {
		if p.Name != "out" {
			continue
		}
		for _, sl := range p.Slices {
			idx := outIndex[sl.Core]
			for n := range sl.Count {
				for int32(len(idx)) <= sl.Offset+n {
					idx = append(idx, -1)
				}
				idx[sl.Offset+n] = sl.Start + n
			}
			outIndex[sl.Core] = idx
		}
	}
	found := 0
	for ci := range img.Cores {
		ic := &img.Cores[ci]
		for g := range ic.Plastic {
			pg := &ic.Plastic[g]
			if pg.Projection != "learn" {
				continue
			}
			nPre := len(pg.PreNeurons)
			idx := outIndex[ic.ID]
			for i := range ic.NumNeurons() {
				if i >= len(idx) || idx[i] < 0 || idx[i] >= Classes {
					return w, fmt.Errorf("core %d neuron %d of plastic projection %q is not a neuron of out", ic.ID, i, pg.Projection)
				}
				for j, pre := range pg.PreNeurons {
					if pre < 0 || pre >= Pixels {
						return w, fmt.Errorf("plastic projection %q: pre neuron %d is not a pixel", pg.Projection, pre)
					}
					w[idx[i]][pre] = pg.Weights[i*nPre+j]
					found++
				}
			}
		}
	}
	if found != Classes*Pixels {
		return w, fmt.Errorf("image %q holds %d weights of projection learn, want %d", img.Name, found, Classes*Pixels)
	}
	return w, nil
}
