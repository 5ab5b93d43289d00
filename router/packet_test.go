package router

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// narrowFormat is a user format whose 16-bit flits make every packet two
// flits or more: a Loihi-style 24-bit header and an 8-bit payload.
func narrowFormat() PacketFormat {
	f := LoihiPacketFormat()
	f.Name, f.FlitBits = "narrow", 16
	return f
}

func TestShippedPacketFormats(t *testing.T) {
	tn, lo := TrueNorthPacketFormat(), LoihiPacketFormat()
	require.NoError(t, tn.Validate())
	require.NoError(t, lo.Validate())
	assert.Equal(t, 30, tn.HeaderBits(), "dx 9 + dy 9 + axon 8 + tick 4")
	assert.Equal(t, 24, lo.HeaderBits(), "chip 4 + tile 6 + core 2 + axon 12")
	assert.Equal(t, "truenorth: 32-bit flits; dx 9s dy 9s axon 8 tick 4", tn.String())
	assert.Equal(t, "loihi: 32-bit flits; chip 4 tile 6 core 2 axon 12 + payload ≤ 8", lo.String())

	for _, tc := range []struct {
		f      PacketFormat
		name   string
		lo, hi int64
	}{
		{tn, FieldDX, -255, 255}, {tn, FieldDY, -255, 255}, {tn, FieldAxon, 0, 255}, {tn, FieldTick, 0, 15},
		{lo, FieldChip, 0, 15}, {lo, FieldTile, 0, 63}, {lo, FieldCore, 0, 3}, {lo, FieldAxon, 0, 4095},
	} {
		l, h, ok := tc.f.FieldRange(tc.name)
		require.True(t, ok, "%s.%s", tc.f.Name, tc.name)
		assert.Equal(t, [2]int64{tc.lo, tc.hi}, [2]int64{l, h}, "%s.%s", tc.f.Name, tc.name)
	}
	_, _, ok := tn.FieldRange(FieldCore)
	assert.False(t, ok, "truenorth packets carry no core id")
	assert.Equal(t, 0, tn.FieldBits(FieldTile))
}

func TestPacketFormatZeroEqualClone(t *testing.T) {
	assert.True(t, PacketFormat{}.IsZero())
	assert.False(t, LoihiPacketFormat().IsZero())
	a := LoihiPacketFormat()
	c := a.Clone()
	assert.True(t, a.Equal(c))
	c.Fields[0].Bits++
	assert.False(t, a.Equal(c))
	assert.Equal(t, 4, a.Fields[0].Bits, "a clone shares no memory with the original")
}

func TestPacketFormatValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*PacketFormat)
		want []string
	}{
		{"no name", func(f *PacketFormat) { f.Name = "" }, []string{"name is empty"}},
		{"flit 0", func(f *PacketFormat) { f.FlitBits = 0 }, []string{"flit_bits must be in 1..64, got 0"}},
		{"flit 65", func(f *PacketFormat) { f.FlitBits = 65 }, []string{"flit_bits must be in 1..64, got 65"}},
		{"payload 33", func(f *PacketFormat) { f.PayloadBits = 33 }, []string{"payload_bits must be in 0..32, got 33"}},
		{"no fields", func(f *PacketFormat) { f.Fields = nil }, []string{"fields is empty"}},
		{"unknown", func(f *PacketFormat) { f.Fields[0].Name = "x" }, []string{`fields[0]: unknown field "x"`}},
		{"twice", func(f *PacketFormat) { f.Fields[1] = PacketField{FieldDX, 9} },
			[]string{`fields[1]: field "dx" appears twice`, "dx and dy come together"}},
		{"bits 0", func(f *PacketFormat) { f.Fields[2].Bits = 0 }, []string{"fields[2] (axon): bits must be in 1..32, got 0"}},
		{"bits 33", func(f *PacketFormat) { f.Fields[2].Bits = 33 }, []string{"fields[2] (axon): bits must be in 1..32, got 33"}},
		{"no axon", func(f *PacketFormat) { f.Fields = f.Fields[:2] }, []string{"no axon field"}},
		{"no destination", func(f *PacketFormat) { f.Fields = f.Fields[2:] }, []string{"no destination"}},
		{"both", func(f *PacketFormat) { f.Fields = append(f.Fields, PacketField{FieldTile, 4}) }, []string{"not both"}},
		{"chip without tile", func(f *PacketFormat) { f.Fields = append(f.Fields, PacketField{FieldChip, 4}) },
			[]string{"chip numbers the chip of an absolute destination"}},
		{"too big", func(f *PacketFormat) {
			// Only a repeated field can exceed the limit: seven 32-bit
			// fields and a 32-bit payload are exactly 256 bits.
			f.FlitBits, f.PayloadBits = 64, 32
			f.Fields = []PacketField{{FieldDX, 32}, {FieldDY, 32}, {FieldChip, 32}, {FieldTile, 32},
				{FieldCore, 32}, {FieldAxon, 32}, {FieldTick, 32}, {FieldAxon, 32}}
		}, []string{"more than the 256 a packet may have"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := TrueNorthPacketFormat()
			tc.edit(&f)
			err := f.Validate()
			require.Error(t, err)
			assert.ErrorContains(t, err, "packet format ")
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
	// Every bad field is reported, not only the first.
	err := PacketFormat{FlitBits: 0, PayloadBits: -1, Fields: []PacketField{{"x", 0}}}.Validate()
	require.Error(t, err)
	for _, w := range []string{"name is empty", "flit_bits", "payload_bits", "unknown field", "bits must be", "no destination", "no axon"} {
		assert.ErrorContains(t, err, w)
	}
}

func TestPacketRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		f    PacketFormat
		p    Packet
	}{
		{"tn zero", TrueNorthPacketFormat(), Packet{}},
		{"tn max", TrueNorthPacketFormat(), Packet{DX: 255, DY: 255, Axon: 255, Tick: 15}},
		{"tn min", TrueNorthPacketFormat(), Packet{DX: -255, DY: -255}},
		{"tn mixed", TrueNorthPacketFormat(), Packet{DX: -1, DY: 1, Axon: 128, Tick: 7}},
		{"loihi zero", LoihiPacketFormat(), Packet{}},
		{"loihi max", LoihiPacketFormat(), Packet{Chip: 15, Tile: 63, Core: 3, Axon: 4095}},
		{"loihi graded max", LoihiPacketFormat(), Packet{Chip: 15, Tile: 63, Core: 3, Axon: 4095, Payload: 255, PayloadBits: 8}},
		{"loihi graded 1 bit", LoihiPacketFormat(), Packet{Tile: 5, Axon: 9, Payload: 1, PayloadBits: 1}},
		{"loihi graded zero payload", LoihiPacketFormat(), Packet{Payload: 0, PayloadBits: 4}},
		{"narrow graded", narrowFormat(), Packet{Chip: 9, Tile: 33, Core: 2, Axon: 4000, Payload: 200, PayloadBits: 8}},
		{"one-bit flits", PacketFormat{Name: "serial", FlitBits: 1, Fields: []PacketField{{FieldDX, 2}, {FieldDY, 2}, {FieldAxon, 1}}},
			Packet{DX: -1, DY: 1, Axon: 1}},
		{"64-bit flits, wide", PacketFormat{Name: "wide", FlitBits: 64, PayloadBits: 32, Fields: []PacketField{
			{FieldChip, 32}, {FieldTile, 32}, {FieldCore, 32}, {FieldAxon, 32}, {FieldTick, 32}}},
			Packet{Chip: 1<<32 - 1, Tile: 1 << 31, Core: 7, Axon: 1<<32 - 1, Tick: 3, Payload: 1<<32 - 1, PayloadBits: 32}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.f.Validate())
			b, err := tc.f.Encode(tc.p)
			require.NoError(t, err)
			assert.Equal(t, tc.f.HeaderBits()+int(tc.p.PayloadBits), b.Len)
			assert.Equal(t, tc.f.Flits(int(tc.p.PayloadBits)), b.Flits())
			got, err := tc.f.Decode(b)
			require.NoError(t, err)
			assert.Equal(t, tc.p, got)
		})
	}
}

// The first field sits in the lowest bits of the first flit; signed
// fields are two's complement; a flit is a FlitBits-wide slice of the bits.
func TestPacketBitLayout(t *testing.T) {
	tn := TrueNorthPacketFormat()
	b, err := tn.Encode(Packet{DX: -1, DY: 2, Axon: 0xAB, Tick: 0xC})
	require.NoError(t, err)
	want := uint64(0x1FF) | 2<<9 | 0xAB<<18 | 0xC<<26
	assert.Equal(t, want, b.Words[0])
	assert.Equal(t, want, b.Flit(0))
	assert.Equal(t, uint64(0), b.Flit(1), "no second flit")
	assert.Equal(t, uint64(0), b.Flit(-1))

	nf := narrowFormat() // 16-bit flits: 24 header bits + 8 payload bits = 2 flits
	b, err = nf.Encode(Packet{Chip: 0xA, Tile: 0x3F, Core: 1, Axon: 0x123, Payload: 0x5A, PayloadBits: 8})
	require.NoError(t, err)
	all := uint64(0xA) | 0x3F<<4 | 1<<10 | 0x123<<12 | 0x5A<<24
	require.Equal(t, 2, b.Flits())
	assert.Equal(t, all&0xFFFF, b.Flit(0))
	assert.Equal(t, all>>16, b.Flit(1))
}

func TestPacketEncodeErrors(t *testing.T) {
	tn, lo := TrueNorthPacketFormat(), LoihiPacketFormat()
	tests := []struct {
		name    string
		f       PacketFormat
		p       Packet
		want    []string
		isRange bool
	}{
		{"dx too far east", tn, Packet{DX: 256}, []string{"dx = 256", "9 signed bits (-255..255)"}, true},
		{"dx too far west", tn, Packet{DX: -256}, []string{"dx = -256", "-255..255"}, true},
		{"dy", tn, Packet{DY: 1000}, []string{"dy = 1000", "-255..255"}, true},
		{"tn axon", tn, Packet{Axon: 256}, []string{"axon = 256", "8 unsigned bits (0..255)"}, true},
		{"tick", tn, Packet{Tick: 16}, []string{"tick = 16", "4 unsigned bits (0..15)"}, true},
		{"loihi axon", lo, Packet{Axon: 4096}, []string{"axon = 4096", "0..4095"}, true},
		{"loihi tile", lo, Packet{Tile: 64}, []string{"tile = 64", "0..63"}, true},
		{"loihi core", lo, Packet{Core: 4}, []string{"core = 4", "0..3"}, true},
		{"loihi chip", lo, Packet{Chip: 16}, []string{"chip = 16", "0..15"}, true},
		{"payload value", lo, Packet{Payload: 16, PayloadBits: 4}, []string{"payload = 16", "4 unsigned bits (0..15)"}, true},
		{"payload without width", lo, Packet{Payload: 1}, []string{"payload = 1", "(0..0)"}, true},
		{"payload too wide", lo, Packet{PayloadBits: 9}, []string{"9-bit payload", "8-bit payload field"}, true},
		{"tn has no payload", tn, Packet{Payload: 1, PayloadBits: 1}, []string{"1-bit payload", "0-bit payload field"}, true},
		{"tn has no core", tn, Packet{Core: 1}, []string{"core = 1", "no core field"}, false},
		{"loihi has no dx", lo, Packet{DX: -3}, []string{"dx = -3", "no dx field"}, false},
		{"bad layout", PacketFormat{Name: "bad", FlitBits: 8, Fields: []PacketField{{FieldAxon, 0}}}, Packet{},
			[]string{`packet format "bad"`, "not a valid field"}, false},
		{"bad flit", PacketFormat{Name: "bad", FlitBits: 0}, Packet{}, []string{"flit_bits"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.f.Encode(tc.p)
			require.Error(t, err)
			assert.Equal(t, PacketBits{}, b)
			assert.Equal(t, tc.isRange, errors.Is(err, ErrFieldRange), "%v", err)
			assert.ErrorContains(t, err, fmt.Sprintf("packet format %q", tc.f.Name))
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func TestPacketDecodeErrors(t *testing.T) {
	tn := TrueNorthPacketFormat()
	good, err := tn.Encode(Packet{DX: 3, Axon: 7})
	require.NoError(t, err)
	tests := []struct {
		name string
		edit func(*PacketBits)
		want string
	}{
		{"flit width", func(b *PacketBits) { b.FlitBits = 16 }, "packet of 16-bit flits, the format's flits are 32 bits"},
		{"short", func(b *PacketBits) { b.Len = 29 }, "packet of 29 bits, the format's packets have 30..30"},
		{"long", func(b *PacketBits) { b.Len = 31 }, "packet of 31 bits"},
		{"negative", func(b *PacketBits) { b.Len = -1 }, "packet of -1 bits"},
		{"stray bit", func(b *PacketBits) { b.Words[0] |= 1 << 30 }, "bits set beyond the packet's 30 bits"},
		{"stray word", func(b *PacketBits) { b.Words[3] = 1 }, "bits set beyond"},
		{"most negative dx", func(b *PacketBits) { b.Words[0] = b.Words[0]&^0x1FF | 0x100 }, "dx = -256 does not fit 9 signed bits (-255..255)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := good
			tc.edit(&b)
			_, err := tn.Decode(b)
			assert.ErrorContains(t, err, tc.want)
			assert.ErrorContains(t, err, `packet format "truenorth"`)
		})
	}
	_, err = PacketFormat{Name: "bad"}.Decode(good)
	assert.ErrorContains(t, err, "flit_bits")
}

func TestPacketFlits(t *testing.T) {
	tests := []struct {
		name    string
		f       PacketFormat
		payload int
		want    int
	}{
		{"truenorth binary", TrueNorthPacketFormat(), 0, 1},
		{"loihi binary", LoihiPacketFormat(), 0, 1},
		{"loihi graded 8", LoihiPacketFormat(), 8, 1}, // 24 + 8 = 32: exactly one flit
		{"loihi graded 9", LoihiPacketFormat(), 9, 2}, // one bit over
		{"narrow binary", narrowFormat(), 0, 2},       // 24 bits in 16-bit flits
		{"narrow graded 8", narrowFormat(), 8, 2},     // 32 bits
		{"narrow graded 9", narrowFormat(), 9, 3},     // 33 bits
		{"negative payload counts 0", narrowFormat(), -5, 2},
		{"one-bit flits", PacketFormat{FlitBits: 1, Fields: []PacketField{{FieldAxon, 5}}}, 3, 8},
		{"empty header", PacketFormat{FlitBits: 8}, 0, 1},
		{"no flit width", PacketFormat{}, 8, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.f.Flits(tc.payload))
		})
	}
	assert.Equal(t, 1, PacketBits{}.Flits())
}

// The common case — one packet, one flit — allocates nothing.
func TestPacketEncodeDecodeAllocs(t *testing.T) {
	lo := LoihiPacketFormat()
	p := Packet{Tile: 12, Core: 1, Axon: 300, Payload: 9, PayloadBits: 4}
	allocs := testing.AllocsPerRun(100, func() {
		b, err := lo.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lo.Decode(b); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// FuzzPacketRoundTrip checks both directions for the shipped formats and
// a multi-flit one: every packet that encodes decodes to itself in the
// flit count Flits predicts, and any bits that decode re-encode to
// themselves. Neither direction may panic.
func FuzzPacketRoundTrip(f *testing.F) {
	f.Add(uint8(0), int32(255), int32(-255), uint32(0), uint32(0), uint32(0), uint32(255), uint32(15), uint32(0), uint8(0), uint64(0), 30)
	f.Add(uint8(0), int32(-256), int32(0), uint32(0), uint32(0), uint32(0), uint32(0), uint32(0), uint32(0), uint8(0), uint64(0x100), 30)
	f.Add(uint8(1), int32(0), int32(0), uint32(15), uint32(63), uint32(3), uint32(4095), uint32(0), uint32(255), uint8(8), uint64(1<<32-1), 32)
	f.Add(uint8(1), int32(0), int32(0), uint32(16), uint32(0), uint32(0), uint32(0), uint32(0), uint32(0), uint8(9), uint64(1)<<40, 33)
	f.Add(uint8(2), int32(0), int32(0), uint32(9), uint32(33), uint32(2), uint32(4000), uint32(0), uint32(200), uint8(8), uint64(0xDEADBEEF), 32)
	formats := []PacketFormat{TrueNorthPacketFormat(), LoihiPacketFormat(), narrowFormat()}
	f.Fuzz(func(t *testing.T, which uint8, dx, dy int32, chip, tile, core, axon, tick, payload uint32, pbits uint8, raw uint64, rawLen int) {
		pf := formats[int(which)%len(formats)]
		p := Packet{DX: dx, DY: dy, Chip: chip, Tile: tile, Core: core, Axon: axon, Tick: tick, Payload: payload, PayloadBits: pbits}
		b, err := pf.Encode(p)
		if err == nil {
			if b.Flits() != pf.Flits(int(pbits)) {
				t.Fatalf("%s: %+v encodes to %d flits, Flits(%d) says %d", pf.Name, p, b.Flits(), pbits, pf.Flits(int(pbits)))
			}
			got, err := pf.Decode(b)
			if err != nil {
				t.Fatalf("%s: %+v encodes but does not decode: %v", pf.Name, p, err)
			}
			if got != p {
				t.Fatalf("%s: %+v round-trips to %+v", pf.Name, p, got)
			}
		}
		// Raw bits: whatever decodes re-encodes to the same bits.
		rb := PacketBits{Len: rawLen, FlitBits: pf.FlitBits}
		rb.Words[0] = raw
		if q, err := pf.Decode(rb); err == nil {
			back, err := pf.Encode(q)
			if err != nil {
				t.Fatalf("%s: %+v decoded from %#x but does not encode: %v", pf.Name, q, raw, err)
			}
			if back != rb {
				t.Fatalf("%s: bits %#x/%d decode to %+v, which encodes to %#x/%d", pf.Name, raw, rawLen, q, back.Words[0], back.Len)
			}
		}
		for i := -1; i <= rb.Flits(); i++ {
			_ = rb.Flit(i)
		}
	})
}

func ExamplePacketFormat_Encode() {
	tn := TrueNorthPacketFormat()
	// A spike for axon 42 of the core 3 tiles west and 5 north, delivered
	// at tick 9.
	b, err := tn.Encode(Packet{DX: -3, DY: 5, Axon: 42, Tick: 9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n%d bits, %d flit: %#08x\n", tn, b.Len, b.Flits(), b.Flit(0))
	p, _ := tn.Decode(b)
	fmt.Printf("dx=%d dy=%d axon=%d tick=%d\n", p.DX, p.DY, p.Axon, p.Tick)

	// The same axon 300 tiles away does not fit 9 signed bits.
	_, err = tn.Encode(Packet{DX: 300, Axon: 42})
	fmt.Println(err)

	// In 24-bit flits a binary spike takes one flit, an 8-bit graded
	// spike two.
	narrow := LoihiPacketFormat()
	narrow.Name, narrow.FlitBits = "narrow", 24
	fmt.Println(narrow.Flits(0), narrow.Flits(8))
	// Output:
	// truenorth: 32-bit flits; dx 9s dy 9s axon 8 tick 4
	// 30 bits, 1 flit: 0x24a80bfd
	// dx=-3 dy=5 axon=42 tick=9
	// packet format "truenorth": dx = 300 does not fit 9 signed bits (-255..255): value out of its packet field's range
	// 1 2
}
