package preset

import (
	"fmt"
	"math/bits"

	"github.com/tessera-sim/tessera/router"
)

// PacketFormat is the format of the preset's spike packets: Packet when the
// preset names one, otherwise the preset's default — TrueNorth's (dx, dy,
// axon, tick) packet for crossbar cores (TrueNorth's architecture), the
// Loihi-style (chip, tile, core, axon, payload) packet for every other
// core. The built-in presets fit their default exactly (loihi and small:
// router.LoihiPacketFormat, truenorth: router.TrueNorthPacketFormat). For a
// preset that outgrows it — a wider mesh, more axons, longer delays, more
// cores per tile — the default widens the fields that need it (adds a core
// or chip id if needed) and the flit with them (up to 64 bits), so a
// preset that names no format is never rejected for its packets and every
// packet stays one flit, as before packet formats existed. The result
// shares no memory with s.
func (s Spec) PacketFormat() router.PacketFormat {
	if !s.Packet.IsZero() {
		return s.Packet.Clone()
	}
	f := router.LoihiPacketFormat()
	if s.Core.Crossbar {
		f = router.TrueNorthPacketFormat()
	}
	n := s.packetNeeds()
	// fit widens field name to at least b bits, or inserts it before the
	// field before (the axon, or the tile for a chip id) if it is missing.
	fit := func(name string, b int, before string) {
		b = min(b, router.MaxFieldBits)
		for i := range f.Fields {
			if f.Fields[i].Name == name {
				f.Fields[i].Bits = max(f.Fields[i].Bits, b)
				return
			}
		}
		at := len(f.Fields)
		for i := range f.Fields {
			if f.Fields[i].Name == before {
				at = i
				break
			}
		}
		f.Fields = append(f.Fields[:at], append([]router.PacketField{{Name: name, Bits: b}}, f.Fields[at:]...)...)
	}
	if f.FieldBits(router.FieldDX) > 0 {
		fit(router.FieldDX, signedBits(n.maxDX), "")
		fit(router.FieldDY, signedBits(n.maxDY), "")
	} else {
		fit(router.FieldTile, indexBits(n.tilesPerChip), "")
		if n.chips > 1 || f.FieldBits(router.FieldChip) > 0 {
			fit(router.FieldChip, indexBits(n.chips), router.FieldTile)
		}
	}
	if n.coresPerTile > 1 || f.FieldBits(router.FieldCore) > 0 {
		fit(router.FieldCore, indexBits(n.coresPerTile), router.FieldAxon)
	}
	fit(router.FieldAxon, indexBits(n.axons), "")
	if f.FieldBits(router.FieldTick) > 0 {
		fit(router.FieldTick, bits.Len(uint(max(n.ticksAhead, 0))), "")
	}
	f.FlitBits = max(f.FlitBits, min(f.HeaderBits()+f.PayloadBits, router.MaxFlitBits))
	return f
}

// packetNeeds is what a preset asks of its packets: the largest value each
// header field must hold.
type packetNeeds struct {
	maxDX, maxDY int // a packet crosses at most width − 1 tiles in x, height − 1 in y
	chips        int // chips on the board; 1 for a single chip
	tilesPerChip int
	coresPerTile int
	axons        int // core.max_axons
	// ticksAhead is how many ticks after it is sent a spike is delivered at
	// most: a spike of step t with delay d arrives at step t + 1 + d.
	ticksAhead int
}

func (s Spec) packetNeeds() packetNeeds {
	m := s.Mesh
	n := packetNeeds{maxDX: m.Width - 1, maxDY: m.Height - 1, chips: 1, tilesPerChip: m.Width * m.Height,
		coresPerTile: m.CoresPerTile, axons: s.Core.MaxAxons, ticksAhead: s.Core.MaxDelay + 1}
	if m.Board() {
		n.chips = (m.Width / m.ChipWidth) * (m.Height / m.ChipHeight)
		n.tilesPerChip = m.ChipWidth * m.ChipHeight
	}
	return n
}

// indexBits is the width of an unsigned field that numbers count things
// (0..count−1); at least 1.
func indexBits(count int) int { return max(1, bits.Len(uint(max(count-1, 0)))) }

// signedBits is the width of a signed field that reaches ±maxAbs.
func signedBits(maxAbs int) int { return bits.Len(uint(max(maxAbs, 0))) + 1 }

// checkPacket reports every way the preset's network does not fit its
// packet format: destinations the header cannot address, axons it cannot
// name, delays its tick cannot carry.
func (s Spec) checkPacket() []error {
	f := s.PacketFormat()
	if err := f.Validate(); err != nil {
		return []error{fmt.Errorf("packet: %w", err)}
	}
	n := s.packetNeeds()
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("packet format %q: %s", f.Name, fmt.Sprintf(format, a...)))
	}
	// unsigned reports a field too narrow to number count things.
	unsigned := func(name string, count int, what string) {
		if _, hi, ok := f.FieldRange(name); ok && int64(count-1) > hi {
			bad("%s, but %s (%d bits) numbers 0..%d; widen %s in packet.fields", what, name, f.FieldBits(name), hi, name)
		}
	}
	if _, hi, ok := f.FieldRange(router.FieldDX); ok && int64(n.maxDX) > hi {
		bad("mesh.width is %d: a packet may cross %d tiles east or west, but dx (%d signed bits) reaches ±%d; narrow the mesh or widen dx in packet.fields",
			s.Mesh.Width, n.maxDX, f.FieldBits(router.FieldDX), hi)
	}
	if _, hi, ok := f.FieldRange(router.FieldDY); ok && int64(n.maxDY) > hi {
		bad("mesh.height is %d: a packet may cross %d tiles north or south, but dy (%d signed bits) reaches ±%d; narrow the mesh or widen dy in packet.fields",
			s.Mesh.Height, n.maxDY, f.FieldBits(router.FieldDY), hi)
	}
	if f.FieldBits(router.FieldTile) > 0 {
		unsigned(router.FieldTile, n.tilesPerChip, fmt.Sprintf("a chip has %d tiles", n.tilesPerChip))
		if f.FieldBits(router.FieldChip) > 0 {
			unsigned(router.FieldChip, n.chips, fmt.Sprintf("the board has %d chips", n.chips))
		} else if n.chips > 1 {
			bad("the board has %d chips, but the format has no chip field to tell them apart (tile numbers the tiles of one chip); add chip to packet.fields", n.chips)
		}
	}
	if f.FieldBits(router.FieldCore) > 0 {
		unsigned(router.FieldCore, n.coresPerTile, fmt.Sprintf("mesh.cores_per_tile is %d", n.coresPerTile))
	} else if n.coresPerTile > 1 {
		bad("mesh.cores_per_tile is %d, but the format has no core field to pick one; add core to packet.fields", n.coresPerTile)
	}
	unsigned(router.FieldAxon, n.axons, fmt.Sprintf("core.max_axons is %d", n.axons))
	if b := f.FieldBits(router.FieldTick); b > 0 {
		if ahead := int64(1)<<b - 1; int64(n.ticksAhead) > ahead {
			bad("core.max_delay is %d: a spike is delivered up to %d ticks after it is sent, but tick (%d bits) reaches %d ticks ahead; lower max_delay to %d or widen tick in packet.fields",
				s.Core.MaxDelay, n.ticksAhead, b, ahead, ahead-1)
		}
	}
	return errs
}
