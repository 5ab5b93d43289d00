package mesh

import (
	"errors"
	"fmt"

	"github.com/tessera-sim/tessera/router"
)

// Spec lays out a chip — or a board of chips: a Width×Height mesh of
// tiles, each with one router and CoresPerTile cores. On a board
// (ChipWidth > 0) the mesh is cut into chips of ChipWidth×ChipHeight tiles,
// and a hop that crosses from one chip to the next takes a chip-to-chip
// link, which costs ChipLink instead of the router's hop.
type Spec struct {
	Width        int         `json:"width" yaml:"width"`
	Height       int         `json:"height" yaml:"height"`
	CoresPerTile int         `json:"cores_per_tile" yaml:"cores_per_tile"`
	Router       router.Spec `json:"router" yaml:"router"`

	ChipWidth  int            `json:"chip_width,omitempty" yaml:"chip_width"`
	ChipHeight int            `json:"chip_height,omitempty" yaml:"chip_height"`
	ChipLink   router.HopCost `json:"chip_link,omitempty" yaml:"chip_link"`
}

// Board says whether the mesh spans several chips.
func (s Spec) Board() bool {
	return s.ChipWidth > 0 && s.ChipHeight > 0 && s.ChipWidth*s.ChipHeight < s.Width*s.Height
}

// DefaultSpec is Loihi 1: 32 tiles of 4 cores on an 8×4 mesh.
func DefaultSpec() Spec {
	return Spec{Width: 8, Height: 4, CoresPerTile: 4, Router: router.DefaultSpec()}
}

// Validate reports every bad field.
func (s Spec) Validate() error {
	var errs []error
	if s.Width <= 0 || s.Height <= 0 {
		errs = append(errs, fmt.Errorf("mesh spec: width and height must be > 0, got %d×%d", s.Width, s.Height))
	}
	if s.Width > 1<<12 || s.Height > 1<<12 {
		errs = append(errs, fmt.Errorf("mesh spec: width and height must be ≤ 4096, got %d×%d", s.Width, s.Height))
	}
	if s.CoresPerTile <= 0 || s.CoresPerTile > 64 {
		errs = append(errs, fmt.Errorf("mesh spec: cores_per_tile must be in 1..64, got %d", s.CoresPerTile))
	}
	if s.ChipWidth != 0 || s.ChipHeight != 0 {
		switch {
		case s.ChipWidth <= 0 || s.ChipHeight <= 0:
			errs = append(errs, fmt.Errorf("mesh spec: chip_width and chip_height must both be > 0 on a board, got %d×%d", s.ChipWidth, s.ChipHeight))
		case s.Width%s.ChipWidth != 0 || s.Height%s.ChipHeight != 0:
			errs = append(errs, fmt.Errorf("mesh spec: the %d×%d mesh is not a whole number of %d×%d chips", s.Width, s.Height, s.ChipWidth, s.ChipHeight))
		case s.Board() && s.ChipLink.LatencyPS <= 0:
			errs = append(errs, fmt.Errorf("mesh spec: chip_link.latency_ps must be > 0 on a board, got %d", s.ChipLink.LatencyPS))
		}
	}
	if err := s.Router.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Tiles is the number of tiles on the chip.
func (s Spec) Tiles() int { return s.Width * s.Height }

// Cores is the number of cores on the chip.
func (s Spec) Cores() int { return s.Tiles() * s.CoresPerTile }

// CoreTile returns the tile coordinates of core id; cores fill a tile, then
// tiles go row by row (x fastest).
func (s Spec) CoreTile(core int) (x, y int) {
	tile := core / s.CoresPerTile
	return tile % s.Width, tile / s.Width
}
