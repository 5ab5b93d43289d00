package core

import (
	"errors"
	"fmt"
)

// Model holds the neuron-model options of a core. All neurons of a core
// share one model (the compiler gives each population its own cores). The
// zero Model is Loihi's plain CUBA LIF, bit-exact with Lava; every option
// adds to the same integer datapath:
//
//   - Refractory period: for RefractorySteps steps after a spike, v is
//     held at 0 and cannot fire; u keeps integrating (Lava's LIFRefractory
//     semantics).
//   - Adaptive threshold: each spike raises a per-neuron threshold offset
//     theta by ThetaStep (threshold mantissa units, so the compare is
//     v > (vth + theta) << 6); theta decays each step like v, by
//     trunc12(theta·(4096 − DTheta)). This is the mechanism of
//     activity-regularised "AT-LIF" networks.
//   - Non-leaky integrate-and-fire is not an option here but a choice of
//     decays: du = 4095 (u is this step's input only) and dv = 0 (v never
//     decays). The compiler's "if" model sets them.
//   - Graded spikes: with GradedBits = b > 0 a spike carries a payload
//     p = clamp(v >> 6, 1, 2^b − 1), v taken before the reset; each synapse
//     it reaches adds weight·p instead of weight. b ≤ 8 keeps the product
//     within 16 bits of weight times 8 bits of payload.
//   - Noise: NoiseTarget u or v adds (r − 128) << NoiseExp each step, r a
//     uniform 8-bit draw from the core's seeded generator (SetSeed), in
//     neuron order, after the input and before wrap or saturation.
type Model struct {
	RefractorySteps int32       `json:"refractory_steps,omitempty" yaml:"refractory_steps"`
	ThetaStep       int32       `json:"theta_step,omitempty" yaml:"theta_step"`
	DTheta          int32       `json:"dtheta,omitempty" yaml:"dtheta"`
	GradedBits      int32       `json:"graded_bits,omitempty" yaml:"graded_bits"`
	NoiseTarget     NoiseTarget `json:"noise_target,omitempty" yaml:"noise_target"`
	NoiseExp        int32       `json:"noise_exp,omitempty" yaml:"noise_exp"`
}

// NoiseTarget says which state variable receives noise.
type NoiseTarget uint8

const (
	NoiseNone NoiseTarget = iota
	NoiseU
	NoiseV
)

func (t NoiseTarget) String() string {
	switch t {
	case NoiseNone:
		return "none"
	case NoiseU:
		return "u"
	case NoiseV:
		return "v"
	}
	return fmt.Sprintf("NoiseTarget(%d)", uint8(t))
}

// Limits of the model options.
const (
	MaxRefractorySteps = 63
	MaxGradedBits      = 8
	MaxNoiseExp        = 16
)

// Plain says whether the model is the plain LIF (no option set).
func (m Model) Plain() bool { return m == Model{} }

// Validate reports every option out of range.
func (m Model) Validate() error {
	var errs []error
	if m.RefractorySteps < 0 || m.RefractorySteps > MaxRefractorySteps {
		errs = append(errs, fmt.Errorf("refractory_steps must be in 0..%d, got %d", MaxRefractorySteps, m.RefractorySteps))
	}
	if m.ThetaStep < 0 || m.ThetaStep > VthMax {
		errs = append(errs, fmt.Errorf("theta_step must be in 0..%d, got %d", VthMax, m.ThetaStep))
	}
	if m.DTheta < 0 || m.DTheta > DecayMax {
		errs = append(errs, fmt.Errorf("dtheta must be in 0..%d, got %d", DecayMax, m.DTheta))
	}
	if m.GradedBits < 0 || m.GradedBits > MaxGradedBits {
		errs = append(errs, fmt.Errorf("graded_bits must be in 0..%d, got %d", MaxGradedBits, m.GradedBits))
	}
	if m.NoiseTarget > NoiseV {
		errs = append(errs, fmt.Errorf("noise_target must be none, u or v, got %d", m.NoiseTarget))
	}
	if m.NoiseExp < 0 || m.NoiseExp > MaxNoiseExp {
		errs = append(errs, fmt.Errorf("noise_exp must be in 0..%d, got %d", MaxNoiseExp, m.NoiseExp))
	}
	return errors.Join(errs...)
}
