// Package image is the chip image: what the compiler writes and the chip
// loads. An image is self-contained — it carries the preset it was compiled
// for, every core's neuron parameters, synapse memory and output routes, the
// input sources and the probes — so a run needs nothing else.
//
// This package owns the Image type, its file format, its consistency check
// and its disassembly. It does not compile networks (compiler does) and does
// not run images (chip does).
//
// # Files
//
// On disk (.tsi) an image is a versioned binary file: a header with a magic
// number and version, a sequence of sections (metadata, preset, one per core,
// inputs, populations, probes) and a SHA-256 checksum over all of it;
// docs/image-format.md describes it byte by byte. Encode and Write produce
// it, WriteFile replaces a file atomically; Decode, Read and ReadFile accept
// it. A reader rejects a truncated, corrupted or wrong-version file with an
// error that says which — it wraps ErrMagic, ErrVersion, ErrTruncated,
// ErrChecksum or ErrCorrupt — and never panics or allocates for counts the
// file cannot back.
//
// The preset is stored as JSON, so adding a preset field changes no byte of
// the format; a field the reader does not know is an error, never silently
// dropped. Anything else that changes the layout bumps Version, and a reader
// accepts only its own version.
//
// # Equality
//
// Encode is deterministic. Decode returns empty slices as nil, so
// Decode(Encode(img)) deep-equals img exactly when img's empty slices are nil;
// Normalize makes them so, which lets tests compare with require.Equal.
//
// # Checking
//
// Check verifies every invariant the chip relies on — CSR indexes, every
// index in range, capacities of the preset, populations placed exactly once
// — and returns all violations at once, each naming the core, input,
// population or probe at fault. Encode checks before writing and Decode after
// reading, so an image that went through a file is always consistent. The
// invariants are listed at the top of check.go.
//
// # Disassembly
//
// Disassemble prints an image as text for `tessera inspect`: a summary, the
// preset, then per core its tile, neurons, weight-exponent classes, synapses
// by axon and routes by neuron, then inputs, populations and probes. Long
// tables stop after DefaultMaxRows rows; DisassembleWith sets the limit.
package image
