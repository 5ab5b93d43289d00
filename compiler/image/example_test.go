package image_test

import (
	"errors"
	"fmt"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
)

// An image with one core holding one neuron, encoded and read back.
func Example() {
	img := &image.Image{
		Name:   "one",
		Preset: preset.Small(),
		DtPS:   1_000_000_000,
		Cores: []image.Core{{
			ID: 0, Used: true,
			Du: []int32{410}, Dv: []int32{205}, Vth: []int32{10},
			BiasMant: []int32{3}, BiasExp: []int32{6}, UInit: []int32{0}, VInit: []int32{0},
			AxonStart:  []uint32{0},
			RouteStart: []uint32{0, 0},
		}},
		Populations: []image.Population{{Name: "n", Size: 1, Slices: []image.Slice{{Core: 0, Count: 1}}}},
		Probes:      []image.Probe{{Population: "n", Signals: image.SignalV, Neurons: []int32{0}}},
	}
	data, err := image.Encode(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	got, err := image.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d core, %d neuron, preset %s, probe records %s\n",
		got.Name, len(got.Cores), got.Cores[0].NumNeurons(), got.Preset.Name, got.Probes[0].Signals)

	// A file cut short is reported as truncated.
	_, err = image.Decode(data[:len(data)-1])
	fmt.Println(errors.Is(err, image.ErrTruncated))
	// Output:
	// one: 1 core, 1 neuron, preset small, probe records v
	// true
}
