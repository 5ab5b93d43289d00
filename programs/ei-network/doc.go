// Package einetwork is a sparse random network of excitatory and inhibitory
// LIF neurons (4:1) driven by Poisson input — the balanced-network setting of
// Brunel (2000) and Vogels & Abbott (2005) — sized to spread over several
// Loihi cores and tiles so that its spike traffic crosses the mesh.
//
// It is Tessera's default demonstration: README's first command compiles
// and runs it on the loihi preset. Run it with
//
//	go run ./tools/tessera run programs/ei-network/net.yaml --steps 1000 --out out/
package einetwork

import _ "embed"

// Network is the network file (net.yaml).
//
//go:embed net.yaml
var Network []byte

// File is the network file's path relative to the repository root.
const File = "programs/ei-network/net.yaml"
