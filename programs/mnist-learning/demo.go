package mnistlearning

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
)

// The shipped demo (net.yaml, pixels.csv, teacher.csv): the first
// DemoTrain training images with the teacher on, then the first DemoTest
// test images with it silent, in one run of DemoSteps steps. The command
// line cannot switch learning off, so the synapses stay plastic in the
// demo's test part; the experiment of Run fixes them instead.
const (
	DemoTrain = 60
	DemoTest  = 20
	DemoSeed  = 1
)

// DemoSteps is the demo's length.
var DemoSteps = (DemoTrain + DemoTest) * DefaultTiming.Window()

// DemoStimulus is the demo's input.
func DemoStimulus(d *Data) Stimulus {
	s := Stimulus{Timing: DefaultTiming}
	s.Show(d.Train[:DemoTrain], true, DemoSeed)
	s.Show(d.Test[:DemoTest], false, DemoSeed)
	return s
}

// WriteDemo writes the demo's three files into dir.
func WriteDemo(dir string, d *Data) error {
	s := DemoStimulus(d)
	spec := NetSpec{Name: "mnist-learning", PixelFile: "pixels.csv", TeacherFile: "teacher.csv", Params: DefaultParams,
		Comment: fmt.Sprintf(`MNIST with on-chip learning, a small demo (see README.md): %d training
images with a teacher, then %d test images without, %d steps of 1 ms.
Written by WriteDemo (demo.go); after a change there:
  go test ./programs/mnist-learning -update
Each image is shown for %d steps, then %d steps of silence; pixel channel
28·row + column spikes with probability %.1f·intensity/255 each step.
The synapses pixels → out learn on the chip throughout (here also in the
test part: the command line cannot switch learning off).`,
			DemoTrain, DemoTest, DemoSteps, DefaultTiming.Present, DefaultTiming.Rest, DefaultTiming.MaxProb)}
	if err := writeFile(filepath.Join(dir, "pixels.csv"), func(f *os.File) error { return WriteRaster(f, s.Pixels) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "teacher.csv"), func(f *os.File) error { return WriteRaster(f, s.Teacher) }); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "net.yaml"), func(f *os.File) error { return WriteNetwork(f, spec) })
}

// WriteWeightsPNG draws the ten weight maps side by side, each pixel
// Scale × Scale: red for positive weights, blue for negative, white 0,
// full colour at the largest |weight| of all maps.
func WriteWeightsPNG(w io.Writer, ws *Weights) error {
	const scale, gap = 4, 4
	side := Side * scale
	img := image.NewRGBA(image.Rect(0, 0, Classes*(side+gap)-gap, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	top := int32(1)
	for k := range Classes {
		for _, v := range ws[k] {
			top = max(top, v, -v)
		}
	}
	for k := range Classes {
		for j, v := range ws[k] {
			f := 1 - float64(min(max(v, -top), top))/float64(top)*sign(v)
			c := uint8(255 * f)
			col := color.RGBA{255, c, c, 255} // red
			if v < 0 {
				col = color.RGBA{c, c, 255, 255} // blue
			}
			x0, y0 := k*(side+gap)+(j%Side)*scale, (j/Side)*scale
			for dy := range scale {
				for dx := range scale {
					img.SetRGBA(x0+dx, y0+dy, col)
				}
			}
		}
	}
	return png.Encode(w, img)
}

func sign(v int32) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
