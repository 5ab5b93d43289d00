package image

// The .tsi file format, version 1. docs/image-format.md describes it byte by
// byte; this is the summary a reader of the code needs.
//
//	header   magic "TSI\x00" (4) · version u16 · flags u16 · payload length u64   (16 bytes)
//	payload  sections, each: tag (4 ASCII bytes) · body length u64 · body
//	         in this order: META, PRST, CORE × number of cores, INPT, POPS, PROB
//	trailer  SHA-256 of header and payload                                       (32 bytes)
//
// Integers are little-endian and fixed-width; a slice is a u32 count followed
// by its elements; a string is a u32 byte length followed by its UTF-8 bytes;
// a bool is one byte, 0 or 1. The preset section holds the preset.Spec as
// JSON, so a new preset field does not change the format.
//
// A reader checks, in this order: magic, version, length (truncation),
// checksum, trailing bytes, flags, then each section's bounds while decoding,
// and finally the decoded image with Check. The version comes before the
// checksum so that a file from another build is reported as such, not as
// corrupted; the length comes before the checksum so that a cut-off file is
// reported as truncated.

import (
	"crypto/sha256"
	"errors"
)

// Magic opens every image file.
const Magic = "TSI\x00"

// Version is the format version this build writes and the only one it reads.
const Version uint16 = 1

// HeaderSize is the size of the fixed header: magic, version, flags and
// payload length.
const HeaderSize = 16

// ChecksumSize is the size of the trailer, a SHA-256 digest.
const ChecksumSize = sha256.Size

// Section tags, in the order they appear in a file.
const (
	tagMeta        = "META" // image name, dt
	tagPreset      = "PRST" // preset.Spec as JSON
	tagCore        = "CORE" // one per core, in core order
	tagInputs      = "INPT" // every input source
	tagPopulations = "POPS" // every population and its slices
	tagProbes      = "PROB" // every probe
)

// sectionHeaderSize is a section's tag and body length.
const sectionHeaderSize = 4 + 8

// Every error Decode, Read and ReadFile return for a bad file wraps exactly
// one of these, so a caller can tell them apart with errors.Is. The wrapping
// error says where and what.
var (
	// ErrMagic: the data does not start with Magic; it is not a chip image.
	ErrMagic = errors.New("image: bad magic (not a Tessera chip image)")
	// ErrVersion: the file was written by a build with another format
	// version, or uses flags this build does not know.
	ErrVersion = errors.New("image: unsupported version")
	// ErrTruncated: the file, or a section or field inside it, ends early.
	// Every strict prefix of a valid image, including the empty file,
	// gives ErrTruncated.
	ErrTruncated = errors.New("image: truncated")
	// ErrChecksum: the trailer does not match the header and payload.
	ErrChecksum = errors.New("image: checksum mismatch (file is corrupted)")
	// ErrCorrupt: the checksum matches, but the content is not a valid
	// image: unknown or misplaced sections, bad values, trailing bytes, or
	// an image that fails Check.
	ErrCorrupt = errors.New("image: corrupt")
)

// Checksum is the trailer of a file whose header and payload are data.
func Checksum(data []byte) [ChecksumSize]byte {
	return sha256.Sum256(data)
}
