// Package energyactivity is the classic neuromorphic energy study: how a
// chip's energy per step and per synaptic event depends on how much the
// network does.
//
// One knob — the Poisson rate of the input population drive — sets the
// activity of a two-layer feed-forward network of memoryless coincidence
// detectors (net.yaml) that spans five Loihi cores on two tiles. Study
// sweeps that rate through tools/sweep, reads each run's report.json, and
// Analyse fits the dynamic energy per step against the synaptic ops per
// step. The intercept is the activity-independent floor — every neuron's
// inactive update, which the hardware pays each step whether or not
// anything happens, plus the barrier — and the slope is the marginal
// energy of one more synaptic event: the synaptic op itself, the neuron
// updates it wakes, and the packets and hops of the spikes it leads to.
// Because the floor is shared out over more events as activity rises, the
// energy per synaptic op falls by two orders of magnitude from 1 Hz to
// 100 Hz.
//
//	go test -v -run Energy ./programs/energy-activity
//	go run ./tools/tessera sweep programs/energy-activity/net.yaml --steps 300 --out out/energy \
//	    --set net.inputs.drive.poisson.rate_hz=1,2,5,10,20,50,100
package energyactivity

import _ "embed"

// Network is the network file (net.yaml).
//
//go:embed net.yaml
var Network []byte

// File is the network file's path relative to the repository root.
const File = "programs/energy-activity/net.yaml"
