package router

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A spike packet is one or more flits. Its header names the destination
// (relative, as TrueNorth's (dx, dy), or absolute, as Loihi's chip/tile/core
// ids) and the target axon; a graded spike appends its payload. A
// PacketFormat says which header fields a preset's packets carry, in which
// order and how wide, and how wide a flit is — so the chip knows how many
// flits a packet takes, and a preset can be checked for networks its
// packets cannot address. docs/packets.md describes the shipped formats.

// Header field names, as they appear in a preset's packet.fields.
const (
	// FieldDX and FieldDY are the signed tile offset from the source to the
	// destination (east and north are positive), as in TrueNorth: routers
	// step them toward 0, so a relative address needs no chip id to cross
	// chips on a board.
	FieldDX = "dx"
	FieldDY = "dy"
	// FieldChip is the destination chip on a board; FieldTile the tile within
	// that chip (row by row, x fastest); FieldCore the core within the tile
	// (its local port). Loihi-style absolute addressing.
	FieldChip = "chip"
	FieldTile = "tile"
	FieldCore = "core"
	// FieldAxon is the target axon of the destination core.
	FieldAxon = "axon"
	// FieldTick is the delivery tick modulo 2^bits, as in TrueNorth: the
	// destination core holds the spike until that tick, so a packet can be
	// sent at most 2^bits − 1 ticks ahead.
	FieldTick = "tick"
)

// Size limits of a packet format. A field value is at most 32 bits (the
// widest address Tessera models); a flit fits a uint64; a whole packet fits
// PacketBits.
const (
	MaxFieldBits   = 32
	MaxFlitBits    = 64
	MaxPayloadBits = 32
	MaxPacketBits  = 256
)

// field kinds, in the order of the Packet struct; fieldNames[k] is the name.
const (
	kDX = iota
	kDY
	kChip
	kTile
	kCore
	kAxon
	kTick
	numKinds
)

var fieldNames = [numKinds]string{FieldDX, FieldDY, FieldChip, FieldTile, FieldCore, FieldAxon, FieldTick}

func fieldKind(name string) int {
	for k, n := range fieldNames {
		if n == name {
			return k
		}
	}
	return -1
}

// signedKind says whether a field holds a signed value (the relative
// offsets); every other field is an unsigned index.
func signedKind(k int) bool { return k == kDX || k == kDY }

// ErrFieldRange is wrapped by every error that reports a value too large
// (or too negative) for its packet field.
var ErrFieldRange = errors.New("value out of its packet field's range")

// PacketField is one header field: which value it carries and in how many
// bits.
type PacketField struct {
	Name string `json:"name" yaml:"name"` // FieldDX, FieldDY, FieldChip, FieldTile, FieldCore, FieldAxon or FieldTick
	Bits int    `json:"bits" yaml:"bits"` // 1..MaxFieldBits
}

// PacketFormat is how a preset encodes a spike packet: the header fields in
// order (the first in the lowest bits of the first flit), then — for a
// graded spike only — a payload of up to PayloadBits bits; the whole is cut
// into flits of FlitBits bits. The zero PacketFormat means "the preset's
// default" (see preset.Spec.PacketFormat); any other value must pass
// Validate.
type PacketFormat struct {
	Name        string        `json:"name" yaml:"name"`
	FlitBits    int           `json:"flit_bits" yaml:"flit_bits"`
	Fields      []PacketField `json:"fields" yaml:"fields"`
	PayloadBits int           `json:"payload_bits" yaml:"payload_bits"` // widest graded payload; 0: binary spikes only
}

// TrueNorthPacketFormat is IBM TrueNorth's spike packet (Merolla et al.,
// Science 2014; Akopyan et al., IEEE TCAD 2015): dx and dy, 9 signed bits
// each (a packet crosses up to ±255 cores in x and y — a 4×4 board of
// 64×64-core chips — with no chip id), the target axon in 8 bits (256 axons
// per core) and the delivery tick in 4 bits (delays 1..15 ticks): 30 bits.
// The papers give the fields, not the link width; we assume one 32-bit flit
// (the 2 spare bits unused). TrueNorth has no graded spikes: no payload.
func TrueNorthPacketFormat() PacketFormat {
	return PacketFormat{Name: "truenorth", FlitBits: 32, Fields: []PacketField{
		{FieldDX, 9}, {FieldDY, 9}, {FieldAxon, 8}, {FieldTick, 4},
	}}
}

// LoihiPacketFormat is a Loihi-style spike packet: absolute destination
// ids and the target axon, plus a graded payload. Davies et al. (IEEE Micro
// 2018) describe spike messages addressed to a core and an axon but publish
// no bit layout, so the widths are our assumption, sized to the loihi
// preset with headroom: chip 4 bits (a 16-chip board), tile 6 bits (64
// tiles; Loihi has 32), core 2 bits (4 cores per tile), axon 12 bits (4096
// input axons per core) — a 24-bit header — and a payload of 8 bits
// (core.MaxGradedBits; Loihi 1 has no graded spikes, Loihi 2 does), so every
// packet, graded or not, is one 32-bit flit.
func LoihiPacketFormat() PacketFormat {
	return PacketFormat{Name: "loihi", FlitBits: 32, PayloadBits: 8, Fields: []PacketField{
		{FieldChip, 4}, {FieldTile, 6}, {FieldCore, 2}, {FieldAxon, 12},
	}}
}

// IsZero says whether f is the zero PacketFormat ("the preset's default").
// encoding/json's omitzero and YAML's omitempty use it, so a preset that
// names no format writes none.
func (f PacketFormat) IsZero() bool {
	return f.Name == "" && f.FlitBits == 0 && len(f.Fields) == 0 && f.PayloadBits == 0
}

// Equal says whether f and g describe the same format.
func (f PacketFormat) Equal(g PacketFormat) bool {
	return f.Name == g.Name && f.FlitBits == g.FlitBits && f.PayloadBits == g.PayloadBits &&
		slices.Equal(f.Fields, g.Fields)
}

// Clone returns a copy of f that shares no memory with it.
func (f PacketFormat) Clone() PacketFormat {
	f.Fields = slices.Clone(f.Fields)
	return f
}

// HeaderBits is the width of the header: the sum of the fields' bits.
func (f PacketFormat) HeaderBits() int {
	n := 0
	for _, fd := range f.Fields {
		n += fd.Bits
	}
	return n
}

// Flits is the number of flits of a packet whose payload is payloadBits
// wide (0 for a binary spike): ⌈(header + payload) / flit⌉, at least 1 —
// every packet has a head flit. It does not check payloadBits against
// PayloadBits (Encode does); on a format with no valid flit width it
// returns 1 rather than divide by zero.
func (f PacketFormat) Flits(payloadBits int) int {
	if f.FlitBits <= 0 {
		return 1
	}
	n := f.HeaderBits() + max(payloadBits, 0)
	return max(1, (n+f.FlitBits-1)/f.FlitBits)
}

// FieldBits is the width of the named field, or 0 when the format does not
// carry it.
func (f PacketFormat) FieldBits(name string) int {
	for _, fd := range f.Fields {
		if fd.Name == name {
			return fd.Bits
		}
	}
	return 0
}

// FieldRange is the smallest and largest value the named field holds, and
// false when the format does not carry it (or it has no valid width).
// Signed fields (dx, dy) hold a symmetric range, ±(2^(bits−1) − 1): 9 bits
// reach ±255, the most negative two's-complement pattern is unused, so a
// route and its way back always both fit.
func (f PacketFormat) FieldRange(name string) (lo, hi int64, ok bool) {
	k := fieldKind(name)
	b := f.FieldBits(name)
	if k < 0 || b < 1 || b > MaxFieldBits {
		return 0, 0, false
	}
	lo, hi = kindRange(k, b)
	return lo, hi, true
}

func kindRange(k, bits int) (lo, hi int64) {
	if signedKind(k) {
		hi = int64(1)<<(bits-1) - 1
		return -hi, hi
	}
	return 0, int64(1)<<bits - 1
}

// String is a one-line summary: "truenorth: 32-bit flits; dx 9s dy 9s axon 8 tick 4".
func (f PacketFormat) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d-bit flits;", f.Name, f.FlitBits)
	for _, fd := range f.Fields {
		s := ""
		if k := fieldKind(fd.Name); k >= 0 && signedKind(k) {
			s = "s"
		}
		fmt.Fprintf(&b, " %s %d%s", fd.Name, fd.Bits, s)
	}
	if f.PayloadBits > 0 {
		fmt.Fprintf(&b, " + payload ≤ %d", f.PayloadBits)
	}
	return b.String()
}

// Validate reports every bad field of the format. It checks the format on
// its own; whether a chip's mesh and cores fit it is the preset's check.
func (f PacketFormat) Validate() error {
	var errs []error
	if f.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if f.FlitBits < 1 || f.FlitBits > MaxFlitBits {
		errs = append(errs, fmt.Errorf("flit_bits must be in 1..%d, got %d", MaxFlitBits, f.FlitBits))
	}
	if f.PayloadBits < 0 || f.PayloadBits > MaxPayloadBits {
		errs = append(errs, fmt.Errorf("payload_bits must be in 0..%d, got %d", MaxPayloadBits, f.PayloadBits))
	}
	if len(f.Fields) == 0 {
		errs = append(errs, errors.New("fields is empty: a packet needs at least a destination and an axon"))
	}
	var seen [numKinds]bool
	for i, fd := range f.Fields {
		k := fieldKind(fd.Name)
		switch {
		case k < 0:
			errs = append(errs, fmt.Errorf("fields[%d]: unknown field %q (known: %s)", i, fd.Name, strings.Join(fieldNames[:], ", ")))
		case seen[k]:
			errs = append(errs, fmt.Errorf("fields[%d]: field %q appears twice", i, fd.Name))
		default:
			seen[k] = true
		}
		if fd.Bits < 1 || fd.Bits > MaxFieldBits {
			errs = append(errs, fmt.Errorf("fields[%d] (%s): bits must be in 1..%d, got %d", i, fd.Name, MaxFieldBits, fd.Bits))
		}
	}
	rel, abs := seen[kDX] || seen[kDY], seen[kTile]
	switch {
	case rel && abs:
		errs = append(errs, errors.New("fields: give the destination either as dx and dy (relative) or as tile (absolute), not both"))
	case rel && !(seen[kDX] && seen[kDY]):
		errs = append(errs, errors.New("fields: dx and dy come together: a relative destination needs both"))
	case !rel && !abs && len(f.Fields) > 0:
		errs = append(errs, errors.New("fields: no destination: add dx and dy (relative) or tile (absolute)"))
	}
	if seen[kChip] && !abs {
		errs = append(errs, errors.New("fields: chip numbers the chip of an absolute destination and needs a tile field"))
	}
	if !seen[kAxon] && len(f.Fields) > 0 {
		errs = append(errs, errors.New("fields: no axon field: a packet must name its target axon"))
	}
	if n := f.HeaderBits() + max(f.PayloadBits, 0); n > MaxPacketBits {
		errs = append(errs, fmt.Errorf("header and payload take %d bits, more than the %d a packet may have", n, MaxPacketBits))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("packet format %q: %w", f.Name, err)
	}
	return nil
}

// Packet is one spike packet's values. A format carries some of its fields;
// every field the format does not carry must be 0. A binary spike has
// PayloadBits 0 (and Payload 0); a graded spike carries Payload in
// PayloadBits bits.
type Packet struct {
	DX, DY      int32  // tile offset to the destination (relative formats)
	Chip        uint32 // destination chip on a board (absolute formats)
	Tile        uint32 // destination tile within its chip (absolute formats)
	Core        uint32 // destination core within its tile
	Axon        uint32 // target axon
	Tick        uint32 // delivery tick modulo 2^bits
	Payload     uint32 // graded payload
	PayloadBits uint8  // payload width; 0 for a binary spike
}

func (p *Packet) get(k int) int64 {
	switch k {
	case kDX:
		return int64(p.DX)
	case kDY:
		return int64(p.DY)
	case kChip:
		return int64(p.Chip)
	case kTile:
		return int64(p.Tile)
	case kCore:
		return int64(p.Core)
	case kAxon:
		return int64(p.Axon)
	}
	return int64(p.Tick)
}

func (p *Packet) set(k int, v int64) {
	switch k {
	case kDX:
		p.DX = int32(v)
	case kDY:
		p.DY = int32(v)
	case kChip:
		p.Chip = uint32(v)
	case kTile:
		p.Tile = uint32(v)
	case kCore:
		p.Core = uint32(v)
	case kAxon:
		p.Axon = uint32(v)
	default:
		p.Tick = uint32(v)
	}
}

// PacketBits is an encoded packet: Len bits, header first, cut into flits
// of FlitBits bits. Bit i of the packet is bit i%64 of Words[i/64]; flit j
// holds bits j·FlitBits … (j+1)·FlitBits − 1, its first bit lowest. It is a
// value, so encoding a packet allocates nothing.
type PacketBits struct {
	Words    [MaxPacketBits / 64]uint64
	Len      int // header + payload bits
	FlitBits int
}

// Flits is the number of flits the packet takes (at least 1).
func (b PacketBits) Flits() int {
	if b.FlitBits <= 0 {
		return 1
	}
	return max(1, (b.Len+b.FlitBits-1)/b.FlitBits)
}

// Flit returns flit i (its bits in the low FlitBits bits; the tail flit is
// padded with zeros), or 0 when i is not a flit of the packet.
func (b PacketBits) Flit(i int) uint64 {
	if i < 0 || i >= b.Flits() || b.FlitBits <= 0 || b.FlitBits > MaxFlitBits {
		return 0
	}
	pos := i * b.FlitBits
	n := min(b.FlitBits, b.Len-pos)
	if n <= 0 || pos+n > MaxPacketBits {
		return 0
	}
	return b.get(pos, n)
}

// put writes the low n bits of v (n ≤ 64) at bit pos; the caller checked
// that they fit.
func (b *PacketBits) put(pos, n int, v uint64) {
	if n < 64 {
		v &= 1<<n - 1
	}
	w, off := pos/64, pos%64
	b.Words[w] |= v << off
	if off+n > 64 {
		b.Words[w+1] |= v >> (64 - off)
	}
}

// get reads n bits (n ≤ 64) at bit pos; the caller checked that they lie
// inside Words.
func (b *PacketBits) get(pos, n int) uint64 {
	w, off := pos/64, pos%64
	v := b.Words[w] >> off
	if off+n > 64 {
		v |= b.Words[w+1] << (64 - off)
	}
	if n < 64 {
		v &= 1<<n - 1
	}
	return v
}

// layoutErr is the cheap part of Validate that Encode and Decode need to
// stay in bounds: flit width, field names and widths, total size. It
// allocates only when it reports an error.
func (f PacketFormat) layoutErr() error {
	if f.FlitBits < 1 || f.FlitBits > MaxFlitBits {
		return fmt.Errorf("packet format %q: flit_bits must be in 1..%d, got %d", f.Name, MaxFlitBits, f.FlitBits)
	}
	if f.PayloadBits < 0 || f.PayloadBits > MaxPayloadBits {
		return fmt.Errorf("packet format %q: payload_bits must be in 0..%d, got %d", f.Name, MaxPayloadBits, f.PayloadBits)
	}
	var seen [numKinds]bool
	n := 0
	for i, fd := range f.Fields {
		k := fieldKind(fd.Name)
		if k < 0 || seen[k] || fd.Bits < 1 || fd.Bits > MaxFieldBits {
			return fmt.Errorf("packet format %q: fields[%d] (%s, %d bits) is not a valid field; see Validate", f.Name, i, fd.Name, fd.Bits)
		}
		seen[k] = true
		n += fd.Bits
	}
	if n+f.PayloadBits > MaxPacketBits {
		return fmt.Errorf("packet format %q: header and payload take %d bits, more than %d", f.Name, n+f.PayloadBits, MaxPacketBits)
	}
	return nil
}

func (f PacketFormat) rangeErr(name string, v int64, bits int, signed bool, lo, hi int64) error {
	kind := "unsigned"
	if signed {
		kind = "signed"
	}
	return fmt.Errorf("packet format %q: %s = %d does not fit %d %s bits (%d..%d): %w", f.Name, name, v, bits, kind, lo, hi, ErrFieldRange)
}

// Encode packs p into f's bits. It returns an error wrapping ErrFieldRange
// when a value does not fit its field (naming the field and its range),
// and an error when p sets a field f does not carry or a payload wider
// than f's; it never panics. It allocates only to report an error.
func (f PacketFormat) Encode(p Packet) (PacketBits, error) {
	var b PacketBits
	if err := f.layoutErr(); err != nil {
		return b, err
	}
	b.FlitBits = f.FlitBits
	var seen [numKinds]bool
	for _, fd := range f.Fields {
		k := fieldKind(fd.Name)
		seen[k] = true
		v := p.get(k)
		lo, hi := kindRange(k, fd.Bits)
		if v < lo || v > hi {
			return PacketBits{}, f.rangeErr(fd.Name, v, fd.Bits, signedKind(k), lo, hi)
		}
		b.put(b.Len, fd.Bits, uint64(v))
		b.Len += fd.Bits
	}
	for k := range numKinds {
		if !seen[k] && p.get(k) != 0 {
			return PacketBits{}, fmt.Errorf("packet format %q: %s = %d, but the format has no %s field", f.Name, fieldNames[k], p.get(k), fieldNames[k])
		}
	}
	pb := int(p.PayloadBits)
	if pb > f.PayloadBits {
		return PacketBits{}, fmt.Errorf("packet format %q: a %d-bit payload does not fit the %d-bit payload field (payload_bits): %w", f.Name, pb, f.PayloadBits, ErrFieldRange)
	}
	if hi := int64(1)<<pb - 1; int64(p.Payload) > hi {
		return PacketBits{}, f.rangeErr("payload", int64(p.Payload), pb, false, 0, hi)
	}
	if pb > 0 {
		b.put(b.Len, pb, uint64(p.Payload))
		b.Len += pb
	}
	return b, nil
}

// Decode unpacks bits encoded in format f: Decode(Encode(p)) == p for every
// p that encodes. The payload width is what follows the header (b.Len −
// HeaderBits). It returns an error — never panics — when b does not belong
// to f (flit width, length), has bits set beyond its length, or holds a
// value Encode would not write (the unused most negative dx or dy).
func (f PacketFormat) Decode(b PacketBits) (Packet, error) {
	var p Packet
	if err := f.layoutErr(); err != nil {
		return p, err
	}
	if b.FlitBits != f.FlitBits {
		return p, fmt.Errorf("packet format %q: packet of %d-bit flits, the format's flits are %d bits", f.Name, b.FlitBits, f.FlitBits)
	}
	h := f.HeaderBits()
	if b.Len < h || b.Len > h+f.PayloadBits {
		return p, fmt.Errorf("packet format %q: packet of %d bits, the format's packets have %d..%d (header %d + payload ≤ %d)",
			f.Name, b.Len, h, h+f.PayloadBits, h, f.PayloadBits)
	}
	for i, w := range b.Words {
		lo := i * 64
		var stray uint64
		switch {
		case b.Len <= lo:
			stray = w
		case b.Len < lo+64:
			stray = w >> (b.Len - lo)
		}
		if stray != 0 {
			return p, fmt.Errorf("packet format %q: bits set beyond the packet's %d bits", f.Name, b.Len)
		}
	}
	pos := 0
	for _, fd := range f.Fields {
		k := fieldKind(fd.Name)
		u := b.get(pos, fd.Bits)
		pos += fd.Bits
		v := int64(u)
		if signedKind(k) && u>>(fd.Bits-1) != 0 {
			v -= int64(1) << fd.Bits // sign-extend
		}
		if lo, hi := kindRange(k, fd.Bits); v < lo || v > hi {
			return Packet{}, f.rangeErr(fd.Name, v, fd.Bits, signedKind(k), lo, hi)
		}
		p.set(k, v)
	}
	if pb := b.Len - h; pb > 0 {
		p.PayloadBits = uint8(pb)
		p.Payload = uint32(b.get(pos, pb))
	}
	return p, nil
}
