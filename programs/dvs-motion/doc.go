// Package dvsmotion is direction-selective motion detection on an event
// camera: Barlow–Levick / Reichardt delay-and-coincidence detectors, the
// classic event-based motion network, on the chip.
//
// A seeded generator (stimulus.go) writes a synthetic dynamic vision sensor
// recording, bar.bin (ATIS .bin, the N-MNIST format, 32×32 pixels): a
// bright bar sweeps rightward across the sensor, then leftward, then
// rightward again at half the speed, with ON events at its leading edge, OFF
// events at its trailing edge and sparse background noise throughout, after
// a noise-only stretch. The network (net.yaml, written by network.go) reads
// it through the events source in 2×2-pixel squares and feeds two
// populations of detectors, one per direction: each fires only when a
// square's delayed spike meets its neighbour's undelayed one, which happens
// when an edge moves from the first square to the second at the tuned
// speed. Rightward sweeps drive the right detectors, leftward sweeps the
// left ones.
//
//	go run ./tools/tessera run programs/dvs-motion/net.yaml --steps 696 --out out/
//	go run ./tools/tessera plot out/
//	go test -v -run Selectivity ./programs/dvs-motion
package dvsmotion

import _ "embed"

// Network is the network file (net.yaml).
//
//go:embed net.yaml
var Network []byte

// File is the network file's path relative to the repository root.
const File = "programs/dvs-motion/net.yaml"
