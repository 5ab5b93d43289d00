package preset

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/router"
)

// The built-in presets name no format: each uses its architecture's
// default, which fits it exactly.
func TestBuiltinPacketFormats(t *testing.T) {
	for name, want := range map[string]router.PacketFormat{
		"loihi": router.LoihiPacketFormat(), "small": router.LoihiPacketFormat(), "truenorth": router.TrueNorthPacketFormat(),
	} {
		s, err := Lookup(name)
		require.NoError(t, err)
		assert.True(t, s.Packet.IsZero(), name)
		assert.Equal(t, want, s.PacketFormat(), name)
		assert.Equal(t, 1, s.PacketFormat().Flits(0), "%s: a binary spike is one flit", name)
	}
	assert.Equal(t, 1, Loihi().PacketFormat().Flits(8), "an 8-bit graded spike is one flit on loihi")
}

func TestPacketLimits(t *testing.T) {
	tn := func(edit func(*Spec)) Spec {
		s := TrueNorth()
		s.Packet = router.TrueNorthPacketFormat()
		edit(&s)
		return s
	}
	lo := func(edit func(*Spec)) Spec {
		s := Loihi()
		s.Packet = router.LoihiPacketFormat()
		edit(&s)
		return s
	}
	board := func(s *Spec, cw, ch, nx, ny int) {
		s.Mesh.ChipWidth, s.Mesh.ChipHeight = cw, ch
		s.Mesh.Width, s.Mesh.Height = cw*nx, ch*ny
		s.Mesh.ChipLink = router.HopCost{EnergyFJ: 1, LatencyPS: 1}
	}
	tests := []struct {
		name string
		spec Spec
		want []string // nil: valid
	}{
		{"truenorth as shipped", tn(func(*Spec) {}), nil},
		{"dx at its limit", tn(func(s *Spec) { s.Mesh.Width = 256 }), nil},
		{"dx beyond", tn(func(s *Spec) { s.Mesh.Width = 257 }),
			[]string{`packet format "truenorth": mesh.width is 257: a packet may cross 256 tiles east or west, but dx (9 signed bits) reaches ±255`}},
		{"dy at its limit", tn(func(s *Spec) { s.Mesh.Height = 256 }), nil},
		{"dy beyond", tn(func(s *Spec) { s.Mesh.Height = 300 }), []string{"mesh.height is 300", "dy (9 signed bits) reaches ±255"}},
		{"a truenorth board crosses chips by dx, dy", tn(func(s *Spec) { board(s, 64, 64, 4, 4) }), nil},
		{"tn axons at the limit", tn(func(s *Spec) { s.Core.MaxAxons = 256 }), nil},
		{"tn axons beyond", tn(func(s *Spec) { s.Core.MaxAxons = 257; s.Core.Crossbar = false }),
			[]string{"core.max_axons is 257, but axon (8 bits) numbers 0..255"}},
		{"tick at its limit", tn(func(s *Spec) { s.Core.MaxDelay = 14 }), nil},
		{"tick beyond", tn(func(s *Spec) { s.Core.MaxDelay = 15 }),
			[]string{"core.max_delay is 15: a spike is delivered up to 16 ticks after it is sent, but tick (4 bits) reaches 15 ticks ahead; lower max_delay to 14"}},
		{"no core field", tn(func(s *Spec) { s.Mesh.CoresPerTile = 2; s.Mesh.Width = 32 }),
			[]string{"mesh.cores_per_tile is 2, but the format has no core field"}},
		{"every misfit at once", tn(func(s *Spec) { s.Mesh.Width, s.Core.MaxDelay = 512, 20 }),
			[]string{"mesh.width is 512", "core.max_delay is 20"}},

		{"loihi as shipped", lo(func(*Spec) {}), nil},
		{"loihi tiles at the limit", lo(func(s *Spec) { s.Mesh.Width, s.Mesh.Height = 8, 8 }), nil},
		{"loihi tiles beyond", lo(func(s *Spec) { s.Mesh.Width, s.Mesh.Height = 9, 8 }),
			[]string{`packet format "loihi": a chip has 72 tiles, but tile (6 bits) numbers 0..63; widen tile in packet.fields`}},
		{"loihi cores at the limit", lo(func(s *Spec) { s.Mesh.CoresPerTile = 4 }), nil},
		{"loihi cores beyond", lo(func(s *Spec) { s.Mesh.CoresPerTile = 5 }),
			[]string{"mesh.cores_per_tile is 5, but core (2 bits) numbers 0..3"}},
		{"loihi axons at the limit", lo(func(s *Spec) { s.Core.MaxAxons = 4096 }), nil},
		{"loihi axons beyond", lo(func(s *Spec) { s.Core.MaxAxons = 4097 }),
			[]string{"core.max_axons is 4097, but axon (12 bits) numbers 0..4095"}},
		{"loihi delays are the core's business", lo(func(s *Spec) { s.Core.MaxDelay = 63 }), nil},
		{"board at the limit", lo(func(s *Spec) { board(s, 8, 4, 4, 4) }), nil},
		{"board beyond", lo(func(s *Spec) { board(s, 8, 4, 4, 5) }),
			[]string{"the board has 20 chips, but chip (4 bits) numbers 0..15"}},
		{"board tiles per chip", lo(func(s *Spec) { board(s, 16, 8, 2, 1) }), []string{"a chip has 128 tiles"}},
		{"board without chip field", lo(func(s *Spec) {
			board(s, 8, 4, 2, 1)
			s.Packet.Fields = s.Packet.Fields[1:]
		}), []string{"the board has 2 chips, but the format has no chip field"}},
		{"invalid format", lo(func(s *Spec) { s.Packet.FlitBits = 0; s.Packet.Fields[3].Name = "axle" }),
			[]string{`packet: packet format "loihi": flit_bits must be in 1..64, got 0`, `fields[3]: unknown field "axle"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// A preset that names no format is never rejected for its packets: the
// default widens what the preset outgrows, and every packet stays one flit.
func TestDefaultPacketFormatFits(t *testing.T) {
	field := func(f router.PacketFormat) map[string]int {
		m := map[string]int{}
		for _, fd := range f.Fields {
			m[fd.Name] = fd.Bits
		}
		return m
	}
	t.Run("wide loihi", func(t *testing.T) {
		s := Loihi()
		s.Mesh.Width, s.Mesh.Height = 16, 16 // 256 tiles
		s.Core.MaxAxons = 1 << 30            // as an unlimited SANA-FE import
		require.NoError(t, s.Validate())
		f := s.PacketFormat()
		assert.Equal(t, map[string]int{"chip": 4, "tile": 8, "core": 2, "axon": 30}, field(f))
		assert.Equal(t, 44+8, f.FlitBits)
		assert.Equal(t, 1, f.Flits(8))
		assert.Equal(t, "loihi", f.Name)
	})
	t.Run("loihi board", func(t *testing.T) {
		s := Loihi()
		s.Mesh.Width, s.Mesh.Height, s.Mesh.ChipWidth, s.Mesh.ChipHeight = 8*8, 4*4, 8, 4 // 32 chips
		s.Mesh.ChipLink = router.HopCost{LatencyPS: 1}
		require.NoError(t, s.Validate())
		assert.Equal(t, 5, field(s.PacketFormat())["chip"])
		assert.Equal(t, 6, field(s.PacketFormat())["tile"], "tile numbers the tiles of one chip")
	})
	t.Run("one core per tile keeps the core field", func(t *testing.T) {
		assert.Equal(t, router.LoihiPacketFormat(), Small().PacketFormat())
	})
	t.Run("wide truenorth", func(t *testing.T) {
		s := TrueNorth()
		s.Mesh.Width, s.Mesh.CoresPerTile = 1024, 2
		s.Core.MaxDelay = 40
		require.NoError(t, s.Validate())
		f := s.PacketFormat()
		assert.Equal(t, []router.PacketField{{Name: "dx", Bits: 11}, {Name: "dy", Bits: 9}, {Name: "core", Bits: 1},
			{Name: "axon", Bits: 8}, {Name: "tick", Bits: 6}}, f.Fields)
		assert.Equal(t, 35, f.FlitBits)
		assert.Equal(t, 1, f.Flits(0))
	})
	t.Run("a named format is not widened", func(t *testing.T) {
		s := Loihi()
		s.Packet = router.LoihiPacketFormat()
		s.Mesh.Width, s.Mesh.Height = 16, 16
		assert.ErrorContains(t, s.Validate(), "a chip has 256 tiles")
		assert.Equal(t, router.LoihiPacketFormat(), s.PacketFormat())
	})
	t.Run("the result is a copy", func(t *testing.T) {
		s := TrueNorth()
		s.Packet = router.TrueNorthPacketFormat()
		s.PacketFormat().Fields[0].Bits = 1
		assert.Equal(t, 9, s.Packet.Fields[0].Bits)
	})
}

func TestParsePacket(t *testing.T) {
	tests := []struct {
		name, text string
		want       func(t *testing.T, s Spec)
		err        string
	}{
		{"no packet section keeps the default", "base: small\nname: mine\nmesh:\n  width: 16\n  height: 16\n",
			func(t *testing.T, s Spec) {
				assert.True(t, s.Packet.IsZero(), "a bigger mesh than the base's still loads")
			}, ""},
		{"one key overrides the base's format", "base: truenorth\nname: mine\npacket:\n  flit_bits: 64\n",
			func(t *testing.T, s Spec) {
				want := router.TrueNorthPacketFormat()
				want.FlitBits = 64
				assert.Equal(t, want, s.Packet)
			}, ""},
		{"an unchanged section is the default", "name: mine\npacket:\n  name: loihi\n",
			func(t *testing.T, s Spec) { assert.True(t, s.Packet.IsZero()) }, ""},
		{"a whole format", `name: mine
packet:
  name: narrow
  flit_bits: 16
  payload_bits: 4
  fields:
    - {name: tile, bits: 5}
    - {name: core, bits: 2}
    - {name: axon, bits: 12}
`, func(t *testing.T, s Spec) {
			assert.Equal(t, router.PacketFormat{Name: "narrow", FlitBits: 16, PayloadBits: 4, Fields: []router.PacketField{
				{Name: "tile", Bits: 5}, {Name: "core", Bits: 2}, {Name: "axon", Bits: 12}}}, s.Packet)
			assert.Equal(t, 2, s.PacketFormat().Flits(0))
		}, ""},
		{"a misfit", "base: truenorth\nname: mine\npacket:\n  fields: [{name: dx, bits: 9}, {name: dy, bits: 9}, {name: axon, bits: 7}]\n",
			nil, "core.max_axons is 256, but axon (7 bits) numbers 0..127"},
		{"a typo", "name: mine\npacket:\n  flit_bitz: 8\n", nil, "flit_bitz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("p.yaml", []byte(tc.text))
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			tc.want(t, s)
		})
	}
}

// Chip images store the preset as JSON: a preset that names no format
// writes no packet key (images from before formats existed read the
// same), one that names a format round-trips it.
func TestPacketJSON(t *testing.T) {
	js, err := json.Marshal(Loihi())
	require.NoError(t, err)
	assert.NotContains(t, string(js), `"packet"`)

	s := TrueNorth()
	s.Packet = router.TrueNorthPacketFormat()
	js, err = json.Marshal(s)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"packet":{"name":"truenorth","flit_bits":32,"fields":[{"name":"dx","bits":9}`)
	var back Spec
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, s, back)
}
